"""The shared frontier: scrapy-redis's scheduler over one Redis, made safe for
processes that die and for crawls that run again.

Several crawl processes work on one *run* of a source: the first to arrive
creates the run, the others join it. Every request goes through one Lua call
that asks scrapy-redis's dupefilter set and pushes onto the run's queue, so a
request can never be marked seen without being queued. Start requests go
through the dupefilter too: however many processes start, the press room's
start page is queued once per run. The dupefilter belongs to the run and is
deleted when the run ends, so the next crawl (next hour's cron) walks the
listings again from the start: the incremental rule needs that.

A pop moves the request into a `processing` hash under the popping member's
name; it is acknowledged (deleted) when its page's items have reached the
writer's queue (`acks.py`). A member that stops sending heartbeats is dead:
whoever notices first puts its unacknowledged requests back on the queue and
removes it, so a SIGKILLed crawler loses nothing (and costs at most a few
pages fetched twice; the writer's upserts make that harmless).

A run ends when its queue is empty and every member is idle (its engine has
nothing to do); the member that ends it deletes the run's keys and tells the
writer, which then runs the end-of-crawl work.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from pressarchive.crawl.state import crawl_state
from pressarchive.distributed.frontier_scripts import HEARTBEAT, IDLE, JOIN, LEAVE, POP, PUSH
from pressarchive.distributed.keys import SOURCE_PLATFORMS, FrontierKeys
from pressarchive.distributed.outbox import outbox_of
from pressarchive.distributed.seen_redis import RedisSeenIndex

log = logging.getLogger(__name__)

# request.meta key: the processing field of a popped request (its receipt for the ack)
RECEIPT_META = "pressarchive_receipt"

HEARTBEAT_SETTING = "PRESSARCHIVE_REDIS_HEARTBEAT"  # seconds between heartbeats
DEAD_AFTER_SETTING = "PRESSARCHIVE_REDIS_DEAD_AFTER"  # seconds without one: dead
DEFAULT_HEARTBEAT = 2.0
DEFAULT_DEAD_AFTER = 15.0
# How often an idle member looks at the queue again (Scrapy's own is every 5 s).
IDLE_POLL_SECONDS = 0.2


def member_name() -> str:
    """A crawl process's name in the frontier: unique across hosts and restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Frontier:
    """One source's run as seen by one member: join, pop, acknowledge, idle, leave."""

    def __init__(
        self, server: Any, source_id: str, *, member: str | None = None, dead_after: float = 15.0
    ) -> None:
        self.server = server
        self.keys = FrontierKeys(source_id)
        self.member = member or member_name()
        self.dead_after = dead_after
        self.run: str | None = None
        k = self.keys
        core = [k.run, k.requests, k.processing, k.members, k.idle, k.alive]
        self._core = core
        self._join = server.register_script(JOIN)
        self._heartbeat = server.register_script(HEARTBEAT)
        self._push = server.register_script(PUSH)
        self._pop = server.register_script(POP)
        self._idle = server.register_script(IDLE)
        self._leave = server.register_script(LEAVE)

    def join(self) -> tuple[str, bool, int]:
        """Join the source's run (creating it if there is none): (run id, created, recovered)."""
        run, created, recovered = self._join(
            keys=self._core, args=[self.member, uuid.uuid4().hex, self.dead_after]
        )
        self.run = run.decode() if isinstance(run, bytes) else str(run)
        return self.run, bool(created), int(recovered)

    def heartbeat(self) -> bool:
        return bool(self._heartbeat(keys=self._core, args=[self.member, self.dead_after]))

    def push(
        self, encoded: bytes, fingerprint: str | None, *, first: bool = False, pipe: Any = None
    ) -> bool:
        """Queue `encoded` (at the front if `first`) unless `fingerprint` was seen
        in this run; True if queued (on `pipe`: put on it, the reply comes with its own)."""
        k = self.keys
        args = [fingerprint or "", encoded, "1" if first else "0"]
        if pipe is not None:
            # EVAL, not EVALSHA: a pipeline does not load a missing script (a restarted
            # redis-server), and the acknowledgement after this would still run
            pipe.eval(PUSH, 2, k.dupefilter, k.requests, *args)
            return True
        return bool(self._push(keys=[k.dupefilter, k.requests], args=args))

    def pop(self) -> tuple[str, bytes] | None:
        k = self.keys
        found = self._pop(
            keys=[k.requests, k.processing, k.serial, k.idle, k.members], args=[self.member]
        )
        if not found:
            return None
        receipt, blob = found
        return (receipt.decode() if isinstance(receipt, bytes) else str(receipt)), blob

    def ack(self, receipt: str, pipe: Any = None) -> None:
        """Done with a popped request (on `pipe`, when given, to go with other commands)."""
        (pipe if pipe is not None else self.server).hdel(self.keys.processing, receipt)

    def idle(self) -> bool:
        """This member has nothing to do; True when the whole run has nothing left."""
        return bool(self._idle(keys=self._core, args=[self.member, self.dead_after]))

    def leave(self, *, finished: bool) -> bool:
        """Leave the run; True when this member ended it (the run's keys are gone)."""
        k = self.keys
        return bool(
            self._leave(
                keys=[*self._core, k.dupefilter, k.serial],
                args=[self.member, "1" if finished else "0"],
            )
        )

    def pending(self) -> int:
        return int(self.server.llen(self.keys.requests))


