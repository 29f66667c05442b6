"""`pressarchive crawl`, `ingest`, `sources` and `stats`: running crawls and seeing how they went."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from pressarchive.cli.common import (
    DateParam,
    db_option,
    fail,
    open_readonly,
    print_table,
    short_cell,
)
from pressarchive.crawl.gaps import open_gap
from pressarchive.sources import (
    DEFAULT_SOURCES_FILE,
    Source,
    SourceError,
    load_sources,
    select_sources,
)
from pressarchive.storage.connection import ArchiveError
from pressarchive.times import STOCKHOLM


def sources_option(func: Any) -> Any:
    return click.option(
        "--sources",
        "sources_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=DEFAULT_SOURCES_FILE,
        show_default=True,
        help="The registry of press rooms (TOML).",
    )(func)


def _load_registry(path: Path) -> list[Source]:
    try:
        return load_sources(path)
    except SourceError as exc:
        fail(str(exc))


# -- crawl -------------------------------------------------------------------


@click.command()
@click.argument("source_ids", nargs=-1, metavar="SOURCE...")
@click.option("--all", "crawl_all", is_flag=True, help="Crawl every source in the registry.")
@click.option("--full", is_flag=True, help="Walk the whole history, not just what is new.")
@click.option("--since", type=DateParam(), help="Stop at releases older than this day.")
@click.option("--resume", is_flag=True, help="Continue an interrupted crawl where it stopped.")
@click.option("--cache", is_flag=True, help="Use Scrapy's HTTP cache (for development).")
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a Scrapy setting (repeatable), e.g. --set DOWNLOAD_DELAY=2.",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary (for cron).")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Scrapy's own log on stderr (default: only warnings and errors).",
)
@click.option(
    "--redis",
    "redis",
    metavar="URL",
    envvar="PRESSARCHIVE_REDIS_URL",
    help="Share the work with every crawl process of this Redis (redis://HOST:PORT/N); "
    "`pressarchive ingest` writes the archive. Also PRESSARCHIVE_REDIS_URL.",
)
@db_option
@sources_option
def crawl(
    source_ids: tuple[str, ...],
    crawl_all: bool,
    full: bool,
    since: date | None,
    resume: bool,
    cache: bool,
    overrides: tuple[str, ...],
    quiet: bool,
    verbose: bool,
    redis: str | None,
    db: Path,
    sources_file: Path,
) -> None:
    """Crawl SOURCE... (ids from the registry) into the archive.

    Incremental by default: stops paging once a listing page holds only
    releases already archived. Safe under cron: a second crawl of the same
    archive exits with code 75 while one runs.

    Exit codes: 0 new or changed releases stored; 3 finished, nothing new;
    1 a source failed, was interrupted or hit a cap (the next run closes the
    gap it left; `pressarchive stats` shows it); 75 the archive is busy.
    """
    from pressarchive.crawl.runner import CrawlLocked, exit_code, run_crawl

    if crawl_all and source_ids:
        fail(
            f"--all crawls every source; drop it, or drop {' '.join(source_ids)} "
            "(give source names or --all, not both)",
            2,
        )
    if not crawl_all and not source_ids:
        fail("name the sources to crawl, or pass --all (see `pressarchive sources`)", 2)
    registry = _load_registry(sources_file)
    try:
        chosen = registry if crawl_all else select_sources(registry, list(source_ids))
    except SourceError as exc:
        fail(str(exc), 2)
    # Scrapy's INFO log is a page per source: under cron every line of it is
    # mailed. Warnings (a layout that changed) and errors are what needs reading.
    settings: dict[str, str] = {} if verbose else {"LOG_LEVEL": "WARNING"}
    for item in overrides:
        name, sep, value = item.partition("=")
        if not sep or not name:
            fail(f"--set takes NAME=VALUE, got {item!r}", 2)
        settings[name.strip()] = value
    level = settings.get("PRESSARCHIVE_WARC_GZIP_LEVEL", "2").strip()
    if level not in tuple("123456789"):
        fail(f"PRESSARCHIVE_WARC_GZIP_LEVEL is a gzip level, 1 to 9, not {level!r}", 2)
    if redis and (resume or cache):
        fail(
            "--resume and --cache do not apply with --redis (the frontier in Redis is the resume)",
            2,
        )
    if redis:
        _crawl_with_redis(chosen, redis, db, full, since, settings, quiet)
    try:
        results = run_crawl(
            chosen,
            db=db,
            full=full,
            since=since,
            resume=resume,
            cache=cache,
            settings_overrides=settings,
            quiet=quiet,
        )
    except CrawlLocked as exc:
        fail(str(exc), 75)
    except (ArchiveError, RuntimeError) as exc:
        fail(str(exc))
    if not quiet:
        for r in results:
            click.echo(
                f"{r.source_id or r.spider}: {r.status}; {r.stored} new, {r.updated} updated, "
                f"{r.unchanged} unchanged, {r.error_count} errors"
            )
            for error in r.errors[:5]:
                click.echo(f"  error: {error.get('url')}: {error.get('reason')}")
    sys.exit(exit_code(results))


def _crawl_with_redis(
    sources: list[Source],
    url: str,
    db: Path,
    full: bool,
    since: date | None,
    settings: dict[str, str],
    quiet: bool,
) -> None:
    from pressarchive.distributed.connection import RedisUnavailable
    from pressarchive.distributed.runner import redis_exit_code, run_redis_crawl

    try:
        results = run_redis_crawl(
            sources,
            redis_url=url,
            warc_dir=db.parent / "warc",
            full=full,
            since=since,
            settings_overrides=settings,
            quiet=quiet,
        )
    except (RedisUnavailable, RuntimeError) as exc:
        fail(str(exc))
    if not quiet:
        for r in results:
            click.echo(
                f"{r.source_id}: {r.status}; {r.pages} pages, {r.pushed} releases sent to "
                f"the writer, {r.errors} errors"
            )
    sys.exit(redis_exit_code(results))


@click.command()
@click.option(
    "--redis",
    "redis",
    metavar="URL",
    envvar="PRESSARCHIVE_REDIS_URL",
    required=True,
    help="The Redis the crawl processes push to (redis://HOST:PORT/N).",
)
@click.option("--batch", default=200, show_default=True, help="Messages per transaction.")
@click.option(
    "--idle-exit",
    type=float,
    default=None,
    metavar="SECONDS",
    help="Exit once nothing has arrived for this long (default: run until stopped).",
)
@click.option(
    "--wait",
    type=float,
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for another writer's lease to expire.",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary.")
@db_option
def ingest(
    redis: str, batch: int, idle_exit: float | None, wait: float, quiet: bool, db: Path
) -> None:
    """Write what crawl processes (`crawl --redis`) push into the archive.

    The one writer of the archive: batches through the same store as a local
    crawl, the end-of-crawl work (about-text, clustering) when a source's run
    is over. Stop it with SIGTERM or Ctrl-C: it finishes its batch first; a
    writer killed outright loses nothing (its batch is taken up again).

    Exit codes: 0 stopped or idle; 1 error; 75 the archive or the Redis already
    has a writer.
    """
    from pressarchive.crawl.runner import CrawlLocked
    from pressarchive.distributed.connection import RedisUnavailable
    from pressarchive.distributed.ingest import run_writer
    from pressarchive.distributed.writer_lease import WriterBusy

    try:
        stats = run_writer(redis, db, batch_size=batch, idle_exit=idle_exit, wait=wait)
    except (CrawlLocked, WriterBusy) as exc:
        fail(str(exc), 75)
    except (RedisUnavailable, ArchiveError) as exc:
        fail(str(exc))
    if not quiet:
        outcomes = ", ".join(f"{n} {k}" for k, n in sorted(stats.outcomes.items())) or "none"
        click.echo(
            f"ingested {stats.messages} messages in {stats.batches} batches: releases {outcomes}; "
            f"{stats.warc_records} WARC records; {stats.runs_finished} runs finished"
        )


# -- the registry ------------------------------------------------------------


@click.command("sources")
@sources_option
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
def list_sources(sources_file: Path, as_json: bool) -> None:
    """List the press rooms in the registry (and check it)."""
    registry = _load_registry(sources_file)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": s.id,
                        "organisation": s.organisation,
                        "platform": s.platform,
                        "start_urls": list(s.start_urls),
                        "allowed_domains": list(s.allowed_domains),
                        "options": s.options,
                    }
                    for s in registry
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    rows = [(s.id, s.platform, s.organisation, " ".join(s.start_urls)) for s in registry]
    print_table(("id", "platform", "organisation", "start URL"), rows)


# -- stats ---------------------------------------------------------------------


STATS_SQL = """
SELECT s.id AS source, s.platform,
       (SELECT COUNT(*) FROM releases r WHERE r.source_id = s.id) AS releases,
       (SELECT MIN(published_at) FROM releases r WHERE r.source_id = s.id) AS first_published,
       (SELECT MAX(published_at) FROM releases r WHERE r.source_id = s.id) AS last_published,
       c.started_at AS last_crawl, c.status AS last_status,
       c.stored AS last_new, c.error_count AS last_errors, c.stats AS last_stats
