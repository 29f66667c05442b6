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
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from parsel import Selector
from pressarchive.spiders.base import ListingEntry, PressroomSpider
from scrapy.http import Request, Response, TextResponse

from pressarchive.dedupe.urls import platform_release_id
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


def _first(selector: Selector, queries: tuple[str, ...]) -> str:
    for query in queries:
        value = selector.css(query).get()
        if value and value.strip():
            return value.strip()
    return ""


def _first_text(selector: Selector, queries: tuple[str, ...]) -> str:
    for query in queries:
        value = squash(selector.css(query).xpath("string()").get())
        if value:
            return value
    return ""


def is_release_url(url: str) -> bool:
    return platform_release_id("mynewsdesk", url) is not None


def read_listing(selector: Selector, base_url: str) -> tuple[list[ListingEntry], str | None]:
    """The listing's releases (in page order, each once) and the next page's URL."""
    entries: list[ListingEntry] = []
    seen: set[str] = set()
    for item in _items(selector):
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
        for href in selector.css("main a::attr(href), body a::attr(href)").getall():
            url = urljoin(base_url, href)
            if is_release_url(url) and url not in seen:
                seen.add(url)
                entries.append(ListingEntry(url=url))
    next_href = _first(selector, NEXT)
    return entries, urljoin(base_url, next_href) if next_href else None


def _items(selector: Selector) -> list[Selector]:
    for query in ITEMS:
        items = selector.css(query)
        if items:
            return list(items)
    return []


SERVICE_PAGE_SIZE = 100


class MynewsdeskSpider(PressroomSpider):
    name = "mynewsdesk"
    platform = "mynewsdesk"

    def start_requests(self) -> Iterator[Request]:
        key = self.source.option("unique_key")
        if not key:
            yield from super().start_requests()
            return
        base = self.source.option("service_base")  # tests point it at 127.0.0.1
        yield Request(
            mynewsdesk_service_url(str(key), limit=SERVICE_PAGE_SIZE, offset=0, base=base),
            callback=self.parse_service,
            errback=self.errback,
            cb_kwargs={"offset": 0},
            dont_filter=True,
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
                yield from super().start_requests()
            return
        new_here = False
        reached_since = False
        for item in items:
            release = mynewsdesk_release(
                item, source_id=self.source.id, organisation=self.source.organisation
            )
            if release is None:
                continue
            entry = ListingEntry(release.url, release.title, release.published_raw)
            if self.is_before_since(entry):
                reached_since = True
                continue
            if not self.wants(entry):
                continue
            new_here = True
            yield self.finish_release(release)
        self.crawler.stats.inc_value("pressarchive/service_pages")
        if len(items) >= SERVICE_PAGE_SIZE and not reached_since and (self.full or new_here):
            key = str(self.source.option("unique_key"))
            base = self.source.option("service_base")
            yield Request(
                mynewsdesk_service_url(
                    key, limit=SERVICE_PAGE_SIZE, offset=offset + len(items), base=base
                ),
                callback=self.parse_service,
                errback=self.errback,
                cb_kwargs={"offset": offset + len(items)},
            )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Request]:
        """A press-room listing page: its releases and, if the walk goes on, the next page.

        @room mynewsdesk
        @returns requests 10 11
        """
        if not isinstance(response, TextResponse):
            self.record_error(
                response.url, f"not a web page ({response.headers.get('Content-Type')!r})"
            )
            return
        entries, next_url = read_listing(response.selector, response.url)
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
