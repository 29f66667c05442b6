"""Via TT publisher rooms: navigation only (the pages are read by pressarchive.extract.viatt).

What is seen (platforms.md "Via TT"):
- release pages `/pressmeddelande/<id>/<slug>?publisherId=<pid>` and the older
  `/pressmeddelande/<slug>?publisherId=<pid>&releaseId=<id>`;
- the per-publisher RSS `/rss/releases/latest?publisherId=<pid>` (in working
  code of several public projects): title, link, pubDate of the newest
  releases. How far back it reaches is unseen ("latest").

So the spider asks the feed first, built from the source's `publisher_id`
option (else the id in the start URL), and falls back to a feed the page
declares with `<link rel=alternate>`.

GUESS, warned about: the publisher room `/pressrum/<pid>/<slug>` (the start
URL) and its paging are unseen. The room is read for every link to a release
page, whatever its markup, with the title of the link's heading and a
`D.M.YYYY HH:MM:SS CET` date near it; the next page is a `rel=next` link or a
link saying "Visa fler"/"Fler"/"Nästa". A room page that yields no release
link is a warning and the stat `pressarchive/viatt/room_unread`, and the feed
alone carries the crawl. A saved room page as served, with the request its
"more" button makes, would prove this or show what to follow instead.

Either way the shared incremental rule of PressroomSpider decides what to
fetch and when to stop, so a re-crawl with nothing new costs the room page
and the feed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import scrapy
from parsel import Selector
from pressarchive.spiders.base import ListingEntry, PressroomSpider, as_bool
from pressarchive.spiders.feeds import feed_entries as read_feed
from scrapy.http import Response
from twisted.python.failure import Failure

from pressarchive.dedupe.urls import platform_release_id
from pressarchive.items import Release
from pressarchive.text import squash

FEED_PATH = "/rss/releases/latest"
_SPACE = re.compile(r"\s+")
_SHOWN_DATE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s+CES?T")
_ROOM_PATH = re.compile(r"^/pressrum/(\d+)(?:/|$)")
_NEXT_WORDS = frozenset(("visa fler", "fler", "nästa", "fler pressmeddelanden", "nästa sida"))


def is_release_url(url: str) -> bool:
    """A Via TT release page, in either URL generation."""
    return urlsplit(url).path.startswith("/pressmeddelande/") and bool(
        platform_release_id("viatt", url)
    )


def publisher_id_of(url: str) -> str | None:
    """The publisher id a room or release URL names (`/pressrum/<pid>/…`, `?publisherId=`)."""
    parts = urlsplit(url)
    match = _ROOM_PATH.match(parts.path)
    if match:
        return match.group(1)
    values = parse_qs(parts.query).get("publisherId")
    return values[0] if values and values[0].isdigit() else None


def feed_url(base_url: str, publisher_id: str) -> str:
    return urljoin(base_url, f"{FEED_PATH}?publisherId={publisher_id}")


def _link_title(link: Selector) -> str:
    heading = link.xpath(".//h2|.//h3|.//h4")
    if heading:
        own = heading[0].xpath("./text()|./*[not(self::small)]//text()").getall()
        if squash(" ".join(own)):
            return squash(" ".join(own))
    return squash(" ".join(link.xpath(".//text()").getall()))


def listing_entries(sel: Selector, base_url: str) -> list[ListingEntry]:
    """Every release a room page links, in page order (newest first), whatever the markup."""
    entries: list[ListingEntry] = []
    seen: set[str] = set()
    for link in sel.css("a[href]"):
        url = urljoin(base_url, (link.attrib.get("href") or "").strip())
        if not is_release_url(url) or url in seen:
            continue
        seen.add(url)
        shown = _SHOWN_DATE.search(squash(" ".join(link.xpath(".//text()").getall())))
        entries.append(
            ListingEntry(
                url=url,
                title=_link_title(link) or None,
                published_raw=shown.group(0) if shown else None,
            )
        )
    return entries


def next_listing_url(sel: Selector, base_url: str) -> str | None:
    """The room's next page: a `rel=next` link, else a link saying "Visa fler" (GUESS)."""
    href = sel.css("a[rel~=next]::attr(href), link[rel~=next]::attr(href)").get()
    if href:
        return urljoin(base_url, href.strip())
    for link in sel.css("a[href]"):
        if squash(" ".join(link.xpath(".//text()").getall())).casefold() in _NEXT_WORDS:
            return urljoin(base_url, (link.attrib.get("href") or "").strip())
    return None


def declared_feed_url(sel: Selector, base_url: str) -> str | None:
    href = sel.css(
        'link[rel~=alternate][type="application/rss+xml"]::attr(href), '
        'link[rel~=alternate][type="application/atom+xml"]::attr(href)'
    ).get()
    return urljoin(base_url, href.strip()) if href else None


def feed_entries(body: bytes, base_url: str) -> list[ListingEntry]:
    """The feed's items that link a Via TT release page (read by the shared
    reader, spiders/feeds.py); links resolved against the feed."""
    entries, _next = read_feed(body, base_url)
    return [entry for entry in entries if is_release_url(entry.url)]


class ViaTTSpider(PressroomSpider):
    name = "viatt"
    platform = "viatt"

    def publisher_feed(self, response: Response, sel: Selector) -> str | None:
        """The publisher's RSS: built from the configured or visible publisher id
        (the seen URL shape), else one the page declares."""
        publisher_id = str(self.source.option("publisher_id", "") or "").strip()
        publisher_id = publisher_id or publisher_id_of(response.url) or ""
        if publisher_id:
            return feed_url(response.url, publisher_id)
        return declared_feed_url(sel, response.url)

    def parse(self, response: Response, first: bool = True, **kwargs: Any) -> Iterator[Any]:
        """The publisher room: its release links, then the feed (first page only).

        @url http://127.0.0.1:8000/pressrum/1347718/norrkopings-kommun
        @returns requests 1
        """
        sel = Selector(text=response.text)
        entries = listing_entries(sel, response.url)
        next_url = next_listing_url(sel, response.url)
        if not entries:
            # The room's markup is unseen (a guess): say so loudly, let the feed carry on.
            self.logger.warning(
                "Via TT room %s: no release links found (the room listing is a guess; "
                "has it changed?)",
                response.url,
            )
            self.crawler.stats.inc_value("pressarchive/viatt/room_unread")
        feed = self.publisher_feed(response, sel) if first else None
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
        """A further room page: only its own entries and next link (the feed was read).

        @url http://127.0.0.1:8000/pressrum/1347718/norrkopings-kommun?page=2
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
            # An empty or unreadable feed says nothing: the room listing decides.
            self.logger.warning("Via TT feed %s: no release items", response.url)
            self.crawler.stats.inc_value("pressarchive/viatt/feed_empty")
            entries = listing
        yield from self.listing_page(response, entries, next_url, callback=self.parse_more)

    def feed_failed(self, failure: Failure) -> Iterator[Any]:
        """The feed failed after retries: record it, then walk the room listing alone."""
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
    known = {platform_release_id("viatt", entry.url) for entry in feed}
    return feed + [e for e in listing if platform_release_id("viatt", e.url) not in known]
