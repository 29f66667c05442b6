"""When a request popped from the shared frontier is done, so that its receipt
can go: its callback's output has been consumed (the requests it yielded are
in the crawl's outbox) and every item it yielded has left the pipelines (is in
the outbox for the writer's queue, or was dropped). The acknowledgement goes
behind them in the outbox's pipeline.

Enabled as a spider middleware by the Redis add-on. A request that never gets
here (a download that failed after retries, a redirect) keeps its receipt
until the process is idle or closes (`Frontier.idle`/`leave`), which is only
ever too late, never too early: the cost of too late is a page fetched twice
after a crash.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request, signals
from scrapy.http import Response

from pressarchive.crawl.state import crawl_state
from pressarchive.distributed.frontier import RECEIPT_META


def _receipt(response: Response | None) -> str | None:
    request = getattr(response, "request", None)
    receipt = request.meta.get(RECEIPT_META) if request is not None else None
    return str(receipt) if receipt else None


class FrontierAcks:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        # receipt -> what is still open: the callback (1) and the items not yet through
        self.open: Counter[str] = Counter()
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self.item_done, signal=signal)

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierAcks:
        return cls(crawler)

    def _close(self, receipt: str) -> None:
        self.open[receipt] -= 1
        if self.open[receipt] <= 0:
            del self.open[receipt]
            ack = crawl_state(self.crawler).frontier_ack
            if ack is not None:
                ack(receipt)

    def _count(self, receipt: str, output: Any) -> None:
        if not isinstance(output, Request):
            self.open[receipt] += 1

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Any = None
    ) -> Iterator[Any]:
        receipt = _receipt(response)
        if receipt is None:
            yield from result
            return
        self.open[receipt] += 1
        try:
            for output in result:
                self._count(receipt, output)
                yield output
        finally:
            self._close(receipt)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Any = None
    ) -> AsyncIterator[Any]:
        receipt = _receipt(response)
        if receipt is None:
            async for output in result:
                yield output
            return
        self.open[receipt] += 1
        try:
            async for output in result:
                self._count(receipt, output)
                yield output
        finally:
            self._close(receipt)

    def item_done(self, item: Any = None, response: Response | None = None, **kwargs: Any) -> None:
        receipt = _receipt(response)
        if receipt is not None and receipt in self.open:
            self._close(receipt)
