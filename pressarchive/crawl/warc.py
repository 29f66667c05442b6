"""Scrapy glue for the WARC archive: record every response, replay a crawl.

`WarcRecorderMiddleware` is a downloader middleware. Give it a number above
the HTTP cache (900) and the retry/redirect/decompression middlewares, e.g.

    DOWNLOADER_MIDDLEWARES = {"pressarchive.crawl.warc.WarcRecorderMiddleware": 950}

so that its `process_response` runs first: it sees every response as the
server sent it (404s and 500s before a retry, 3xx before a redirect is
followed, a gzip body still compressed, with its Content-Encoding header),
which is what a WARC file should hold and what replay needs. It is enabled
by `PRESSARCHIVE_WARC_DIR` and `PRESSARCHIVE_DB` (the archive database, which
the store has already created and migrated) and writes its index rows through
a connection of its own (`archive.open_index`). Optional:
`PRESSARCHIVE_WARC_MAX_BYTES` (file rotation size), `PRESSARCHIVE_WARC_GZIP_LEVEL`
(1-9) and `PRESSARCHIVE_CRAWL_ID`.

`WarcCacheStorage` is an `HTTPCACHE_STORAGE` backend that serves the newest
archived response of a URL from the WARC index and never stores anything:
with `HTTPCACHE_ENABLED = True` and `HTTPCACHE_IGNORE_MISSING = True` a crawl
replays with no network and skips URLs that were never archived.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers as ScrapyHeaders
from scrapy.http import Response
from scrapy.responsetypes import responsetypes
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector

from pressarchive.crawl.stopping import DISK_FULL, stop_crawl, stopping_reason
from pressarchive.storage.connection import storage_full
from pressarchive.storage.warc import Headers, WarcArchive, open_index
from pressarchive.storage.warc_gzip import DEFAULT_GZIP_LEVEL

logger = logging.getLogger(__name__)


def _text_headers(headers: ScrapyHeaders) -> Headers:
    pairs: Headers = []
    for name, values in headers.items():
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        for value in values:
            pairs.append((key, value.decode("latin-1") if isinstance(value, bytes) else str(value)))
    return pairs


def _archive_paths(settings: BaseSettings) -> tuple[Path, Path]:
    warc_dir = settings.get("PRESSARCHIVE_WARC_DIR")
    db = settings.get("PRESSARCHIVE_DB")
    if not warc_dir or not db:
        raise NotConfigured("PRESSARCHIVE_WARC_DIR and PRESSARCHIVE_DB are both needed")
    return Path(warc_dir), Path(db)


class WarcRecorderMiddleware:
    """Writes every downloaded response to the WARC archive."""

    def __init__(self, settings: BaseSettings, stats: StatsCollector | None = None) -> None:
        self.warc_dir, self.db = _archive_paths(settings)
        self.max_file_bytes = settings.getint("PRESSARCHIVE_WARC_MAX_BYTES", 100_000_000)
        self.gzip_level = settings.getint("PRESSARCHIVE_WARC_GZIP_LEVEL", DEFAULT_GZIP_LEVEL)
        crawl_id = settings.get("PRESSARCHIVE_CRAWL_ID")
        self.crawl_id = int(crawl_id) if crawl_id not in (None, "") else None
        self.stats = stats
        self._archive: WarcArchive | None = None

    crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcRecorderMiddleware:
        middleware = cls(crawler.settings, crawler.stats)
        middleware.crawler = crawler
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def _opened(self) -> WarcArchive:
        # opened at the first response, when the crawl has migrated the archive
        if self._archive is None:
            self._archive = WarcArchive(
                self.warc_dir,
                open_index(self.db),
                max_file_bytes=self.max_file_bytes,
                crawl_id=self.crawl_id,
                gzip_level=self.gzip_level,
            )
        return self._archive

    def _count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"pressarchive/warc/{key}")

    def process_response(self, request: Request, response: Response) -> Response:
        if "cached" in response.flags:  # served by the HTTP cache: already archived
            return response
        self._record(request, response, datetime.now(UTC))
        return response

    def _record(
        self,
        request: Request,
        response: Response,
        fetched_at: datetime,
        digest: str | None = None,
    ) -> None:
        """Archive the response; a failure is counted and logged, a full disk stops the crawl."""
        try:
            self._opened().record(
                response.url,
                response.status,
                _text_headers(response.headers),
                response.body,
                request_headers=_text_headers(request.headers),
                method=request.method,
                fetched_at=fetched_at,
                digest=digest,
            )
        except (OSError, sqlite3.Error, RuntimeError) as exc:
            self._count("errors")
            if storage_full(exc):
                # nothing more can be kept: stop the crawl rather than fetch on
                spider = getattr(self.crawler, "spider", None)
                if not stopping_reason(self.crawler):
                    message = f"the disk is full ({exc})"
                    if spider is not None and hasattr(spider, "record_error"):
                        spider.record_error(str(self.warc_dir), message)
                    else:
                        logger.error("%s; the crawl stops", message)
                stop_crawl(self.crawler, DISK_FULL)
            else:
                # the page still reaches the spider: a locked index must not
                # lose the release itself; the run's stats say it happened
                logger.exception("%s: not archived", response.url)
        else:
            self._count("records")

    def spider_closed(self, spider: Spider) -> None:
        if self._archive is not None:
            try:
                self._archive.close()
            except (OSError, sqlite3.Error) as exc:  # a full disk: the record is cut short
                logger.error("%s: the last WARC file could not be closed: %s", self.warc_dir, exc)
            self._archive.conn.close()
            self._archive = None


class WarcCacheStorage:
    """Replays responses from the WARC archive; stores nothing."""

    def __init__(self, settings: BaseSettings) -> None:
        self.warc_dir, self.db = _archive_paths(settings)
        self._archive: WarcArchive | None = None

    def open_spider(self, spider: Spider) -> None:
        if not self.db.exists():
            logger.warning("%s: no archive, nothing to replay", self.db)
            return
        self._archive = WarcArchive(self.warc_dir, open_index(self.db))

    def close_spider(self, spider: Spider) -> None:
        if self._archive is not None:
            self._archive.close()
            self._archive.conn.close()
            self._archive = None

    def retrieve_response(self, spider: Spider, request: Request) -> Response | None:
        if self._archive is None:
            return None
        try:
            found = self._archive.latest(request.url)
        except (OSError, LookupError) as exc:
            logger.warning("%s: archived record unreadable (%s)", request.url, exc)
            return None
        if found is None:
            return None
        status, headers, body = found
        scrapy_headers = ScrapyHeaders()
        for name, value in headers:  # appendlist keeps repeated headers (Set-Cookie)
            scrapy_headers.appendlist(name, value)
        cls = responsetypes.from_args(headers=scrapy_headers, url=request.url, body=body)
        return cls(url=request.url, status=status, headers=scrapy_headers, body=body)

    def store_response(self, spider: Spider, request: Request, response: Any) -> None:
        """Replay never writes: the WARC files are the record of what was fetched."""
