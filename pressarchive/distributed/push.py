"""Pipeline stage 4 of a Redis crawl: hand releases to the writer instead of
storing them (it replaces `StorePipeline`; the stages before it are the same).

The crawl's `crawls` row is made and finished by the writer from the
`crawl_begin` and `crawl_end` messages; the counts of stored, updated and
unchanged releases are the writer's, since only it knows them.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from scrapy import signals

from pressarchive.crawl.state import crawl_state
from pressarchive.distributed import messages
from pressarchive.distributed.connection import redis_url
from pressarchive.distributed.outbox import outbox_of
from pressarchive.items import Release
from pressarchive.sources import Source

log = logging.getLogger(__name__)

# The crawl's round trips to Redis (distributed.round_trips), until its last message.
ROUND_TRIPS_STAT = "pressarchive/redis/round_trips"


class RedisPushPipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.state = crawl_state(crawler)
        self.counts: Counter[str] = Counter()

    @property
    def token(self) -> str:
        """The crawl's token: the writer knows the crawl's messages by it."""
        return self.state.token

    @classmethod
    def from_crawler(cls, crawler: Any) -> RedisPushPipeline:
        assert redis_url(crawler.settings), "the add-on enables this pipeline only with a Redis URL"
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def _send(self, message: bytes, *, now: bool = True) -> None:
        """Into the crawl's outbox: a release waits for its page's acknowledgement
        (`now=False`), the crawl's own messages go at once, behind what is pending."""
        outbox = outbox_of(self.crawler)
        outbox.send(message)
        if now:
            outbox.flush()

    def open_spider(self, spider: Any = None) -> None:
        spider = spider or self.crawler.spider
        source: Source | None = getattr(spider, "source", None)
        self._send(
            messages.encode(
                "crawl_begin",
                crawl=self.token,
                spider=getattr(spider, "name", "?"),
                source=source.to_json_dict() if source is not None else None,
                run=self.state.frontier_run,
            )
        )

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, Release):
            memory = self.state.cleaning_memory
            decisions_of = getattr(memory, "decisions_json", None)  # not kept by worker processes
            self._send(
                messages.release_message(
                    item,
                    crawl=self.token,
                    run=self.state.frontier_run,
                    cleaning=decisions_of(item) if decisions_of is not None else None,
                ),
                now=False,
            )
            self.counts["pushed"] += 1
            self.crawler.stats.inc_value("pressarchive/pushed")
        return item

    def spider_closed(self, spider: Any = None, reason: str = "finished") -> None:
        spider = spider or self.crawler.spider
        errors = list(self.state.errors)
        server = outbox_of(self.crawler).server
        self.crawler.stats.set_value(ROUND_TRIPS_STAT, getattr(server, "round_trips", 0))
        stats = dict(self.crawler.stats.get_stats())
        self._send(
            messages.encode(
                "crawl_end",
                crawl=self.token,
                reason=reason,  # the writer makes it the row's status (crawl_status)
                errors=errors,
                stats=stats,
                listing_pages=stats.get("pressarchive/listing_pages", 0),
            )
        )
        source: Source | None = getattr(spider, "source", None)
        if self.state.frontier_ended and source is not None:
            # the last process out: every release of the run is ahead of this in the queue
            self._send(messages.encode("run_end", source=source.id, run=self.state.frontier_run))
