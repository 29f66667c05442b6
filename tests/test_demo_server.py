"""The demo corpus and the press-room server the fixture rooms run on."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from pressarchive.demo import corpus
from pressarchive.demo.corpus import PLATFORMS, about_text, releases_for
from pressarchive.demo.mynewsdesk import START_PATH, release_path
from pressarchive.demo.server import DemoPressRooms
from pressarchive.sources import parse_sources


def fetch(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type", "")


# -- corpus ---------------------------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_platform_has_at_least_40_releases_newest_first(platform: str) -> None:
    releases = releases_for(platform)
    assert len(releases) >= 40
    dates = [r.published for r in releases]
    assert dates == sorted(dates, reverse=True)
    assert all(d.tzinfo is not None and d.utcoffset() == timedelta(0) for d in dates)
    assert len({r.key for r in releases}) == len(releases)
    assert len({r.title for r in releases}) == len(releases)


def test_corpus_is_deterministic_and_varied() -> None:
    assert releases_for("viatt") == releases_for("viatt")
    every = [r for p in PLATFORMS for r in releases_for(p)]
    leads = {r.lead for r in every}
    assert len(leads) > 150  # not one text repeated
    kinds = {r.kind for r in every}
    assert kinds == {"pressmeddelande", "pressinbjudan", "nyhet"}
    invitations = [r for r in every if r.kind == "pressinbjudan" and r.key.startswith("r")]
    assert invitations and all(r.event is not None for r in invitations)
    assert all(r.event.starts_at > r.published for r in invitations if r.event)


def test_special_keys_sit_on_their_platforms() -> None:
    def keys(platform: str) -> set[str]:
        return {r.key for r in releases_for(platform)}

    assert corpus.EDITED_KEY in keys("viatt")
    assert corpus.MISSING_KEY in keys("viatt")
    assert corpus.FLAKY_KEY in keys("mynewsdesk")
    assert corpus.NO_DATE_KEY in keys("sitevision")
    assert corpus.LATIN1_KEY in keys("sitevision")
    latin1 = corpus.release_by_key("sitevision", corpus.LATIN1_KEY)
    assert latin1 is not None and any(c in latin1.title for c in "åäöÅÄÖ")


@pytest.mark.parametrize(("first", "second"), [("mynewsdesk", "viatt"), ("viatt", "sitevision")])
def test_shared_releases_appear_on_both_platforms_minutes_apart(first: str, second: str) -> None:
    on_first = {r.key: r for r in releases_for(first)}
    shared = [r for r in releases_for(second) if r.key in on_first]
    assert len(shared) >= 3
    for release in shared:
        original = on_first[release.key]
        assert release.title == original.title and release.paragraphs == original.paragraphs
        assert (
            timedelta(minutes=1) <= release.published - original.published <= timedelta(minutes=10)
        )


def test_edition_two_edits_one_release_and_adds_one_on_top() -> None:
    before = releases_for("viatt")
    after = releases_for("viatt", edition=2)
    assert len(after) == len(before) + 1
    assert after[0].key not in {r.key for r in before}
    edited_before = next(r for r in before if r.key == corpus.EDITED_KEY)
    edited_after = next(r for r in after if r.key == corpus.EDITED_KEY)
    assert edited_after.title != edited_before.title
    changed = [
        a != b for a, b in zip(edited_before.paragraphs, edited_after.paragraphs, strict=True)
    ]
    assert changed.count(True) == 1
    # the edited release is on Via TT's first listing page, where a re-crawl looks
    assert [r.key for r in after].index(corpus.EDITED_KEY) < 10


def test_sized_corpus_is_unique() -> None:
    releases = releases_for("mynewsdesk", size=5000)
    assert len(releases) == 5000
    assert len({r.title for r in releases}) == 5000
    assert len({r.key for r in releases}) == 5000


def test_about_text_drifts_with_the_years() -> None:
    early = about_text("viatt", datetime(2017, 3, 1, tzinfo=UTC))
    late = about_text("viatt", datetime(2025, 6, 1, tzinfo=UTC))
    assert "139 000" in early and "145 000" in late
    assert "2014-2018" in early and "2022-2026" in late
    assert about_text("mynewsdesk", datetime(2018, 1, 1, tzinfo=UTC)).startswith(
        "Let's create Norrköping!"
    )


# -- server ---------------------------------------------------------------------------


def test_rooms_serve_start_url_robots_and_log_requests(
    start_rooms: Callable[..., DemoPressRooms],
) -> None:
    rooms = start_rooms("mynewsdesk")
    assert rooms.url("mynewsdesk").endswith(START_PATH)
    status, body, content_type = fetch(rooms.url("mynewsdesk"))
    assert status == 200 and "charset=utf-8" in content_type
    assert "Kontaktpersoner" in body.decode()
    status, body, _ = fetch(rooms.base_url("mynewsdesk") + "/robots.txt")
    assert status == 200 and b"User-agent: *" in body
    assert fetch(rooms.base_url("mynewsdesk") + "/no/such/page")[0] == 404
    assert rooms.requests_for("mynewsdesk") == [START_PATH, "/robots.txt", "/no/such/page"]


def test_sources_toml_is_a_valid_registry(start_rooms: Callable[..., DemoPressRooms]) -> None:
    rooms = start_rooms("mynewsdesk")
    (source,) = parse_sources(rooms.sources_toml())
    assert source.id == "demo-mynewsdesk"
    assert source.organisation == "Norrköpings kommun"
    assert source.platform == "mynewsdesk"
    assert source.start_urls == (rooms.url("mynewsdesk"),)
    assert source.allowed_domains == ("127.0.0.1",)


def test_flaky_release_fails_twice_then_serves(
    start_rooms: Callable[..., DemoPressRooms],
) -> None:
    rooms = start_rooms("mynewsdesk")
    flaky = corpus.release_by_key("mynewsdesk", corpus.FLAKY_KEY)
    assert flaky is not None
    url = rooms.base_url("mynewsdesk") + release_path(flaky)
    assert [fetch(url)[0] for _ in range(4)] == [500, 500, 200, 200]


def test_advance_shows_edition_two(start_rooms: Callable[..., DemoPressRooms]) -> None:
    rooms = start_rooms("mynewsdesk")
    newest = releases_for("mynewsdesk", edition=2)[0]
    assert newest.title not in fetch(rooms.url("mynewsdesk"))[1].decode()
    rooms.advance()
    assert newest.title in fetch(rooms.url("mynewsdesk"))[1].decode()


def test_listing_pages_walk_the_whole_room(start_rooms: Callable[..., DemoPressRooms]) -> None:
    rooms = start_rooms("mynewsdesk")
    seen_titles = set()
    page = 1
    while True:
        status, body, _ = fetch(f"{rooms.url('mynewsdesk')}?page={page}")
        if status == 404:
            break
        text = body.decode()
        seen_titles.update(r.title for r in releases_for("mynewsdesk") if r.title in text)
        page += 1
    assert page - 1 >= 3
    assert seen_titles == {r.title for r in releases_for("mynewsdesk")}


def test_concurrent_requests_are_all_logged(start_rooms: Callable[..., DemoPressRooms]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    rooms = start_rooms("mynewsdesk")
    urls = [f"{rooms.url('mynewsdesk')}?page={n % 5 + 1}" for n in range(40)]
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda u: fetch(u)[0], urls))
    assert statuses == [200] * 40
    assert len(rooms.requests_for("mynewsdesk")) == 40


def test_mynewsdesk_release_ids_are_unique() -> None:
    from pressarchive.demo.mynewsdesk import release_number

    for releases in (
        releases_for("mynewsdesk", edition=2),
        releases_for("mynewsdesk", size=5000),
    ):
        numbers = {release_number(r.key) for r in releases}
        assert len(numbers) == len(releases)
