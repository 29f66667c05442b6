"""Round trips to Redis per crawled page, against a real redis-server: what
needs no answer (a lease given back, a page's messages, its acknowledgement)
rides the next command that does; a pop takes several requests at once, and
they are given back when their process dies."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from pressarchive.crawl.state import crawl_state
from pressarchive.demo.server import DemoPressRooms
from pressarchive.distributed.connection import connect
from pressarchive.distributed.frontier import RECEIPT_META, Frontier, FrontierQueue
from pressarchive.distributed.keys import INGEST_QUEUE, FrontierKeys, site_leases
from pressarchive.distributed.outbox import Outbox
from pressarchive.distributed.politeness import SitePolitenessMiddleware
from pressarchive.distributed.push import ROUND_TRIPS_STAT
from pressarchive.distributed.queue import ReliableQueue
from pressarchive.distributed.warc import RedisWarcRecorderMiddleware
from pressarchive.sources import parse_sources
from scaleout.processes import FRONTIER_SETTINGS, start_crawler, start_writer, stop
from scaleout.test_kills import wait_for


@pytest.fixture
def counted(redis_url: str) -> Any:
    """A client that counts its round trips, as every crawl's is."""
    client = connect(redis_url)
    yield client
    client.close()


def test_the_replies_are_read_by_hiredis(counted: Any) -> None:
    """The `redis` extra brings hiredis, and redis-py reads every reply with it:
    a pipeline's replies parsed in C (reading replies in Python was about half
    of redis-py's time in a crawl process, py-spy)."""
    connection = counted.connection_pool.make_connection()
    try:
        assert type(connection._parser).__name__ == "_HiredisParser"
    finally:
        connection.disconnect()


def test_what_needs_no_answer_rides_the_next_command_that_does(counted: Any) -> None:
    outbox = Outbox(counted)
    counted.hset("processing", "member|1", b"request")
    counted.zadd("leases", {"token": 1})
    before = counted.round_trips
    outbox.defer(lambda pipe: pipe.zrem("leases", "token"))  # a lease given back
    outbox.send(b"release")
    outbox.acknowledge(lambda pipe: pipe.hdel("processing", "member|1"))
    assert counted.round_trips == before  # nothing sent yet
    assert outbox.call(lambda pipe: pipe.hget("digests", "sha1:X")) is None  # the look-up
    assert counted.round_trips == before + 1  # one round trip for all of it
    assert counted.zcard("leases") == 0 and counted.hlen("processing") == 0
    assert ReliableQueue(counted).claim(10, wait=0) == [b"release"]
    assert len(outbox) == 0


def test_the_acknowledgement_goes_after_the_messages_even_when_it_waited_first(
    counted: Any,
) -> None:
    outbox = Outbox(counted)
    seen: list[Any] = []
    outbox.acknowledge(lambda pipe: pipe.llen(INGEST_QUEUE))  # what the queue holds by then
    outbox.send(b"release")
    outbox.defer(lambda pipe: pipe.llen(INGEST_QUEUE), seen.append)
    replies = outbox.flush(lambda pipe: pipe.llen(INGEST_QUEUE))
    assert seen == [0]  # the frontier's steps first
    assert replies == [1]  # the ridden command last, after the message and the ack


def test_what_waits_with_no_round_trip_coming_goes_after_the_linger(counted: Any) -> None:
    timers: list[tuple[float, Any]] = []
    outbox = Outbox(counted, schedule=lambda delay, fn: timers.append((delay, fn)), linger=0.05)
    outbox.send(b"release")
    outbox.send(b"another")
    assert len(timers) == 1 and timers[0][0] == 0.05  # one timer for both
    _, fire = timers.pop()
    fire()  # too early (the test fired it at once): it looks again later
    assert counted.llen(INGEST_QUEUE) == 0 and len(timers) == 1
    time.sleep(0.06)
    timers.pop()[1]()
    assert counted.llen(INGEST_QUEUE) == 2 and not timers


def test_one_pop_takes_several_requests_but_no_more_than_its_share(server: Any) -> None:
    a = Frontier(server, "room", member="a")
    b = Frontier(server, "room", member="b")
    a.join()
    b.join()
    for n in range(6):
        a.push(f"page-{n}".encode(), f"fp{n}")
    found, left = a.pop_many(16)  # two members: half of the six at most
    assert [blob for _, blob in found] == [b"page-0", b"page-1", b"page-2"] and left == 3
    assert all(receipt.startswith("a|") for receipt, _ in found)
    assert len({receipt for receipt, _ in found}) == 3
    assert server.hlen(FrontierKeys("room").processing) == 3
    found, left = b.pop_many(1)
    assert [blob for _, blob in found] == [b"page-3"] and left == 2