class FrontierQueue(Base):
    """scrapy-redis's queue interface over a `Frontier` (FIFO but for positive
    priorities, which go first; reliable pop)."""

    frontier: Frontier

    def __len__(self) -> int:
        return self.frontier.pending()

    def push(self, request: Request) -> None:
        self.frontier.push(self._encode_request(request), None, first=request.priority > 0)

    def pop(self, timeout: int = 0) -> Request | None:
        while True:
            found = self.frontier.pop()
            if found is None:
                return None
            receipt, blob = found
            try:
                request: Request = self._decode_request(blob)
            except (ValueError, AttributeError, ImportError) as exc:
                # a request queued by another version of the spiders: nothing can run it
                log.error("dropping a queued request that cannot be decoded: %s", exc)
                self.frontier.ack(receipt)
                continue
            request.meta[RECEIPT_META] = receipt
            return request

    def clear(self) -> None:
        """The run's keys go when the run ends (Frontier.leave), not per process."""


def source_id_of(spider: Any) -> str:
    source = getattr(spider, "source", None)
    return str(getattr(source, "id", None) or spider.name)


class FrontierScheduler(Scheduler):
    """scrapy-redis's Scheduler on one source's run of the shared frontier.

    Its RFPDupeFilter gives the fingerprints and its queue interface the
    encoding; `Frontier` adds runs, the atomic seen-and-push and the receipts."""

    crawler: Any = None
    frontier: Frontier | None = None
    _beat: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierScheduler:
        scheduler: FrontierScheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        # the crawl's one client (its outbox's), so that its round trips are counted together
        scheduler.server = outbox_of(crawler).server
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider: Any) -> None:
        settings = self.crawler.settings
        self.spider = spider
        source_id = source_id_of(spider)
        dead_after = settings.getfloat(DEAD_AFTER_SETTING, DEFAULT_DEAD_AFTER)
        self.frontier = Frontier(self.server, source_id, dead_after=dead_after)
        self.df = RFPDupeFilter(self.server, key=self.frontier.keys.dupefilter)
        self.queue = FrontierQueue(
            server=self.server,
            spider=spider,
            key=self.frontier.keys.requests,
            serializer=self.serializer,
        )
        self.queue.frontier = self.frontier
        platform = getattr(spider, "platform", None)
        if platform:
            self.server.hset(SOURCE_PLATFORMS, source_id, platform)
        run, created, recovered = self.frontier.join()
        # "already archived?" from the writer's index in Redis, not from a local archive
        state = crawl_state(self.crawler)
        close = getattr(state.seen, "close", None)
        if close is not None:
            close()
        state.seen = RedisSeenIndex(self.server)
        state.frontier_run = run
        state.frontier_ack = self.ack
        log.info(
            "%s run %s of %s as %s (%d requests queued, %d recovered from dead members)",
            "started" if created else "joined",
            run,
            source_id,
            self.frontier.member,
            len(self.queue),
            recovered,
        )
        if self.stats:
            self.stats.set_value("pressarchive/frontier/run", run)
            self.stats.set_value("pressarchive/frontier/member", self.frontier.member)
        self._beat = task.LoopingCall(self.frontier.heartbeat)
        self._beat.start(settings.getfloat(HEARTBEAT_SETTING, DEFAULT_HEARTBEAT), now=False)
        engine = getattr(self.crawler, "engine", None)
        if engine is not None and hasattr(engine, "_SLOT_HEARTBEAT_INTERVAL"):
            # Scrapy looks at an idle scheduler every 5 s; a shared queue refills from
            # other processes, so look more often (a private attribute: see the tests).
            engine._SLOT_HEARTBEAT_INTERVAL = IDLE_POLL_SECONDS

    def enqueue_request(self, request: Request) -> bool:
        assert self.frontier is not None
        filtered = not request.dont_filter or request.meta.get("is_start_request", False)
        fingerprint = self.df.request_fingerprint(request) if filtered else None
        request.meta.pop(RECEIPT_META, None)  # a redirect or retry copy is a request of its own
        encoded = self.queue._encode_request(request)
        # FIFO, except the walk's next pages (spiders' WALK_PRIORITY): they keep the queue fed
        first = request.priority > 0
        frontier = self.frontier

        def queued(reply: Any) -> None:
            if not reply:
                self.df.log(request, self.spider)
            elif self.stats:
                self.stats.inc_value("scheduler/enqueued/redis")

        # Sent with the page's acknowledgement (distributed.outbox), so "scheduled"
        # is said before the dupefilter has answered; a seen request is logged then.
        outbox_of(self.crawler).defer(
            lambda pipe: frontier.push(encoded, fingerprint, first=first, pipe=pipe), queued
        )
        return True

    def has_pending_requests(self) -> bool:
        return bool(outbox_of(self.crawler).steps) or super().has_pending_requests()

    def next_request(self) -> Request | None:
        outbox = outbox_of(self.crawler)
        if outbox.steps:
            outbox.flush()  # this process's new requests are in the queue before it pops
        request = self.queue.pop()
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def ack(self, receipt: str) -> None:
        """Acknowledge with the messages the request's page produced, after them."""
        frontier = self.frontier
        assert frontier is not None
        outbox_of(self.crawler).flush(lambda pipe: frontier.ack(receipt, pipe))

    def spider_idle(self, spider: Any = None) -> None:
        if self.frontier is None:
            return
        outbox_of(self.crawler).flush()  # idle acknowledges everything this process popped
        if not self.frontier.idle():
            raise DontCloseSpider("other crawl processes are still working on the run")

    def close(self, reason: str) -> None:
        if self._beat is not None and self._beat.running:
            self._beat.stop()
        if self.frontier is None:
            return
        outbox_of(self.crawler).flush()  # leaving acknowledges what this process popped
        ended = self.frontier.leave(finished=reason == "finished")
        crawl_state(self.crawler).frontier_ended = ended
        log.info(
            "left run %s of %s (%s)%s",
            self.frontier.run,
            self.frontier.keys.source_id,
            reason,
            "; the run is over" if ended else "",
        )
