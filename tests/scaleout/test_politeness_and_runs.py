"""A Redis crawl as a press room and a cron schedule see it: no more downloads
at a time than the per-site limit over all processes, and the incremental
rule across runs (a second run with nothing new reads two listing pages)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from pressarchive.demo.server import DemoPressRooms, Reply
from pressarchive.distributed.keys import INGEST_PROCESSING, INGEST_QUEUE, FrontierKeys
from pressarchive.sources import parse_sources
from scaleout.processes import FRONTIER_SETTINGS, start_crawler, start_writer, stop
from scaleout.test_kills import wait_for

pytestmark = pytest.mark.slow


class InFlight:
    """Wraps a room: every reply takes `delay` seconds; the most at once is kept."""

    def __init__(self, room: Any, delay: float) -> None:
        self.room = room
        self.respond_inner = room.respond
        self.delay = delay
        self.now = 0
        self.most = 0
        self.lock = threading.Lock()
        room.respond = self.respond

    def respond(self, path: str, query: dict[str, list[str]], *, edition: int) -> Reply:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            time.sleep(self.delay)
            return self.respond_inner(path, query, edition=edition)
        finally:
            with self.lock:
                self.now -= 1


def drained(server: Any, source_id: str) -> bool:
    return (
        server.llen(INGEST_QUEUE) == 0
        and server.llen(INGEST_PROCESSING) == 0
        and not server.exists(FrontierKeys(source_id).run)
    )


def test_runs_keep_to_the_site_limit_walk_listings_again_and_stop_at_what_is_archived(
    redis_url: str, tmp_path: Path
) -> None:
    import redis

    server = redis.Redis.from_url(redis_url)
    with DemoPressRooms(["viatt"]) as rooms:  # its full size has an edition 2
        watch = InFlight(rooms.room("viatt"), delay=0.03)
        (source,) = parse_sources(rooms.sources_toml())
        sources_file = tmp_path / "sources.toml"
        sources_file.write_text(rooms.sources_toml(), encoding="utf-8")
        writer = start_writer(redis_url, tmp_path / "archive.db")
        # each process alone would allow 2 downloads at a time: 6 for three of them
        settings = {**FRONTIER_SETTINGS, "CONCURRENT_REQUESTS_PER_DOMAIN": 2}

        def crawl(processes: int) -> list[str]:
            rooms.clear_requests()
            crawlers = [
                start_crawler(
                    redis_url, sources_file, [source.id], tmp_path / "c.db", settings=settings
                )
                for _ in range(processes)
            ]
            for crawler in crawlers:
                assert crawler.wait(timeout=300) in (0, 3)  # 3: this one had nothing to send
            wait_for(lambda: drained(server, source.id), 60, "the writer")
            return rooms.requests_for("viatt")

        def releases(paths: list[str]) -> list[str]:
            return [p for p in paths if p.startswith("/pressmeddelande/")]

        first = crawl(3)
        most_at_once = watch.most
        # one process: a crawl with nothing new is over in a second or two, and a
        # process that arrives after a run ended starts a run of its own
        second = crawl(1)
        rooms.advance()
        third = crawl(1)
        stop(writer)
    assert len(releases(first)) >= 40
    assert 1 <= most_at_once <= 2, f"{most_at_once} downloads at once"
    # nothing new: the start page and at most one more listing page, no release
    assert releases(second) == []
    assert 1 <= len([p for p in second if not p.startswith("/robots")]) <= 2
    # time passed: the one new release (and the edited one) fetched, nothing else
    assert 1 <= len(releases(third)) <= 2