def test_several_requests_popped_at_once_go_back_when_their_process_dies(server: Any) -> None:
    dead = Frontier(server, "room", member="dead", dead_after=0.3)
    alive = Frontier(server, "room", member="alive", dead_after=30)
    dead.join()
    for n in range(4):
        dead.push(f"page-{n}".encode(), f"fp{n}")
    found, _ = dead.pop_many(16)  # then SIGKILLed
    assert len(found) == 4 and alive.pop() is None
    alive.join()
    time.sleep(0.5)
    assert not alive.idle()  # noticed: the four are back on the queue
    back, _ = alive.pop_many(16)
    assert sorted(blob for _, blob in back) == [f"page-{n}".encode() for n in range(4)]


def queue_of(server: Any, frontier: Frontier, outbox: Outbox, room: int) -> FrontierQueue:
    class Spider:
        name = "room"

    queue = FrontierQueue(server, Spider(), frontier.keys.requests, serializer=None)
    queue.frontier = frontier
    queue.outbox = outbox
    queue.room = lambda: room
    return queue


def test_the_engine_gets_a_popped_request_per_free_slot_from_one_round_trip(
    counted: Any,
) -> None:
    frontier = Frontier(counted, "room", member="a")
    frontier.join()
    outbox = Outbox(counted)
    queue = queue_of(counted, frontier, outbox, room=3)
    for n in range(4):
        queue.push(Request(f"http://room.example/release-{n}"))
    queue.push(Request("http://room.example/listing-2", priority=10))  # the walk's next page
    before = counted.round_trips
    got = [queue.pop() for _ in range(3)]
    assert counted.round_trips == before + 1
    assert [r.url.rsplit("/", 1)[1] for r in got if r] == ["listing-2", "release-0", "release-1"]
    assert len(queue) == 2  # the rest still queued in Redis, nothing held here


def test_a_queue_just_drained_is_not_asked_again_at_every_download(
    counted: Any, server: Any
) -> None:
    frontier = Frontier(counted, "room", member="a")
    frontier.join()
    queue = queue_of(counted, frontier, Outbox(counted), room=4)
    queue.push(Request("http://room.example/release-1"))
    assert queue.pop() is not None  # it took the last one
    before = counted.round_trips
    assert queue.pop() is None
    assert counted.round_trips == before  # known empty a moment ago: no round trip
    queue.push(Request("http://room.example/release-2"))  # this process found one
    assert queue.pop() is not None
    other = Frontier(server, "room", member="b")  # another process, its own client
    # another process's find: this one sees it at its next look, a moment later
    other.push(queue._encode_request(Request("http://room.example/release-3")), "fp-3")
    before = counted.round_trips
    assert queue.pop() is None and counted.round_trips == before
    time.sleep(0.15)
    found = queue.pop()
    assert found is not None and found.url.endswith("/release-3")


def test_a_lease_given_back_rides_the_ack_and_wakes_a_waiting_request_at_once(
    counted: Any,
) -> None:
    outbox = Outbox(counted)
    middleware = SitePolitenessMiddleware(
        counted, limit=1, delay=0.0, lease_seconds=30, outbox=outbox
    )
    leases = site_leases("room.example")

    async def scenario() -> float:
        first, second = (Request(f"http://room.example/{n}") for n in range(2))
        await middleware.process_request(first)
        waiting = asyncio.ensure_future(middleware.process_request(second))
        await asyncio.sleep(0.3)  # the limit is 1: it waits
        assert not waiting.done()
        before = counted.round_trips
        given_back = time.monotonic()
        middleware.process_response(first, Response(first.url, request=first))
        assert counted.round_trips == before  # no round trip of its own
        await asyncio.wait_for(waiting, timeout=1)
        return time.monotonic() - given_back

    woken = asyncio.run(scenario())
    assert woken < 0.1  # at once, not at its next try
    assert counted.zcard(leases) == 1  # the first given back, the second's taken

    request = Request("http://room.example/2")
    counted.delete(leases)
    asyncio.run(middleware.process_request(request))
    counted.hset("processing", "member|2", b"request")
    middleware.process_response(request, Response(request.url, request=request))
    outbox.acknowledge(lambda pipe: pipe.hdel("processing", "member|2"))
    before = counted.round_trips
    outbox.flush()
    assert counted.round_trips == before + 1  # the give-back went with the acknowledgement
    assert counted.zcard(leases) == 0 and counted.hlen("processing") == 0


