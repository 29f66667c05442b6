"""Sitevision: the fixture archive's markup, the extractor and the spider's page readers.

No network and no Scrapy engine: pages come straight from the room object.
"""

from __future__ import annotations

import re
import time

import pytest
from parsel import Selector
from pressarchive.spiders.sitevision import (
    archive_path,
    is_news_path,
    listing_entries,
    next_listing_url,
)

from pressarchive.demo import sitevision as room_module
from pressarchive.demo.corpus import (
    LATIN1_KEY,
    NO_DATE_KEY,
    ORGANISATION,
    DemoRelease,
    releases_for,
)
from pressarchive.demo.server import ask
from pressarchive.extract import extract_page
from pressarchive.items import Release
from pressarchive.refine.published import normalise_dates

BASE = "http://127.0.0.1:8123"
ARCHIVE = "/nyhetsarkiv"
CHROME = (
    "Varning för högt vattenflöde",
    "kakor",
    "Omsorg och stöd",
    "Dela",
    "Startsida",
    "Tillgänglighet",
)


@pytest.fixture(scope="module")
def room() -> room_module.SitevisionRoom:
    return room_module.make_room()


def fetch(
    room: room_module.SitevisionRoom, path_and_query: str, edition: int = 1
) -> tuple[int, bytes, dict[str, str]]:
    reply = ask(room, path_and_query, edition=edition)
    return reply.status, reply.body, reply.headers


def extract(room: room_module.SitevisionRoom, release: DemoRelease) -> Release:
    path = room_module.release_path(release)
    status, body, _ = fetch(room, path)
    assert status == 200, path
    # As the spider does when the header names no charset: the page decides.
    return extract_page(
        body,
        BASE + path,
        platform="sitevision",
        source_id="demo-sitevision",
        organisation=ORGANISATION,
    )


def walk_listing(room: room_module.SitevisionRoom) -> tuple[list[str], list[str]]:
    """Every listing page from the start URL on, following only the pages' own links."""
    pages: list[str] = []
    urls: list[str] = []
    url: str | None = BASE + ARCHIVE
    while url:
        pages.append(url)
        status, body, _ = fetch(room, url.removeprefix(BASE))
        assert status == 200, url
        sel = Selector(text=body.decode())
        urls.extend(e.url for e in listing_entries(sel, url, ARCHIVE))
        url = next_listing_url(sel, url, ARCHIVE)
    return pages, urls


def test_listing_walk_reaches_every_release_once_newest_first(
    room: room_module.SitevisionRoom,
) -> None:
    pages, urls = walk_listing(room)
    expected = [BASE + room_module.release_path(r) for r in releases_for("sitevision")]
    # The start page repeats the newest few; after that every release appears once, in order.
    teaser = room_module.TEASER_SIZE
    assert urls[:teaser] == expected[:teaser]
    assert urls[teaser:] == expected
    assert len(pages) >= 3
    assert any("page=2" in p for p in pages), "a year with more than one page is paged"


def test_news_paths_are_told_from_years_and_pages() -> None:
    assert is_news_path("/nyhetsarkiv/2024/2024-04-19-ny-bro", ARCHIVE)
    assert not is_news_path("/nyhetsarkiv/2024", ARCHIVE)
    assert not is_news_path("/nyhetsarkiv", ARCHIVE)
    assert not is_news_path("/trafik/2024/x", ARCHIVE)
    assert archive_path("https://www.norrkoping.se/nyhetsarkiv/") == ARCHIVE


def test_every_release_reads_back_as_published(room: room_module.SitevisionRoom) -> None:
    for demo in releases_for("sitevision"):
        release = normalise_dates(extract(room, demo))
        assert release.title == demo.title
        assert release.lead == demo.lead
        assert release.kind == demo.kind
        assert release.platform_id or demo.key == NO_DATE_KEY  # its page name has no date
        for paragraph in demo.paragraphs:
            assert paragraph[:40] in release.body_html.replace("&amp;", "&")
        for field in ("title", "lead", "body_html"):
            for chrome in CHROME:
                assert chrome not in getattr(release, field), (demo.key, field, chrome)
        assert [c.name for c in release.contacts] == [c.name for c in demo.contacts]
        assert all(c.phone and c.phone.startswith("+46") for c in release.contacts)
        assert release.layers["title"] == "markup" and release.layers["body_html"] == "markup"
        if demo.key == NO_DATE_KEY:
            continue
        assert release.published_at == demo.published, (demo.key, release.published_raw)
        assert not [f for f in release.flags if f.startswith("missing:")]


