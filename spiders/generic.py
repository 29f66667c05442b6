"""Any other press room: feeds and sitemaps, discovered from the start URL.

Navigation only; what a page says is read by pressarchive.extract.generic
(structured metadata first, trafilatura for the body).

- The start URL is fetched; if it is itself a feed or a sitemap it is read as
  one. Otherwise the feeds it declares (`<link rel="alternate"
  type="application/rss+xml|atom+xml">`, comment feeds left out) are followed.
- A feed is a listing, newest first: the shared incremental rule decides what
  to fetch, and an Atom feed's rel="next" page is followed on the same terms.
  A re-crawl with nothing new costs the start page and the feed.
- Sitemaps (robots.txt `Sitemap:` lines, else `/sitemap.xml`) give the whole
  history. They are walked when asked for (`--full`), when the site declares
  no feed, and when every entry of the feed is new (the archive has not seen
  this site yet, or more was published than the feed holds). Child sitemaps
  that list pages, categories, tags or authors rather than posts are skipped.
- A fetched page that does not say it is an article (no og:type article, no
  article:published_time, no JSON-LD Article) is not a release and yields
  nothing.
- A site with neither a feed nor a sitemap cannot be walked by this spider:
  the crawl ends with one error that says so, naming the start URL (the
  guessed /sitemap.xml answering 404 is not an error of its own).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, cast
from urllib.parse import urljoin, urlsplit

import scrapy
from parsel import Selector
from pressarchive.spiders.base import WALK_PRIORITY, ListingEntry, PressroomSpider
from pressarchive.spiders.feeds import all_new, feed_entries, is_feed
from scrapy import signals
from scrapy.http import Response
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from pressarchive.text import squash

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
_COMMENT_FEED = re.compile(r"comment|kommentar", re.I)
# Child sitemaps of CMSs that list everything but posts (WordPress/Yoast names).
_NOT_POSTS_SITEMAP = re.compile(
    r"(page|category|kategori|tag|tagg|author|forfattare|attachment|product|media)[-_]?sitemap"
    r"|sitemap[-_](pages?|categor|tags?|authors?|users?|taxonom)",
    re.I,
)
_ARTICLE_TYPES = re.compile(r'"@type"\s*:\s*"(?:News)?Article|"BlogPosting|"PressRelease', re.I)


def declared_feeds(sel: Selector, base_url: str) -> list[str]:
    """The page's feeds in document order, comment feeds left out."""
    feeds: list[str] = []
    for link in sel.xpath("//link[@href]"):
        rel = (link.attrib.get("rel") or "").lower().split()
        kind = (link.attrib.get("type") or "").lower().split(";")[0].strip()
        if "alternate" not in rel or kind not in FEED_TYPES:
            continue
        href, title = link.attrib["href"], link.attrib.get("title") or ""
        if _COMMENT_FEED.search(href) or _COMMENT_FEED.search(title):
            continue
        url = urljoin(base_url, href.strip())
        if url not in feeds:
            feeds.append(url)
    return feeds


def is_sitemap(body: bytes) -> bool:
    head = body[:1024].lower()
    return b"<urlset" in head or b"<sitemapindex" in head


def sitemap_entries(body: bytes, base_url: str) -> tuple[list[ListingEntry], list[str]]:
    """(the pages a urlset lists, newest first by lastmod; child sitemaps of an
    index that may list posts)."""
    try:
        sitemap = Sitemap(body)
    except Exception:  # lxml raises several kinds on a broken sitemap
        return [], []
    children: list[str] = []
    pages: list[ListingEntry] = []
    for entry in sitemap:
        loc = entry.get("loc")
        if not loc:
            continue
        url = urljoin(base_url, loc.strip())
        if sitemap.type == "sitemapindex":
            if not _NOT_POSTS_SITEMAP.search(urlsplit(url).path):
                children.append(url)
        elif urlsplit(url).path.strip("/"):  # the home page is not a release
            pages.append(ListingEntry(url=url, published_raw=entry.get("lastmod")))
    pages.sort(key=lambda e: e.published_raw or "", reverse=True)
    return pages, children


def looks_like_article(sel: Selector) -> bool:
    og_type = squash(sel.css('meta[property="og:type"]::attr(content)').get()).lower()
    if og_type == "article":
        return True
    if sel.css('meta[property="article:published_time"]'):
        return True
    return any(
        _ARTICLE_TYPES.search(block)
        for block in sel.xpath('//script[@type="application/ld+json"]/text()').getall()
    )


NOTHING_LISTED = (
    "no feed or sitemap found: the generic spider follows an RSS/Atom feed declared "
    'with <link rel="alternate"> on the start page, or a sitemap (robots.txt or /sitemap.xml)'
)