def test_the_warc_digest_look_up_rides_the_next_round_trip_and_holds_the_ack_back(
    counted: Any, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pressarchive.distributed.warc as redis_warc
    import pressarchive.storage.warc as storage_warc

    hashed: list[bytes] = []
    real_digest = storage_warc.payload_digest

    def counting_digest(body: bytes) -> str:
        hashed.append(body)
        return real_digest(body)

    # the look-up's digest is the record's: the body is hashed once, not again when written
    monkeypatch.setattr(redis_warc, "payload_digest", counting_digest)
    monkeypatch.setattr(storage_warc, "payload_digest", counting_digest)
    crawler = get_crawler(
        settings_dict={"PRESSARCHIVE_REDIS_URL": redis_url, "PRESSARCHIVE_WARC_DIR": str(tmp_path)}
    )
    outbox = Outbox(counted)
    crawl_state(crawler).writer_outbox = outbox
    recorder = RedisWarcRecorderMiddleware.from_crawler(crawler)
    request = Request("http://room.example/1", meta={RECEIPT_META: "a|1"})
    response = HtmlResponse(request.url, body=b"<html>a page</html>", request=request)
    counted.hset("processing", "a|1", b"request")
    before = counted.round_trips
    assert recorder.process_response(request, response) is response
    assert counted.round_trips == before  # the look-up waits for a round trip
    # the page is done before the answer is back: its acknowledgement waits
    outbox.acknowledge(lambda pipe: pipe.hdel("processing", "a|1"), "a|1")
    outbox.call(lambda pipe: pipe.ping())  # the next round trip (a lease taken, say)
    assert counted.round_trips == before + 1
    assert list(tmp_path.glob("*.warc.gz"))  # written once the answer came
    assert hashed == [b"<html>a page</html>"]
    assert counted.hlen("processing") == 1 and len(outbox.pending) == 1  # the row, then the ack
    outbox.flush()
    assert counted.hlen("processing") == 0 and counted.llen(INGEST_QUEUE) == 1
    recorder.spider_closed(crawler.spider)


@pytest.mark.slow
def test_a_redis_crawl_makes_under_three_round_trips_per_page(
    redis_url: str, tmp_path: Path
) -> None:
    """Five before: a pop, a lease taken and one given back, the digest look-up,
    the page's pipeline with its acknowledgement."""
    with DemoPressRooms(["viatt"]) as rooms:
        (source,) = parse_sources(rooms.sources_toml())
        sources_file = tmp_path / "sources.toml"
        sources_file.write_text(rooms.sources_toml(), encoding="utf-8")
        db = tmp_path / "archive.db"
        writer = start_writer(redis_url, db)
        crawler = start_crawler(
            redis_url, sources_file, [source.id], tmp_path / "c.db", settings=FRONTIER_SETTINGS
        )
        assert crawler.wait(timeout=120) == 0
        server = connect(redis_url)
        wait_for(
            lambda: (
                server.llen(INGEST_QUEUE) == 0 and not server.exists(FrontierKeys(source.id).run)
            ),
            60,
            "the writer",
        )
        wait_for(lambda: ROUND_TRIPS_STAT in _crawl_stats(db), 30, "the crawl's row")
        stop(writer)
    stats = _crawl_stats(db)
    pages = int(stats["response_received_count"])
    assert pages > 40
    assert 0 < int(stats[ROUND_TRIPS_STAT]) / pages < 3.0, stats[ROUND_TRIPS_STAT]


def _crawl_stats(db: Path) -> dict[str, Any]:
    if not db.exists():
        return {}
    conn = sqlite3.connect(db, timeout=30)
    try:
        row = conn.execute("SELECT stats FROM crawls").fetchone()
    except sqlite3.OperationalError:
        return {}
    finally:
        conn.close()
    return dict(json.loads(row[0] or "{}")) if row else {}


def test_a_listing_pages_entries_are_asked_about_in_one_round_trip(counted: Any) -> None:
    from pressarchive.dedupe.urls import canonical_url
    from pressarchive.distributed.keys import SOURCE_PLATFORMS
    from pressarchive.distributed.seen_redis import RedisSeenIndex, record_seen

    counted.hset(SOURCE_PLATFORMS, "room", "viatt")
    counted.set(FrontierKeys("room").run, "run-2")
    urls = [f"http://room.example/pressmeddelande/{n}/release-{n}" for n in range(20)]
    pipe = counted.pipeline()
    archived = [("viatt", None, canonical_url(url), None) for url in urls[::2]]
    record_seen(pipe, archived, "run-1")  # a run before this one
    pipe.execute()
    index = RedisSeenIndex(counted)
    index.look_ahead("room", urls[:1])  # the source's platform and run, asked once a crawl
    index.is_archived("room", urls[0])
    before = counted.round_trips
    index.look_ahead("room", urls)
    answers = [index.is_archived("room", url) for url in urls]
    assert counted.round_trips == before + 1  # 20 entries, one round trip
    assert answers == [n % 2 == 0 for n in range(20)]
    assert index.is_archived("room", "http://room.example/pressmeddelande/99/other") is False
    assert counted.round_trips == before + 2  # not on the page looked ahead: asked
