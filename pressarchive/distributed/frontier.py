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
import time
import uuid
from collections import deque
from collections.abc import Callable
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
from pressarchive.distributed.outbox import Outbox, outbox_of
from pressarchive.distributed.politeness import AHEAD_META, site_of
from pressarchive.distributed.request_codec import RequestCodec
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
# How often a process that found the queue empty looks for others' finds (its own: at once).
DRAINED_LOOK_AGAIN = 0.1


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


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
        found, _ = self.pop_many(1)
        return found[0] if found else None

    def pop_many(
        self, most: int, outbox: Outbox | None = None, also: Callable[[Any], Any] | None = None
    ) -> tuple[list[tuple[str, bytes]], int]:
        """Up to `most` requests (no more than this member's share of the queue),
        each as (receipt, encoded request), and how many are left in the queue;
        riding `outbox`'s round trip when given, with what `also(pipe)` puts
        after the pop (it returns what takes those commands' replies)."""
        k = self.keys
        keys = [k.requests, k.processing, k.serial, k.idle, k.members]
        args = [self.member, max(1, most)]
        if outbox is None:
            found = self._pop(keys=keys, args=args)
        else:
            then: list[Callable[[list[Any]], Any]] = []

            def commands(pipe: Any) -> None:
                pipe.eval(POP, len(keys), *keys, *args)
                then.extend([also(pipe)] if also is not None else [])

            found, *replies = outbox.flush(commands)
            for take in then:
                take(replies)
        left, *pairs = found
        return [(_text(pairs[i]), pairs[i + 1]) for i in range(0, len(pairs), 2)], int(left)

    def ack(self, receipt: str, pipe: Any = None) -> None:
        """Done with a popped request (on `pipe`, when given, to go with other commands)."""
        (pipe if pipe is not None else self.server).hdel(self.keys.processing, receipt)

    def idle(self, outbox: Outbox | None = None) -> bool:
        """This member has nothing to do; True when the whole run has nothing left."""
        keys, args = self._core, [self.member, self.dead_after]
        if outbox is None:
            return bool(self._idle(keys=keys, args=args))
        return bool(outbox.call(lambda pipe: pipe.eval(IDLE, len(keys), *keys, *args)))

    def leave(self, *, finished: bool, outbox: Outbox | None = None) -> bool:
        """Leave the run; True when this member ended it (the run's keys are gone)."""
        k = self.keys
        keys = [*self._core, k.dupefilter, k.serial]
        args = [self.member, "1" if finished else "0"]
        if outbox is None:
            return bool(self._leave(keys=keys, args=args))
        return bool(outbox.call(lambda pipe: pipe.eval(LEAVE, len(keys), *keys, *args)))

    def pending(self) -> int:
        return int(self.server.llen(self.keys.requests))


