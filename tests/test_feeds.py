"""The shared feed reader and the feed layers of the Mynewsdesk and Cision spiders,
callback by callback (the crawls end to end are in tests/e2e/test_feed_layers.py).

No real Mynewsdesk or Cision feed answer has been found saved in a public
repository: the feeds here are written from what working client code reads
(RSS 2.0 title, link, pubDate, description, guid; Cision's NewsFeed JSON).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pressarchive.spiders.base import ListingEntry
from pressarchive.spiders.cision import CisionSpider
from pressarchive.spiders.cision import room_feed_url as cision_feed_url
from pressarchive.spiders.cision_newsfeed import NO_RELEASES_STAT
from pressarchive.spiders.feeds import FEED_UNREAD_STAT, feed_entries, is_feed, without_tracking
from pressarchive.spiders.mynewsdesk import MynewsdeskSpider, merge, release_entries
from pressarchive.spiders.mynewsdesk import room_feed_url as mynewsdesk_feed_url
from scrapy import Request
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from pressarchive.crawl.state import crawl_state
from pressarchive.demo import cision as cision_room
from pressarchive.demo import mynewsdesk as mynewsdesk_room
from pressarchive.demo.server import ask
from pressarchive.extract.services import cision_newsfeed_url
from pressarchive.items import Release
from pressarchive.sources import Source

MND_ROOM = "https://www.mynewsdesk.com/se/norrkopings_kommun"
CISION_ROOM = "https://news.cision.com/se/norrkopings-kommun"
BOM = b"\xef\xbb\xbf"


def rss(*items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>x</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def item(link: str, title: str = "T", date: str = "Thu, 18 Jan 2018 15:32:00 GMT") -> str:
    return f"<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate></item>"


# -- the reader -------------------------------------------------------------------------


def test_a_feed_with_a_byte_order_mark_or_without_declaration_is_read() -> None:
    body = BOM + rss(item(f"{CISION_ROOM}/r/a,c1"))
    assert is_feed(body)
    (entry,), _ = feed_entries(body, CISION_ROOM)
    assert entry.url == f"{CISION_ROOM}/r/a,c1"
    assert is_feed(b'<rss version="2.0"><channel></channel></rss>')
    assert not is_feed(b"<!DOCTYPE html><html><body>Not found</body></html>")
    assert not is_feed(b'{"Message": "no"}')


def test_tracking_parameters_are_dropped_and_others_kept() -> None:
    url = f"{MND_ROOM}/pressreleases/ny-bro-2035186?utm_source=rss&utm_medium=rss&lang=sv"
    assert without_tracking(url) == f"{MND_ROOM}/pressreleases/ny-bro-2035186?lang=sv"
    assert without_tracking(f"{MND_ROOM}/x") == f"{MND_ROOM}/x"


def test_feed_urls_come_from_the_start_url() -> None:
    assert mynewsdesk_feed_url(MND_ROOM + "/") == MND_ROOM + "/pressreleases.rss"
    assert cision_feed_url(CISION_ROOM) == CISION_ROOM + "/ListItems?format=rss"


def test_the_demo_feeds_read_as_listings_newest_first() -> None:
    base = "http://127.0.0.1:9"
    mnd = ask(mynewsdesk_room.make_room(), mynewsdesk_room.FEED_PATH)
    entries = release_entries(mnd.body, base + mynewsdesk_room.FEED_PATH)
    assert len(entries) == mynewsdesk_room.FEED_SIZE
    assert all("utm_" not in e.url and "/pressrelease" in e.url for e in entries)
    assert entries[0].published_raw and entries[0].published_raw[-5:] in ("+0100", "+0200")
    cision = ask(cision_room.make_room(), cision_room.START_PATH + "/ListItems?format=rss")
    listed, next_url = feed_entries(cision.body, base + cision_room.START_PATH)
    assert len(listed) == cision_room.FEED_SIZE and next_url is None


# -- spiders --------------------------------------------------------------------------------


class Archive:
    """A seen-index stand-in: these URLs are archived."""

    def __init__(self, *urls: str) -> None:
        self.urls = set(urls)

    def is_archived(self, source_id: str, url: str, title: str | None) -> bool:
        return url in self.urls


def make(spider_cls: Any, room: str, platform: str, **options: Any) -> Any:
    source = Source("s", "Norrköpings kommun", platform, (room,), (), options)
    return spider_cls.from_crawler(get_crawler(spider_cls), source=source)


def answer(url: str, body: bytes, **meta: Any) -> TextResponse:
    return TextResponse(url, body=body, encoding="utf-8", request=Request(url, **meta))


def test_mynewsdesk_asks_the_feed_then_its_first_page_with_the_feed_entries() -> None:
    spider = make(MynewsdeskSpider, MND_ROOM, "mynewsdesk")
    (first,) = spider.start_requests()
    assert first.url == MND_ROOM + "/pressreleases.rss"
    link = f"{MND_ROOM}/pressreleases/ny-bro-2035186?utm_source=rss"
    (room,) = spider.parse_feed(answer(first.url, rss(item(link))), room_url=MND_ROOM)
    assert room.url == MND_ROOM
    assert [e.url for e in room.cb_kwargs["feed"]] == [f"{MND_ROOM}/pressreleases/ny-bro-2035186"]
    custom = make(MynewsdeskSpider, MND_ROOM, "mynewsdesk", feed_url="https://x.se/f.rss")
    assert [r.url for r in custom.start_requests()] == ["https://x.se/f.rss"]
    off = make(MynewsdeskSpider, MND_ROOM, "mynewsdesk", use_feed=False)
    assert [r.url for r in off.start_requests()] == [MND_ROOM]


def test_a_feed_that_is_no_feed_is_a_warning_a_stat_and_the_room_alone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    spider = make(MynewsdeskSpider, MND_ROOM, "mynewsdesk")
    feed = MND_ROOM + "/pressreleases.rss"
    with caplog.at_level("WARNING"):
        (room,) = spider.parse_feed(answer(feed, b"<html><body>Hej</body></html>"), MND_ROOM)
    assert room.url == MND_ROOM and room.cb_kwargs["feed"] is None
    assert spider.crawler.stats.get_value(FEED_UNREAD_STAT) == 1
    assert any("not a feed" in r.getMessage() and feed in r.getMessage() for r in caplog.records)
    (again,) = spider.parse_feed(answer(feed, rss()), MND_ROOM)  # a feed of no items
    assert again.cb_kwargs["feed"] is None
    assert spider.crawler.stats.get_value(FEED_UNREAD_STAT) == 2


def test_merge_keeps_feed_entries_first_and_adds_what_only_the_listing_shows() -> None:
    feed = [ListingEntry(f"{MND_ROOM}/pressreleases/a-2000001", "A", "Thu, 18 Jan 2018")]
    listing = [
        ListingEntry(f"{MND_ROOM}/news/nyhet-2000002", "N"),
        ListingEntry(f"{MND_ROOM}/pressreleases/a-2000001", "A"),
    ]
    assert [e.title for e in merge(feed, listing)] == ["A", "N"]


def test_a_failed_room_page_still_fetches_what_the_feed_listed() -> None:
    spider = make(MynewsdeskSpider, MND_ROOM, "mynewsdesk")
    crawl_state(spider.crawler).seen = Archive(f"{MND_ROOM}/pressreleases/old-2000003")
    feed = [
        ListingEntry(f"{MND_ROOM}/pressreleases/new-2000004", "New"),
        ListingEntry(f"{MND_ROOM}/pressreleases/old-2000003", "Old"),
    ]

    class Failed:
        request = spider.room_request(MND_ROOM, feed)
        value = ConnectionError("refused")

    out = list(spider.room_failed(Failed()))
    assert [r.url for r in out] == [f"{MND_ROOM}/pressreleases/new-2000004"]
    assert spider.crawler.stats.get_value("pressarchive/errors") == 1


def cision_feed(*numbers: int) -> bytes:
    return rss(*(item(f"{CISION_ROOM}/r/release-{n},c{n}", f"R{n}") for n in numbers))


def test_cision_feed_alone_when_it_reaches_the_archive() -> None:
    spider = make(CisionSpider, CISION_ROOM, "cision")
    (first,) = spider.start_requests()
    assert first.url == CISION_ROOM + "/ListItems?format=rss"
    crawl_state(spider.crawler).seen = Archive(
        f"{CISION_ROOM}/r/release-2,c2", f"{CISION_ROOM}/r/release-1,c1"
    )
    out = list(spider.parse_feed(answer(first.url, cision_feed(3, 2, 1))))
    assert [r.url for r in out] == [f"{CISION_ROOM}/r/release-3,c3"]  # no listing walk


def test_cision_feed_all_new_walks_the_room_listing_too() -> None:
    spider = make(CisionSpider, CISION_ROOM, "cision")
    out = list(spider.parse_feed(answer(cision_feed_url(CISION_ROOM), cision_feed(3, 2))))
    assert [r.url for r in out][-1] == CISION_ROOM
    assert len(out) == 3


# -- Cision's NewsFeed service -----------------------------------------------------------


def record(n: int) -> dict[str, Any]:
    return {
        "Title": f"Release {n}",
        "HtmlBody": "<p>Body.</p>",
        "PublishDate": "2022-05-06T07:30:00Z",
        "CisionWireUrl": f"{CISION_ROOM}/r/release-{n},c{n}",
    }


def test_newsfeed_url_pages_from_one_and_its_host_is_allowed() -> None:
    url = cision_newsfeed_url("ABC123", page_index=2)
    parts = urlsplit(url)
    assert parts.netloc == "publish.ne.cision.com" and parts.path == "/papi/NewsFeed/ABC123"
    query = parse_qs(parts.query)
    assert query["format"] == ["json"] and query["pageIndex"] == ["2"]
    assert query["pageSize"] == ["100"] and query["detailLevel"] == ["detail"]
    spider = make(CisionSpider, CISION_ROOM, "cision", feed_id="ABC123")
    assert "publish.ne.cision.com" in spider.allowed_domains
    (first,) = spider.start_requests()
    assert first.url == cision_newsfeed_url("ABC123", page_index=1)


def test_newsfeed_full_page_asks_the_next_until_the_total() -> None:
    spider = make(CisionSpider, CISION_ROOM, "cision", feed_id="ABC123")
    url = cision_newsfeed_url("ABC123")
    page = {"TotalFoundReleases": 150, "Releases": [record(n) for n in range(100)]}
    out = list(spider.parse_newsfeed(answer(url, json.dumps(page).encode()), page_index=1))
    assert sum(isinstance(o, Release) for o in out) == 100
    (next_page,) = [o for o in out if isinstance(o, Request)]
    assert parse_qs(urlsplit(next_page.url).query)["pageIndex"] == ["2"]
    last = {"TotalFoundReleases": 150, "Releases": [record(n) for n in range(100, 150)]}
    out = list(spider.parse_newsfeed(answer(url, json.dumps(last).encode()), page_index=2))
    assert not [o for o in out if isinstance(o, Request)]


def test_newsfeed_without_releases_is_loud_and_falls_back_to_the_listings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    spider = make(CisionSpider, CISION_ROOM, "cision", feed_id="WRONG")
    url = cision_newsfeed_url("WRONG")
    with caplog.at_level("WARNING"):
        out = list(spider.parse_newsfeed(answer(url, b'{"Message": "Not found"}'), page_index=1))
    assert [r.url for r in out] == [CISION_ROOM + "/ListItems?format=rss"]
    assert spider.crawler.stats.get_value(NO_RELEASES_STAT) == 1
    assert any("Not found" in r.getMessage() for r in caplog.records)
