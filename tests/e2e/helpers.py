"""What the per-platform end-to-end tests share: crawl settings for our own
rooms, reading the archive, the first / second / "time passes" / third crawl
scenario, and `scrapy check` against a live room."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pressarchive.crawl.runner import CrawlResult, run_crawl
from pressarchive.demo.corpus import DemoRelease, releases_for
from pressarchive.demo.server import DemoPressRooms
from pressarchive.sources import Source, parse_sources

ROOT = Path(__file__).resolve().parents[2]

# Crawling our own fixture rooms: no politeness delays.
QUICK_SETTINGS: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "LOG_LEVEL": "WARNING",
}
# For rooms with pages that fail on purpose: retries without the real back-off.
QUICK_RETRY_SETTINGS: dict[str, Any] = {**QUICK_SETTINGS, "PRESSARCHIVE_RETRY_BACKOFF_BASE": 0.05}


def rows(db: Path, sql: str, *args: Any, read_only: bool = False) -> list[sqlite3.Row]:
    """The rows of one query; `read_only` where the test must not be able to alter what it reads."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True) if read_only else sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def page_count(items: int, page_size: int) -> int:
    """How many listing pages hold `items` (the last one may be short)."""
    return -(-items // page_size)


@dataclass
class Step:
    results: list[CrawlResult]
    requests: list[str]  # paths (with query) the room served during the step
    releases: list[dict[str, Any]]  # the archive's releases of the source after the step


def crawl_and_read(
    rooms: DemoPressRooms,
    source: Source,
    db: Path,
    *,
    settings: dict[str, Any] = QUICK_SETTINGS,
    **kwargs: Any,
) -> Step:
    """One crawl of `source`: what it returned, what the room served, what the archive holds."""
    rooms.clear_requests()
    results = run_crawl([source], db=db, settings_overrides=settings, quiet=True, **kwargs)
    stored = [
        dict(row) for row in rows(db, "SELECT * FROM releases WHERE source_id = ?", source.id)
    ]
    return Step(results, rooms.requests_for(source.platform), stored)


StepT = TypeVar("StepT")


@dataclass
class ThreeCrawls(Generic[StepT]):
    db: Path
    first: StepT
    second: StepT
    third: StepT


Scenario = ThreeCrawls[Step]


def three_crawls(
    db: Path, platform: str, crawl: Callable[[DemoPressRooms, Source, Path], StepT]
) -> Iterator[ThreeCrawls[StepT]]:
    """A first crawl into `db`, a second with nothing new, then "time passes"
    (the room's edition 2) and a third; the room stays up while the scenario is used."""
    with DemoPressRooms([platform]) as rooms:
        (source,) = parse_sources(rooms.sources_toml())
        first = crawl(rooms, source, db)
        second = crawl(rooms, source, db)
        rooms.advance()
        third = crawl(rooms, source, db)
        yield ThreeCrawls(db, first, second, third)


def finished(step: Step) -> CrawlResult:
    """The step's one crawl result, which must have finished."""
    (result,) = step.results
    assert result.status == "finished", result
    return result


def assert_stored_the_room(step: Step, platform: str) -> list[tuple[dict[str, Any], DemoRelease]]:
    """The first crawl stored every release of the room once, without errors;
    returns each stored row with the corpus release it came from."""
    result = finished(step)
    expected = {release.title: release for release in releases_for(platform)}
    assert sorted(row["title"] for row in step.releases) == sorted(expected)
    assert result.stored == len(expected) and not result.errors
    return [(row, expected[row["title"]]) for row in step.releases]


def assert_nothing_new_was_fetched(step: Step, listings: list[str], releases: list[str]) -> None:
    """A crawl with nothing new: nothing stored, at most two listing pages, no release page."""
    result = finished(step)
    assert result.stored == 0 and result.updated == 0
    assert len(listings) <= 2
    assert releases == []


def assert_only_the_new_release_was_fetched(
    step: Step, platform: str, releases: list[str], release_path: Callable[[DemoRelease], str]
) -> None:
    """After "time passes": the one release page fetched is edition 2's newest, now stored."""
    result = finished(step)
    newest = releases_for(platform, edition=2)[0]
    assert releases == [release_path(newest)]
    assert newest.title in {row["title"] for row in step.releases}
    assert result.stored == 1


# `scrapy check` in a child process whose @url contracts point at the live room:
# the docstrings name the placeholder host, the child swaps in the room's.
CHECK_SCRIPT = """
import sys
from scrapy.cmdline import execute
from scrapy.contracts.default import UrlContract

live = sys.argv[1]

def adjust_request_args(self, args):
    args["url"] = self.args[0].replace("http://127.0.0.1:8000", live, 1)
    return args

UrlContract.adjust_request_args = adjust_request_args
sys.argv = ["scrapy", "check", "-v", *sys.argv[2:]]
execute()
"""


@dataclass
class CheckRun:
    returncode: int
    output: str  # stdout and stderr
    served: list[str]  # paths the room served to the check


def scrapy_check(platform: str, tmp_path: Path, **settings: Any) -> CheckRun:
    """`scrapy check PLATFORM` against a live room, its archive and WARC files
    under `tmp_path`; `settings` add to or replace the `-s` options."""
    with DemoPressRooms([platform]) as rooms:
        sources_file = tmp_path / "sources.toml"
        sources_file.write_text(rooms.sources_toml(), encoding="utf-8")
        options = {
            "PRESSARCHIVE_SOURCES": sources_file,
            "PRESSARCHIVE_DB": tmp_path / "archive.db",
            "PRESSARCHIVE_WARC_DIR": tmp_path / "warc",
            "LOG_LEVEL": "WARNING",
            **settings,
        }
        arguments = [arg for name, value in options.items() for arg in ("-s", f"{name}={value}")]
        proc = subprocess.run(
            [sys.executable, "-c", CHECK_SCRIPT, rooms.base_url(platform), platform, *arguments],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        served = rooms.requests_for(platform)
    return CheckRun(proc.returncode, proc.stdout + proc.stderr, served)
