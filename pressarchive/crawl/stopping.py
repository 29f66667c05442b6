"""Ending a crawl early, from a pipeline, a middleware or the spider, with a reason.

The reason becomes the crawl's close reason (Scrapy's `spider_closed`), which
the store pipeline turns into the crawl row's status; `CLOSE_STATUS` is that
mapping, and `CLOSE_MESSAGES` the line the run's errors get for it.
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
