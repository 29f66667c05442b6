"""A Scrapy extension: one live line for the crawl on a terminal, nothing under cron.

All crawlers of a process (one per source) share the line, which sums them:
`crawl: sources 3, pages 141, items 120, errors 1`. When
PRESSARCHIVE_PROGRESS_TOTAL is set (reextract knows how many archived
responses it will replay) the line shows pages done out of that total.
"""

from __future__ import annotations

from typing import Any, ClassVar

from scrapy import signals
from twisted.internet import task

from pressarchive.terminal import LiveLine, Progress, is_terminal

REFRESH_SECONDS = 0.5


class _SharedLine:
    """The one line all crawlers of this process draw on."""

    def __init__(self, total: int | None) -> None:
        self.total = total
        self.bar: Progress | None = Progress(total, "replay") if total else None
        self.line: LiveLine | None = None if total else LiveLine("crawl")
        self.counts: dict[str, tuple[int, int, int]] = {}
        self.open = 0

    def update(self, name: str, pages: int, items: int, errors: int) -> None:
        self.counts[name] = (pages, items, errors)
        if self.bar is not None:
            self.bar.advance(sum(c[0] for c in self.counts.values()) - self.bar.done)
        elif self.line is not None:
            self.line.update(
                sources=len(self.counts),
                pages=sum(c[0] for c in self.counts.values()),
                items=sum(c[1] for c in self.counts.values()),
                errors=sum(c[2] for c in self.counts.values()),
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        if self.line is not None:
            self.line.close()


class CrawlProgress:
    shared: ClassVar[_SharedLine | None] = None

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.loop: task.LoopingCall | None = None
        self.name = "?"

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlProgress:
        extension = cls(crawler)
        # Off the terminal (cron, a pipe) the extension stays silent: it is
        # not disabled with NotConfigured, which Scrapy would log as a warning.
        if crawler.settings.getbool("PRESSARCHIVE_PROGRESS", True) and is_terminal():
            crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
            crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Any) -> None:
        source = getattr(spider, "source", None)
        self.name = getattr(source, "id", None) or spider.name
        if CrawlProgress.shared is None:
            total = self.crawler.settings.getint("PRESSARCHIVE_PROGRESS_TOTAL", 0) or None
            CrawlProgress.shared = _SharedLine(total)
        CrawlProgress.shared.open += 1
        self.loop = task.LoopingCall(self.refresh)
        self.loop.start(REFRESH_SECONDS, now=True)

    def refresh(self) -> None:
        stats = self.crawler.stats
        if CrawlProgress.shared is not None:
            CrawlProgress.shared.update(
                self.name,
                int(stats.get_value("response_received_count", 0)),
                int(stats.get_value("item_scraped_count", 0)),
                int(stats.get_value("pressarchive/errors", 0))
                + int(stats.get_value("log_count/ERROR", 0)),
            )

    def spider_closed(self, spider: Any) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.refresh()
        shared = CrawlProgress.shared
        if shared is not None:
            shared.open -= 1
            if shared.open == 0:
                shared.close()
                CrawlProgress.shared = None
