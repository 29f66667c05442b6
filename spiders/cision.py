"""Cision News press rooms (news.cision.com/se/<organisation>).

Navigation only; what a release page says is read by pressarchive.extract.cision.

Three listing layers, first to last:

1. With `options.feed_id`, Cision's NewsFeed service (spiders/cision_newsfeed.py):
   whole releases as JSON, no page requests. An answer without releases is a
   warning and the walk goes on with 2.
2. The room's RSS `<start URL>/ListItems?format=rss` (seen in working code of
   several public projects; `options.feed_url` overrides it, `options.use_feed
   = false` turns it off). It is the room's own listing as a feed (all the
   room's releases, newest first), so when it can carry the crawl it does so
   alone: a re-crawl with nothing new costs the feed only. It cannot when it
   fails, is no feed or lists nothing (a warning and `pressarchive/feed_unread`),
   under --full or a deep walk, and when every entry is new (the archive has not
   reached the feed's oldest entry: the history is only in the room's listing).
   GUESS, what would prove it is a saved feed: items with title, link (the
   release page), pubDate (RFC 822), guid; how many items the feed holds (one
   client asks for `pageSize=100&pageIx=N`, unseen here, so it is not paged).
3. The room's HTML listing: releases newest first (`/se/<room>/r/<slug>,c<id>`
   links), pages with a rel="next" link.

The shared incremental rule of PressroomSpider decides what to fetch and when
to stop, on every layer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from parsel import Selector
from pressarchive.spiders.base import ListingEntry, as_bool, failure_reason
from pressarchive.spiders.cision_newsfeed import NewsFeedLayer
from pressarchive.spiders.feeds import all_new, feed_entries, report_unread, unread_reason
from scrapy.http import Response
from twisted.python.failure import Failure

from pressarchive.text import squash

_RELEASE_PATH = re.compile(r"/r/[^/]+,c\d+/?$")
_ITEM = "ancestor::*[self::li or self::article or contains(@class, 'item')][1]"


def room_path(start_url: str) -> str:
    """`https://news.cision.com/se/norrkopings-kommun` -> `/se/norrkopings-kommun`."""
    return urlsplit(start_url).path.rstrip("/")


def listing_entries(sel: Selector, base_url: str, room: str) -> list[ListingEntry]:
    """The room's releases on a listing page, in page order; "latest" boxes of
    other organisations (links outside the room) are not entries."""
    entries: list[ListingEntry] = []
    seen: set[str] = set()
    container = sel.css(".news-list") or sel.css("main") or sel
    for link in container.css("a[href]"):
        url = urljoin(base_url, link.attrib["href"].strip())
        path = urlsplit(url).path
        if not _RELEASE_PATH.search(path) or not path.startswith(room + "/") or url in seen:
            continue
        seen.add(url)
        title = squash(link.xpath("string()").get())
        date = ""
        for item in link.xpath(_ITEM):
            date = squash(item.css("time").xpath("string()").get())
        entries.append(ListingEntry(url=url, title=title or None, published_raw=date or None))
    return entries


def next_listing_url(sel: Selector, base_url: str) -> str | None:
    for query in (
        "a[rel~=next]::attr(href)",
        "link[rel~=next]::attr(href)",
        "a.pagination__next::attr(href)",
    ):
        href = sel.css(query).get()
        if href:
            return urljoin(base_url, href.strip())
    return None


def room_feed_url(start_url: str) -> str:
    """`https://news.cision.com/se/<company>` -> `…/se/<company>/ListItems?format=rss`."""
    return start_url.split("?")[0].rstrip("/") + "/ListItems?format=rss"


def is_release_url(url: str, room: str) -> bool:
    path = urlsplit(url).path
    return bool(_RELEASE_PATH.search(path)) and path.startswith(room + "/")


class CisionSpider(NewsFeedLayer):
    name = "cision"
    platform = "cision"

    def start_requests(self) -> Iterator[scrapy.Request]:
        if self.source.option("feed_id"):
            yield self.newsfeed_request(page_index=1)
            return
        yield from self.listing_start()

    def listing_start(self) -> Iterator[scrapy.Request]:
        """The room's feed, or its HTML listing when the feed is turned off."""
        if not as_bool(self.source.option("use_feed", True)):
            yield from self.room_requests()
            return
        for url in self.source.start_urls:
            feed = str(self.source.option("feed_url") or "") or room_feed_url(url)
            yield scrapy.Request(
                feed, callback=self.parse_feed, errback=self.feed_failed, dont_filter=True
            )

    def room_requests(self) -> Iterator[scrapy.Request]:
        for url in self.source.start_urls:
            # the start page is walked on every run, a resumed one too
            yield scrapy.Request(url, callback=self.parse, errback=self.errback, dont_filter=True)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        """The room's feed: its entries by the incremental rule, then the HTML
        walk when the feed cannot carry the crawl alone."""
        room = room_path(self.source.start_urls[0])
        entries, _next = feed_entries(response.body, response.url)
        entries = [e for e in entries if is_release_url(e.url, room)]
        reason = unread_reason(response.body, entries)
        if reason:
            report_unread(self, response.url, reason)
            yield from self.room_requests()
            return
        self.crawler.stats.inc_value("pressarchive/feed_entries", len(entries))
        yield from self.listing_page(response, entries, None)
        if self.full or self.deep or all_new(self.seen, self.source.id, entries):
            yield from self.room_requests()

    def feed_failed(self, failure: Failure) -> Iterator[Any]:
        """The feed failed after retries (a 404: the room has none): the HTML walk."""
        request: scrapy.Request = failure.request  # type: ignore[attr-defined]
        report_unread(self, request.url, failure_reason(failure))
        yield from self.room_requests()

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A listing page of the press room.

        @url http://127.0.0.1:8000/se/norrkopings-kommun
        @returns requests 1
        """
        sel = Selector(text=response.text)
        room = room_path(self.source.start_urls[0])
        entries = listing_entries(sel, response.url, room)
        yield from self.listing_page(response, entries, next_listing_url(sel, response.url))

    def parse_release(self, response: Response, entry: ListingEntry | None = None) -> Iterator[Any]:
        """A release page.

        @url http://127.0.0.1:8000/se/norrkopings-kommun/r/kommunen-rustar-upp-gang-och-cykelvagar-i-navestad,c3996845
        @returns items 1 1
        @scrapes title published_raw body_html
        """
        yield self.release_response(response, entry)
