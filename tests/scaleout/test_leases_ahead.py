"""Site leases taken in a pop's round trip for the requests it brings
(distributed.politeness.take_ahead), against a real redis-server: one round
trip for the pop and its leases, the limit and the delay still kept by Redis,
and no lease kept that no request used in time."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from scrapy import Request

from pressarchive.distributed.connection import connect
from pressarchive.distributed.frontier import Frontier, FrontierQueue
from pressarchive.distributed.keys import site_leases, site_next_start
from pressarchive.distributed.outbox import Outbox
from pressarchive.distributed.politeness import (
    AHEAD_META,
    AHEAD_SECONDS,
    LEASE_META,
    SitePolitenessMiddleware,
)
from scaleout.test_round_trips import queue_of

LEASES = site_leases("room.example")


@pytest.fixture
def counted(redis_url: str) -> Any:
    client = connect(redis_url)
    yield client
    client.close()


def crawl_of(
    counted: Any, *, room: int, limit: int = 16, delay: float = 0.0
) -> tuple[FrontierQueue, SitePolitenessMiddleware, Outbox]:
    frontier = Frontier(counted, "room", member="a")
    frontier.join()
    outbox = Outbox(counted)
    middleware = SitePolitenessMiddleware(
        counted, limit=limit, delay=delay, lease_seconds=30, outbox=outbox
    )
    outbox.leases = middleware
    return queue_of(counted, frontier, outbox, room=room), middleware, outbox


def first_page(queue: FrontierQueue, middleware: SitePolitenessMiddleware) -> None:
    """The crawl's first request: no site known yet, so its lease is a round trip
    of its own; its download ends."""
    queue.push(Request("http://room.example/"))
    request = queue.pop()
    assert request is not None and AHEAD_META not in request.meta
    asyncio.run(middleware.process_request(request))
    middleware.process_exception(request, RuntimeError("done"))


def test_the_requests_of_a_pop_get_their_leases_in_its_round_trip(counted: Any) -> None:
    queue, middleware, _ = crawl_of(counted, room=3)
    first_page(queue, middleware)
    for n in range(4):
        queue.push(Request(f"http://room.example/release-{n}"))
    before = counted.round_trips

    async def downloads() -> list[Request]:
        popped = [queue.pop() for _ in range(3)]
        requests = [r for r in popped if r is not None]
        for request in requests:
            await middleware.process_request(request)
        return requests

    requests = asyncio.run(downloads())
    assert counted.round_trips == before + 1  # the pop, its pushes and three leases
    assert len(requests) == 3 and all(LEASE_META in r.meta for r in requests)
    tokens = {r.meta[LEASE_META][1] for r in requests}
    assert {t.decode() for t in counted.zrange(LEASES, 0, -1)} == tokens  # the first's given back


def test_leases_no_popped_request_takes_go_back(counted: Any) -> None:
    queue, middleware, outbox = crawl_of(counted, room=3)
    first_page(queue, middleware)
    queue.push(Request("http://room.example/release-1"))
    queue.push(Request("http://other.example/release-2"))  # another site: no lease of it ahead
    queue.push(Request("http://room.example/release-3"))
    popped = [queue.pop() for _ in range(3)]
    assert [AHEAD_META in r.meta for r in popped if r] == [True, False, True]
    outbox.flush()
    assert counted.zcard(LEASES) == 2  # the third lease taken ahead went back at once

    time.sleep(AHEAD_SECONDS + 0.01)  # the two waited too long (the engine was busy)
    late = popped[0]
    assert late is not None
    ahead = late.meta[AHEAD_META]
    asyncio.run(middleware.process_request(late))  # a fresh lease, not the old one
    assert late.meta[LEASE_META][1] != ahead
    middleware.give_back_unused()  # the reactor's timer: the other one is stale too
    outbox.flush()
    assert [t.decode() for t in counted.zrange(LEASES, 0, -1)] == [late.meta[LEASE_META][1]]


def test_with_a_download_delay_a_pop_takes_one_lease_ahead(counted: Any) -> None:
    queue, middleware, _ = crawl_of(counted, room=3, delay=5.0)
    first_page(queue, middleware)
    counted.delete(site_next_start("room.example"))  # the first page's delay is over
    for n in range(3):
        queue.push(Request(f"http://room.example/release-{n}"))
    popped = [queue.pop() for _ in range(3)]
    # Redis still says when a download may start: the others wait in process_request
    assert [AHEAD_META in r.meta for r in popped if r] == [True, False, False]


def test_a_process_with_nothing_to_do_takes_no_lease(counted: Any) -> None:
    queue, middleware, outbox = crawl_of(counted, room=3)
    first_page(queue, middleware)
    outbox.flush()
    time.sleep(0.15)  # the queue is worth a look again
    assert queue.pop() is None
    # nothing left waiting to be sent: an idle process would otherwise take and
    # give back leases for ever, and its engine would never see it idle
    assert len(outbox) == 0 and counted.zcard(LEASES) == 0
