"""Downloader middleware: retries that back off, and honour Retry-After.

Scrapy's own RetryMiddleware retries at once; a press room that answers 429 or
503 is asking us to wait. This one waits: Retry-After when the server gives it
(seconds or an HTTP date, capped), otherwise exponential backoff with jitter.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.response import response_status_message


def retry_delay(
    retry_after: str | None,
    *,
    attempt: int,
    base: float,
    cap: float,
    now: datetime | None = None,
    jitter: float = 0.0,
) -> float:
    """Seconds to wait before retry number `attempt` (1 for the first retry)."""
    if retry_after:
        value = retry_after.strip()
        if value.isdigit():
            return min(float(value), cap)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return max(0.0, min((when - (now or datetime.now(UTC))).total_seconds(), cap))
    if base <= 0:
        return 0.0
    return min(base * (2 ** max(0, attempt - 1)) + jitter, cap)


class BackoffRetryMiddleware(RetryMiddleware):
    """Replaces scrapy's RetryMiddleware (same settings, plus
    PRESSARCHIVE_RETRY_BACKOFF_BASE and PRESSARCHIVE_RETRY_BACKOFF_CAP, seconds)."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("PRESSARCHIVE_RETRY_BACKOFF_BASE", 1.0)
        self.backoff_cap = settings.getfloat("PRESSARCHIVE_RETRY_BACKOFF_CAP", 120.0)

    async def process_response(  # type: ignore[override]
        self, request: Any, response: Any, spider: Any = None
    ) -> Any:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        header = response.headers.get("Retry-After")
        delay = retry_delay(
            header.decode("latin-1") if header else None,
            attempt=int(retry.meta.get("retry_times", 1)),
            base=self.backoff_base,
            cap=self.backoff_cap,
            jitter=random.uniform(0, self.backoff_base / 2) if self.backoff_base > 0 else 0.0,
        )
        if delay > 0:
            await asyncio.sleep(delay)
        return retry
