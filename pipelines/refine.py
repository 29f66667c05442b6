"""Pipeline stage 2: clean and structure (pressarchive.refine.cleaning), with the
source's about-text model learned from the archive and, during the crawl,
from the pages seen so far (pressarchive.refine.about_learning)."""

from __future__ import annotations

from functools import partial
from typing import Any

from pressarchive.crawl.pool import learn_and_refine, load_learner
from pressarchive.items import Release
from pressarchive.refine.about_learning import CleaningLog, OnlineAboutLearner, refresh_source
from pressarchive.refine.about_model import AboutModel
from pressarchive.storage.store import Archive


class RefinePipeline:
    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self.learners: dict[str, OnlineAboutLearner] = {}
        self.logs: dict[str, CleaningLog] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> RefinePipeline:
        pipeline = cls(crawler.settings.get("PRESSARCHIVE_DB"))
        pipeline.crawler = crawler
        return pipeline

    crawler: Any = None

    def open_spider(self, spider: Any = None) -> None:
        if spider is None and self.crawler is not None:
            spider = self.crawler.spider
        # Releases read in workers are cleaned there, and the workers remember how.
        if spider is not None and not getattr(spider, "read_in_workers", False):
            spider.cleaning_memory = self

    def _learner(self, source_id: str) -> OnlineAboutLearner:
        if source_id not in self.learners:
            self.learners[source_id] = load_learner(self.db_path, source_id)
            self.logs[source_id] = CleaningLog()
        return self.learners[source_id]

    def unchanged(self, source_id: str, model: AboutModel, digests: dict[int, str]) -> set[int]:
        """The releases (of `digests`) this crawl cleaned as `model` would."""
        log = self.logs.get(source_id)
        return log.unchanged(model, digests) if log is not None else set()

    def decisions_json(self, release: Release) -> list[list[list[str]]] | None:
        """The about-model's decisions for a release this crawl cleaned, for a
        writer elsewhere that re-cleans at the end of the run (distributed.push)."""
        log = self.logs.get(release.source)
        if log is None or release.extracted is None:
            return None
        return log.decisions_json(release.extracted)

    def refresh(self, archive: Archive, source_id: str, crawl_id: int | None) -> int:
        """The end-of-crawl re-cleaning, sparing what this crawl cleaned as the final model would."""
        return refresh_source(
            archive, source_id, crawl_id=crawl_id, unchanged=partial(self.unchanged, source_id)
        )

    def process_item(self, item: Any, spider: Any = None) -> Any:
        # A release with its extraction kept was refined already (in a worker).
        if isinstance(item, Release) and item.extracted is None:
            learner = self._learner(item.source)
            learn_and_refine(item, learner, self.logs[item.source])
        return item
