"""Mynewsdesk: the extractor and the listing reader on the fixture room's pages,
and the shared Page / metadata layers they stand on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC
from html import escape
from typing import Any

import pytest
from parsel import Selector
from pressarchive.spiders.base import WALK_PRIORITY, ListingEntry
from pressarchive.spiders.mynewsdesk import MynewsdeskSpider, read_listing
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from pressarchive.crawl.state import crawl_state
from pressarchive.demo.corpus import ORGANISATION, SENDERS, DemoRelease, releases_for
from pressarchive.demo.mynewsdesk import (
    PAGE_SIZE,
    START_PATH,
    display_date,
    make_room,
    release_number,
    release_path,
)
from pressarchive.extract import extract_page
from pressarchive.extract.metadata import read_metadata
from pressarchive.extract.page import Page, sniff_encoding
from pressarchive.items import Release
from pressarchive.sources import Source

BASE = "http://127.0.0.1:8000"
ROOM = make_room()
RELEASES = releases_for("mynewsdesk")
SENDER_EMAILS = {c.email for c in SENDERS}


def extract(release: DemoRelease, body: bytes | None = None) -> Release:
    path = release_path(release)
    return extract_page(
        body if body is not None else page_body_lenient(path),
        BASE + path,
        platform="mynewsdesk",
        source_id="demo-mynewsdesk",
        organisation=ORGANISATION,
    )


def page_body_lenient(path: str) -> bytes:
    """The page, past the failures the room serves on purpose (FLAKY_KEY)."""
    room = make_room()
    for _ in range(3):
        reply = room.respond(path, {}, edition=1)
        if reply.status == 200:
            return reply.body
    raise AssertionError(path)


@pytest.fixture(scope="module")
def extracted() -> list[tuple[DemoRelease, Release]]:
    return [(r, extract(r)) for r in RELEASES]


def test_every_release_reads_back_whole(extracted: list[tuple[DemoRelease, Release]]) -> None:
    for demo, release in extracted:
        assert release.title == demo.title
        assert release.lead == demo.lead
        assert release.kind == demo.kind, release.url
        assert release.platform_id == str(release_number(demo.key))
        assert release.flags == [], (release.url, release.flags)
        for paragraph in demo.paragraphs:
            assert escape(paragraph, quote=False)[:60] in release.body_html
        assert {(t.kind, t.name) for t in release.tags} == set(demo.tags)
        assert release.language == "sv"


def test_dates_metadata_when_present_else_the_line_as_shown(
    extracted: list[tuple[DemoRelease, Release]],
) -> None:
    layers = set()
    for demo, release in extracted:
        layers.add(release.layers["published_raw"])
        if release.layers["published_raw"] == "metadata":
            assert release.published_at == demo.published
            assert release.published_at is not None and release.published_at.tzinfo == UTC
        else:
            assert release.published_raw == display_date(demo.published)
            assert release.published_at is None  # the pipeline parses the raw string
    assert layers == {"metadata", "markup"}  # both URL generations are in the room


def test_contact_card_emails_come_out_clean(
    extracted: list[tuple[DemoRelease, Release]],
) -> None:
    for _, release in extracted:
        assert len(release.contacts) == 3
        for contact in release.contacts:
            assert contact.role == "press_contact"
            assert contact.email in SENDER_EMAILS, contact.email
            assert contact.phone and re.fullmatch(r"\+46\d{7,10}", contact.phone)


def test_obfuscation_is_really_there_before_cleaning() -> None:
    body = page_body_lenient(release_path(RELEASES[0])).decode()
    naive = re.sub(r"<[^>]+>", "", body)
    assert "helena.jalkner@norrkoping.se" not in naive
    assert "display:none" in body and "<span hidden>" in body and 'class="mnd-obf"' in body


def test_about_text_apart_on_new_pages_and_in_body_on_old(
    extracted: list[tuple[DemoRelease, Release]],
) -> None:
    new = [r for _, r in extracted if "/pressroom/" not in r.url]
    old = [r for _, r in extracted if "/pressroom/" in r.url]
    assert new and old
    assert all(r.about_text.startswith("Let's create Norrköping!") for r in new)
    assert all(r.about_text == "" and "Let's create" in r.body_html for r in old)


def test_images_captions_and_layers(extracted: list[tuple[DemoRelease, Release]]) -> None:
    for demo, release in extracted:
        if demo.image_caption:
            assert release.images[0].caption == demo.image_caption
            assert release.images[0].url.startswith("https://mnd-assets.mynewsdesk.com/")
        else:
            assert release.images == []
        assert release.layers["title"] == "metadata"
        assert release.layers["body_html"] == "markup"


def test_layout_change_flags_missing_fields_and_falls_back() -> None:
    body = page_body_lenient(release_path(RELEASES[20])).decode()
    # a redesign: the classes and the OpenGraph title are gone
    body = re.sub(r'class="press-release__[a-z]+"', 'class="x"', body)
    body = re.sub(r'<meta property="og:title"[^>]*>', "", body)
    body = body.replace("<h1", "<div").replace("</h1>", "</div>")
    release = extract(RELEASES[20], body.encode())
    assert "missing:title" in release.flags and "partial" in release.flags
    assert "missing:published_raw" in release.flags
    assert release.layers["body_html"] == "fallback"
    assert RELEASES[20].paragraphs[0][:30] in release.body_html


def test_garbage_never_raises() -> None:
    for body in (b"", b"\x00\xff\xfe", b"<html", "<p>bara text</p>"):
        release = extract_page(body, BASE + "/x", platform="mynewsdesk", source_id="s")
        assert "partial" in release.flags


# -- the listing ------------------------------------------------------------------------


def test_listing_items_and_next_page() -> None:
    body = ROOM.respond(START_PATH, {}, edition=1).body
    entries, next_url = read_listing(Selector(text=body.decode()), BASE + START_PATH)
    assert [e.title for e in entries] == [r.title for r in RELEASES[:PAGE_SIZE]]
    assert [e.url for e in entries] == [BASE + release_path(r) for r in RELEASES[:PAGE_SIZE]]
    assert all(
        e.published_raw and display_date(r.published) in e.published_raw
        for e, r in zip(entries, RELEASES, strict=False)
    )
    assert next_url == BASE + START_PATH + "?page=2"
    last = ROOM.respond(START_PATH, {"page": ["5"]}, edition=1).body
    entries, next_url = read_listing(Selector(text=last.decode()), BASE + START_PATH)
    assert next_url is None and entries


def test_listing_falls_back_to_release_shaped_links() -> None:
    body = ROOM.respond(START_PATH, {}, edition=1).body.decode()
    body = body.replace("media-list", "feed")
    entries, _ = read_listing(Selector(text=body), BASE + START_PATH)
    assert [e.url for e in entries][:PAGE_SIZE] == [
        BASE + release_path(r) for r in RELEASES[:PAGE_SIZE]
    ]


# -- the incremental rule (spiders/base.py) ---------------------------------------------


class FakeSeen:
    def __init__(self, archived: dict[str, str]) -> None:
        self.archived = archived

    def is_archived(self, source_id: str, url: str, title: str | None = None) -> bool:
        return url in self.archived and (title is None or self.archived[url] == title)


def spider(**kwargs: Any) -> MynewsdeskSpider:
    source = Source(
        "demo-mynewsdesk", ORGANISATION, "mynewsdesk", (BASE + START_PATH,), ("127.0.0.1",)
    )
    crawler = get_crawler(MynewsdeskSpider)
    instance = MynewsdeskSpider.from_crawler(crawler, source=source, **kwargs)
    return instance


def walk(spider: MynewsdeskSpider, entries: list[ListingEntry]) -> list[str]:
    response = HtmlResponse(BASE + START_PATH, body=b"<html></html>", request=Request(BASE))
    requests: Iterator[Request] = spider.listing_page(response, entries, BASE + "/next")
    return [r.url for r in requests]


ENTRIES = [
    ListingEntry(BASE + "/a-1", "A", "Jan 18, 2018 16:32 CET"),
    ListingEntry(BASE + "/b-2", "B", "Jan 10, 2018 09:00 CET"),
]


def test_page_of_only_archived_releases_stops_the_walk() -> None:
    s = spider()
    crawl_state(s.crawler).seen = FakeSeen({BASE + "/a-1": "A", BASE + "/b-2": "B"})
    assert walk(s, ENTRIES) == []


def test_new_or_retitled_release_is_fetched_and_the_walk_goes_on() -> None:
    s = spider()
    crawl_state(s.crawler).seen = FakeSeen({BASE + "/a-1": "A (old title)", BASE + "/b-2": "B"})
    assert walk(s, ENTRIES) == [BASE + "/a-1", BASE + "/next"]


def test_full_fetches_everything_and_since_stops_at_the_date() -> None:
    s = spider(full="true")
    crawl_state(s.crawler).seen = FakeSeen({BASE + "/a-1": "A", BASE + "/b-2": "B"})
    assert walk(s, ENTRIES) == [BASE + "/a-1", BASE + "/b-2", BASE + "/next"]
    s = spider(since="2018-01-15")
    assert walk(s, ENTRIES) == [BASE + "/a-1"]


def test_errback_records_url_and_reason() -> None:
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.python.failure import Failure

    s = spider()
    request = Request(BASE + "/gone-9")
    response = HtmlResponse(request.url, status=404, body=b"", request=request)
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = request  # type: ignore[attr-defined]
    s.errback(failure)
    assert crawl_state(s.crawler).errors == [{"url": BASE + "/gone-9", "reason": "HTTP 404"}]
    assert s.crawler.stats.get_value("pressarchive/errors") == 1


# -- Page and metadata --------------------------------------------------------------------


def test_charset_header_then_meta_then_utf8() -> None:
    latin = "<html><head><meta http-equiv='Content-Type' content='text/html; charset=ISO-8859-1'></head><body><p>Åbyskolan öppnar</p></body></html>"
    page = Page(latin.encode("latin-1"), BASE)
    assert page.text("p") == "Åbyskolan öppnar"
    assert sniff_encoding(b"<meta charset=utf-8>", "iso-8859-1") == "iso8859-1"
    assert sniff_encoding(b"<p>no declaration</p>") == "utf-8"
    assert Page("<p>Å</p>".encode(), BASE).text("p") == "Å"


def test_hidden_text_is_gone_before_reading() -> None:
    html = (
        "<style>.trap{display:none}</style><p>a<span style='display:none'>X</span>b"
        "<span hidden>Y</span>c<span class='trap'>Z</span>d</p>"
    )
    page = Page(html, BASE)
    assert page.text("p") == "abcd"
    assert page.hidden_removed >= 3


def test_metadata_json_ld_first_then_opengraph() -> None:
    html = """<html lang="sv-SE"><head>
      <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
        {"@type":"WebPage","name":"Sidan"},
        {"@type":"NewsArticle","headline":"Rubriken","datePublished":"2024-03-01T08:00:00+01:00",
         "keywords":["Skola","Trygghet"],"image":{"@type":"ImageObject","url":"/bild.jpg"}}]}</script>
      <meta property="og:title" content="OG-rubrik"><meta property="og:description" content="Ingress">
      <link rel="canonical" href="/nyheter/rubriken"></head><body></body></html>"""
    meta = read_metadata(Page(html, BASE + "/x"))
    assert meta.title == "Rubriken" and meta.origins["title"] == "json-ld"
    assert meta.description == "Ingress" and meta.origins["description"] == "opengraph"
    assert meta.published_raw == "2024-03-01T08:00:00+01:00"
    assert meta.keywords == ("Skola", "Trygghet")
    assert meta.image == BASE + "/bild.jpg"
    assert meta.canonical == BASE + "/nyheter/rubriken"
    assert meta.language == "sv"


def test_metadata_time_element_when_nothing_else() -> None:
    html = "<html><body><article><time datetime='2023-12-01T15:10'>1 dec</time></article></body></html>"
    assert read_metadata(Page(html, BASE)).published_raw == "2023-12-01T15:10"


def test_layout_change_is_warned_about_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    s = spider()
    broken = b"<html><body><main><p>Bara lite text utan rubrik.</p></main></body></html>"
    url = BASE + release_path(RELEASES[3])
    response = HtmlResponse(url, body=broken, encoding="utf-8", request=Request(url))
    with caplog.at_level("WARNING"):
        release = s.release_response(response)
    assert "missing:title" in release.flags
    assert s.crawler.stats.get_value("pressarchive/missing_field/title") == 1
    assert s.crawler.stats.get_value("pressarchive/missing_field/published_raw") == 1
    assert any("'title'" in r.getMessage() and "layout" in r.getMessage() for r in caplog.records)
    assert release.fetched_at is not None and release.source == "demo-mynewsdesk"


def test_listing_date_fills_a_page_without_one() -> None:
    s = spider()
    demo = RELEASES[30]  # an older-generation page: no machine date in the head
    url = BASE + release_path(demo)
    body = page_body_lenient(release_path(demo)).decode()
    body = re.sub(r'<span class="press-release__date">[^<]*</span>', "", body)
    response = HtmlResponse(url, body=body.encode(), encoding="utf-8", request=Request(url))
    entry = ListingEntry(url, demo.title, "Pressmeddelanden   •   " + display_date(demo.published))
    release = s.release_response(response, entry)
    assert release.published_raw == entry.published_raw
    assert "date_from_listing" in release.flags
    assert "missing:published_raw" not in release.flags and "partial" not in release.flags
    assert s.crawler.stats.get_value("pressarchive/missing_field/published_raw") is None


def test_the_walks_next_page_outranks_the_releases_it_listed() -> None:
    """Scrapy's scheduler and the Redis frontier both put it first: the walk
    stays ahead of the fetching, and the queue never runs dry mid-walk."""
    s = spider(full="true")
    crawl_state(s.crawler).seen = FakeSeen({})
    response = HtmlResponse(BASE + START_PATH, body=b"<html></html>", request=Request(BASE))
    requests = list(s.listing_page(response, ENTRIES, BASE + "/next"))
    priorities = {r.url: r.priority for r in requests}
    assert priorities == {BASE + "/a-1": 0, BASE + "/b-2": 0, BASE + "/next": WALK_PRIORITY}
