"""A Redis crawl's one way to Redis: what its pages produce waits here and
rides the crawl's next round trip, whatever that is.

A round trip costs a crawl process more CPU (redis-py, and on two cores the
hand-over to redis-server and back) than Redis spends on most commands. So
what does not need an answer now waits here: the requests a page found, the
site lease its download gave back, the WARC digest look-up of its response
(answered when it rides), its WARC index row, its release, and the
acknowledgement of its request. It goes, in one pipeline, with the next
command that does need an answer (the next site lease, the next pop from the
frontier, going idle), or after `linger` seconds when none comes.

A pipeline runs in order: the requests, leases and look-ups first, then the
messages for the writer, then the acknowledgements, then the command it rides
with. So a request is never acknowledged before what its page found is queued
(an acknowledgement whose WARC row waits for its look-up is held back). A
crawler killed with something still here loses nothing: the requests of those
pages were not acknowledged, so they go back on the frontier and are fetched
again (the writer's upserts make that harmless).

Whoever acknowledges without a receipt (the frontier going idle or leaving the
run acknowledges everything the process popped) flushes first.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from pressarchive.crawl.state import crawl_state
from pressarchive.distributed.connection import connect, redis_url
from pressarchive.distributed.keys import INGEST_QUEUE

log = logging.getLogger(__name__)

# Sent without waiting for a round trip past this many (a page that never gets
# an acknowledgement, e.g. a redirect, must not let them pile up).
MAX_PENDING = 200
# What waits is sent after at most this long when no round trip comes to take
# it (a crawl's last pages, a lease given back while nothing else is going on).
LINGER_SECONDS = 0.05


# A command put on the pipeline, and what to do with its reply once it has run.
Step = tuple[Callable[[Any], Any], Callable[[Any], Any] | None]
# schedule(seconds, callable): the crawl's reactor's callLater
Scheduler = Callable[..., Any]


class Outbox:
    def __init__(
        self,
        server: Any,
        queue: str = INGEST_QUEUE,
        *,
        schedule: Scheduler | None = None,
        linger: float = LINGER_SECONDS,
    ) -> None:
        self.server = server
        self.queue = queue
        self.steps: list[Step] = []  # before the messages: the frontier's pushes, leases
        self.pending: list[bytes] = []  # messages for the writer's queue
        self.acks: list[Step] = []  # after the messages
        # receipt -> its acknowledgements, kept back until what its page still
        # has to send is here (its WARC row, written when the digest look-up answers)
        self.held: dict[str, list[Step]] = {}
        self.schedule = schedule  # None: what waits goes only with a round trip
        # the crawl's per-site leases (politeness.SitePolitenessMiddleware), which
        # the frontier's pops take ahead for the requests they bring
        self.leases: Any = None
        self.linger = linger
        self._waiting_since: float | None = None
        self._timer_armed = False

    def __len__(self) -> int:
        return len(self.steps) + len(self.pending) + len(self.acks)

    def send(self, message: bytes) -> None:
        self.pending.append(message)
        self._waiting()

    def defer(self, step: Callable[[Any], Any], then: Callable[[Any], Any] | None = None) -> None:
        """Run `step(pipeline)` with the next round trip, then `then(its reply)`."""
        self.steps.append((step, then))
        self._waiting()

    def acknowledge(self, step: Callable[[Any], Any], receipt: str | None = None) -> None:
        """Run `step(pipeline)` with the next round trip, after every message before it
        (and, for a receipt held back, after its page's last message)."""
        if receipt is not None and receipt in self.held:
            self.held[receipt].append((step, None))
            return
        self.acks.append((step, None))
        self._waiting()

    def hold(self, receipt: str) -> None:
        """Keep the receipt's acknowledgement back until `let_go`."""
        self.held.setdefault(receipt, [])

    def let_go(self, receipt: str) -> None:
        kept = self.held.pop(receipt, None)
        if kept:
            self.acks.extend(kept)
            self._waiting()

    def flush(self, then: Callable[[Any], Any] | None = None) -> list[Any]:
        """Send what waits, then what `then(pipeline)` puts on the same pipeline;
        returns the replies of `then`'s commands."""
        if not len(self) and then is None:
            return []
        pipe = self.server.pipeline(transaction=False)
        for step, _ in self.steps:
            step(pipe)
        if self.pending:
            # one LPUSH of many keeps their order: the writer pops the oldest first
            pipe.lpush(self.queue, *self.pending)
        for step, _ in self.acks:
            step(pipe)
        sent = len(pipe)
        if then is not None:
            then(pipe)
        replies = pipe.execute()
        # only once sent: after a failed flush all is sent again (twice is harmless)
        steps, self.steps = self.steps, []
        self.pending.clear()
        self.acks.clear()
        self._waiting_since = None
        for (_, on_reply), reply in zip(steps, replies, strict=False):
            if on_reply is not None:
                on_reply(reply)
        return list(replies[sent:])

    def call(self, command: Callable[[Any], Any]) -> Any:
        """One command that needs its answer now, with what waits riding along."""
        return self.flush(command)[-1]

    def _waiting(self) -> None:
        if len(self) >= MAX_PENDING:
            self.flush()
            return
        if self._waiting_since is None:
            self._waiting_since = time.monotonic()
        if self.schedule is not None and not self._timer_armed:
            self._timer_armed = True
            self.schedule(self.linger, self._lingered)

    def _lingered(self) -> None:
        """The timer: send what has waited `linger` seconds; look again for the rest."""
        self._timer_armed = False
        if self._waiting_since is None:
            return
        again = self.linger - (time.monotonic() - self._waiting_since)
        if again <= 0:
            try:
                self.flush()
                return
            except Exception as exc:  # Redis away for a moment: kept, tried again
                log.warning("could not send to Redis (%s); trying again in a second", exc)
                again = 1.0
        if self.schedule is not None:
            self._timer_armed = True
            self.schedule(again, self._lingered)


def outbox_of(crawler: Any) -> Outbox:
    """The crawl's outbox (one per crawl, shared by the frontier, the push
    pipeline, the WARC recorder and the site leases), and its one client."""
    state = crawl_state(crawler)
    if state.writer_outbox is None:
        url = redis_url(crawler.settings)
        assert url, "only a Redis crawl has an outbox"
        from twisted.internet import reactor

        state.writer_outbox = Outbox(connect(url), schedule=reactor.callLater)
    outbox: Outbox = state.writer_outbox
    return outbox
