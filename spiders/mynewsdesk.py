"""Mynewsdesk press rooms: the listing newest first, its pages, the release pages.

Everything is derived from the source's start URL (the press room). The
listing's items are read with the room's own classes, and when those stop
matching, from any link whose path has the shape of a Mynewsdesk release
(both URL generations), so a redesign slows the crawl down to a warning, not
to a silent stop. Pagination follows the listing's own "next" link.

With `options.unique_key` (the newsroom's key) the first layer is Mynewsdesk's
pressroom service instead (pressarchive.extract.services): exact fields, no
page requests, paged by `offset`. Its answer's shape is seen only in client
code: an answer without items is a warning and a count
(`pressarchive/missing_field/service_items`), and the HTML walk runs instead.

Without a key the first listing layer is the room's RSS,
`<start URL>/pressreleases.rss` (seen in working code, platforms.md;
`options.feed_url` overrides it, `options.use_feed = false` turns it off).
The feed is read first, then the room's first listing page, and the two are
one listing: the feed's entries (machine dates) and any entry of the page the
feed lacks. So a re-crawl with nothing new costs the feed and the first
listing page, on purpose: `pressreleases.rss` carries press releases only,
while the room lists news and events too, and the first page is the cheapest
place to see a new one of those (it also covers a feed that lags behind).
The walk goes on page by page by the shared incremental rule, which also
covers a feed whose every entry is new (the archive has not reached its
oldest entry: the listing holds the history). A feed that fails, is no feed
or lists nothing is a warning and `pressarchive/feed_unread`, and the room
page alone starts the walk; a room page that fails after a good feed still
leaves the feed's entries fetched.

GUESS (no saved feed seen): the items' `link` is the release page URL,
possibly with `utm_*` parameters (dropped, so that feed and listing name one
URL), and `pubDate` is RFC 822. A saved `pressreleases.rss` would prove it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from parsel import Selector
from pressarchive.spiders.base import (
    WALK_PRIORITY,
    ListingEntry,
    PressroomSpider,
    as_bool,
    failure_reason,
)
from pressarchive.spiders.feeds import (
    feed_entries,
    report_unread,
    unread_reason,
    without_tracking,
)
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from pressarchive.dedupe.urls import platform_release_id
from pressarchive.extract.query import find, first_string
from pressarchive.extract.services import (
    mynewsdesk_items,
    mynewsdesk_release,
    mynewsdesk_service_url,
)
from pressarchive.items import Release
from pressarchive.text import squash

ITEMS = ("li.media-list__item", ".media-list li", "article.media-item")
ITEM_LINK = ("a.media-list__link::attr(href)", "h3 a::attr(href)", "a::attr(href)")
ITEM_TITLE = (".media-list__title", "h3", "h2")
ITEM_DATE = (".media-list__meta", ".media-list__date", "time")
NEXT = (
    'link[rel="next"]::attr(href)',
    'a[rel="next"]::attr(href)',
    "a.pagination__next::attr(href)",
)


def _first(node: Any, queries: tuple[str, ...]) -> str:
    for query in queries:
        value = first_string(node, query)
        if value and value.strip():
            return value.strip()
    return ""


def _first_text(node: Any, queries: tuple[str, ...]) -> str:
    for query in queries:
        value = squash(first_string(node, query))
        if value:
            return value
    return ""


def is_release_url(url: str) -> bool:
    return platform_release_id("mynewsdesk", url) is not None


def read_listing(selector: Selector, base_url: str) -> tuple[list[ListingEntry], str | None]:
    """The listing's releases (in page order, each once) and the next page's URL."""
    entries: list[ListingEntry] = []
    seen: set[str] = set()
    root = selector.root  # the compiled queries of extract.query: a listing asks ~40
    for item in _items(root):
        href = _first(item, ITEM_LINK)
        url = urljoin(base_url, href) if href else ""
        if not url or not is_release_url(url) or url in seen:
            continue
        seen.add(url)
        entries.append(
            ListingEntry(
                url=url,
                title=_first_text(item, ITEM_TITLE) or None,
                published_raw=_first_text(item, ITEM_DATE) or None,
            )
        )
    if not entries:  # the item markup changed: fall back to release-shaped links
        for href in find(root, "main a::attr(href), body a::attr(href)"):
            url = urljoin(base_url, href)
            if is_release_url(url) and url not in seen:
                seen.add(url)
                entries.append(ListingEntry(url=url))
    next_href = _first(root, NEXT)
    return entries, urljoin(base_url, next_href) if next_href else None


def _items(root: Any) -> list[Any]:
    for query in ITEMS:
        items = find(root, query)
        if items:
            return items
    return []


SERVICE_PAGE_SIZE = 100
FEED_NAME = "pressreleases.rss"


def room_feed_url(start_url: str) -> str:
    """`https://www.mynewsdesk.com/se/<room>` -> `…/se/<room>/pressreleases.rss`."""
    return start_url.split("?")[0].rstrip("/") + "/" + FEED_NAME


def release_entries(body: bytes, feed_url: str) -> list[ListingEntry]:
    """The feed's items that link a release page, tracking parameters dropped."""
    entries, _next = feed_entries(body, feed_url)
    out = []
    for entry in entries:
        url = without_tracking(entry.url)
        if is_release_url(url):
            out.append(ListingEntry(url, entry.title, entry.published_raw))
    return out


