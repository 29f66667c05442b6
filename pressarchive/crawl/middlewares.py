"""Downloader middleware: retries that back off and honour Retry-After, and
redirects that are refused with a reason.

Scrapy's own RetryMiddleware retries at once; a press room that answers 429 or
503 is asking us to wait. This one waits: Retry-After when the server gives it
(seconds or an HTTP date, capped), otherwise exponential backoff with jitter.
The wait is the site's download slot's (as AutoThrottle delays a slot), not a
sleep in the middleware: the response is handed back at once, the retry waits
in that site's queue, and nothing else waits with it.

Scrapy drops a redirect loop (the dupefilter) and an off-site redirect (the
offsite middleware) without a word; `RedirectGuardMiddleware` turns them, and
redirects to loopback or private hosts, into errors the run records.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic
from typing import Any, cast
from urllib.parse import urljoin, urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.response import response_status_message
from scrapy.utils.url import url_is_from_any_domain

from pressarchive.hosts import url_problem


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
            self.hold_slot(request, delay)
        return retry

    def hold_slot(self, request: Any, seconds: float) -> None:
        """Nothing more is downloaded from the request's site for `seconds`:
        the downloader's slot for it is made to believe it downloaded until then."""
        crawler = getattr(self, "crawler", None)
        downloader = getattr(getattr(crawler, "engine", None), "downloader", None)
        if downloader is None:
            return
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is None:
            return
        original = slot.delay
        # The downloader looks at lastseen only when the slot has a delay.
        slot.delay = max(original, 0.001)
        shortest = slot.delay * (1 - getattr(slot, "jitter", 0.0))
        slot.lastseen = max(slot.lastseen, monotonic() + seconds - shortest)
        if slot.delay != original:
            from twisted.internet import reactor

            def restore() -> None:
                if slot.delay == 0.001:
                    slot.delay = original

            cast(Any, reactor).callLater(seconds, restore)


class RedirectRefused(IgnoreRequest):
    """A redirect the guard refused; the message is the reason the run records
    (spiders/base.failure_reason keeps it as it is)."""


class RedirectGuardMiddleware:
    """Sees a 3xx before RedirectMiddleware (give it a higher number, e.g. 650)
    and refuses, as an error with a reason, a redirect that loops, leaves the
    source's domains or points at a loopback or private host."""

    def __init__(self, crawler: Any = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> RedirectGuardMiddleware:
        return cls(crawler)

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        if not 300 <= response.status < 400 or b"Location" not in response.headers:
            return response
        if request.meta.get("dont_redirect") or response.status in request.meta.get(
            "handle_httpstatus_list", ()
        ):
            return response
        location = response.headers[b"Location"].decode("latin-1").strip()
        target = urljoin(request.url, location)
        problem = redirect_problem(
            request.url,
            target,
            seen=request.meta.get("redirect_urls", ()),
            spider=spider if spider is not None else getattr(self.crawler, "spider", None),
        )
        if problem:
            raise RedirectRefused(problem)
        return response


def redirect_problem(url: str, target: str, *, seen: Any, spider: Any) -> str | None:
    """Why following `url` -> `target` would lose the page, or None."""
    if target.split("#")[0] == url.split("#")[0] or target in seen:
        return f"redirect loop: {url} -> {target}"
    source = getattr(spider, "source", None)
    domains = [d for d in getattr(spider, "allowed_domains", None) or () if d]
    host = urlsplit(target).hostname or ""
    own_host = not domains or url_is_from_any_domain(target, domains) or host in domains
    # a host of the source's own is as the registry allowed it; elsewhere only public ones
    problem = url_problem(
        target, allow_private=own_host or bool(getattr(source, "allow_private", False))
    )
    if problem:
        return f"redirect to a refused URL: {target} ({problem})"
    if not own_host:
        return f"off-site redirect: {url} -> {target}"
    return None