class GenericSpider(PressroomSpider):
    name = "generic"
    platform = "generic"
    # How many entries feeds and sitemaps have listed, and whether the start page
    # was read: a crawl that read it and found nothing to follow says so.
    listed = 0
    start_page_read = False

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> GenericSpider:
        spider = cast(GenericSpider, super().from_crawler(crawler, *args, **kwargs))
        crawler.signals.connect(spider.report_nothing_listed, signal=signals.spider_idle)
        return spider

    def report_nothing_listed(self) -> None:
        """At the end of the crawl (before the pipelines close, which record errors)."""
        if self.start_page_read and self.listed == 0:
            self.start_page_read = False  # report once, however often the crawl idles
            self.record_error(self.start_urls[0], NOTHING_LISTED)

    def start_requests(self) -> Iterator[scrapy.Request]:
        for url in self.source.start_urls:
            # the start page is walked on every run, a resumed one too
            yield scrapy.Request(url, callback=self.parse, errback=self.errback, dont_filter=True)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """The start page (or a feed or sitemap given as the start URL): discover feeds.

        @url http://127.0.0.1:8000/
        @returns requests 1
        """
        self.start_page_read = True
        body = response.body
        if is_feed(body):
            yield from self.parse_feed(response)
            return
        if is_sitemap(body):
            yield from self.parse_sitemap(response)
            return
        feeds = declared_feeds(Selector(text=response.text), response.url)
        if feeds:
            yield scrapy.Request(feeds[0], callback=self.parse_feed, errback=self.feed_failed)
        else:
            self.crawler.stats.inc_value("pressarchive/generic/no_feed")
            yield self.robots_request(response.url)

    def parse_feed(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        entries, next_url = feed_entries(response.body, response.url)
        self.listed += len(entries)
        yield from self.listing_page(response, entries, next_url, callback=self.parse_feed)
        if self.full or self.deep or not entries or self._all_new(entries):
            yield self.robots_request(response.url)

    def feed_failed(self, failure: Any) -> Iterator[Any]:
        """The feed failed: record it, and fall back on the sitemaps."""
        self.errback(failure)
        yield self.robots_request(failure.request.url)

    def robots_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(
            urljoin(url, "/robots.txt"),
            callback=self.parse_robots,
            errback=self.robots_failed,
            meta={"handle_httpstatus_list": [404]},
        )

    def parse_robots(self, response: Response) -> Iterator[Any]:
        """robots.txt names the sitemaps; without any, try /sitemap.xml."""
        sitemaps: list[str] = []
        if response.status == 200:
            sitemaps = list(sitemap_urls_from_robots(response.body, base_url=response.url))
        if not sitemaps:
            yield self.guessed_sitemap_request(response.url)
        for url in sitemaps:
            yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.errback)

    def robots_failed(self, failure: Any) -> Iterator[Any]:
        yield self.guessed_sitemap_request(failure.request.url)

    def guessed_sitemap_request(self, url: str) -> scrapy.Request:
        """/sitemap.xml, which nothing declared: a 404 only means there is none."""
        return scrapy.Request(
            urljoin(url, "/sitemap.xml"),
            callback=self.parse_sitemap,
            errback=self.errback,
            meta={"handle_httpstatus_list": [404]},
        )

    def parse_sitemap(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        if response.status == 404:
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            # a .xml.gz is unpacked here, not by Scrapy: the same size cap applies
            max_size = self.crawler.settings.getint("DOWNLOAD_MAXSIZE")
            try:
                body = gunzip(body, max_size=max_size)
            except (OSError, ValueError, EOFError) as exc:
                reason = (
                    f"decompression bomb: unpacks past DOWNLOAD_MAXSIZE ({max_size} B)"
                    if "max" in type(exc).__name__.lower() or "size" in str(exc).lower()
                    else f"undecodable gzip: {exc}"
                )
                self.record_error(response.url, reason)
                return
        pages, children = sitemap_entries(body, response.url)
        self.listed += len(pages) + len(children)
        for child in children:
            yield scrapy.Request(
                child, callback=self.parse_sitemap, errback=self.errback, priority=WALK_PRIORITY
            )
        if pages:
            yield from self.listing_page(response, pages, None)

    def parse_release(self, response: Response, entry: ListingEntry | None = None) -> Iterator[Any]:
        """A page a feed or sitemap pointed at: a release if it says it is an article.

        @url http://127.0.0.1:8000/nyheter/2020/01/nya-laddplatser-for-elbilar-i-ektorp/
        @returns items 1 1
        @scrapes title published_raw body_html
        """
        if not looks_like_article(Selector(text=response.text)):
            self.crawler.stats.inc_value("pressarchive/generic/not_article")
            return
        yield self.release_response(response, entry)

    def _all_new(self, entries: list[ListingEntry]) -> bool:
        return all_new(self.seen, self.source.id, entries)
