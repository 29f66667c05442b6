"""`crawl --resume`: a crawl stopped by a signal goes on where it stopped,
without fetching again what it had done; the stop is recorded as interrupted."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from pressarchive.demo.server import DemoPressRooms

SIZE = 150


def crawl_args(db: Path, sources: Path) -> list[str]:
    return [
        sys.executable, "-m", "pressarchive", "crawl", "demo-mynewsdesk",
        "--db", str(db), "--sources", str(sources),
        "--set", "DOWNLOAD_DELAY=0.05", "--set", "AUTOTHROTTLE_ENABLED=False",
        "--set", "LOG_LEVEL=ERROR", "--set", "PRESSARCHIVE_PROGRESS=False",
    ]  # fmt: skip


def stored(db: Path) -> int:
    return int(sqlite3.connect(db).execute("SELECT COUNT(*) FROM releases").fetchone()[0])


def test_interrupted_crawl_resumes_without_refetching(tmp_path: Path) -> None:
    db, sources = tmp_path / "archive.db", tmp_path / "sources.toml"
    with DemoPressRooms(["mynewsdesk"], size=SIZE) as rooms:
        sources.write_text(rooms.sources_toml(), encoding="utf-8")
        first = subprocess.Popen(crawl_args(db, sources), stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while len(rooms.requests) < 30 and time.monotonic() < deadline:
            time.sleep(0.1)
        first.send_signal(signal.SIGINT)
        assert first.wait(timeout=120) == 1  # interrupted
        partly = stored(db)
        assert 0 < partly < SIZE
        assert (tmp_path / "jobs" / "demo-mynewsdesk").is_dir()

        resumed = subprocess.run(
            [*crawl_args(db, sources), "--resume"], capture_output=True, text=True, timeout=300
        )
        assert resumed.returncode == 0, resumed.stderr
        paths = Counter(path for _, path in rooms.requests if path != "/robots.txt")

    assert stored(db) == SIZE
    twice = [path for path, n in paths.items() if n > 1 and "/pressreleases/" in path]
    assert twice == []  # no release page was fetched by both runs
    statuses = [
        row[0] for row in sqlite3.connect(db).execute("SELECT status FROM crawls ORDER BY id")
    ]
    assert statuses == ["interrupted", "finished"]
    assert not (tmp_path / "jobs" / "demo-mynewsdesk").exists()  # cleared once finished
