"""Politeness per press room across every crawl process of a Redis crawl.

Scrapy's own limits (CONCURRENT_REQUESTS_PER_DOMAIN, DOWNLOAD_DELAY) hold per
process; three processes would be three times as hard on a press room. This
downloader middleware takes a lease in Redis before each download: no more
than `PRESSARCHIVE_SITE_CONCURRENCY` (default: CONCURRENT_REQUESTS_PER_DOMAIN)
downloads from one host at a time over all processes, and starts at least
DOWNLOAD_DELAY apart. A lease expires by itself after DOWNLOAD_TIMEOUT plus a
margin, so a killed process blocks nobody for long. AutoThrottle still slows
each process down on its own when a site answers slowly.

In a crawl, taking a lease rides the crawl's outbox (what waits there goes
with it), and a lease given back waits in the outbox for the crawl's next
round trip: the next lease taken or the next pop, as a rule, at most the
outbox's linger later. A request of this process waiting for the site is
woken at once: its own try is that round trip, the lease given back ahead of
it in the pipeline.

The leases of the requests a pop brings are taken in the pop's own round trip
(`take_ahead`, for the site of the requests popped before, as a rule the
source's one site): a lease there was a round trip a page of its own, and
cost a crawl process more CPU than storing the page costs the writer. Such a
lease serves a request of its site within AHEAD_SECONDS of being granted, as
one taken in `process_request` serves the download that follows it; one that
no request took in that time (fewer popped, another site, a request dropped
on its way) is given back.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response

from pressarchive.distributed.connection import redis_url
from pressarchive.distributed.keys import site_leases, site_next_start
from pressarchive.distributed.outbox import Outbox, outbox_of

LEASE_META = "pressarchive_site_lease"
AHEAD_META = "pressarchive_lease_ahead"  # the token of a lease taken with the pop
# A lease taken ahead serves a request only this soon after it was granted, and
# is given back after: with a DOWNLOAD_DELAY, a download started later than
# that would come closer than the delay to the next start the lease allows.
AHEAD_SECONDS = 0.05
SITE_CONCURRENCY_SETTING = "PRESSARCHIVE_SITE_CONCURRENCY"
MAX_WAIT_STEP = 0.25  # seconds: the longest sleep between two tries for a lease

# KEYS: leases, next start. ARGV: token, limit, delay ms, lease ms.
# Returns 0 when the lease is taken, else how many ms to wait before trying again.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(5, math.min(50, tonumber(first[2]) - now))
end
local next_start = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < next_start then return next_start - now end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
redis.call('SET', KEYS[2], now + tonumber(ARGV[3]), 'PX', tonumber(ARGV[3]) + 1000)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
return 0
"""


