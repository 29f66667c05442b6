"""Sitevision: the fixture archive's markup, the extractor and the spider's page readers.

No network and no Scrapy engine: pages come straight from the room object.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

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
    "Fler nyheter",
    "Uppdaterades senast",
    "NYHET",
    "PRESSMEDDELANDE",
    "Prenumerera",
    "Relaterade nyheter",
    "öppnas i nytt fönster",
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
    # The real form (socialdemokraterna.se): an "Uppdaterades senast: <time>" portlet.
    updated = [
        r
        for r in releases_for("sitevision")
        if room_module.date_style(r) == 1 and room_module.was_updated(r) and r.key != NO_DATE_KEY
    ]
    assert updated
    for demo in updated:
        release = normalise_dates(extract(room, demo))
        assert release.published_raw == room_module.local(demo.published).isoformat()
        assert release.updated_at == demo.published + room_module.UPDATED_AFTER
        assert release.published_at == demo.published
        assert "Uppdaterades" not in release.body_html


def test_rek_pubdate_is_local_time_under_a_z() -> None:
    # Both real sites: rek:pubdate 15:06:55.000Z beside <time datetime="…T15:06:55+02:00">.
    from pressarchive.extract.sitevision import rek_local

    moment = rek_local("2026-08-11T15:06:55.000Z")
    assert moment is not None and moment.isoformat() == "2026-08-11T13:06:55+00:00"
    assert rek_local("2026-01-27T23:17:13.000Z").isoformat() == "2026-01-27T22:17:13+00:00"
    assert rek_local("") is None and rek_local("not a date") is None


def test_the_three_real_date_forms_all_occur(room: room_module.SitevisionRoom) -> None:
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
    # No h1 any more, and no date anywhere: the title comes from the metadata, loudly.
    html = html.replace("<h1 ", "<h2 ").replace("</h1>", "</h2>")
    html = re.sub(r"<time [^>]*>.*?</time>", "", html)
    html = re.sub(r"<p>Publicerad [^<]*</p>", "", html)
    html = re.sub(r'<meta name="rek:(?:pub|mod)date"[^>]*>', "", html)
    release = extract_page(html, BASE + path, platform="sitevision", source_id="demo-sitevision")
    assert release.title == demo.title and release.layers["title"] == "metadata"
    assert "missing:title_markup" in release.flags
    assert demo.paragraphs[0][:40] in release.body_html
    assert "missing:published_raw" in release.flags


def test_body_falls_back_to_trafilatura_when_no_portlet_is_found(
    room: room_module.SitevisionRoom,
) -> None:
    demo = releases_for("sitevision")[2]
    path = room_module.release_path(demo)
    _, body, _ = fetch(room, path)
    # A redesign without Sitevision's portlet ids: nothing to read by structure.
    html = body.decode().replace('id="svid12_', 'id="x12_').replace("pagecontent", "content")
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


def test_selector_drift_on_a_real_page_is_warned_counted_and_still_stored(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A real Sitevision page whose portlet structure is gone (a redesign): the
    crawl keeps what the lower layers read, warns naming source and field, and
    counts the field in the run's stats (which the crawls row and `stats` carry)."""
    from pathlib import Path

    from pressarchive.spiders.sitevision import SitevisionSpider
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    from pressarchive.sources import Source

    real = Path(__file__).parent / "real" / "sitevision" / "centerpartiet_20260811_akesson.html"
    html = real.read_bytes().replace(b'id="svid12_', b'id="x12_')
    url = "https://www.centerpartiet.se/nyheter/arkiv-2026/2026-08-11-x"
    source = Source("centerpartiet", "Centerpartiet", "sitevision", (url,), ("127.0.0.1",))
    spider = SitevisionSpider.from_crawler(get_crawler(SitevisionSpider), source=source)
    response = HtmlResponse(url, body=html, encoding="utf-8", request=Request(url))
    with caplog.at_level("WARNING"):
        release = spider.release_response(response)
    assert spider.crawler.stats.get_value("pressarchive/missing_field/body_html") == 1
    warning = next(r.getMessage() for r in caplog.records if "'body_html'" in r.getMessage())
    assert "centerpartiet" in warning and "layout" in warning
    # What the lower layers gave is kept: metadata title, fallback body, the <time> date.
    assert release.title.startswith("Elisabeth Thand Ringqvist: Åkesson visar")
    assert "Jimmie Åkesson medverkade i Sveriges Radio P1" in release.body_html
    assert release.published_raw == "2026-08-11T15:06:55+02:00"


REAL_PAGES = sorted((Path(__file__).parent / "real" / "sitevision").glob("*.html"))


def _read_real(html: bytes, name: str) -> Release:
    from pressarchive.refine.process import process

    meta = json.loads(
        (Path(__file__).parent / "real" / "sitevision" / f"{name}.expected.json").read_text()
    )
    release = extract_page(html, meta["origin_url"], platform="sitevision", source_id="s")
    return process(release)


@pytest.mark.parametrize("page", REAL_PAGES, ids=lambda p: p.stem)
def test_real_page_variants_read_the_same(page: Path) -> None:
    """Variations another Sitevision site may have: no <main>, no pagecontent
    areas, the date line among the page's own portlets, the lead portlet without
    env-text classes. The fields must not change."""
    html = page.read_bytes()
    plain = _read_real(html, page.stem)
    variants = {
        "no main": html.replace(b"<main ", b"<div ").replace(b"</main>", b"</div>"),
        "no pagecontent": html.replace(b"pagecontent sv-layout", b"sv-layout"),
        "date portlet not template": re.sub(
            rb"sv-template-portlet(\s*\" id=\"svid12_[^\"]+\"><div id=\""
            rb"(?:PubliceringsdatumText|Nyhetochpubliceringsdatum)\")",
            rb"\1",
            html,
        ),
        "lead without env-text": html.replace(b'class="env-text-summary-01"', b'class="normal"'),
    }
    for name, variant in variants.items():
        assert variant != html, name
        read = _read_real(variant, page.stem)
        for field in ("title", "lead", "body_text", "kind", "published_at", "updated_at"):
            assert getattr(read, field) == getattr(plain, field), (name, field)
