"""Sitevision municipal news archives (norrkoping.se/nyhetsarkiv and the like).

Navigation only; what a news page says is read by pressarchive.extract.sitevision.

The configured start URL is the archive (`/nyhetsarkiv`): it shows the newest
news and links the year archives (`/nyhetsarkiv/<year>`), each paged by the
portlet's own parameter. The spider treats the archive as one listing, newest
first: the start page, then the newest year page by page (following the page's
own "next" link), then the next older year, and so on. The shared incremental
rule of PressroomSpider decides what to fetch and when to stop, so a re-crawl
with nothing new costs the start page alone.
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

_YEAR = re.compile(r"/(\d{4})/?$")
_ITEM = "ancestor::*[self::li or self::article or contains(@class, 'item')][1]"
# A Sitevision archive portlet's item (`li.sv-channel-item`) carries its date as
# `time[datetime]` (seen: sandvikenenergi.se, a Sitevision site, in a public
# project's real fixture); the visible text is the fallback.
_DATE_CSS = ("time", ".date", ".news-item__date", ".sv-channel-item__date")


def archive_path(start_url: str) -> str:
    """`https://www.norrkoping.se/nyhetsarkiv/` -> `/nyhetsarkiv`."""
    return urlsplit(start_url).path.rstrip("/") or "/nyhetsarkiv"


def is_news_path(path: str, archive: str) -> bool:
    """`/nyhetsarkiv/<year>/<page name>`: a news page, not a year or a listing."""
    rest = path.rstrip("/").removeprefix(archive.rstrip("/") + "/")
    if rest == path.rstrip("/"):
        return False
    parts = rest.split("/")
    return len(parts) == 2 and parts[0].isdigit() and len(parts[0]) == 4 and bool(parts[1])


def listing_entries(sel: Selector, base_url: str, archive: str) -> list[ListingEntry]:
    """The news a listing page links to, in page order (newest first)."""
    entries: list[ListingEntry] = []
    seen: set[str] = set()
    for link in sel.css("main a[href], #main-content a[href]") or sel.css("a[href]"):
        url = urljoin(base_url, link.attrib["href"].strip())
        parts = urlsplit(url)
        if parts.query or not is_news_path(parts.path, archive) or url in seen:
            continue
        seen.add(url)
        title = squash(link.xpath("string()").get())
        date = ""
        for item in link.xpath(_ITEM):
            date = squash(item.css("time::attr(datetime)").get())
            if date:
                break
            for query in _DATE_CSS:
                date = squash(item.css(query).xpath("string()").get())
                if date:
                    break
        entries.append(ListingEntry(url=url, title=title or None, published_raw=date or None))
    return entries


def year_links(sel: Selector, base_url: str, archive: str) -> dict[int, str]:
    """Year -> the year archive's URL, from the archive's year navigation."""
    years: dict[int, str] = {}
    prefix = archive.rstrip("/") + "/"
    for href in sel.css("a[href]::attr(href)").getall():
        url = urljoin(base_url, href.strip())
        parts = urlsplit(url)
        rest = parts.path.rstrip("/").removeprefix(prefix)
        if not parts.query and rest.isdigit() and len(rest) == 4 and parts.path.startswith(prefix):
            years.setdefault(int(rest), url)
    return years


def next_listing_url(sel: Selector, response_url: str, archive: str) -> str | None:
    """This year's next page, else the next older year, else (start page) the newest year."""
    for query in ("a[rel~=next]::attr(href)", "link[rel~=next]::attr(href)"):
        href = sel.css(query).get()
        if href:
            return urljoin(response_url, href.strip())
    years = year_links(sel, response_url, archive)
    current = _YEAR.search(urlsplit(response_url).path)
    if current is None:
        return years[max(years)] if years else None
    older = [year for year in years if year < int(current.group(1))]
    return years[max(older)] if older else None


class SitevisionSpider(PressroomSpider):
    name = "sitevision"
    platform = "sitevision"

    def start_requests(self) -> Iterator[scrapy.Request]:
        for url in self.source.start_urls:
            # the start page is walked on every run, a resumed one too
            yield scrapy.Request(url, callback=self.parse, errback=self.errback, dont_filter=True)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """The archive start page or a year page: its news, then the next listing page.

        @url http://127.0.0.1:8000/nyhetsarkiv
        @returns requests 1
        """
        archive = archive_path(self.source.start_urls[0])
        sel = Selector(text=response.text)
        entries = listing_entries(sel, response.url, archive)
        yield from self.listing_page(
            response, entries, next_listing_url(sel, response.url, archive)
        )

    def parse_release(self, response: Response, entry: ListingEntry | None = None) -> Iterator[Any]:
        """A news page.

        @url http://127.0.0.1:8000/nyhetsarkiv/2020/2020-08-13-oppet-hus-pa-abyskolan-valkommen-att-traffa-forskoleklassens-pedagoger
        @returns items 1 1
        @scrapes title published_raw body_html
        """
        yield self.release_response(response, entry)
