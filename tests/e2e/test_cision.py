"""End to end on the Cision News fixture room: real Scrapy crawls into a real archive.

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

from pressarchive.demo import cision as room_module
from pressarchive.demo.corpus import about_text, releases_for
from pressarchive.demo.server import DemoPressRooms
from pressarchive.sources import parse_sources

from .helpers import (
    Scenario,
    Step,
    assert_nothing_new_was_fetched,
    assert_only_the_new_release_was_fetched,
    assert_stored_the_room,
    crawl_and_read,
    page_count,
    rows,
    scrapy_check,
    three_crawls,
)

PLATFORM = "cision"


def listing_requests(step: Step) -> list[str]:
    return [p for p in step.requests if p.split("?")[0] == room_module.START_PATH]


def release_requests(step: Step) -> list[str]:
    return [p for p in step.requests if "/r/" in p]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    yield from three_crawls(
        tmp_path_factory.mktemp(PLATFORM) / "archive.db", PLATFORM, crawl_and_read
    )


def test_full_crawl_stores_exactly_the_room_with_titles_and_utc_dates(scenario: Scenario) -> None:
    for row, demo in assert_stored_the_room(scenario.first, PLATFORM):
        assert datetime.fromisoformat(row["published_at"]) == demo.published, row["title"]
        assert row["published_raw"] == room_module.shown_date(demo.published)
        assert row["kind"] == demo.kind
        assert row["platform_id"] == str(room_module.release_id(demo))


def test_first_crawl_walks_every_listing_page_once(scenario: Scenario) -> None:
    listings = listing_requests(scenario.first)
    pages = page_count(len(releases_for(PLATFORM)), room_module.PAGE_SIZE)
    assert len(listings) == len(set(listings)) == pages >= 3


def test_about_text_is_kept_apart_and_chrome_stays_out(scenario: Scenario) -> None:
    expected = {r.title: r for r in releases_for(PLATFORM)}
    for row in scenario.first.releases:
        about = about_text(PLATFORM, expected[row["title"]].published)
        assert about[:60] not in row["body_text"]
        text = " ".join((row["title"], row["lead"], row["body_text"]))
        for chrome in ("Acceptera alla cookies", "Prenumerera", "Senaste pressmeddelandena"):
            assert chrome not in text, (row["title"], chrome)


def test_contacts_come_out_clean(scenario: Scenario) -> None:
    emails = [
        r["email"] for r in rows(scenario.db, "SELECT email FROM contacts WHERE email IS NOT NULL")
    ]
    assert emails
    for email in emails:
        assert email.endswith("@norrkoping.se") and " " not in email
    phones = [r["phone"] for r in rows(scenario.db, "SELECT phone FROM contacts")]
    assert phones and all(p is None or p.startswith("+46") for p in phones)


def test_second_crawl_stores_nothing_and_costs_at_most_two_listing_requests(
    scenario: Scenario,
) -> None:
    step = scenario.second
    assert_nothing_new_was_fetched(step, listing_requests(step), release_requests(step))


def test_after_time_passes_only_the_new_release_is_fetched(scenario: Scenario) -> None:
    step = scenario.third
    assert_only_the_new_release_was_fetched(
        step, PLATFORM, release_requests(step), room_module.release_path
    )
    assert len(listing_requests(step)) <= 3


def served(step: Step) -> list[str]:
    """The paths the room served, in order, robots.txt left out."""
    return [p.split("?")[0] for p in step.requests if p != "/robots.txt"]


FEED = f"{room_module.START_PATH}/ListItems"


def test_the_feed_is_asked_first_and_alone_it_carries_a_recrawl(scenario: Scenario) -> None:
    assert served(scenario.first)[0] == FEED
    assert len(releases_for(PLATFORM)) > room_module.FEED_SIZE  # all new: the listing walked
    assert served(scenario.second) == [FEED]  # nothing new: the feed only
    newest = releases_for(PLATFORM, edition=2)[0]
    assert served(scenario.third) == [FEED, room_module.release_path(newest)]


def test_layers_are_recorded(scenario: Scenario) -> None:
    for row in scenario.first.releases:
        layers = json.loads(row["layers"])
        assert layers["title"] == "metadata" and layers["body_html"] == "markup"
        assert layers["published_at"] == "metadata"


def test_full_walks_everything_again_and_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with DemoPressRooms([PLATFORM]) as rooms:
        (source,) = parse_sources(rooms.sources_toml())
        crawl_and_read(rooms, source, db)
        again = crawl_and_read(rooms, source, db, full=True)
    (result,) = again.results
    pages = page_count(len(releases_for(PLATFORM)), room_module.PAGE_SIZE)
    assert len(listing_requests(again)) == pages
    assert len(release_requests(again)) == len(releases_for(PLATFORM))
    assert result.stored == 0 and result.updated == 0


def test_since_stops_the_walk(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    since = date(2021, 6, 1)
    with DemoPressRooms([PLATFORM]) as rooms:
        (source,) = parse_sources(rooms.sources_toml())
        step = crawl_and_read(rooms, source, db, since=since)
    expected = {r.title for r in releases_for(PLATFORM) if r.published.date() >= since}
    assert {row["title"] for row in step.releases} == expected
    pages_needed = page_count(len(expected), room_module.PAGE_SIZE)
    assert len(listing_requests(step)) <= pages_needed + 1


def test_scrapy_check_passes_against_the_live_room(tmp_path: Path) -> None:
    check = scrapy_check(PLATFORM, tmp_path)
    assert check.returncode == 0, check.output
    assert "FAILED" not in check.output and "Ran 3 contracts" in check.output
    assert any("/r/" in p for p in check.served)
