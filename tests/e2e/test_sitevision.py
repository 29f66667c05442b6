"""End to end on the Sitevision fixture archive: real Scrapy crawls into a real archive.

One scenario, run once per module: a first crawl, a second with nothing new,
then "time passes" (edition 2: one new release) and a third. The tests read
what each step left behind with plain sqlite3.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from pressarchive.demo import sitevision as room_module
from pressarchive.demo.corpus import LATIN1_KEY, NO_DATE_KEY, releases_for
from pressarchive.demo.server import DemoPressRooms
from pressarchive.sources import parse_sources

from .helpers import (
    Scenario,
    Step,
    assert_nothing_new_was_fetched,
    assert_only_the_new_release_was_fetched,
    assert_stored_the_room,
    crawl_and_read,
    rows,
    scrapy_check,
    three_crawls,
)

PLATFORM = "sitevision"
SOURCE_ID = f"demo-{PLATFORM}"


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


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    yield from three_crawls(
        tmp_path_factory.mktemp(PLATFORM) / "archive.db", PLATFORM, crawl_and_read
    )


def test_full_crawl_stores_exactly_the_archive_with_titles_and_utc_dates(
    scenario: Scenario,
) -> None:
    for row, demo in assert_stored_the_room(scenario.first, PLATFORM):
        assert row["kind"] == demo.kind
        if demo.key == NO_DATE_KEY:
            continue
        assert datetime.fromisoformat(row["published_at"]) == demo.published, row["title"]
        # The date as the page shows it, the "Publicerad" label left out.
        assert str(demo.published.astimezone(room_module.STOCKHOLM).year) in row["published_raw"]
        assert "Publicerad" not in row["published_raw"]


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
    step = scenario.second
    assert_nothing_new_was_fetched(step, listing_requests(step), news_requests(step))


def test_after_time_passes_only_the_new_release_is_fetched(scenario: Scenario) -> None:
    step = scenario.third
    assert_only_the_new_release_was_fetched(
        step, PLATFORM, news_requests(step), room_module.release_path
    )
    assert len(step.releases) == len(scenario.first.releases) + 1
    assert len(listing_requests(step)) <= 3


def test_layers_are_recorded(scenario: Scenario) -> None:
    for row in rows(scenario.db, "SELECT layers FROM releases WHERE source_id = ?", SOURCE_ID):
        layers = json.loads(row["layers"])
        assert layers["title"] == "markup" and layers["body_html"] == "markup"


def test_since_stops_the_walk(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    since = date(2024, 1, 1)
    with DemoPressRooms([PLATFORM]) as rooms:
        (source,) = parse_sources(rooms.sources_toml())
        step = crawl_and_read(rooms, source, db, since=since)
    stored = {row["title"] for row in rows(db, "SELECT title FROM releases")}
    expected = {r.title for r in releases_for(PLATFORM) if r.published.date() >= since}
    assert stored == expected
    assert "/nyhetsarkiv/2022" not in listing_requests(step)


def test_scrapy_check_passes_against_the_live_room(tmp_path: Path) -> None:
    check = scrapy_check(PLATFORM, tmp_path)
    assert check.returncode == 0, check.output
    assert "FAILED" not in check.output and "Ran 3 contracts" in check.output
    assert any(is_listing(p) for p in check.served)
    assert any(p.startswith("/nyhetsarkiv/20") and not is_listing(p) for p in check.served)
