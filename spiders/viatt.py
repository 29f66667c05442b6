"""Via TT (Notified newsroom) publisher rooms.

Navigation only; what a release page says is read by pressarchive.extract.viatt.

From the configured start URL (the publisher room) the spider reads the
listing and what the page declares: the RSS feed (`<link rel="alternate"
type="application/rss+xml">`) and the "Visa fler" (load more) link. Where a
feed is declared, its entries stand in for the first listing page (exact
titles and machine dates, the newest releases in one request) and the HTML
listing's own next link carries the walk on; without a feed (or with the
source option `use_feed = false`) the HTML listing is walked alone. Either
way the shared incremental rule of PressroomSpider decides what to fetch and
when to stop, so a re-crawl with nothing new costs the start page and the feed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import scrapy
from parsel import Selector
from pressarchive.spiders.base import ListingEntry, PressroomSpider, as_bool
from scrapy.http import Response
from twisted.python.failure import Failure

from pressarchive.items import Release

_SPACE = re.compile(r"\s+")
_RELEASE_HREF = re.compile(r"/pressmeddelande/\d+")


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def listing_entries(sel: Selector, base_url: str) -> list[ListingEntry]:
    """The releases a Via TT listing page shows, in page order (newest first)."""
    entries: list[ListingEntry] = []
    seen: set[str] = set()
    items = sel.css(".release-list__item") or sel.css("main li:has(a[href*='/pressmeddelande/'])")
    for item in items:
        href = item.css("a[href*='/pressmeddelande/']::attr(href)").get()
        if not href or not _RELEASE_HREF.search(href):
            continue
        url = urljoin(base_url, href)
        if url in seen:
            continue
        seen.add(url)
        title = _squash(
            " ".join(item.css(".release-list__title ::text, h2 ::text, h3 ::text").getall())
        )
        date = _squash(" ".join(item.css(".release-list__date ::text").getall()))
        entries.append(ListingEntry(url=url, title=title or None, published_raw=date or None))
    return entries


def next_listing_url(sel: Selector, base_url: str) -> str | None:
    """The listing's own "load more"/next link, if it declares one."""
    for css in (
        "a.load-more::attr(href)",
        "a[rel~=next]::attr(href)",
        "link[rel~=next]::attr(href)",
    ):
        href = sel.css(css).get()
        if href:
            return urljoin(base_url, href.strip())
    return None


def declared_feed_url(sel: Selector, base_url: str) -> str | None:
    href = sel.css(
        'link[rel~=alternate][type="application/rss+xml"]::attr(href), '
        'link[rel~=alternate][type="application/atom+xml"]::attr(href)'
    ).get()
    return urljoin(base_url, href.strip()) if href else None


def feed_entries(body: bytes, base_url: str) -> list[ListingEntry]:
    """RSS 2.0 (or Atom) items as listing entries; links resolved against the feed."""
    sel = Selector(text=body.decode("utf-8", "replace"), type="xml")
    sel.remove_namespaces()
    entries: list[ListingEntry] = []
    for item in sel.xpath("//item | //entry"):
        link = item.xpath("link/text()").get() or item.xpath("link/@href").get()
        if not link or not _RELEASE_HREF.search(link):
            continue
        title = _squash(item.xpath("title/text()").get() or "")
        date = item.xpath("pubDate/text() | published/text() | updated/text()").get()
        entries.append(
            ListingEntry(
                url=urljoin(base_url, link.strip()),
                title=title or None,
                published_raw=date.strip() if date else None,
            )
        )
    return entries


class ViaTTSpider(PressroomSpider):
    name = "viatt"
    platform = "viatt"

    def parse(self, response: Response, first: bool = True, **kwargs: Any) -> Iterator[Any]:
        """The publisher room's first listing page: the declared feed, else the listing.

        @url http://127.0.0.1:8000/publisher/1347718/norrkopings-kommun
        @returns requests 1
        """
        sel = Selector(text=response.text)
        entries = listing_entries(sel, response.url)
        next_url = next_listing_url(sel, response.url)
        feed = declared_feed_url(sel, response.url) if first else None
        if feed and as_bool(self.source.option("use_feed", True)):
            yield scrapy.Request(
                feed,
                callback=self.parse_feed,
                errback=self.feed_failed,
                cb_kwargs={"listing": entries, "next_url": next_url},
                meta={"listing_url": response.url},
            )
            return
        yield from self.listing_page(response, entries, next_url, callback=self.parse_more)

    def parse_more(self, response: Response) -> Iterator[Any]:
        """A "Visa fler" page: only its own entries and next link (the feed was read).

        @url http://127.0.0.1:8000/publisher/1347718/norrkopings-kommun?page=2
        @returns requests 1
        """
        yield from self.parse(response, first=False)

    def parse_feed(
        self, response: Response, listing: list[ListingEntry], next_url: str | None
    ) -> Iterator[Any]:
        entries = feed_entries(response.body, response.url)
        if entries:
            entries = _merge(entries, listing)
        else:
            # An empty or unreadable feed says nothing: the HTML listing decides.
            self.crawler.stats.inc_value("pressarchive/viatt/feed_empty")
            entries = listing
        yield from self.listing_page(response, entries, next_url, callback=self.parse_more)

    def feed_failed(self, failure: Failure) -> Iterator[Any]:
        """The feed failed after retries: record it, then walk the HTML listing alone."""
        self.errback(failure)
        request: scrapy.Request = failure.request  # type: ignore[attr-defined]
        yield scrapy.Request(
            request.meta["listing_url"],
            callback=self.parse_more,
            errback=self.errback,
            dont_filter=True,
        )

    def parse_release(
        self, response: Response, entry: ListingEntry | None = None
    ) -> Iterator[Release]:
        """A release page.

        @url http://127.0.0.1:8000/pressmeddelande/4800203/x?publisherId=1347718
        @returns items 1 1
        @returns requests 0 0
        @scrapes title published_raw body_html lead kind
        """
        yield self.release_response(response, entry)


def _merge(feed: list[ListingEntry], listing: list[ListingEntry]) -> list[ListingEntry]:
    """Feed entries first (they carry the machine date), then any listing entry
    the feed lacks (a feed shorter than the first page must not hide one)."""
    known = {entry.url for entry in feed}
    return feed + [entry for entry in listing if entry.url not in known]