def merge(feed: list[ListingEntry], listing: list[ListingEntry]) -> list[ListingEntry]:
    """Feed entries first (they carry the machine date), then every listing
    entry the feed lacks (news, events, anything the feed has not caught up with)."""
    known = {platform_release_id("mynewsdesk", entry.url) for entry in feed}
    return feed + [e for e in listing if platform_release_id("mynewsdesk", e.url) not in known]


class MynewsdeskSpider(PressroomSpider):
    name = "mynewsdesk"
    platform = "mynewsdesk"

    def start_requests(self) -> Iterator[Request]:
        key = self.source.option("unique_key")
        if not key:
            yield from self.listing_start()
            return
        base = self.source.option("service_base")  # tests point it at 127.0.0.1
        yield Request(
            mynewsdesk_service_url(str(key), limit=SERVICE_PAGE_SIZE, offset=0, base=base),
            callback=self.parse_service,
            errback=self.errback,
            cb_kwargs={"offset": 0},
            dont_filter=True,
        )

    def listing_start(self) -> Iterator[Request]:
        """The room's feed, or its first listing page when the feed is turned off."""
        if not as_bool(self.source.option("use_feed", True)):
            yield from super().start_requests()
            return
        for start_url in self.start_urls:
            feed = str(self.source.option("feed_url") or "") or room_feed_url(start_url)
            yield Request(
                feed,
                callback=self.parse_feed,
                errback=self.feed_failed,
                cb_kwargs={"room_url": start_url},
                dont_filter=True,
            )

    def room_request(self, room_url: str, feed: list[ListingEntry] | None = None) -> Request:
        return Request(
            room_url,
            callback=self.parse,
            errback=self.room_failed,
            cb_kwargs={"feed": feed},
            dont_filter=True,
        )

    def parse_feed(self, response: Response, room_url: str) -> Iterator[Request]:
        """The room's feed: read, then merged with the room's first listing page."""
        entries = release_entries(response.body, response.url)
        reason = unread_reason(response.body, entries)
        if reason:
            report_unread(self, response.url, reason)
            yield self.room_request(room_url)
            return
        self.crawler.stats.inc_value("pressarchive/feed_entries", len(entries))
        yield self.room_request(room_url, entries)

    def feed_failed(self, failure: Failure) -> Iterator[Request]:
        """The feed failed after retries (a 404: the room has none): the room page alone."""
        request: Request = failure.request  # type: ignore[attr-defined]
        report_unread(self, request.url, failure_reason(failure))
        yield self.room_request(request.cb_kwargs["room_url"])

    def room_failed(self, failure: Failure) -> Iterator[Request]:
        """The first listing page failed: an error, but what the feed listed is still fetched."""
        self.errback(failure)
        request: Request = failure.request  # type: ignore[attr-defined]
        for entry in request.cb_kwargs.get("feed") or []:
            if not self.is_before_since(entry) and self.wants(entry):
                yield Request(
                    entry.url,
                    callback=self.parse_release,
                    errback=self.errback,
                    cb_kwargs={"entry": entry},
                    meta=self.release_size_meta,
                )

    def parse_service(self, response: Response, offset: int = 0) -> Iterator[Any]:
        """A page of the pressroom service: its releases, then the next page
        while the walk goes on (the same incremental rule as a listing)."""
        try:
            items = mynewsdesk_items(json.loads(response.text))
        except (ValueError, AttributeError):
            items = []
        if not items:
            self.logger.warning(
                "source %s: the pressroom service answered no items at offset %d "
                "(key wrong, or its format changed?); walking the HTML listing instead",
                self.source.id,
                offset,
            )
            self.crawler.stats.inc_value("pressarchive/missing_field/service_items")
            if offset == 0:
                yield from self.listing_start()
            return
        releases = [
            release
            for item in items
            if (
                release := mynewsdesk_release(
                    item, source_id=self.source.id, organisation=self.source.organisation
                )
            )
            is not None
        ]
        wanted, go_on = self.service_page(releases)
        yield from wanted
        if len(items) >= SERVICE_PAGE_SIZE and go_on:
            key = str(self.source.option("unique_key"))
            base = self.source.option("service_base")
            yield Request(
                mynewsdesk_service_url(
                    key, limit=SERVICE_PAGE_SIZE, offset=offset + len(items), base=base
                ),
                callback=self.parse_service,
                errback=self.errback,
                cb_kwargs={"offset": offset + len(items)},
                priority=WALK_PRIORITY,
            )

    def parse(
        self, response: Response, feed: list[ListingEntry] | None = None, **kwargs: Any
    ) -> Iterator[Request]:
        """A press-room listing page: its releases (after the feed's, on the first
        page) and, if the walk goes on, the next page.

        @room mynewsdesk
        @returns requests 10 11
        """
        if not isinstance(response, TextResponse):
            self.record_error(
                response.url, f"not a web page ({response.headers.get('Content-Type')!r})"
            )
            return
        entries, next_url = read_listing(response.selector, response.url)
        if feed:
            entries = merge(feed, entries)
        yield from self.listing_page(response, entries, next_url)

    def parse_release(
        self, response: Response, entry: ListingEntry | None = None
    ) -> Iterator[Release]:
        """A release page.

        @room mynewsdesk /se/norrkopings_kommun/pressreleases/det-blir-en-ny-bro-over-motala-strom-2035186
        @returns items 1 1
        @returns requests 0 0
        @scrapes title published_raw body_html lead kind contacts tags
        """
        yield self.release_response(response, entry)
