"""End to end on the generic fixture newsroom (an organisation's own WordPress-like site).

The spider knows nothing of the site but its start URL: it discovers the feed
from the home page, and the sitemaps from robots.txt. One scenario, run once
per module: a first crawl (feed, then the sitemaps for the history), a second
with nothing new (home page and feed only), then "time passes" (edition 2: one
new post) and a third.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from pressarchive.crawl import CrawlResult, run_crawl
from pressarchive.demo import generic as room_module
from pressarchive.demo.corpus import releases_for
from pressarchive.demo.server import DemoPressRooms
from pressarchive.sources import Source, parse_sources

PLATFORM = "generic"
SOURCE_ID = f"demo-{PLATFORM}"
ROOT = Path(__file__).resolve().parents[2]
TEST_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "LOG_LEVEL": "WARNING",
}
LISTINGS = ("/", "/feed/", "/sitemap.xml", "/post-sitemap.xml")


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


def rows(db: Path, sql: str, *args: Any) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def crawl(rooms: DemoPressRooms, source: Source, db: Path, **kwargs: Any) -> Step:
    rooms.clear_requests()
    results = run_crawl([source], db=db, settings_overrides=TEST_SETTINGS, quiet=True, **kwargs)
    stored = [dict(r) for r in rows(db, "SELECT * FROM releases WHERE source_id = ?", SOURCE_ID)]
    return Step(results, rooms.requests_for(PLATFORM), stored)


def listing_requests(step: Step) -> list[str]:
    """Start page, feeds and sitemaps: everything that lists posts."""
    return [p for p in step.requests if p.split("?")[0] in LISTINGS]


def post_requests(step: Step) -> list[str]:
    return [p for p in step.requests if p.startswith("/nyheter/")]


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


def test_full_crawl_stores_exactly_the_posts_with_titles_and_utc_dates(scenario: Scenario) -> None:
    (result,) = scenario.first.results
    assert result.status == "finished", result
    expected = {r.title: r for r in releases_for(PLATFORM)}
    stored = scenario.first.releases
    assert sorted(row["title"] for row in stored) == sorted(expected)
    for row in stored:
        demo = expected[row["title"]]
        assert datetime.fromisoformat(row["published_at"]) == demo.published, row["title"]
        assert row["kind"] == demo.kind
        assert row["lead"] == demo.lead
    assert result.stored == len(expected) and not result.errors


def test_first_crawl_discovers_the_feed_and_the_post_sitemap_only(scenario: Scenario) -> None:
    requests = scenario.first.requests
    assert "/feed/" in requests and "/post-sitemap.xml" in requests
    assert "/comments/feed/" not in requests
    assert "/page-sitemap.xml" not in requests and "/category-sitemap.xml" not in requests
    assert not any(p.startswith(("/om-oss", "/kontakt", "/kategori")) for p in requests)
    assert len(post_requests(scenario.first)) == len(releases_for(PLATFORM))


def test_body_comes_from_the_fallback_without_the_theme(scenario: Scenario) -> None:
    for row in scenario.first.releases:
        layers = json.loads(row["layers"])
        assert layers["title"] == "metadata" and layers["body_html"] == "fallback"
        assert layers["published_at"] == "metadata"
        for chrome in ("Senaste inläggen", "Vi använder kakor", "Drivs med", "Prenumerera"):
            assert chrome not in row["body_text"], (row["title"], chrome)


def test_second_crawl_stores_nothing_and_costs_at_most_two_listing_requests(
    scenario: Scenario,
) -> None:
    (result,) = scenario.second.results
    assert result.status == "finished"
    assert result.stored == 0 and result.updated == 0
    assert listing_requests(scenario.second) == ["/", "/feed/"]
    assert post_requests(scenario.second) == []


def test_after_time_passes_only_the_new_post_is_fetched(scenario: Scenario) -> None:
    (result,) = scenario.third.results
    assert result.status == "finished"
    newest = releases_for(PLATFORM, edition=2)[0]
    assert post_requests(scenario.third) == [room_module.release_path(newest)]
    assert newest.title in {row["title"] for row in scenario.third.releases}
    assert result.stored == 1
    assert listing_requests(scenario.third) == ["/", "/feed/"]


@pytest.mark.parametrize("start_path", ["/sitemap.xml", "/feed/"])
def test_a_feed_or_sitemap_as_the_start_url_gives_the_whole_history(
    tmp_path: Path, start_path: str
) -> None:
    db = tmp_path / "archive.db"
    with DemoPressRooms([PLATFORM]) as rooms:
        (source,) = parse_sources(rooms.sources_toml())
        source = replace(source, start_urls=(rooms.base_url(PLATFORM) + start_path,))
        step = crawl(rooms, source, db)
    assert {row["title"] for row in step.releases} == {r.title for r in releases_for(PLATFORM)}
    assert "/" not in step.requests  # the home page was never needed


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


def test_scrapy_check_passes_against_the_live_room(tmp_path: Path) -> None:
    with DemoPressRooms([PLATFORM]) as rooms:
        sources_file = tmp_path / "sources.toml"
        sources_file.write_text(rooms.sources_toml(), encoding="utf-8")
        settings = {
            "PRESSARCHIVE_SOURCES": sources_file,
            "PRESSARCHIVE_DB": tmp_path / "archive.db",
            "PRESSARCHIVE_WARC_DIR": tmp_path / "warc",
            "LOG_LEVEL": "WARNING",
        }
        options = [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]
        proc = subprocess.run(
            [sys.executable, "-c", CHECK_SCRIPT, rooms.base_url(PLATFORM), PLATFORM, *options],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        served = rooms.requests_for(PLATFORM)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "FAILED" not in output and "Ran 3 contracts" in output
    assert any(p.startswith("/nyheter/") for p in served)
