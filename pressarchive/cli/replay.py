"""`pressarchive extract` and `pressarchive reextract`: extraction without crawling.

`extract` runs extraction and cleaning on saved pages (or a URL) and prints
every field, touching no archive. `reextract` replays the archived responses
(WARC) through the same spiders and pipelines, with no network.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

from pressarchive.cli.common import db_option, fail
from pressarchive.sources import (
    DEFAULT_SOURCES_FILE,
    PLATFORMS,
    Source,
    SourceError,
    load_sources,
)
from pressarchive.storage.connection import ArchiveError
from pressarchive.storage.store import Archive

# Path shapes that name a platform, for `extract` without --platform.
_PLATFORM_HINTS = (
    ("/pressmeddelande/", "viatt"),
    ("/pressreleases/", "mynewsdesk"),
    ("/pressrelease/view/", "mynewsdesk"),
    ("/nyhetsarkiv/", "sitevision"),
    ("/r/", "cision"),
)


def guess_platform(location: str, page: bytes | str | None = None) -> str:
    """The platform of a page: what the page itself says (its template classes,
    asset paths, embedded state, own canonical URL) beats the URL it was
    given, which may be missing, a bare file path, or wrong."""
    from pressarchive.extract.detect import platform_of_page

    if page is not None:
        named = platform_of_page(page)
        if named is not None:
            return named
    lowered = location.lower()
    if "mynewsdesk" in lowered:
        return "mynewsdesk"
    if "via.tt.se" in lowered:
        return "viatt"
    if "cision" in lowered:
        return "cision"
    for hint, platform in _PLATFORM_HINTS:
        if hint in lowered:
            return platform
    return "generic"


def _transient(error: BaseException) -> bool:
    """Worth another try: a timeout, a dropped connection, 429 or a 5xx answer."""
    if isinstance(error, urllib.error.HTTPError):
        return error.code == 429 or error.code >= 500
    return isinstance(error, urllib.error.URLError | TimeoutError | ConnectionError)


# A press room that answers 503 once should not fail `extract URL`; three tries
# with a short backoff, as Scrapy's retry would, and then the error is the user's.
@retry(
    retry=retry_if_exception(_transient),
    stop=stop_after_attempt(3),
    wait=wait_exponential(multiplier=0.5, max=4),
    reraise=True,
)
def _fetch(url: str, timeout: float) -> tuple[bytes, str, str | None]:
    request = urllib.request.Request(url, headers={"User-Agent": "pressarchive/0.1 (extract)"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read(), response.geturl(), response.headers.get_content_charset()


def _read(location: str, timeout: float) -> tuple[bytes, str, str | None]:
    """The page's bytes, its URL, and the charset the server declared."""
    if location.startswith(("http://", "https://")):
        return _fetch(location, timeout)
    path = Path(location)
    return path.read_bytes(), path.resolve().as_uri(), None


@click.command("extract")
@click.argument("locations", nargs=-1, required=True, metavar="FILE|URL...")
@click.option(
    "--platform",
    type=click.Choice(PLATFORMS),
    help="Default: recognised from the page itself, else guessed from the URL.",
)
@click.option("--url", "page_url", help="The page's original URL, for saved files (links, ids).")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "jsonl"]), default="json", show_default=True
)
@click.option("--source", "source_id", default="extract", help="Source id to put on records.")
@click.option("--timeout", type=float, default=30.0, help="Seconds, when fetching a URL.")
def extract_command(
    locations: tuple[str, ...],
    platform: str | None,
    page_url: str | None,
    fmt: str,
    source_id: str,
    timeout: float,
) -> None:
    """Extract and clean saved pages (or URLs) and print every field as JSON.

    Touches no archive: for debugging extractors and for evaluations.
    """
    from pressarchive.extract import extract_page
    from pressarchive.refine.process import process

    records: list[dict[str, Any]] = []
    for location in locations:
        try:
            body, url, charset = _read(location, timeout)
        except (OSError, ValueError) as exc:
            fail(f"{location}: cannot read: {exc}")
        url = page_url or url
        chosen = platform or guess_platform(page_url or location, body)
        release = extract_page(
            body,
            url,
            platform=chosen,
            source_id=source_id,
            encoding=charset,
            fetched_at=datetime.now(UTC),
        )
        process(release)
        record = release.to_json_dict()
        record["location"] = location
        records.append(record)
        if fmt == "jsonl":
            click.echo(json.dumps(record, ensure_ascii=False))
    if fmt == "json":
        click.echo(
            json.dumps(records[0] if len(records) == 1 else records, ensure_ascii=False, indent=2)
        )


