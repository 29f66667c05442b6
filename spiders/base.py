"""What every press-room spider shares: the source, the incremental rule, the
release callback with its missing-field alarms, and the error log.

A platform spider only navigates: it reads a listing into `ListingEntry`s and a
next-page URL, and hands them to `listing_page`, which decides what to fetch.
What a release page says is read by `pressarchive.extract`, never here.

What the crawl's other components must know (the errors, "already archived?",
whether pages are read in workers) is in the crawler's state
(pressarchive.crawl.state), not on the spider; a second machine's crawl swaps
in its own "already archived?" there (pressarchive.distributed.frontier).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar

import scrapy
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from pressarchive.crawl.gaps import WALK_CUT_STAT
from pressarchive.crawl.middlewares import RedirectRefused
from pressarchive.crawl.pool import FetchedPage, PendingRelease, read_release
from pressarchive.crawl.state import crawl_state
from pressarchive.extract import MISSING_PREFIX
from pressarchive.items import Release
from pressarchive.refine.dates import parse_date
from pressarchive.sources import DEFAULT_SOURCES_FILE, Source, SourceError, load_sources
from pressarchive.storage.seen import SeenIndex, open_seen_index

log = logging.getLogger(__name__)

# A press room of ten years at twenty releases a page is a few hundred listing
# pages; a walk past this many is a listing that never ends.
DEFAULT_MAX_LISTING_PAGES = 2000
# A listing's next page goes before the releases queued, so the queue never runs dry
WALK_PRIORITY = 1  # while the walk goes on (the Redis frontier puts it at the front)

TRUE_WORDS = frozenset(("1", "true", "yes", "y", "on", "full"))


@dataclass
class ListingEntry:
    """One release as a listing shows it."""

    url: str
    title: str | None = None
    published_raw: str | None = None


def as_bool(value: bool | str | None) -> bool:
    if isinstance(value, bool):
        return value
    return bool(value) and str(value).strip().lower() in TRUE_WORDS


def as_date(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def failure_reason(failure: Failure) -> str:
    """A short, readable reason: "HTTP 404", "TimeoutError: ...", "DNSLookupError: ..."."""
    response = getattr(failure.value, "response", None)
    if response is not None and getattr(response, "status", None):
        return f"HTTP {response.status}"
    message = str(failure.value).strip()
    name = type(failure.value).__name__
    lowered = message.lower()
    if "during decompression" in lowered:
        return f"decompression bomb: {message}"
    if "max size" in lowered or "maxsize" in lowered:
        return f"too large: {message}"
    if "max redirections" in lowered:
        return f"redirect loop: {message}"
    if isinstance(failure.value, RedirectRefused):
        return message
    return f"{name}: {message}" if message else name


class PressroomSpider(scrapy.Spider):
    """Base of the platform spiders; subclasses set `name`, `platform`, `parse`."""

    platform: ClassVar[str] = ""

    def __init__(
        self,
        source: Source | str | None = None,
        sources_file: str | None = None,
        full: bool | str = False,
        since: date | str | None = None,
        deep: bool | str = False,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.full: bool = as_bool(full)
        # The last run did not finish its walk (pressarchive.crawl.gaps): walk the
        # listings to the end, fetching only what is not archived.
        self.deep: bool = as_bool(deep)
        self.listing_pages_walked = 0
        self.since: date | None = as_date(since)
        self.sources_file = sources_file
        self._source_arg = source
        if isinstance(source, Source):
            self._use_source(source)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> PressroomSpider:
        spider: PressroomSpider = super().from_crawler(crawler, *args, **kwargs)
        if not isinstance(spider._source_arg, Source):
            spider._use_source(spider._resolve_source(crawler.settings))
        crawl_state(crawler).seen = open_seen_index(crawler.settings)
        spider.max_listing_pages = crawler.settings.getint(
            "PRESSARCHIVE_MAX_LISTING_PAGES", DEFAULT_MAX_LISTING_PAGES
        )
        release_max = crawler.settings.getint("PRESSARCHIVE_RELEASE_MAXSIZE", 0)
        download_max = crawler.settings.getint("DOWNLOAD_MAXSIZE", 0)
        if release_max and download_max:
            # a request's own cap replaces DOWNLOAD_MAXSIZE: never let it raise it
            release_max = min(release_max, download_max)
        if release_max:
            # Reading a page (lxml, trafilatura) costs many times its size in
            # memory: a release page gets a cap of its own, below DOWNLOAD_MAXSIZE
            # (which sitemaps need).
            spider.release_size_meta = {
                "download_maxsize": release_max,
                "download_warnsize": min(
                    release_max, crawler.settings.getint("DOWNLOAD_WARNSIZE") or release_max
                ),
            }
        return spider

    release_size_meta: dict[str, int] | None = None
    max_listing_pages: int = 0

    @property
    def seen(self) -> SeenIndex:
        """The crawl's "already archived?" (the archive's index, or a shared one in Redis)."""
        return crawl_state(self.crawler).seen

    # -- the source -------------------------------------------------------------

    def _resolve_source(self, settings: Any) -> Source:
        path = Path(
            self.sources_file or settings.get("PRESSARCHIVE_SOURCES") or DEFAULT_SOURCES_FILE
        )
        sources = load_sources(path)
        wanted = self._source_arg
        if isinstance(wanted, str) and wanted:
            matches = [s for s in sources if s.id == wanted]
            if not matches:
                raise SourceError(f"{path}: no source with id '{wanted}'")
        else:
            matches = [s for s in sources if s.platform == self.platform]
            if not matches:
                raise SourceError(f"{path}: no source with platform '{self.platform}'")
        if matches[0].platform != self.platform:
            raise SourceError(
                f"source '{matches[0].id}' is a {matches[0].platform} source, "
                f"not {self.platform}: use `scrapy crawl {matches[0].platform}`"
            )
        return matches[0]

    def _use_source(self, source: Source) -> None:
        self.source: Source = source
        self.start_urls = list(source.start_urls)
        self.allowed_domains = list(source.allowed_domains)

    async def start(self) -> Any:
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[Request]:
        for url in self.start_urls:
            yield Request(url, callback=self.parse, errback=self.errback, dont_filter=True)

    # -- listings: the incremental rule ------------------------------------------

    def is_before_since(self, entry: ListingEntry) -> bool:
        """True when the listing dates the entry before --since (unknown dates are not)."""
        if self.since is None or not entry.published_raw:
            return False
        parsed = parse_date(entry.published_raw)
        return parsed is not None and parsed.utc.date() < self.since

    def look_ahead(self, entries: list[ListingEntry]) -> None:
        """Let an index that asks a server (Redis) ask for a listing page's
        entries at once, before `wants` asks for each."""
        look_ahead = getattr(self.seen, "look_ahead", None)
        if look_ahead is not None and not self.full:
            look_ahead(self.source.id, [entry.url for entry in entries])

    def wants(self, entry: ListingEntry) -> bool:
        """Fetch this entry? Always under --full; otherwise only when not archived
        (or archived under another title: the release was edited)."""
        if self.full:
            return True
        return not self.seen.is_archived(self.source.id, entry.url, entry.title)

    def listing_page(
        self,
        response: Response,
        entries: list[ListingEntry],
        next_url: str | None,
        *,
        callback: Callable[..., Any] | None = None,
        release_callback: Callable[..., Any] | None = None,
    ) -> Iterator[Request]:
        """Requests for the entries to fetch, then for the next listing page when
        the walk goes on (`incremental_rule`)."""
        wanted, goes_on = self.incremental_rule(entries)
        for entry in wanted:
            yield response.follow(
                entry.url,
                callback=release_callback or self.parse_release,
                errback=self.errback,
                cb_kwargs={"entry": entry},
                meta=self.release_size_meta,
            )
        self.crawler.stats.inc_value("pressarchive/listing_pages")
        self.listing_pages_walked += 1
        if self.deep:
            self.crawler.stats.set_value("pressarchive/deep_walk", True)
        if not entries:
            # A listing page always lists something: its selectors stopped matching.
            self.logger.warning(
                "listing %s: no releases found (has the %s layout changed?)",
                response.url,
                self.platform,
            )
            self.crawler.stats.inc_value("pressarchive/missing_field/listing_entries")
        if next_url and goes_on:
            if self.max_listing_pages and self.listing_pages_walked >= self.max_listing_pages:
                self.cut_walk(
                    next_url,
                    f"the listing page cap of {self.max_listing_pages} "
                    "(PRESSARCHIVE_MAX_LISTING_PAGES) was reached",
                )
                return
            # A deep walk must reach pages a killed run saw but never fetched.
            yield response.follow(
                next_url,
                callback=callback or self.parse,
                errback=self.errback,
                dont_filter=self.deep,
                priority=WALK_PRIORITY,
            )

    def service_page(self, releases: list[Release]) -> tuple[list[Release], bool]:
        """A service page (whole releases, no page to fetch) under the listing's rule:
        the releases to store, and whether the next page is wanted (as listing_page)."""
        entries = [ListingEntry(r.url, r.title, r.published_raw) for r in releases]
        wanted, goes_on = self.incremental_rule(entries)
        release_of = {id(entry): release for entry, release in zip(entries, releases, strict=True)}
        kept = [self.finish_release(release_of[id(entry)]) for entry in wanted]
        self.crawler.stats.inc_value("pressarchive/service_pages")
        return kept, goes_on

    def incremental_rule(self, entries: list[ListingEntry]) -> tuple[list[ListingEntry], bool]:
        """The page's entries to fetch, and whether the walk goes on past the page:
        under --full or a deep walk always, otherwise only if the page held
        something new (a page of only archived releases means the rest is known),
        and never past --since (listings are newest first)."""
        wanted: list[ListingEntry] = []
        reached_since = False
        self.look_ahead(entries)
        for entry in entries:
            if self.is_before_since(entry):
                reached_since = True
            elif self.wants(entry):
                wanted.append(entry)
        return wanted, not reached_since and (self.full or self.deep or bool(wanted))

    def cut_walk(self, url: str, reason: str) -> None:
        """The walk stops before its end: an error, and a gap the next run closes."""
        self.crawler.stats.set_value(WALK_CUT_STAT, reason)
        self.record_error(url, f"walk stopped: {reason}")

    # -- release pages -------------------------------------------------------------

    def parse_release(
        self, response: Response, entry: ListingEntry | None = None
    ) -> Iterator[Release]:
        yield self.release_response(response, entry)

    def release_response(self, response: Response, entry: ListingEntry | None = None) -> Release:
        """The release the page shows; missing required fields are warned about and counted.
        With a worker pipeline on, the page is handed over unread (`PendingRelease`)."""
        encoding = getattr(response, "encoding", None) if _charset_in_header(response) else None
        page = FetchedPage(
            body=response.body,
            url=response.url,
            platform=self.platform,
            source_id=self.source.id,
            organisation=self.source.organisation,
            encoding=encoding,
            fetched_at=datetime.now(UTC),
            listing_published_raw=entry.published_raw if entry is not None else None,
        )
        if crawl_state(self.crawler).read_in_workers:
            return PendingRelease(
                source=page.source_id, platform=page.platform, url=page.url, page=page
            )
        return self.finish_release(read_release(page))

    def finish_release(self, release: Release) -> Release:
        """A release read (here or in a worker): count it, say what it lacks."""
        self.report_missing(release)
        self.crawler.stats.inc_value("pressarchive/releases_read")
        return release

    def report_missing(self, release: Release) -> None:
        for flag in release.flags:
            if flag.startswith(MISSING_PREFIX):
                name = flag[len(MISSING_PREFIX) :]
                self.logger.warning(
                    "source %s: %s: field '%s' came back empty (has the %s layout changed?)",
                    self.source.id,
                    release.url,
                    name,
                    self.platform,
                )
                self.crawler.stats.inc_value(f"pressarchive/missing_field/{name}")

    # -- errors --------------------------------------------------------------------

    def errback(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if request is not None and request.meta.get("redirect_urls"):
            url = request.meta["redirect_urls"][0]  # the page the listing named
        reason = failure_reason(failure)
        self.record_error(url, reason)

    def record_error(self, url: str, reason: str) -> None:
        self.logger.error("failed %s: %s", url, reason)
        crawl_state(self.crawler).errors.append({"url": url, "reason": reason})
        self.crawler.stats.inc_value("pressarchive/errors")


def _charset_in_header(response: Response) -> bool:
    """Only a charset the server declared is authoritative; otherwise the page decides."""
    content_type = response.headers.get(b"Content-Type") or b""
    return b"charset=" in content_type.lower()
