"""Pipeline stage 3: the keys that make one release one row (canonical URL,
platform id). Cross-platform clustering runs when the crawl closes, in the
store stage, over everything stored (pressarchive.dedupe.clusters)."""

from __future__ import annotations

from typing import Any

from pressarchive.items import Release
from pressarchive.refine.process import assign_keys


class DedupePipeline:
    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, Release):
            assign_keys(item)
        return item