@click.command("reextract")
@click.option("--source", "source_ids", multiple=True, metavar="ID", help="Only this source.")
@click.option(
    "--sources",
    "sources_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_SOURCES_FILE,
    show_default=True,
    help="Registry, for source options (the archive's own list is used otherwise).",
)
@click.option(
    "--warc-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the WARC files are (default: warc/ beside the archive).",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary.")
@click.option("-v", "--verbose", is_flag=True, help="Scrapy's whole log on stderr.")
@db_option
def reextract_command(
    source_ids: tuple[str, ...],
    sources_file: Path,
    warc_dir: Path | None,
    quiet: bool,
    verbose: bool,
    db: Path,
) -> None:
    """Run extraction again over the archived pages, with no network.

    Replays the WARC archive through the same spiders and pipelines, updating
    releases in place (a better extraction is not a new version). Quiet but
    for one line per source, warnings and errors (-v: Scrapy's whole log).

    Exit codes: 0 every page replayed (pages that were HTTP errors when crawled
    are listed again, as such); 1 a source failed, or a page could not be read
    again (listed; nothing stored is lost); 75 a crawl of the archive is running.
    """
    from pressarchive.crawl.runner import CrawlLocked, exit_code, run_crawl

    if not db.exists():
        fail(f"{db}: no archive here (run a crawl first, or pass --db)")
    try:
        with Archive(db) as archive:
            sources = archive_sources(archive, sources_file)
    except ArchiveError as exc:
        fail(str(exc))
    if source_ids:
        unknown = [s for s in source_ids if s not in sources]
        if unknown:
            fail(f"unknown source(s) in the archive: {', '.join(unknown)}")
        chosen = [sources[s] for s in source_ids]
    else:
        chosen = list(sources.values())
    if not chosen:
        fail("the archive has no sources yet: nothing to re-extract")
    warc = warc_dir or db.parent / "warc"
    with Archive(db) as archive:
        responses = archive.conn.execute(
            "SELECT COUNT(*) FROM warc_records WHERE status BETWEEN 200 AND 299"
        ).fetchone()[0]
    settings = {
        "PRESSARCHIVE_PROGRESS_TOTAL": int(responses),
        "PRESSARCHIVE_REPLAY": True,
        "PRESSARCHIVE_WARC_DIR": str(warc),
        # replayed responses are already in the WARC files
        "DOWNLOADER_MIDDLEWARES": {"pressarchive.crawl.warc.WarcRecorderMiddleware": None},
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_STORAGE": "pressarchive.crawl.warc.WarcCacheStorage",
        "HTTPCACHE_IGNORE_MISSING": True,
        "HTTPCACHE_EXPIRATION_SECS": 0,
        "HTTPCACHE_IGNORE_HTTP_CODES": [],
        "ROBOTSTXT_OBEY": False,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "RETRY_ENABLED": False,
    }
    if not verbose:
        settings["LOG_LEVEL"] = "WARNING"
    try:
        results = run_crawl(chosen, db=db, full=True, settings_overrides=settings, quiet=quiet)
    except CrawlLocked as exc:
        fail(str(exc), 75)
    except (ArchiveError, RuntimeError) as exc:
        fail(str(exc))
    for r in results if not quiet else ():
        click.echo(
            f"{r.source_id}: {r.status}; {r.updated} updated, {r.unchanged} unchanged, "
            f"{r.stored} new, {r.error_count} errors"
        )
        for error in r.errors[:5]:
            note = " (an error page when it was crawled, too)" if _archived_error(error) else ""
            click.echo(f"  error: {error.get('url')}: {error.get('reason')}{note}")
    code = exit_code(results)
    if code == 3:
        code = 0  # nothing changed is what a replay of unchanged code should give
    if code == 0 and any(not _archived_error(e) for r in results for e in r.errors):
        code = 1
    sys.exit(code)


def _archived_error(error: dict[str, Any]) -> bool:
    """An HTTP error status replayed from the WARC: the page was an error when
    it was crawled (the crawl recorded it then); replaying it is no failure."""
    return str(error.get("reason") or "").startswith("HTTP ")


def archive_sources(archive: Archive, sources_file: Path) -> dict[str, Source]:
    """The archive's sources, with options from the registry where it knows them."""
    try:
        registry = {s.id: s for s in load_sources(sources_file)}
    except SourceError:
        registry = {}
    sources: dict[str, Source] = {}
    for row in archive.conn.execute(
        "SELECT id, organisation, platform, start_urls FROM sources ORDER BY id"
    ):
        known = registry.get(row["id"])
        start_urls = tuple(json.loads(row["start_urls"] or "[]"))
        sources[row["id"]] = Source(
            id=row["id"],
            organisation=row["organisation"],
            platform=row["platform"],
            start_urls=start_urls,
            allowed_domains=known.allowed_domains
            if known
            else tuple(sorted({urlsplit(u).hostname or "" for u in start_urls})),
            options=known.options if known else {},
        )
    return sources
