"""The shared per-site lease within one process, against a real redis-server:
requests for a busy site wait their turn instead of all asking Redis, and a
lease this process gives back wakes the next at once."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from scrapy import Request
from scrapy.http import Response

from pressarchive.distributed.politeness import SitePolitenessMiddleware


def test_one_request_per_site_asks_redis_and_a_lease_given_back_wakes_it(
    redis_url: str,
) -> None:
    import redis

    server = redis.Redis.from_url(redis_url)
    middleware = SitePolitenessMiddleware(server, limit=1, delay=0.0, lease_seconds=30)
    acquire = middleware._acquire
    asking: list[str] = []  # the token of each try, in order

    def counted(*, keys: Any, args: Any) -> Any:
        asking.append(args[0])
        return acquire(keys=keys, args=args)

    middleware._acquire = counted

    async def scenario() -> float:
        first, *others = (Request(f"http://room.example/{n}") for n in range(3))
        await middleware.process_request(first)
        waiting = [asyncio.ensure_future(middleware.process_request(r)) for r in others]
        await asyncio.sleep(0.5)  # the limit is 1: both wait
        assert not any(w.done() for w in waiting)
        assert len(set(asking[1:])) == 1  # only one of them asked, again and again
        given_back = time.monotonic()
        middleware.process_response(first, Response(first.url, request=first))
        await asyncio.wait_for(waiting[0], timeout=1)
        woken = time.monotonic() - given_back
        waiting[1].cancel()
        return woken

    woken = asyncio.run(scenario())
    assert woken < 0.1  # not at its next try
    server.close()
