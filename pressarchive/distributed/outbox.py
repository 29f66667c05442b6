"""What a Redis crawl's pages produce, sent to Redis with the next acknowledgement.

A page used to cost a round trip to Redis for each request it found, its WARC
index row, its release, then one for the acknowledgement of its request; on
two cores every round trip also hands the CPU to redis-server and back. The
outbox keeps them and sends them in one pipeline with the next
acknowledgement, the acknowledgement last: Redis runs a pipeline in order, so
a request is never acknowledged before what its page found is queued. A
crawler killed with something still here loses nothing: the requests of those
pages were not acknowledged, so they go back on the frontier and are fetched
again (the writer's upserts make that harmless).

Whoever acknowledges without a receipt (the frontier going idle or leaving the
run acknowledges everything the process popped) flushes first, and so does the
scheduler before it pops (so that its own new requests are there to pop).
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


# A command put on the pipeline, and what to do with its reply once it has run.
Step = tuple[Callable[[Any], Any], Callable[[Any], Any] | None]


class Outbox:
    def __init__(self, server: Any, queue: str = INGEST_QUEUE) -> None:
        self.server = server
        self.queue = queue
        self.pending: list[bytes] = []  # messages for the writer's queue
        self.steps: list[Step] = []  # other commands (the frontier's pushes)

    def send(self, message: bytes) -> None:
        self.pending.append(message)
        if len(self.pending) >= MAX_PENDING:
            self.flush()

    def defer(self, step: Callable[[Any], Any], then: Callable[[Any], Any] | None = None) -> None:
        """Run `step(pipeline)` with the next flush, then `then(its reply)`."""
        self.steps.append((step, then))
        if len(self.steps) >= MAX_PENDING:
            self.flush()

    def flush(self, then: Callable[[Any], Any] | None = None) -> None:
        """Send what is pending, then run `then` on the same pipeline (an acknowledgement)."""
        if not self.pending and not self.steps and then is None:
            return
        pipe = self.server.pipeline(transaction=False)
        for step, _ in self.steps:
            step(pipe)
        if self.pending:
            # one LPUSH of many keeps their order: the writer pops the oldest first
            pipe.lpush(self.queue, *self.pending)
        if then is not None:
            then(pipe)
        replies = pipe.execute()
        # only once sent: after a failed flush all is sent again (twice is harmless)
        steps, self.steps = self.steps, []
        self.pending.clear()
        for (_, on_reply), reply in zip(steps, replies, strict=False):
            if on_reply is not None:
                on_reply(reply)


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
