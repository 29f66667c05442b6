"""Pipeline stage 2: clean and structure (pressarchive.refine), with the
source's about-text model learned from what the archive already holds."""

from __future__ import annotations

from typing import Any

from pressarchive.about import load_about_model
from pressarchive.boilerplate import AboutModel
from pressarchive.refine import refine

from pressarchive.items import Release
from pressarchive.store import Archive, ArchiveError


class RefinePipeline:
    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self.models: dict[str, AboutModel | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> RefinePipeline:
        return cls(crawler.settings.get("PRESSARCHIVE_DB"))

    def _model(self, source_id: str) -> AboutModel | None:
        if source_id not in self.models:
            try:
                with Archive(self.db_path) as archive:
                    self.models[source_id] = load_about_model(archive, source_id)
            except ArchiveError:
                self.models[source_id] = None
        return self.models[source_id]

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, Release):
            item.extracted = item.to_json_dict()
            refine(item, about=self._model(item.source))
        return item
