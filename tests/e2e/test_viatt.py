"""End to end on the Via TT fixture room: real Scrapy crawls into a real archive.

One scenario, run once per module: a first crawl, a second with nothing new,
then "time passes" (edition 2: one release edited, one new) and a third.
The tests read what each step left behind with plain sqlite3.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from pressarchive.crawl.runner import CrawlResult, run_crawl
from pressarchive.demo import viatt as room_module
from pressarchive.demo.corpus import EDITED_KEY, MISSING_KEY, releases_for
from pressarchive.demo.server import DemoPressRooms, Reply
from pressarchive.sources import Source, parse_sources

from .helpers import QUICK_RETRY_SETTINGS, page_count, rows, scrapy_check

PLATFORM = "viatt"


@dataclass
class Step:
    results: list[CrawlResult]
    requests: list[str]  # paths (with query) the room served during the step
    db: Path  # a copy of the archive as the step left it


@dataclass
class Scenario:
    first: Step
    second: Step
    third: Step
    full: Step


def demo_source(rooms: DemoPressRooms, **options: Any) -> Source:
    (source,) = parse_sources(rooms.sources_toml())
    return replace(source, options={**source.options, **options})


def crawl(rooms: DemoPressRooms, source: Source, db: Path, **kwargs: Any) -> Step:
    rooms.clear_requests()
    results = run_crawl(
        [source], db=db, settings_overrides=QUICK_RETRY_SETTINGS, quiet=True, **kwargs
    )
    snapshot = db.with_name(f"{db.stem}-after-{len(list(db.parent.glob('*-after-*')))}.db")
    shutil.copyfile(db, snapshot)
    return Step(results, rooms.requests_for(PLATFORM), snapshot)


def listing_requests(step: Step) -> list[str]:
    return [
        path
        for path in step.requests
        if path.startswith(room_module.START_PATH) or path.startswith(room_module.FEED_PATH)
    ]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    db = tmp_path_factory.mktemp("viatt") / "archive.db"
    with DemoPressRooms([PLATFORM]) as rooms:
        source = demo_source(rooms)
        first = crawl(rooms, source, db)
        second = crawl(rooms, source, db)
        rooms.advance()
        third = crawl(rooms, source, db)
        full = crawl(rooms, source, db, full=True)
        yield Scenario(first, second, third, full)


def test_full_crawl_stores_exactly_the_corpus_with_titles_and_utc_dates(
    scenario: Scenario,
) -> None:
    (result,) = scenario.first.results
    assert result.status == "finished"
    expected = {r.title: r.published for r in releases_for(PLATFORM) if r.key != MISSING_KEY}
    stored = rows(
        scenario.first.db,
        "SELECT title, published_at, published_raw, url FROM releases WHERE source_id = ?",
        "demo-viatt",
    )
    assert len(stored) == len(expected)
    assert {row["title"] for row in stored} == set(expected)
    for row in stored:
        assert datetime.fromisoformat(row["published_at"]) == expected[row["title"]], row["title"]
        assert row["published_raw"].endswith(("CET", "CEST"))
    assert result.stored == len(expected)


def test_the_404_is_in_the_crawl_errors(scenario: Scenario) -> None:
    (result,) = scenario.first.results
    missing = next(i for i in _listed() if i.release.key == MISSING_KEY)
    error_urls = [e["url"] for e in result.errors]
    assert any(url.endswith(missing.path) for url in error_urls), result.errors
    assert all(e.get("reason") for e in result.errors)
    (crawl_row,) = rows(
        scenario.first.db, "SELECT errors FROM crawls WHERE id = ?", result.crawl_id
    )
    assert missing.path.split("?")[0] in crawl_row["errors"]


def test_first_crawl_walks_feed_then_every_listing_page(scenario: Scenario) -> None:
    listings = listing_requests(scenario.first)
    pages = page_count(len(releases_for(PLATFORM)), room_module.PAGE_SIZE)
    assert any(p.startswith(room_module.FEED_PATH) for p in listings)
    assert len(listings) == pages + 1  # every HTML page once, plus the feed


def test_second_crawl_stores_nothing_and_costs_two_listing_requests(scenario: Scenario) -> None:
    (result,) = scenario.second.results
    assert result.status == "finished"
    assert result.stored == 0 and result.updated == 0
    assert len(listing_requests(scenario.second)) <= 2
    release_pages = [p for p in scenario.second.requests if p.startswith("/pressmeddelande/")]
    missing = next(i for i in _listed() if i.release.key == MISSING_KEY)
    # Only the always-404 page may be retried: it was never archived.
    assert set(release_pages) <= {missing.path}


def test_after_time_passes_the_edit_becomes_a_revision_and_the_new_release_is_stored(
    scenario: Scenario,
) -> None:
    (result,) = scenario.third.results
    assert result.status == "finished"
    edited = next(r for r in releases_for(PLATFORM, edition=2) if r.key == EDITED_KEY)
    original = next(r for r in releases_for(PLATFORM) if r.key == EDITED_KEY)
    newest = releases_for(PLATFORM, edition=2)[0]
    fetched = [p for p in scenario.third.requests if p.startswith("/pressmeddelande/")]
    assert any(str(room_module.release_number(EDITED_KEY)) in p for p in fetched)
    (row,) = rows(
        scenario.third.db,
        "SELECT id, title FROM releases WHERE platform = 'viatt' AND platform_id = ?",
        str(room_module.release_number(EDITED_KEY)),
    )
    assert row["title"] == edited.title
    revisions = rows(
        scenario.third.db, "SELECT title FROM revisions WHERE release_id = ?", row["id"]
    )
    assert [r["title"] for r in revisions] == [original.title]
    assert rows(scenario.third.db, "SELECT 1 FROM releases WHERE title = ?", newest.title)
    total = rows(
        scenario.third.db, "SELECT COUNT(*) AS n FROM releases WHERE source_id = 'demo-viatt'"
    )
    assert total[0]["n"] == len(releases_for(PLATFORM, edition=2)) - 1
    assert result.stored == 1 and result.updated == 1
    assert len(listing_requests(scenario.third)) <= 3  # start page, feed, and page 2 to be sure


def test_layers_and_kinds_are_recorded(scenario: Scenario) -> None:
    stored = rows(
        scenario.first.db, "SELECT kind, layers FROM releases WHERE source_id = 'demo-viatt'"
    )
    assert {row["kind"] for row in stored} == {"pressmeddelande", "pressinbjudan", "nyhet"}
    for row in stored:
        layers = json.loads(row["layers"])
        # The embedded page state serves every field it holds; the date as shown
        # comes from the visible date line.
        assert layers["body_html"] == "state"
        assert layers["title"] == "state"
        assert layers["published_at"] == "state"
        assert layers["published_raw"] == "markup"


def test_full_walks_the_whole_history_and_stores_nothing_twice(scenario: Scenario) -> None:
    (result,) = scenario.full.results
    corpus = releases_for(PLATFORM, edition=2)
    pages = page_count(len(corpus), room_module.PAGE_SIZE)
    assert len(listing_requests(scenario.full)) == pages + 1
    fetched = {p for p in scenario.full.requests if p.startswith("/pressmeddelande/")}
    assert len(fetched) == len(corpus)
    assert result.stored == 0
    total = rows(scenario.full.db, "SELECT COUNT(*) AS n FROM releases")
    assert total[0]["n"] == len(corpus) - 1
    # Unchanged pages make no revision (only the edited release has one).
    assert rows(scenario.full.db, "SELECT COUNT(*) AS n FROM revisions")[0]["n"] == 1


def test_contacts_come_out_clean_and_the_body_without_chrome(scenario: Scenario) -> None:
    people = {
        person.name: person
        for release in releases_for(PLATFORM)
        for person in (*release.contacts, *((release.sender,) if release.sender else ()))
    }
    stored = rows(
        scenario.first.db,
        "SELECT DISTINCT c.name, c.email, c.phone, rc.role FROM contacts c "
        "JOIN release_contacts rc ON rc.contact_id = c.id",
    )
    assert {row["role"] for row in stored} >= {"contact", "sender"}
    assert sum(1 for row in stored if row["email"]) >= 5
    for row in stored:
        person = people[row["name"]]
        assert row["email"] in (None, person.email), row["name"]
        assert row["phone"] == person.phone_e164
    for row in rows(scenario.first.db, "SELECT title, body_text, about_text FROM releases"):
        for chrome in (
            "Senaste pressmeddelandena",
            "Abonnera på våra pressmeddelanden",
            "Orion Icon Library",
            "Besök vårt pressrum",
            "Avsändare:",
            "varav cirka 68 000",
        ):
            assert chrome not in row["body_text"], (row["title"], chrome)
        # Only the about paragraph: no quote or closing line of the release with it.
        assert row["about_text"].startswith("Norrköpings kommun har omkring"), row["title"]


def test_press_invitations_keep_their_event(scenario: Scenario) -> None:
    invitations = [r for r in releases_for(PLATFORM) if r.event and r.key != MISSING_KEY]
    assert invitations
    for demo in invitations:
        assert demo.event is not None
        found = rows(
            scenario.first.db,
            "SELECT e.starts_at, e.place FROM events e JOIN releases r ON r.id = e.release_id "
            "WHERE r.title = ?",
            demo.title,
        )
        assert found, demo.title
        assert datetime.fromisoformat(found[0]["starts_at"]) == demo.event.starts_at, demo.title
        assert found[0]["place"] == demo.event.place


def test_a_failing_feed_is_recorded_and_the_html_listing_carries_on(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with DemoPressRooms([PLATFORM]) as rooms:
        room = rooms.room(PLATFORM)
        respond = room.respond

        def feed_down(path: str, query: dict[str, list[str]], *, edition: int) -> Reply:
            if path == room_module.FEED_PATH:
                return Reply(503, b"Service Unavailable", {"Content-Type": "text/plain"})
            return respond(path, query, edition=edition)

        room.respond = feed_down  # type: ignore[method-assign]
        step = crawl(rooms, demo_source(rooms), db)
    (result,) = step.results
    assert any(room_module.FEED_PATH in e["url"] for e in result.errors)
    stored = rows(db, "SELECT COUNT(*) AS n FROM releases")[0]["n"]
    assert stored == len(releases_for(PLATFORM)) - 1


@pytest.mark.parametrize("use_feed", [True, False], ids=["feed", "html-only"])
def test_since_stops_the_walk_at_that_date(tmp_path: Path, use_feed: bool) -> None:
    """--since stops at that date, whether the feed or the HTML listing (source
    option use_feed = false) serves the first page."""
    db = tmp_path / "archive.db"
    since = date(2024, 1, 1)
    with DemoPressRooms([PLATFORM]) as rooms:
        step = crawl(rooms, demo_source(rooms, use_feed=use_feed), db, since=since)
    feed_requests = [p for p in step.requests if p.startswith(room_module.FEED_PATH)]
    assert len(feed_requests) == (1 if use_feed else 0)
    expected = {
        r.title
        for r in releases_for(PLATFORM)
        if r.key != MISSING_KEY and r.published.date() >= since
    }
    stored = {row["title"] for row in rows(db, "SELECT title FROM releases")}
    assert stored == expected
    # The first page already reaches back past the date: no "Visa fler".
    assert len(listing_requests(step)) == (2 if use_feed else 1)


def test_scrapy_check_passes_against_the_live_room(tmp_path: Path) -> None:
    # Contracts check the callbacks' output: no archive, no WARC files.
    check = scrapy_check(PLATFORM, tmp_path, ITEM_PIPELINES="{}", PRESSARCHIVE_WARC_DIR="")
    assert check.returncode == 0, check.output
    assert "FAILED" not in check.output
    assert "Ran 5 contracts" in check.output  # parse, parse_more, parse_release x3
    assert any(p.startswith("/pressmeddelande/") for p in check.served)


def _listed() -> list[Any]:
    return room_module.make_room().edition_state(1).listed
