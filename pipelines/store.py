"""Pipeline stage 4: write releases to the archive in batches, and one
`crawls` row per run.

Batches keep the write rate high (one transaction per batch); a batch is also
flushed after FLUSH_SECONDS so that a killed crawl loses at most that much.
When the crawl closes, the source's about-text is re-learned over everything
stored and re-applied, and new releases are clustered with the archive.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from typing import Any

from pressarchive.crawl.gaps import REPLAY_STAT
from pressarchive.crawl.state import CrawlState, crawl_state
from pressarchive.crawl.stopping import (
    DISK_FULL,
    SUPERSEDED,
    WALL_CLOCK,
    crawl_status,
    stop_crawl,
    stopping_reason,
)
from pressarchive.dedupe.clusters import cluster_pending
from pressarchive.items import Release
from pressarchive.refine.about_learning import refresh_source
from pressarchive.sources import Source
from pressarchive.storage.batches import BatchHalted, store_batch
from pressarchive.storage.connection import CrawlSuperseded
from pressarchive.storage.store import Archive, StoreResult

log = logging.getLogger(__name__)

BATCH_SIZE = 50
FLUSH_SECONDS = 1.0


class StorePipeline:
    def __init__(
        self, db_path: str, *, replay: bool = False, state: CrawlState | None = None
    ) -> None:
        self.db_path = db_path
        self.state = state or CrawlState()
        # Replaying archived pages (reextract): changes are a better extraction,
        # not a new version, and nothing was seen anew.
        self.replay = replay
        self.archive: Archive | None = None
        self.crawl_id: int | None = None
        self.batch: list[Release] = []
        self.last_flush = time.monotonic()
        self.counts: Counter[str] = Counter()
        self.errors: list[dict[str, Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        from scrapy import signals

        pipeline = cls(
            crawler.settings.get("PRESSARCHIVE_DB"),
            replay=crawler.settings.getbool("PRESSARCHIVE_REPLAY"),
            state=crawl_state(crawler),
        )
        pipeline.stats = crawler.stats
        pipeline.crawler = crawler
        # The close reason (finished / shutdown / ...) is only known to this signal,
        # which fires after the pipelines' close_spider.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    stats: Any = None
    crawler: Any = None

    def _spider(self, spider: Any) -> Any:
        # Scrapy 2.13+ no longer passes the spider to pipeline methods.
        if spider is None and self.crawler is not None:
            return self.crawler.spider
        return spider

    def open_spider(self, spider: Any = None) -> None:
        spider = self._spider(spider)
        self.archive = Archive(self.db_path)
        source: Source | None = getattr(spider, "source", None)
        if source is not None:
            self.archive.ensure_source(source)
        self.crawl_id = self.archive.begin_crawl(
            getattr(spider, "name", "?"), source.id if source else None
        )
        if self.replay and self.stats is not None:
            self.stats.set_value(REPLAY_STAT, True)  # not a walk: no gap opened or closed

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, Release):
            self.batch.append(item)
            if len(self.batch) >= BATCH_SIZE or time.monotonic() - self.last_flush > FLUSH_SECONDS:
                self.flush()
        return item

    def flush(self) -> None:
        batch, self.batch = self.batch, []
        self.last_flush = time.monotonic()
        if not batch or self.archive is None or self.stopped:
            return
        try:
            stored = store_batch(
                self.archive,
                batch,
                crawl_id=self.crawl_id,
                revise=not self.replay,
                touch=not self.replay,
                own_run=True,
            )
        except BatchHalted as halted:
            self._count(halted.results)
            if isinstance(halted.cause, CrawlSuperseded):
                self._stop(SUPERSEDED, str(halted.cause), halted.unstored)
            else:
                message = f"{self.db_path}: the disk is full ({halted.cause})"
                self._stop(DISK_FULL, message, halted.unstored)
            return
        for release, exc in stored.dropped:
            self.counts["dropped"] += 1
            self.errors.append({"url": release.url, "reason": f"store: {exc}"})
        self._count(stored.results)

    def _count(self, results: list[StoreResult]) -> None:
        for result in results:
            self.counts[result.outcome] += 1
            if self.stats is not None:
                self.stats.inc_value(f"pressarchive/{result.outcome}")

    @property
    def stopped(self) -> bool:
        return stopping_reason(self.crawler) in (DISK_FULL, SUPERSEDED)

    def _stop(self, reason: str, message: str, lost: list[Release]) -> None:
        """Storing is impossible: end the crawl (a full disk must not turn into a
        crawl that fetches on and stores nothing); the lost releases are errors."""
        if not self.stopped:
            log.error("%s; the crawl stops", message)
            self.errors.append({"url": self.db_path, "reason": message})
        for release in lost:
            self.counts["dropped"] += 1
            self.errors.append({"url": release.url, "reason": f"not stored: {reason}"})
        stop_crawl(self.crawler, reason)

    def close_spider(self, spider: Any = None) -> None:
        if self.archive is None:
            return
        self.flush()
        if self.stopped:
            return  # nothing more can be written
        spider = self._spider(spider)
        source: Source | None = getattr(spider, "source", None)
        started = time.perf_counter()
        if source is not None and (self.counts["stored"] or self.counts["updated"]):
            # Whoever cleaned the crawl's releases remembers how (pressarchive.refine.about_learning.CleaningLog)
            # and re-cleans where that memory is: in the worker, or here.
            memory = self.state.cleaning_memory
            if memory is not None:
                self.counts["recleaned"] = memory.refresh(self.archive, source.id, self.crawl_id)
            else:
                self.counts["recleaned"] = refresh_source(
                    self.archive, source.id, crawl_id=self.crawl_id
                )
        learned = time.perf_counter()
        self.counts["clustered"] = cluster_pending(self.archive)
        log.info(
            "closing: %d releases re-cleaned in %.1f s, %d clustered in %.1f s",
            self.counts["recleaned"],
            learned - started,
            self.counts["clustered"],
            time.perf_counter() - learned,
        )

    def spider_closed(self, spider: Any = None, reason: str = "finished") -> None:
        if self.archive is None:
            return
        errors = [*self.state.errors, *self.errors]
        if reason == WALL_CLOCK:
            seconds = self.crawler.settings.getint("CLOSESPIDER_TIMEOUT") if self.crawler else 0
            errors.append(
                {
                    "url": getattr(getattr(spider, "source", None), "id", "?"),
                    "reason": f"stopped at the wall-clock cap of {seconds} s "
                    "(CLOSESPIDER_TIMEOUT); the next run goes on",
                }
            )
        stats = dict(self.stats.get_stats()) if self.stats is not None else {}
        status = crawl_status(
            reason,
            errors=bool(errors),
            listing_pages=int(stats.get("pressarchive/listing_pages") or 0),
        )
        if self.crawl_id is not None and reason != SUPERSEDED:
            try:
                self.archive.finish_crawl(
                    self.crawl_id,
                    status=status,
                    counts=dict(self.counts),
                    errors=errors,
                    stats=stats,
                    only_if_running=True,
                )
            except Exception as exc:  # a full disk: the next crawl marks the row interrupted
                log.error("cannot record the end of crawl %s: %s", self.crawl_id, exc)
        self.archive.close()
        self.archive = None
