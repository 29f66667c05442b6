"""Cision News: the fixture room's markup, the extractor and the spider's page readers.

No network and no Scrapy engine: pages come straight from the room object.
"""

from __future__ import annotations

import re

import pytest
from parsel import Selector
from pressarchive.spiders.cision import listing_entries, next_listing_url, room_path

from pressarchive.demo import cision as room_module
from pressarchive.demo.corpus import ORGANISATION, DemoRelease, about_text, releases_for
from pressarchive.demo.server import ask
from pressarchive.extract import extract_page
from pressarchive.items import Release
from pressarchive.refine.published import normalise_dates

BASE = "http://127.0.0.1:8124"
ROOM = room_module.START_PATH
CHROME = ("cookies", "Prenumerera", "Senaste pressmeddelandena", "Cision Sverige", "Dela")


@pytest.fixture(scope="module")
def room() -> room_module.CisionRoom:
    return room_module.make_room()


def fetch(room: room_module.CisionRoom, path_and_query: str) -> tuple[int, str]:
    reply = ask(room, path_and_query)
    return reply.status, reply.body.decode()


def extract(room: room_module.CisionRoom, demo: DemoRelease) -> Release:
    path = room_module.release_path(demo)
    status, html = fetch(room, path)
    assert status == 200, path
    return extract_page(
        html, BASE + path, platform="cision", source_id="demo-cision", organisation=ORGANISATION
    )


def test_shown_date_is_cision_format_in_stockholm_time() -> None:
    from datetime import UTC, datetime

    assert (
        room_module.shown_date(datetime(2025, 11, 25, 7, 0, tzinfo=UTC))
        == "tis, nov 25, 2025 08:00 CET"
    )
    assert (
        room_module.shown_date(datetime(2025, 5, 2, 12, 30, tzinfo=UTC))
        == "fre, maj 2, 2025 14:30 CEST"
    )


def test_listing_walk_reaches_every_release_once_newest_first(room: room_module.CisionRoom) -> None:
    url: str | None = BASE + ROOM
    pages = 0
    urls: list[str] = []
    dates: list[str | None] = []
    while url:
        pages += 1
        status, html = fetch(room, url.removeprefix(BASE))
        assert status == 200
        sel = Selector(text=html)
        entries = listing_entries(sel, url, room_path(BASE + ROOM))
        urls.extend(e.url for e in entries)
        dates.extend(e.published_raw for e in entries)
        url = next_listing_url(sel, url)
    demos = releases_for("cision")
    assert urls == [BASE + room_module.release_path(r) for r in demos]
    assert dates == [room_module.shown_date(r.published) for r in demos]
    assert pages >= 3


def test_every_release_reads_back_as_published(room: room_module.CisionRoom) -> None:
    for demo in releases_for("cision"):
        release = extract(room, demo)
        assert release.title == demo.title and release.layers["title"] == "metadata"
        assert release.lead == demo.lead
        assert release.kind == demo.kind
        assert release.published_raw == room_module.shown_date(demo.published)
        assert (
            release.published_at == demo.published and release.layers["published_at"] == "metadata"
        )
        assert release.platform_id == str(room_module.release_id(demo))
        assert release.about_text == about_text("cision", demo.published)
        for paragraph in demo.paragraphs:
            assert paragraph[:40] in release.body_html
        for field in ("title", "lead", "body_html", "about_text"):
            for chrome in CHROME:
                assert chrome not in getattr(release, field), (demo.key, field, chrome)
        people = list(demo.contacts) + ([demo.sender] if demo.sender else [])
        assert [c.name for c in release.contacts] == [c.name for c in people]
        assert [c.phone for c in release.contacts] == [c.phone_e164 for c in people]
        assert [c.email for c in release.contacts] == [c.email for c in people]
        assert {(t.kind, t.name) for t in release.tags} == set(demo.tags)
        assert release.attachments and release.attachments[0].url.endswith(".pdf")
        assert not release.flags
        # The pipeline leaves a metadata time alone.
        assert normalise_dates(release).published_at == demo.published


def test_without_json_ld_the_markup_and_visible_date_serve(room: room_module.CisionRoom) -> None:
    demo = releases_for("cision")[3]
    path = room_module.release_path(demo)
    _, html = fetch(room, path)
    html = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html)
    html = re.sub(r'<meta property="og:title"[^>]*>', "", html)
    html = html.replace(' datetime="', ' data-x="')
    release = normalise_dates(
        extract_page(html, BASE + path, platform="cision", source_id="demo-cision")
    )
    assert release.title == demo.title and release.layers["title"] == "markup"
    assert release.layers["published_raw"] == "markup" and "published_at" not in release.layers
    assert release.published_at == demo.published


def test_an_empty_body_container_is_flagged_and_falls_back(room: room_module.CisionRoom) -> None:
    demo = releases_for("cision")[4]
    path = room_module.release_path(demo)
    _, html = fetch(room, path)
    html = html.replace('class="release-body"', 'class="release-text"')
    release = extract_page(html, BASE + path, platform="cision", source_id="demo-cision")
    assert release.layers["body_html"] == "fallback"
    assert "missing:body_html" in release.flags  # rescued, but loudly
    assert demo.paragraphs[1][:40] in release.body_html
