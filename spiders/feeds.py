"""The one feed reader every spider shares: RSS 2.0, RSS 1.0 and Atom as listing entries.

A feed is a listing, newest first, so its items become `ListingEntry`s that the
shared incremental rule of PressroomSpider (spiders/base.py) decides on. What a
spider may do with a feed it cannot read is said here once too: a warning and
the stat `pressarchive/feed_unread`, never a silent empty listing, and the
spider walks its HTML listing instead.

Seen in working client code of the platforms (platforms.md): RSS 2.0 channels
whose items carry `title`, `link`, `pubDate` (RFC 822), `description`, `guid`.
One client of Cision's `ListItems?format=rss` notes that the feed begins with
a byte-order mark; `is_feed` lets it through.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector
from pressarchive.spiders.base import ListingEntry, PressroomSpider

from pressarchive.text import squash

FEED_UNREAD_STAT = "pressarchive/feed_unread"
_BOM = b"\xef\xbb\xbf"
_FEED_ROOTS = (b"<rss", b"<feed", b"<rdf")
# Query parameters that only say where a click came from (feeds add them to links).
_TRACKING_PREFIXES = ("utm_",)


def is_feed(body: bytes) -> bool:
    """Does the body look like an RSS or Atom document (with or without an XML
    declaration, after a byte-order mark)?"""
    head = body[:1024]
    if head.startswith(_BOM):
        head = head[len(_BOM) :]
    head = head.lstrip().lower()
    if head.startswith(b"<?xml"):
        return any(root in head for root in _FEED_ROOTS)
    return head.startswith(_FEED_ROOTS)


def _xml_selector(body: bytes) -> Selector | None:
    if body.startswith(_BOM):
        body = body[len(_BOM) :]
    try:
        sel = Selector(body=body, type="xml")
    except (ValueError, TypeError):
        return None
    sel.remove_namespaces()
    return sel


def feed_entries(body: bytes, base_url: str) -> tuple[list[ListingEntry], str | None]:
    """RSS 2.0, RSS 1.0 or Atom entries (newest first, as feeds list them) and
    the feed's next page (RFC 5005 rel="next"), if it declares one."""
    sel = _xml_selector(body)
    if sel is None:
        return [], None
    entries: list[ListingEntry] = []
    seen: set[str] = set()
    for item in sel.xpath("//item | //entry"):
        link = (
            item.xpath("link[@rel='alternate']/@href").get()
            or item.xpath("link[not(@rel)]/@href").get()
            or item.xpath("link/text()").get()
            or item.xpath("guid[not(@isPermaLink='false')]/text()").get()
        )
        if not link or not link.strip():
            continue
        url = urljoin(base_url, link.strip())
        if url in seen:
            continue
        seen.add(url)
        title = squash(item.xpath("title").xpath("string()").get())
        date = item.xpath("pubDate/text() | published/text() | date/text() | updated/text()").get()
        entries.append(
            ListingEntry(url=url, title=title or None, published_raw=squash(date) or None)
        )
    next_href = sel.xpath("/feed/link[@rel='next']/@href | //channel/link[@rel='next']/@href").get()
    return entries, urljoin(base_url, next_href.strip()) if next_href else None


def without_tracking(url: str) -> str:
    """The URL without `utm_*` parameters, so that a feed's link and the
    listing's link to one release are one URL (one request, one archive row)."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PREFIXES)
    ]
    return urlunsplit(parts._replace(query=urlencode(kept)))


class _Seen(Protocol):
    def is_archived(self, source_id: str, url: str, title: str | None) -> bool: ...


def all_new(seen: _Seen, source_id: str, entries: Iterable[ListingEntry]) -> bool:
    """No entry is archived yet: the archive has not reached the feed's oldest
    entry, so what lies between it and the archive is unseen and only the full
    listing can show it (a first crawl, or more published than the feed holds)."""
    return not any(seen.is_archived(source_id, e.url, None) for e in entries)


def unread_reason(body: bytes, entries: list[ListingEntry]) -> str | None:
    """Why a feed answer cannot carry the crawl, or None when it can."""
    if not is_feed(body):
        return "not a feed"
    if not entries:
        return "no items"
    return None


def report_unread(spider: PressroomSpider, url: str, reason: str) -> None:
    """A feed that failed, is no feed or lists nothing: loud, counted, and the
    spider walks its HTML listing instead."""
    spider.logger.warning(
        "source %s: feed %s unread (%s); walking the HTML listing instead",
        spider.source.id,
        url,
        reason,
    )
    spider.crawler.stats.inc_value(FEED_UNREAD_STAT)
