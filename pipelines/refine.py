"""Pipeline stage 2: clean and structure (pressarchive.refine), with the
source's about-text model learned from the archive and, during the crawl,
from the pages seen so far (pressarchive.about)."""

from __future__ import annotations

from typing import Any

from pressarchive.about import OnlineAboutLearner
from pressarchive.items import Release
from pressarchive.workers import learn_and_refine, load_learner


class RefinePipeline:
    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self.learners: dict[str, OnlineAboutLearner] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> RefinePipeline:
        return cls(crawler.settings.get("PRESSARCHIVE_DB"))

    def _learner(self, source_id: str) -> OnlineAboutLearner:
        if source_id not in self.learners:
            self.learners[source_id] = load_learner(self.db_path, source_id)
        return self.learners[source_id]

    def process_item(self, item: Any, spider: Any = None) -> Any:
        # A release with its extraction kept was refined already (in a worker).
        if isinstance(item, Release) and item.extracted is None:
            learn_and_refine(item, self._learner(item.source))
        return item
