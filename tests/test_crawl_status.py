"""The crawl row's status from Scrapy's close reason: one rule
(`crawl.stopping.crawl_status`) for a local crawl's store pipeline and the
scale-out writer (tests/scaleout/test_ingest.py runs the writer on CASES)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pressarchive.pipelines.store import StorePipeline
from test_store import SOURCE

from pressarchive.crawl.state import CrawlState
from pressarchive.crawl.stopping import DISK_FULL, WALL_CLOCK, crawl_status
from pressarchive.storage.store import Archive

# (close reason, errors, listing pages read) -> the crawl row's status
CASES: list[tuple[str, bool, int, str]] = [
    ("finished", False, 3, "finished"),
    ("finished", True, 3, "finished"),  # some pages failed, the room was crawled
    ("finished", False, 0, "finished"),  # an empty room: nothing failed
    ("finished", True, 0, "failed"),  # the start page failed: not crawled
    ("shutdown", True, 0, "interrupted"),
    (WALL_CLOCK, False, 2, "interrupted"),
    (DISK_FULL, True, 2, "failed"),
    ("cancelled", False, 2, "failed"),
]


@pytest.mark.parametrize(("reason", "errors", "listing_pages", "status"), CASES)
def test_crawl_status(reason: str, errors: bool, listing_pages: int, status: str) -> None:
    assert crawl_status(reason, errors=errors, listing_pages=listing_pages) == status


class Stats:
    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def get_stats(self) -> dict[str, Any]:
        return self.values


@pytest.mark.parametrize(("reason", "errors", "listing_pages", "status"), CASES)
def test_the_store_pipeline_records_that_status(
    tmp_path: Path, reason: str, errors: bool, listing_pages: int, status: str
) -> None:
    db = tmp_path / "a.db"
    crawl_errors = [{"url": "http://127.0.0.1/", "reason": "HTTP 500"}] if errors else []
    pipeline = StorePipeline(str(db), state=CrawlState(errors=crawl_errors))
    pipeline.stats = Stats({"pressarchive/listing_pages": listing_pages})
    spider = SimpleNamespace(name="viatt", source=SOURCE)
    pipeline.open_spider(spider)
    pipeline.spider_closed(spider, reason)
    with Archive(db, readonly=True) as archive:
        assert [row[0] for row in archive.conn.execute("SELECT status FROM crawls")] == [status]
