"""Pipeline stage 1: the refine stages (pressarchive.refine.process.STAGES: dates,
cleaning, keys) on every release not yet refined, with the source's about-text
model learned from the archive and, during the crawl, from the pages seen so
far (pressarchive.refine.about_learning). A release read in a worker process
arrives refined already (pipelines/read_pages.py)."""

from __future__ import annotations

from functools import partial
from typing import Any

from pressarchive.crawl.pool import LearningCleaning, load_learner
from pressarchive.crawl.state import CrawlState, crawl_state
from pressarchive.items import Release
from pressarchive.refine.about_learning import CleaningLog, OnlineAboutLearner, refresh_source
from pressarchive.refine.about_model import AboutModel
from pressarchive.refine.process import process
from pressarchive.storage.store import Archive


class RefinePipeline:
    def __init__(self, db_path: str, state: CrawlState | None = None) -> None:
        self.db_path = db_path
        self.state = state or CrawlState()
        self.learners: dict[str, OnlineAboutLearner] = {}
        self.logs: dict[str, CleaningLog] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> RefinePipeline:
        return cls(crawler.settings.get("PRESSARCHIVE_DB"), crawl_state(crawler))

    def open_spider(self, spider: Any = None) -> None:
        # Releases read in workers are cleaned there, and the workers remember how.
        if not self.state.read_in_workers:
            self.state.cleaning_memory = self

    def _cleaning(self, source_id: str) -> LearningCleaning:
        if source_id not in self.learners:
            self.learners[source_id] = load_learner(self.db_path, source_id)
            self.logs[source_id] = CleaningLog()
        return LearningCleaning(self.learners[source_id], self.logs[source_id])

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
        return log.decisions_json(release)

    def refresh(self, archive: Archive, source_id: str, crawl_id: int | None) -> int:
        """The end-of-crawl re-cleaning, sparing what this crawl cleaned as the final model would."""
        return refresh_source(
            archive, source_id, crawl_id=crawl_id, unchanged=partial(self.unchanged, source_id)
        )

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, Release) and not item.refined:
            process(item, cleaning=self._cleaning(item.source))
        return item