class FrontierQueue(RequestCodec, Base):
    """scrapy-redis's queue interface over a `Frontier` (FIFO but for positive
    priorities, which go first; reliable pop).

    One round trip pops as many requests as the process has free download
    slots (`room`), riding the outbox's pipeline, with their site leases; they
    wait in `popped` (in the member's processing hash, so a killed process gives
    them back) and are handed out one by one, at once, until the slots are full."""

    frontier: Frontier
    outbox: Outbox | None = None
    room: Callable[[], int] = staticmethod(lambda: 1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.popped: deque[Request] = deque()
        # When a pop left the queue empty (monotonic time; None: it was not), what
        # it left, and how many requests this process has queued since: the engine
        # asks for the next request at every download that ends, and asking an
        # empty queue each time would be a round trip per page for nothing.
        self.drained_at: float | None = None
        self.left = 0
        self.pushed = 0
        self.site = ""  # of the last request popped: the next pop takes leases of it

    def __len__(self) -> int:
        return len(self.popped) + self.frontier.pending()

    def push(self, request: Request) -> None:
        self.frontier.push(self._encode_request(request), None, first=request.priority > 0)
        self.pushed += 1

    def pop(self, timeout: int = 0) -> Request | None:
        if not self.popped and self._worth_a_look():
            self._pop_several()
        return self.popped.popleft() if self.popped else None

    def _worth_a_look(self) -> bool:
        """Not if the queue was empty a moment ago and this process queued nothing
        since: other processes' requests are looked for every DRAINED_LOOK_AGAIN."""
        if self.drained_at is None or self.pushed:
            return True
        return time.monotonic() - self.drained_at >= DRAINED_LOOK_AGAIN

    def _pop_several(self) -> None:
        walk: list[Request] = []
        room, tokens, site = self.room(), list[str](), self.site
        # the leases of what the pop may bring ride its round trip (distributed.politeness)
        n = min(room, self.left + self.pushed)
        leases: Any = self.outbox.leases if self.outbox is not None else None
        also = leases.take_ahead(site, n, tokens) if leases is not None and site and n else None
        found, self.left = self.frontier.pop_many(room, self.outbox, also)
        self.pushed = 0
        self.drained_at = time.monotonic() if self.left == 0 else None
        for receipt, blob in found:
            try:
                request: Request = self._decode_request(blob)
            except (ValueError, AttributeError, ImportError) as exc:
                # a request queued by another version of the spiders: nothing can run it
                log.error("dropping a queued request that cannot be decoded: %s", exc)
                self._drop(receipt)
                continue
            request.meta[RECEIPT_META] = receipt
            self.site = site_of(request.url)
            if tokens and self.site == site:
                request.meta[AHEAD_META] = tokens.pop()
            (walk if request.priority > 0 else self.popped).append(request)
        self.popped.extendleft(reversed(walk))  # the walk's next pages first, as queued
        if tokens:
            leases.give_back_unused(tokens)  # fewer popped than leases taken

    def _drop(self, receipt: str) -> None:
        if self.outbox is not None:
            self.outbox.acknowledge(lambda pipe: self.frontier.ack(receipt, pipe))
        else:
            self.frontier.ack(receipt)

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
        self.queue.outbox = outbox_of(self.crawler)
        self.queue.room = self._free_slots
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

        # Sent with the crawl's next round trip (distributed.outbox), so "scheduled"
        # is said before the dupefilter has answered; a seen request is logged then.
        outbox_of(self.crawler).defer(
            lambda pipe: frontier.push(encoded, fingerprint, first=first, pipe=pipe), queued
        )
        self.queue.pushed += 1  # worth a look at the queue: the pop carries the push
        return True

    def has_pending_requests(self) -> bool:
        return (
            bool(self.queue.popped)
            or bool(outbox_of(self.crawler).steps)
            or super().has_pending_requests()
        )

    def _free_slots(self) -> int:
        """How many downloads this process can start now (the engine asks for
        the next request only while its downloader has room)."""
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        if downloader is None:
            return 1
        return max(1, int(downloader.total_concurrency) - len(downloader.active))

    def next_request(self) -> Request | None:
        # the pop rides the outbox: this process's new requests are queued before it
        request = self.queue.pop()
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def ack(self, receipt: str) -> None:
        """Acknowledge with the next round trip, after the messages the request's page produced."""
        frontier = self.frontier
        assert frontier is not None
        outbox_of(self.crawler).acknowledge(lambda pipe: frontier.ack(receipt, pipe), receipt)

    def spider_idle(self, spider: Any = None) -> None:
        if self.frontier is None:
            return
        # idle acknowledges everything this process popped: what waits goes first
        if not self.frontier.idle(outbox_of(self.crawler)):
            raise DontCloseSpider("other crawl processes are still working on the run")

    def close(self, reason: str) -> None:
        if self._beat is not None and self._beat.running:
            self._beat.stop()
        if self.frontier is None:
            return
        # leaving acknowledges (or gives back) what this process popped: what waits goes first
        ended = self.frontier.leave(finished=reason == "finished", outbox=outbox_of(self.crawler))
        crawl_state(self.crawler).frontier_ended = ended
        log.info(
            "left run %s of %s (%s)%s",
            self.frontier.run,
            self.frontier.keys.source_id,
            reason,
            "; the run is over" if ended else "",
        )
