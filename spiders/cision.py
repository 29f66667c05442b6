"""Cision News press rooms (news.cision.com/se/<organisation>).

Navigation only; what a release page says is read by pressarchive.extract.cision.

The room lists releases newest first (`/se/<room>/r/<slug>,c<id>` links) and
pages with a rel="next" link; the shared incremental rule of PressroomSpider
decides what to fetch and when to stop.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from parsel import Selector
from pressarchive.spiders.base import ListingEntry, PressroomSpider
from scrapy.http import Response

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


class CisionSpider(PressroomSpider):
    name = "cision"
    platform = "cision"

    def start_requests(self) -> Iterator[scrapy.Request]:
        for url in self.source.start_urls:
            # the start page is walked on every run, a resumed one too
            yield scrapy.Request(url, callback=self.parse, errback=self.errback, dont_filter=True)

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