def site_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class SitePolitenessMiddleware:
    def __init__(
        self,
        server: Any,
        *,
        limit: int,
        delay: float,
        lease_seconds: float,
        stats: Any = None,
        outbox: Outbox | None = None,
    ) -> None:
        self.server = server
        self.outbox = outbox  # None: each take and give-back is a round trip of its own
        self.limit = max(1, limit)
        self.delay_ms = max(0, int(delay * 1000))
        self.lease_ms = int(lease_seconds * 1000)
        self.stats = stats
        self._acquire = server.register_script(_ACQUIRE)
        self._turns: dict[str, asyncio.Lock] = {}  # per site: whose turn to ask Redis
        self._released: dict[str, asyncio.Event] = {}  # per site: a lease was given back
        self._ahead: dict[str, tuple[str, float]] = {}  # token -> (site, monotonic time granted)
        # A lease's token only has to differ from every other lease of its site,
        # from any process: one random prefix per middleware and a count, not
        # an os.urandom call per lease (0.4% of a Redis crawl process's py-spy samples).
        self._token_prefix = uuid.uuid4().hex[:12]
        self._token_count = itertools.count()

    @classmethod
    def from_crawler(cls, crawler: Any) -> SitePolitenessMiddleware:
        settings = crawler.settings
        url = redis_url(settings)
        assert url, "the add-on enables this middleware only with a Redis URL"
        limit = settings.getint(SITE_CONCURRENCY_SETTING) or settings.getint(
            "CONCURRENT_REQUESTS_PER_DOMAIN", 2
        )
        outbox = outbox_of(crawler)
        middleware = cls(
            outbox.server,
            limit=limit,
            delay=settings.getfloat("DOWNLOAD_DELAY", 0.0),
            lease_seconds=settings.getfloat("DOWNLOAD_TIMEOUT", 180.0) + 10.0,
            stats=crawler.stats,
            outbox=outbox,
        )
        outbox.leases = middleware  # the frontier's pops take leases ahead through it
        return middleware

    def _new_token(self) -> str:
        return f"{self._token_prefix}:{next(self._token_count)}"

    def take_ahead(self, site: str, n: int, tokens: list[str]) -> Callable[[Any], Any]:
        """What puts `n` takes of a lease of `site` on a pop's pipeline (`Frontier.pop_many`'s
        `also`); the tokens granted go to `tokens`, for the popped requests' AHEAD_META."""
        asked = [self._new_token() for _ in range(n)]
        keys = [site_leases(site), site_next_start(site)]

        def granted(replies: list[Any]) -> None:
            now = time.monotonic()
            taken = [token for token, reply in zip(asked, replies, strict=True) if not int(reply)]
            self._ahead.update((token, (site, now)) for token in taken)
            tokens.extend(taken)
            if taken and self.outbox is not None and self.outbox.schedule is not None:
                self.outbox.schedule(AHEAD_SECONDS, self.give_back_unused)

        def also(pipe: Any) -> Callable[[list[Any]], None]:
            for token in asked:
                args = [token, self.limit, self.delay_ms, self.lease_ms]
                pipe.eval(_ACQUIRE, len(keys), *keys, *args)
            return granted

        return also

    def give_back_unused(self, tokens: list[str] | None = None) -> None:
        """Give back leases taken ahead: `tokens`, or those no request took in time."""
        if tokens is None:
            now = time.monotonic()
            tokens = [t for t, (_, at) in self._ahead.items() if now - at >= AHEAD_SECONDS]
        for token in tokens:
            taken = self._ahead.pop(token, None)
            if taken is not None:
                self._count("ahead_unused")
                self._give_back(taken[0], token)

    def _use_ahead(self, token: str, site: str) -> bool:
        """Whether the lease taken ahead serves a request of `site` now."""
        taken = self._ahead.pop(token, None)
        if taken is None:
            return False  # given back already
        if taken[0] == site and time.monotonic() - taken[1] < AHEAD_SECONDS:
            self._count("ahead_used")
            return True
        self._count("ahead_unused")
        self._give_back(taken[0], token)
        return False

    def _count(self, what: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"pressarchive/politeness/{what}")

    def _take(self, keys: list[str], token: str) -> int:
        """0 when the lease is taken, else the ms to wait before trying again."""
        args = [token, self.limit, self.delay_ms, self.lease_ms]
        if self.outbox is None:
            return int(self._acquire(keys=keys, args=args))
        # EVAL, not EVALSHA: a pipeline would ask SCRIPT EXISTS first, a round trip more
        return int(self.outbox.call(lambda pipe: pipe.eval(_ACQUIRE, len(keys), *keys, *args)))

    async def process_request(self, request: Request, spider: Any = None) -> None:
        site = site_of(request.url)
        if not site:
            return None
        ahead = request.meta.pop(AHEAD_META, None)
        if ahead is not None and self._use_ahead(ahead, site):
            request.meta[LEASE_META] = (site, ahead)
            return None
        token = self._new_token()
        keys = [site_leases(site), site_next_start(site)]
        waited = 0.0
        # One request per site in this process asks Redis at a time, the others
        # wait their turn here: a room allowing 2 downloads at once would otherwise
        # have every other request of the process asking Redis every few ms.
        async with self._turns.setdefault(site, asyncio.Lock()):
            released = self._released.setdefault(site, asyncio.Event())
            while True:
                released.clear()
                wait_ms = self._take(keys, token)
                if wait_ms == 0:
                    break
                step = min(MAX_WAIT_STEP, wait_ms / 1000)
                started = time.monotonic()
                # woken early when this process gives a lease of the site back;
                # one another process gives back is seen at the next try
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(released.wait(), timeout=step)
                waited += time.monotonic() - started
        request.meta[LEASE_META] = (site, token)
        if self.stats is not None and waited:
            self.stats.inc_value("pressarchive/politeness/waited_ms", int(waited * 1000))
        return None

    def _release(self, request: Request) -> None:
        lease = request.meta.pop(LEASE_META, None)
        if lease is None:
            return
        self._give_back(*lease)

    def _give_back(self, site: str, token: str) -> None:
        if self.outbox is None:
            self.server.zrem(site_leases(site), token)
        else:
            self.outbox.defer(lambda pipe: pipe.zrem(site_leases(site), token))
        released = self._released.get(site)
        if released is not None:
            # the request woken takes its lease through the outbox, behind this ZREM
            released.set()

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        self._release(request)
        return response

    def process_exception(
        self, request: Request, exception: BaseException, spider: Any = None
    ) -> None:
        self._release(request)
        return None
