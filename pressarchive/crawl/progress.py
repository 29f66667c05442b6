"""A Scrapy extension: one live line for the crawl on a terminal, nothing under cron.

The line is tqdm's. All crawlers of a process (one per source) share it, and
it sums them: `crawl: 141 pages [00:05, 28.2 pages/s, sources=3, items=120,
errors=1]`. When PRESSARCHIVE_PROGRESS_TOTAL is set (reextract knows how many
archived responses it will replay) it is a bar of the pages done out of that
total. When the last crawler closes, the line stays as the run's summary.

Off a terminal (cron, a pipe into a log) the extension draws nothing, not even
control characters; PRESSARCHIVE_PROGRESS=False turns it off on a terminal too.
"""

from __future__ import annotations

import sys
from typing import Any, ClassVar, TextIO

from scrapy import signals
from tqdm import tqdm
from twisted.internet import task

REFRESH_SECONDS = 0.5


def on_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


class _SharedLine:
    """The one line all crawlers of this process draw on."""

    def __init__(self, total: int | None, stream: TextIO) -> None:
        self.total = total
        self.bar = tqdm(
            total=total,
            desc="replay" if total else "crawl",
            unit=" pages",
            file=stream,
            # redrawn by the extension's own timer, every REFRESH_SECONDS
            mininterval=0,
            miniters=1,
            dynamic_ncols=True,
        )
        self.counts: dict[str, tuple[int, int, int]] = {}
        self.open = 0

    def update(self, name: str, pages: int, items: int, errors: int) -> None:
        self.counts[name] = (pages, items, errors)
        if not self.total:
            self.bar.set_postfix(
                {
                    "sources": len(self.counts),
                    "items": sum(c[1] for c in self.counts.values()),
                    "errors": sum(c[2] for c in self.counts.values()),
                },
                refresh=False,
            )
        done = sum(c[0] for c in self.counts.values())
        if done > self.bar.n:
            self.bar.update(done - self.bar.n)  # draws, and keeps tqdm's rate
        else:
            self.bar.refresh()

    def close(self) -> None:
        self.bar.close()


class CrawlProgress:
    # Per process, not per crawl: the crawlers of one process (one per source)
    # write to one terminal, so they share one line.
    shared: ClassVar[_SharedLine | None] = None

    def __init__(self, crawler: Any, stream: TextIO) -> None:
        self.crawler = crawler
        self.stream = stream
        self.loop: task.LoopingCall | None = None
        self.name = "?"

    @classmethod
    def from_crawler(cls, crawler: Any, stream: TextIO | None = None) -> CrawlProgress:
        extension = cls(crawler, stream if stream is not None else sys.stderr)
        # Off the terminal (cron, a pipe) the extension stays silent: it is
        # not disabled with NotConfigured, which Scrapy would log as a warning.
        if crawler.settings.getbool("PRESSARCHIVE_PROGRESS", True) and on_terminal(
            extension.stream
        ):
            crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
            crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Any) -> None:
        source = getattr(spider, "source", None)
        self.name = getattr(source, "id", None) or spider.name
        if CrawlProgress.shared is None:
            total = self.crawler.settings.getint("PRESSARCHIVE_PROGRESS_TOTAL", 0) or None
            CrawlProgress.shared = _SharedLine(total, self.stream)
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