def test_updated_line_is_read_apart_from_the_published_date(
    room: room_module.SitevisionRoom,
) -> None:
    updated = [
        r
        for r in releases_for("sitevision")
        if room_module.date_style(r) == 0 and room_module.was_updated(r) and r.key != NO_DATE_KEY
    ]
    assert updated
    for demo in updated:
        release = normalise_dates(extract(room, demo))
        assert release.published_raw == room_module.long_date(demo.published)
        assert release.updated_raw == room_module.long_date(
            demo.published + room_module.UPDATED_AFTER
        )
        assert release.updated_at is not None and release.updated_at > demo.published
        assert release.published_at == demo.published


def test_the_three_date_styles_all_occur(room: room_module.SitevisionRoom) -> None:
    styles = {room_module.date_style(r) for r in releases_for("sitevision") if r.key != NO_DATE_KEY}
    assert styles == {0, 1, 2}


def test_latin1_page_declared_only_in_meta_reads_right(room: room_module.SitevisionRoom) -> None:
    demo = next(r for r in releases_for("sitevision") if r.key == LATIN1_KEY)
    _, body, headers = fetch(room, room_module.release_path(demo))
    assert "charset" not in headers["Content-Type"]
    assert b'http-equiv="Content-Type" content="text/html; charset=iso-8859-1"' in body
    assert "Öppet hus på Åbyskolan".encode("iso-8859-1") in body
    release = extract(room, demo)
    assert release.title == demo.title
    assert "Övergången från förskola till skola" in release.body_html
    assert "Ã" not in release.title + release.lead + release.body_html


def test_release_without_a_date_is_kept_with_a_flag(room: room_module.SitevisionRoom) -> None:
    demo = next(r for r in releases_for("sitevision") if r.key == NO_DATE_KEY)
    release = normalise_dates(extract(room, demo))
    assert release.title == demo.title
    assert release.published_raw is None and release.published_at is None
    assert "no_date" in release.flags and "missing:published_raw" in release.flags


def test_a_layout_change_falls_back_and_says_so(room: room_module.SitevisionRoom) -> None:
    demo = releases_for("sitevision")[1]
    path = room_module.release_path(demo)
    _, body, _ = fetch(room, path)
    html = body.decode()
    html = html.replace('id="Brodtext"', 'id="Innehall"').replace(
        'class="heading"', 'class="rubrik"'
    )
    html = html.replace("<h1 ", "<h2 ").replace("</h1>", "</h2>")
    html = re.sub(r'<p class="sv-published">.*?</p>', "", html)
    html = re.sub(
        r'<meta (?:property="article:published_time"|name="dcterms.date")[^>]*>', "", html
    )
    release = extract_page(html, BASE + path, platform="sitevision", source_id="demo-sitevision")
    assert release.title == demo.title and release.layers["title"] == "metadata"
    assert demo.paragraphs[0][:40] in release.body_html
    assert release.layers["body_html"] in ("markup", "fallback")
    assert "missing:published_raw" in release.flags


def test_body_falls_back_to_trafilatura_when_no_container_matches(
    room: room_module.SitevisionRoom,
) -> None:
    demo = releases_for("sitevision")[2]
    path = room_module.release_path(demo)
    _, body, _ = fetch(room, path)
    html = body.decode().replace('id="Brodtext"', 'id="X"').replace('class="sv-row"', 'class="row"')
    html = (
        html.replace("<main", "<div").replace("</main>", "</div>").replace("<article", "<section")
    )
    release = extract_page(html, BASE + path, platform="sitevision", source_id="demo-sitevision")
    assert release.layers["body_html"] == "fallback"
    assert "missing:body_html" in release.flags  # rescued, but loudly
    assert demo.paragraphs[1][:40] in release.body_html
    assert "Varning för högt vattenflöde" not in release.body_html


def test_extraction_is_fast_enough_for_every_page(room: room_module.SitevisionRoom) -> None:
    pages = [fetch(room, room_module.release_path(r))[1] for r in releases_for("sitevision")]
    started = time.perf_counter()
    for _ in range(3):
        for body in pages:
            extract_page(body, BASE + "/nyhetsarkiv/2024/x", platform="sitevision", source_id="s")
    per_page = (time.perf_counter() - started) / (3 * len(pages))
    assert per_page < 0.02, f"{per_page * 1000:.1f} ms per page"
