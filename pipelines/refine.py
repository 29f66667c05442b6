"""Pipeline stage 2: clean and structure (pressarchive.refine), with the
source's about-text model learned from the archive and, during the crawl,
from the pages seen so far (pressarchive.about)."""

from __future__ import annotations

from typing import Any

from pressarchive.about import OnlineAboutLearner, document, model_key, source_documents
from pressarchive.items import Release
from pressarchive.refine import refine
from pressarchive.store import ABOUT_MODEL_KEY, Archive, ArchiveError


class RefinePipeline:
    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self.learners: dict[str, OnlineAboutLearner] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> RefinePipeline:
        return cls(crawler.settings.get("PRESSARCHIVE_DB"))

    def _learner(self, source_id: str) -> OnlineAboutLearner:
        if source_id not in self.learners:
            try:
                with Archive(self.db_path) as archive:
                    documents = source_documents(archive, source_id)
            except ArchiveError:
                documents = []
            self.learners[source_id] = OnlineAboutLearner(documents)
        return self.learners[source_id]

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, Release):
            item.extracted = item.to_json_dict()
            model = self._learner(item.source).add(document(item.extracted))
            refine(item, about=model)
            item.extracted[ABOUT_MODEL_KEY] = model_key(model)
        return item
