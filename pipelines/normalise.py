"""Pipeline stage 1: dates to UTC (pressarchive.normalise)."""

from __future__ import annotations

from typing import Any

from pressarchive.items import Release
from pressarchive.normalise import normalise_dates


class NormaliseDatesPipeline:
    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, Release):
            normalise_dates(item)
        return item