FROM sources s
LEFT JOIN crawls c ON c.id = (SELECT MAX(id) FROM crawls WHERE source_id = s.id)
ORDER BY s.id
"""


@click.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
def stats(db: Path, as_json: bool) -> None:
    """Per source: releases, first and last publication, the last crawl."""
    conn = open_readonly(db)
    rows = [_with_missing_fields(dict(row)) for row in conn.execute(STATS_SQL)]
    for row in rows:
        # releases a run that stopped part-way may have left behind; the next
        # crawl of the source walks deep enough to close it
        row["gap"] = open_gap(conn, row["source"])
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("The archive has no sources yet: run `pressarchive crawl`.")
        return
    headers = tuple(rows[0].keys())
    print_table(
        headers, [tuple(short_cell(_swedish_time(_cell(r[h]))) for h in headers) for r in rows]
    )
    click.echo("Times are Swedish time (Europe/Stockholm); --json gives them in UTC.")


MISSING_STAT = "pressarchive/missing_field/"


def _with_missing_fields(row: dict[str, Any]) -> dict[str, Any]:
    """The last crawl's selector-drift count per field (the spider's
    `pressarchive/missing_field/<field>` stats) in place of its raw stats."""
    try:
        crawl_stats = json.loads(row.pop("last_stats") or "{}")
    except ValueError:
        crawl_stats = {}
    row["last_missing"] = {
        key.removeprefix(MISSING_STAT): value
        for key, value in sorted(crawl_stats.items())
        if key.startswith(MISSING_STAT)
    }
    return row


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        return ", ".join(f"{k}×{v}" for k, v in value.items())
    return value


def _swedish_time(value: Any) -> Any:
    """An aware ISO timestamp as Stockholm wall time, for people reading a table."""
    if not isinstance(value, str) or len(value) < 19 or value[10] != "T":
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    return moment.astimezone(STOCKHOLM).isoformat()
