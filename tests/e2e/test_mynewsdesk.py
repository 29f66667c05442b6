"""End to end on the Mynewsdesk fixture room: real Scrapy crawls into a real archive.

One scenario per module: a first crawl into an empty archive, a second with
nothing new, then "time passes" (edition 2: one new release on top) and a
third. The tests read what each step left behind with plain sqlite3.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from pressarchive.crawl.runner import CrawlResult, run_crawl
from pressarchive.dedupe.urls import platform_release_id
from pressarchive.demo import mynewsdesk as room_module
from pressarchive.demo.corpus import FLAKY_KEY, SENDERS, releases_for
from pressarchive.demo.server import DemoPressRooms
from pressarchive.sources import Source, parse_sources

from .helpers import (
    QUICK_RETRY_SETTINGS,
    ROOT,
    ThreeCrawls,
    page_count,
    rows,
    three_crawls,
)

PLATFORM = "mynewsdesk"
SOURCE_ID = "demo-mynewsdesk"


@dataclass
class Step:
    results: list[CrawlResult]
    requests: list[str]

    @property
    def result(self) -> CrawlResult:
        (result,) = self.results
        return result

    @property
    def listings(self) -> list[str]:
        return [p for p in self.requests if p.split("?")[0] == room_module.START_PATH]

    @property
    def release_pages(self) -> list[str]:
        return [p for p in self.requests if platform_release_id(PLATFORM, p) is not None]


Scenario = ThreeCrawls[Step]


def crawl(rooms: DemoPressRooms, source: Source, db: Path, **kwargs: Any) -> Step:
    rooms.clear_requests()
    results = run_crawl(
        [source], db=db, settings_overrides=QUICK_RETRY_SETTINGS, quiet=True, **kwargs
    )
    return Step(results, rooms.requests_for(PLATFORM))


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    yield from three_crawls(tmp_path_factory.mktemp("mynewsdesk") / "archive.db", PLATFORM, crawl)


def test_first_crawl_stores_exactly_the_room_with_titles_and_utc_dates(
    scenario: Scenario,
) -> None:
    result = scenario.first.result
    assert result.status == "finished"
    expected = {r.title: r.published for r in releases_for(PLATFORM)}
    stored = rows(
        scenario.db,
        "SELECT title, published_at, kind, crawl_id FROM releases WHERE source_id = ?",
        SOURCE_ID,
    )
    first_crawl = [row for row in stored if row["crawl_id"] == result.crawl_id]
    assert {row["title"] for row in first_crawl} == set(expected)
    assert len(first_crawl) == len(expected) == result.stored
    for row in first_crawl:
        published = datetime.fromisoformat(row["published_at"])
        assert published.utcoffset() is not None and not published.utcoffset()
        assert published == expected[row["title"]], row["title"]
    assert {row["kind"] for row in stored} == {"pressmeddelande", "pressinbjudan", "nyhet"}


def test_the_page_that_fails_twice_is_stored_and_nothing_is_in_errors(
    scenario: Scenario,
) -> None:
    flaky = next(r for r in releases_for(PLATFORM) if r.key == FLAKY_KEY)
    path = room_module.release_path(flaky)
    assert scenario.first.requests.count(path) == 3  # 500, 500, 200
    assert rows(scenario.db, "SELECT 1 FROM releases WHERE title = ?", flaky.title)
    assert scenario.first.result.error_count == 0, scenario.first.result.errors
    assert scenario.first.result.stats.get("retry/count") == 2


def test_first_crawl_walks_every_listing_page_once(scenario: Scenario) -> None:
    pages = page_count(len(releases_for(PLATFORM)), room_module.PAGE_SIZE)
    assert sorted(scenario.first.listings) == sorted(
        [room_module.START_PATH]
        + [f"{room_module.START_PATH}?page={n}" for n in range(2, pages + 1)]
    )


def test_press_contact_emails_come_out_clean(scenario: Scenario) -> None:
    emails = rows(
        scenario.db,
        "SELECT DISTINCT c.email FROM contacts c JOIN release_contacts rc ON rc.contact_id = c.id "
        "WHERE rc.role = 'press_contact'",
    )
    assert {row["email"] for row in emails} == {c.email for c in SENDERS[:3]}


def test_no_layout_alarm_and_layers_recorded(scenario: Scenario) -> None:
    stats = scenario.first.result.stats
    assert not [k for k in stats if k.startswith("pressarchive/missing_field/")]
    for row in rows(scenario.db, "SELECT layers, flags FROM releases"):
        layers = json.loads(row["layers"])
        assert layers["body_html"] == "markup"
        assert layers["published_raw"] in ("metadata", "markup")
        assert not [f for f in json.loads(row["flags"]) if f.startswith("missing:")]


def test_second_crawl_stores_nothing_and_reads_one_listing_page(scenario: Scenario) -> None:
    result = scenario.second.result
    assert result.status == "finished"
    assert result.stored == 0 and result.updated == 0
    assert len(scenario.second.listings) <= 2
    assert scenario.second.release_pages == []


def test_after_time_passes_only_the_new_release_is_fetched(scenario: Scenario) -> None:
    result = scenario.third.result
    newest = releases_for(PLATFORM, edition=2)[0]
    assert result.stored == 1 and result.updated == 0
    assert scenario.third.release_pages == [room_module.release_path(newest)]
    assert len(scenario.third.listings) <= 2
    total = rows(scenario.db, "SELECT COUNT(*) AS n FROM releases WHERE source_id = ?", SOURCE_ID)
    assert total[0]["n"] == len(releases_for(PLATFORM, edition=2))


def served(step: Step) -> list[str]:
    """The paths the room served, in order, robots.txt left out."""
    return [p.split("?")[0] for p in step.requests if p != "/robots.txt"]


def test_the_feed_is_asked_first_and_all_new_it_leaves_the_history_to_the_listing(
    scenario: Scenario,
) -> None:
    room = releases_for(PLATFORM)
    assert served(scenario.first)[:2] == [room_module.FEED_PATH, room_module.START_PATH]
    # every feed entry was new: the walk went down the listing past the feed's window
    assert len(room) > room_module.FEED_SIZE
    assert scenario.first.result.stored == len(room)
    assert "pressarchive/feed_unread" not in scenario.first.result.stats


def test_a_recrawl_with_nothing_new_costs_the_feed_and_the_first_page(scenario: Scenario) -> None:
    assert served(scenario.second) == [room_module.FEED_PATH, room_module.START_PATH]


def test_since_stops_the_walk_at_the_date(tmp_path: Path) -> None:
    since = date(2017, 10, 1)
    with DemoPressRooms([PLATFORM]) as rooms:
        (source,) = parse_sources(rooms.sources_toml())
        step = crawl(rooms, source, tmp_path / "archive.db", since=since)
    expected = {r.title for r in releases_for(PLATFORM) if r.published.date() >= since}
    stored = {row["title"] for row in rows(tmp_path / "archive.db", "SELECT title FROM releases")}
    assert stored == expected
    assert len(step.listings) < page_count(len(releases_for(PLATFORM)), room_module.PAGE_SIZE)


def test_scrapy_check_passes_against_the_room(tmp_path: Path) -> None:
    with DemoPressRooms([PLATFORM]) as rooms:
        sources = tmp_path / "sources.toml"
        sources.write_text(rooms.sources_toml(), encoding="utf-8")
        env = {
            **os.environ,
            "PRESSARCHIVE_DEMO_ROOMS": json.dumps({PLATFORM: rooms.base_url(PLATFORM)}),
        }
        proc = subprocess.run(
            [
                sys.executable, "-m", "scrapy", "check", PLATFORM,
                "-a", f"sources_file={sources}", "-a", "source=demo-mynewsdesk",
                "-s", f"PRESSARCHIVE_DB={tmp_path / 'archive.db'}",
                "-s", "ROBOTSTXT_OBEY=False",
                "-s", 'SPIDER_CONTRACTS={"pressarchive.spiders.contracts.RoomContract": 10}',
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )  # fmt: skip
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "FAIL" not in output and "ERROR" not in output, output
    assert "contract" in output.lower() or "Ran" in output, output
