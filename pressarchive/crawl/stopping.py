"""Ending a crawl early, from a pipeline, a middleware or the spider, with a reason.

The reason becomes the crawl's close reason (Scrapy's `spider_closed`), which
the store pipeline (or the scale-out writer) turns into the crawl row's
status: `CLOSE_STATUS` is that mapping, `crawl_status` the whole rule.
"""

from __future__ import annotations

import logging
from typing import Any

from pressarchive.crawl.state import crawl_state

log = logging.getLogger(__name__)

DISK_FULL = "disk_full"
SUPERSEDED = "superseded"
WALL_CLOCK = "closespider_timeout"  # Scrapy's CloseSpider extension, CLOSESPIDER_TIMEOUT

CLOSE_STATUS = {
    "finished": "finished",
    "shutdown": "interrupted",
    WALL_CLOCK: "interrupted",
    DISK_FULL: "failed",
}


def crawl_status(reason: str, *, errors: bool, listing_pages: int) -> str:
    """The crawl row's status for Scrapy's close reason. A crawl that finished
    with errors but read not one listing page (the start page failed, or a
    site had nothing to follow) did not crawl the press room: it failed,
    whatever Scrapy says."""
    status = CLOSE_STATUS.get(reason, "failed")
    if status == "finished" and errors and not listing_pages:
        return "failed"
    return status


def stop_crawl(crawler: Any, reason: str) -> None:
    """Ask the engine to close the spider (once; later calls are ignored)."""
    engine = getattr(crawler, "engine", None)
    if engine is None or getattr(engine, "spider", None) is None:
        return
    state = crawl_state(crawler)
    if state.stopping:
        return
    state.stopping = reason
    log.info("stopping the crawl: %s", reason)
    if reason == DISK_FULL:
        # Everything that writes now fails (Scrapy's own disk queue too), each
        # with a traceback; the reason has been said once, and the run's
        # errors record it: the rest is noise in a cron mail.
        for handler in logging.getLogger().handlers:
            handler.setLevel(logging.CRITICAL)
    if hasattr(engine, "close_spider_async"):
        from scrapy.utils.defer import deferred_from_coro

        deferred_from_coro(engine.close_spider_async(reason=reason))
    else:  # Scrapy < 2.14
        engine.close_spider(crawler.spider, reason)


def stopping_reason(crawler: Any) -> str | None:
    return crawl_state(crawler).stopping if crawler is not None else None
