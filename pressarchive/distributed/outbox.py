"""A Redis crawl's messages for the writer, sent with the next acknowledgement.

A page used to cost three round trips to Redis after its download: its WARC
index row, its release, then the acknowledgement of its request. On two cores
every round trip also hands the CPU to redis-server and back. The outbox keeps
the messages and sends them in one pipeline with the next acknowledgement,
the acknowledgement last: Redis runs a pipeline in order, so a request is never
acknowledged before its messages are queued. A crawler killed with messages
still here loses nothing: their requests were not acknowledged, so they go back
on the frontier and are fetched again (the writer's upserts make that harmless).

Whoever acknowledges without a receipt (the frontier going idle or leaving the
run acknowledges everything the process popped) flushes first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pressarchive.crawl.state import crawl_state
from pressarchive.distributed.connection import connect, redis_url
from pressarchive.distributed.keys import INGEST_QUEUE

# Sent without waiting for an acknowledgement past this many (a page that
# never gets one, e.g. a redirect, must not let them pile up).
MAX_PENDING = 200


class Outbox:
    def __init__(self, server: Any, queue: str = INGEST_QUEUE) -> None:
        self.server = server
        self.queue = queue
        self.pending: list[bytes] = []

    def send(self, message: bytes) -> None:
        self.pending.append(message)
        if len(self.pending) >= MAX_PENDING:
            self.flush()

    def flush(self, then: Callable[[Any], Any] | None = None) -> None:
        """Queue what is pending, then run `then` on the same pipeline (an acknowledgement)."""
        if not self.pending and then is None:
            return
        pipe = self.server.pipeline(transaction=False)
        if self.pending:
            # one LPUSH of many keeps their order: the writer pops the oldest first
            pipe.lpush(self.queue, *self.pending)
        if then is not None:
            then(pipe)
        pipe.execute()
        # only once sent: after a failed flush they are sent again (twice is harmless)
        self.pending.clear()


def outbox_of(crawler: Any) -> Outbox:
    """The crawl's outbox (one per crawl, shared by the push pipeline, the WARC
    recorder and the frontier's acknowledgements)."""
    state = crawl_state(crawler)
    if state.writer_outbox is None:
        url = redis_url(crawler.settings)
        assert url, "only a Redis crawl has an outbox"
        state.writer_outbox = Outbox(connect(url))
    outbox: Outbox = state.writer_outbox
    return outbox
