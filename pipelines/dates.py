"""Pipeline stage 1: dates to UTC (pressarchive.refine.published)."""

from __future__ import annotations

from typing import Any

from pressarchive.items import Release
from pressarchive.refine.published import normalise_dates


class NormaliseDatesPipeline:
    def process_item(self, item: Any, spider: Any = None) -> Any:
        # A release with its extraction kept was refined, and so dated, in a worker.
        if isinstance(item, Release) and item.extracted is None:
            normalise_dates(item)
        return item
