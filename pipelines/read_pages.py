"""Pipeline stage 0: read release pages in a worker process (pressarchive.crawl.pool).

With `PRESSARCHIVE_WORKERS` > 0 the spider yields a `PendingRelease` (the page
as downloaded) instead of reading it on the reactor thread; this stage has a
worker read it and run the refine stages on it (pressarchive.refine.process),
exactly as the in-process refine stage would, and passes the finished release
on, marked refined: the refine stage leaves it alone, the store follows.
With 0 workers this stage does nothing and the spider reads pages itself.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from pressarchive.crawl.pool import (
    PendingRelease,
    ReleaseWorkers,
    acquire_workers,
    forget_crawl,
    process_page,
    release_workers,
    unchanged_cleanings,
    workers_setting,
)
from pressarchive.crawl.state import CrawlState, crawl_state
from pressarchive.items import Release
from pressarchive.refine.about_learning import refresh_source
from pressarchive.refine.about_model import AboutModel
from pressarchive.storage.store import Archive

log = logging.getLogger(__name__)


def deferred_from_future(future: Future[Release]) -> Deferred[Release]:
    """A Deferred fired on the reactor thread when the worker's future is done."""
    from twisted.internet import reactor

    deferred: Deferred[Release] = Deferred()

    def fire(done: Future[Release]) -> None:
        error = done.exception()
        if error is not None:
            deferred.errback(Failure(error))
        else:
            deferred.callback(done.result())

    future.add_done_callback(lambda done: reactor.callFromThread(fire, done))
    return deferred


class ReadPagesPipeline:
    def __init__(self, db_path: str, size: int, state: CrawlState | None = None) -> None:
        self.db_path = db_path
        self.size = size
        self.state = state or CrawlState()
        self.workers: ReleaseWorkers | None = None
        # A worker that died takes its learner and log with it; the rest of the
        # crawl is read here (the end-of-crawl re-cleaning covers the difference).
        self.broken = False

    crawler: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ReadPagesPipeline:
        from scrapy import signals

        pipeline = cls(
            crawler.settings.get("PRESSARCHIVE_DB"),
            workers_setting(crawler.settings),
            crawl_state(crawler),
        )
        pipeline.crawler = crawler
        # The store asks the workers about their cleanings when it closes, so
        # they stop only after every pipeline has closed.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def _spider(self, spider: Any) -> Any:
        # Scrapy 2.13+ no longer passes the spider to pipeline methods.
        if spider is None and self.crawler is not None:
            return self.crawler.spider
        return spider

    @property
    def crawl_token(self) -> str:
        return self.state.token

    def open_spider(self, spider: Any = None) -> None:
        if self.size:
            self.workers = acquire_workers(self.size)
            self.state.read_in_workers = True
            self.state.cleaning_memory = self

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, PendingRelease) or item.page is None:
            return item
        spider = self._spider(spider)
        release = None
        if self.workers is not None and not self.broken:
            try:
                future = self.workers.submit(item.page, self.crawl_token, self.db_path)
                release = await maybe_deferred_to_future(deferred_from_future(future))
            except BrokenProcessPool:
                self._worker_died()
        if release is None:  # no (working) worker: read the page here
            release = process_page(item.page, self.crawl_token, self.db_path)
        return spider.finish_release(release)

    def _worker_died(self) -> None:
        if not self.broken:
            log.error("the worker process died: reading the rest of the pages in this process")
        self.broken = True

    def unchanged(self, source_id: str, model: AboutModel, digests: dict[int, str]) -> set[int]:
        """The releases (of `digests`) this crawl's workers cleaned as `model` would."""
        local = unchanged_cleanings(self.crawl_token, source_id, model, digests)
        if self.workers is None or self.broken:
            return local
        try:
            return local | self.workers.unchanged(self.crawl_token, source_id, model, digests)
        except BrokenProcessPool:
            self._worker_died()
            return local

    def refresh(self, archive: Archive, source_id: str, crawl_id: int | None) -> int:
        """The end-of-crawl re-cleaning, in the source's worker while it works."""
        if self.workers is not None and not self.broken:
            try:
                return self.workers.refresh(self.crawl_token, source_id, self.db_path, crawl_id)
            except BrokenProcessPool:
                self._worker_died()
        return refresh_source(
            archive, source_id, crawl_id=crawl_id, unchanged=partial(self.unchanged, source_id)
        )

    def spider_closed(self, spider: Any = None) -> None:
        forget_crawl(self.crawl_token)
        if self.workers is None:
            return
        if not self.broken:
            self.workers.forget(self.crawl_token)
        release_workers(self.workers)
        self.workers = None
