"""End to end on the Sitevision fixture archive: real Scrapy crawls into a real archive.

One scenario, run once per module: a first crawl, a second with nothing new,
then "time passes" (edition 2: one new release) and a third. The tests read
what each step left behind with plain sqlite3.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from pressarchive.crawl import CrawlResult, run_crawl
from pressarchive.demo import sitevision as room_module
from pressarchive.demo.corpus import LATIN1_KEY, NO_DATE_KEY, releases_for
from pressarchive.demo.server import DemoPressRooms
from pressarchive.sources import Source, parse_sources

PLATFORM = "sitevision"
SOURCE_ID = f"demo-{PLATFORM}"
ROOT = Path(__file__).resolve().parents[2]
TEST_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "LOG_LEVEL": "WARNING",
}


@dataclass
class Step:
    results: list[CrawlResult]
    requests: list[str]  # paths (with query) the room served during the step
    releases: list[dict[str, Any]]  # the archive's releases after the step


@dataclass
class Scenario:
    db: Path
    first: Step
    second: Step
    third: Step


def crawl(rooms: DemoPressRooms, source: Source, db: Path, **kwargs: Any) -> Step:
    rooms.clear_requests()
    results = run_crawl([source], db=db, settings_overrides=TEST_SETTINGS, quiet=True, **kwargs)
    stored = [
        dict(row) for row in rows(db, "SELECT * FROM releases WHERE source_id = ?", SOURCE_ID)
    ]
    return Step(results, rooms.requests_for(PLATFORM), stored)


def is_listing(path: str) -> bool:
    """The archive start page and the year pages (not news pages, not robots.txt)."""
    bare = path.split("?")[0].rstrip("/")
    return bare == room_module.START_PATH or (
        bare.startswith(room_module.START_PATH + "/") and bare.count("/") == 2
    )


def listing_requests(step: Step) -> list[str]:
    return [path for path in step.requests if is_listing(path)]


def news_requests(step: Step) -> list[str]:
    return [p for p in step.requests if p.startswith("/nyhetsarkiv/") and not is_listing(p)]


def rows(db: Path, sql: str, *args: Any) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    db = tmp_path_factory.mktemp(PLATFORM) / "archive.db"
    with DemoPressRooms([PLATFORM]) as rooms:
        (source,) = parse_sources(rooms.sources_toml())
        first = crawl(rooms, source, db)
        second = crawl(rooms, source, db)
        rooms.advance()
        third = crawl(rooms, source, db)
        yield Scenario(db, first, second, third)


def test_full_crawl_stores_exactly_the_archive_with_titles_and_utc_dates(
    scenario: Scenario,
) -> None:
    (result,) = scenario.first.results
    assert result.status == "finished", result
    expected = {r.title: r for r in releases_for(PLATFORM)}
    stored = scenario.first.releases
    assert sorted(row["title"] for row in stored) == sorted(expected)
    for row in stored:
        demo = expected[row["title"]]
        assert row["kind"] == demo.kind
        if demo.key == NO_DATE_KEY:
            continue
        assert datetime.fromisoformat(row["published_at"]) == demo.published, row["title"]
        # The date as the page shows it, the "Publicerad" label left out.
        assert str(demo.published.astimezone(room_module.STOCKHOLM).year) in row["published_raw"]
        assert "Publicerad" not in row["published_raw"]
    assert result.stored == len(expected) and not result.errors


def test_first_crawl_walks_the_start_page_and_every_year_page_once(scenario: Scenario) -> None:
    listings = listing_requests(scenario.first)
    assert len(listings) == len(set(listings))
    years = {r.published.astimezone(room_module.STOCKHOLM).year for r in releases_for(PLATFORM)}
    assert {f"/nyhetsarkiv/{year}" for year in years} <= set(listings)
    assert any(room_module.PAGE_PARAM in p for p in listings)


def test_latin1_page_is_stored_with_its_swedish_characters(scenario: Scenario) -> None:
    demo = next(r for r in releases_for(PLATFORM) if r.key == LATIN1_KEY)
    (row,) = [row for row in scenario.first.releases if row["title"] == demo.title]
    assert row["lead"] == demo.lead
    assert "Övergången från förskola till skola" in row["body_text"]
    assert "Ã" not in row["title"] + row["lead"] + row["body_text"]


def test_release_without_a_date_is_stored_with_a_flag(scenario: Scenario) -> None:
    demo = next(r for r in releases_for(PLATFORM) if r.key == NO_DATE_KEY)
    (row,) = [row for row in scenario.first.releases if row["title"] == demo.title]
    assert row["published_at"] is None and row["published_raw"] is None
    assert "no_date" in json.loads(row["flags"])


def test_chrome_stays_out_of_the_stored_text(scenario: Scenario) -> None:
    for row in rows(scenario.db, "SELECT title, lead, body_text FROM releases"):
        text = " ".join((row["title"], row["lead"], row["body_text"]))
        assert "Varning för högt vattenflöde" not in text
        assert "Godkänn alla kakor" not in text and "Tillgänglighetsredogörelse" not in text


def test_second_crawl_stores_nothing_and_costs_at_most_two_listing_requests(
    scenario: Scenario,
) -> None:
    (result,) = scenario.second.results
    assert result.status == "finished"
    assert result.stored == 0 and result.updated == 0
    assert len(listing_requests(scenario.second)) <= 2
    assert news_requests(scenario.second) == []


def test_after_time_passes_only_the_new_release_is_fetched(scenario: Scenario) -> None:
    (result,) = scenario.third.results
    assert result.status == "finished"
    newest = releases_for(PLATFORM, edition=2)[0]
    assert news_requests(scenario.third) == [room_module.release_path(newest)]
    assert newest.title in {row["title"] for row in scenario.third.releases}
    assert len(scenario.third.releases) == len(scenario.first.releases) + 1
    assert result.stored == 1
    assert len(listing_requests(scenario.third)) <= 3


def test_layers_are_recorded(scenario: Scenario) -> None:
    for row in rows(scenario.db, "SELECT layers FROM releases WHERE source_id = ?", SOURCE_ID):
        layers = json.loads(row["layers"])
        assert layers["title"] == "markup" and layers["body_html"] == "markup"


def test_since_stops_the_walk(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    since = date(2024, 1, 1)
    with DemoPressRooms([PLATFORM]) as rooms:
        (source,) = parse_sources(rooms.sources_toml())
        step = crawl(rooms, source, db, since=since)
    stored = {row["title"] for row in rows(db, "SELECT title FROM releases")}
    expected = {r.title for r in releases_for(PLATFORM) if r.published.date() >= since}
    assert stored == expected
    assert "/nyhetsarkiv/2022" not in listing_requests(step)


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


def scrapy_check(
    platform: str, tmp_path: Path
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    with DemoPressRooms([platform]) as rooms:
        sources_file = tmp_path / "sources.toml"
        sources_file.write_text(rooms.sources_toml(), encoding="utf-8")
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                CHECK_SCRIPT,
                rooms.base_url(platform),
                platform,
                "-s",
                f"PRESSARCHIVE_SOURCES={sources_file}",
                "-s",
                f"PRESSARCHIVE_DB={tmp_path / 'archive.db'}",
                "-s",
                f"PRESSARCHIVE_WARC_DIR={tmp_path / 'warc'}",
                "-s",
                "LOG_LEVEL=WARNING",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return proc, rooms.requests_for(platform)


def test_scrapy_check_passes_against_the_live_room(tmp_path: Path) -> None:
    proc, served = scrapy_check(PLATFORM, tmp_path)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "FAILED" not in output and "Ran 3 contracts" in output
    assert any(is_listing(p) for p in served)
    assert any(p.startswith("/nyhetsarkiv/20") and not is_listing(p) for p in served)
