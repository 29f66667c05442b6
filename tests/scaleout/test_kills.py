"""End to end: three crawl processes and one writer over the demo press rooms,
one crawler and the writer SIGKILLed mid-run and restarted; the archive must
equal a single-process crawl of the same rooms."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from e2e.helpers import QUICK_SETTINGS, ROOT

from pressarchive.crawl.runner import run_crawl
from pressarchive.demo.server import PLATFORMS, DemoPressRooms
from pressarchive.distributed.keys import INGEST_PROCESSING, INGEST_QUEUE, FrontierKeys
from pressarchive.sources import parse_sources
from scaleout.processes import kill_group, start_crawler, start_writer, stop

pytestmark = pytest.mark.slow


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db, timeout=30)
    try:
        return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not created yet
    finally:
        conn.close()


def releases(db: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            """SELECT source_id, platform, platform_id, canonical_url, title, published_at, kind,
                      body_text, about_text
               FROM releases ORDER BY source_id, canonical_url"""
        ).fetchall()
    finally:
        conn.close()


def test_three_crawlers_and_a_writer_killed_and_restarted_archive_what_one_process_does(
    redis_url: str, tmp_path: Path
) -> None:
    import redis

    server = redis.Redis.from_url(redis_url)
    with DemoPressRooms(PLATFORMS) as rooms:
        sources = parse_sources(rooms.sources_toml())
        ids = [s.id for s in sources]
        sources_file = tmp_path / "sources.toml"
        sources_file.write_text(rooms.sources_toml(), encoding="utf-8")

        reference = tmp_path / "single" / "archive.db"
        run_crawl(sources, db=reference, settings_overrides=QUICK_SETTINGS, quiet=True)

        db = tmp_path / "scaled" / "archive.db"
        crawl_db = tmp_path / "crawlers" / "archive.db"  # its directory gets the WARC files
        logs = tmp_path / "logs"
        logs.mkdir()
        writer = start_writer(redis_url, db, log=logs / "writer-1.log")
        crawlers = [
            start_crawler(redis_url, sources_file, ids, crawl_db, log=logs / f"crawler-{n}.log")
            for n in range(3)
        ]
        stored = "SELECT COUNT(*) FROM releases"
        wait_for(lambda: count(db, stored) >= 15, 240, "the first releases in the archive")
        kill_group(crawlers[0])
        crawlers[0] = start_crawler(
            redis_url, sources_file, ids, crawl_db, log=logs / "crawler-0-restarted.log"
        )
        wait_for(lambda: count(db, stored) >= 40, 240, "more releases in the archive")
        kill_group(writer)
        writer = start_writer(redis_url, db, log=logs / "writer-2.log")

        for crawler in crawlers:
            crawler.wait(timeout=300)
        wait_for(
            lambda: (
                server.llen(INGEST_QUEUE) == 0
                and server.llen(INGEST_PROCESSING) == 0
                and not any(server.exists(FrontierKeys(i).run) for i in ids)
            ),
            120,
            "the writer to drain the queue",
        )
        assert stop(writer) == 0

    logs_text = "\n".join(
        f"{p.name}: {p.read_text(errors='replace')[-2000:]}" for p in logs.iterdir()
    )
    scaled = releases(db)
    single = releases(reference)
    assert len(single) > 100, logs_text
    assert {r[:4] for r in scaled} == {r[:4] for r in single}, logs_text
    assert scaled == single  # titles, dates, kinds and the cleaned texts too
    assert (
        count(
            db,
            "SELECT COUNT(*) FROM (SELECT canonical_url FROM releases GROUP BY 1 HAVING COUNT(*) > 1)",
        )
        == 0
    )
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        # the end-of-crawl work ran in the writer: every release is clustered
        assert (
            conn.execute("SELECT COUNT(*) FROM releases WHERE cluster_id IS NULL").fetchone()[0]
            == 0
        )
        statuses = {row[0] for row in conn.execute("SELECT status FROM crawls")}
    finally:
        conn.close()
    assert statuses <= {"finished", "interrupted", "failed"}
    # every WARC file name is its crawler's own; the index rows reached the archive
    assert count(db, "SELECT COUNT(DISTINCT warc_file) FROM warc_records") >= 4
    warc_files = {p.name for p in (crawl_db.parent / "warc").iterdir()}
    assert count(db, "SELECT COUNT(*) FROM warc_records") > len(single)
    conn = sqlite3.connect(db)
    try:
        indexed = {row[0] for row in conn.execute("SELECT DISTINCT warc_file FROM warc_records")}
    finally:
        conn.close()
    assert indexed <= warc_files

    # the crawlers' WARC files replay into the writer's archive, with no network
    replay = subprocess.run(
        [
            sys.executable,
            "-m",
            "pressarchive",
            "reextract",
            "--db",
            str(db),
            "--sources",
            str(sources_file),
            "--warc-dir",
            str(crawl_db.parent / "warc"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert replay.returncode == 0, replay.stdout + replay.stderr
    # one line per source (indented lines under it name pages that failed when crawled, too)
    lines = [line for line in replay.stdout.splitlines() if line and not line[0].isspace()]
    assert len(lines) == len(ids) and all(" 0 new," in line for line in lines), replay.stdout
    assert releases(db) == scaled  # replaying the same pages changes nothing
