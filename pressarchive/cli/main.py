"""`pressarchive`: crawl press rooms into a SQLite archive, then search, export and serve it."""

from __future__ import annotations

import csv
import difflib
import json
import sqlite3
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from pressarchive.cli.common import (
    DEFAULT_DB,
    DateParam,
    db_option,
    fail,
    filter_options,
    make_filters,
    open_readonly,
    resolve_filters,
)
from pressarchive.crawl.gaps import open_gap
from pressarchive.sources import (
    DEFAULT_SOURCES_FILE,
    Source,
    SourceError,
    load_sources,
    select_sources,
)
from pressarchive.storage.search import HIGHLIGHT_END, HIGHLIGHT_START, ORDERS, SearchError, search
from pressarchive.storage.store import ArchiveError
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


class OneLineErrors(click.Group):
    """A database error no command foresaw (a damaged archive page found
    mid-query) is one line and exit 1, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except sqlite3.DatabaseError as exc:
            fail(
                f"the archive cannot be read ({exc}); `pressarchive sql 'PRAGMA quick_check'` checks it"
            )


@click.group(
    cls=OneLineErrors,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="pressarchive")
def main() -> None:
    """Archive press releases from press rooms (Mynewsdesk, Via TT, Sitevision,
    Cision, feeds) into one SQLite file, then search, export and serve it.

    Start with `pressarchive demo`, or `pressarchive sources` to see the registry.
    """


# -- crawl -------------------------------------------------------------------


@main.command()
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


@main.command()
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
    from pressarchive.distributed.ingest import WriterBusy, run_writer

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


@main.command("sources")
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
    _print_table(("id", "platform", "organisation", "start URL"), rows)


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


@main.command()
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
    _print_table(
        headers, [tuple(_short(_swedish_time(_cell(r[h]))) for h in headers) for r in rows]
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


def _short(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    # ISO timestamps: the minute is enough in a table
    if len(text) >= 19 and text[4] == "-" and text[10] == "T":
        return text[:16].replace("T", " ")
    return text


# -- search ------------------------------------------------------------------


@main.command("search")
@click.argument("query")
@filter_options
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option(
    "--order",
    type=click.Choice(ORDERS),
    default="newest",
    show_default=True,
    help="newest/oldest by publication date, or relevance (slower on very common words).",
)
@click.option("--json", "as_json", is_flag=True, help="JSON Lines for scripts.")
@db_option
def search_command(
    query: str,
    sources: tuple[str, ...],
    organisation: str | None,
    since: date | None,
    until: date | None,
    kind: str | None,
    limit: int,
    order: str,
    as_json: bool,
    db: Path,
) -> None:
    """Full-text search: Swedish word forms included (bro finds bron, broar).

    Words are ANDed; use "quoted phrases", OR, NOT and parentheses.
    """
    filters = make_filters(sources, since, until, kind, organisation)
    conn = open_readonly(db)
    filters = resolve_filters(conn, filters)
    try:
        hits = search(conn, query, filters=filters, limit=limit, order=order)
    except SearchError as exc:
        fail(str(exc), 2)
    if as_json:
        for hit in hits:
            data = hit.__dict__ | {
                "snippet": hit.snippet.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")
            }
            click.echo(json.dumps(data, ensure_ascii=False))
        return
    styled = sys.stdout.isatty()
    if not hits:
        click.echo("No releases found.", err=True)
        return
    rows = [
        ((h.published_local or "")[:10], h.source_id, h.title, _highlight(h.snippet, styled))
        for h in hits
    ]
    if styled:
        _print_table(("date", "source", "title", "snippet"), rows, wrap_last=True)
    else:
        for row in rows:
            click.echo("\t".join(row))


def _highlight(snippet: str, styled: bool) -> str:
    if styled:
        return snippet.replace(HIGHLIGHT_START, "\x1b[1;33m").replace(HIGHLIGHT_END, "\x1b[0m")
    return snippet.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")


# -- sql -----------------------------------------------------------------------


@main.command()
@click.argument("query")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    help="Stop the query after this many seconds (0: no limit).",
)
@db_option
def sql(query: str, fmt: str, timeout: float, db: Path) -> None:
    """Run a read-only SQL query on the archive (writes, ATTACH, VACUUM and
    pragmas that set something are refused; a query stops after --timeout).

    Exit codes: 0 the query ran (its rows, possibly none, are printed); 2 an
    empty query, a syntax error, a write or the time limit; 1 no archive at --db.
    """
    from pressarchive.cli.readonly_sql import explain, guard

    if not query.strip():
        fail('give a query, e.g. pressarchive sql "SELECT COUNT(*) FROM unique_releases"', 2)
    conn = open_readonly(db)
    conn.execute("PRAGMA query_only = ON")
    guard(conn, timeout=timeout)
    try:
        cursor = conn.execute(query)
        rows = cursor.fetchall()
    except sqlite3.Error as exc:
        fail(explain(exc, timeout=timeout), 2)
    headers = tuple(d[0] for d in cursor.description or ())
    if fmt == "json":
        click.echo(
            json.dumps([dict(zip(headers, row, strict=True)) for row in rows], ensure_ascii=False)
        )
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(headers)
        writer.writerows(tuple(row) for row in rows)
    else:
        _print_table(headers, [tuple(_short(v) for v in row) for row in rows])


# -- history -----------------------------------------------------------------


@main.command()
@click.argument("release_id", type=int)
@db_option
def history(release_id: int, db: Path) -> None:
    """Show the versions of a release and what changed between them."""
    conn = open_readonly(db)
    current = conn.execute(
        "SELECT id, title, lead, body_text, first_seen_at, updated_at, url FROM releases WHERE id = ?",
        (release_id,),
    ).fetchone()
    if current is None:
        fail(f"no release with id {release_id}")
    versions = [
        dict(row)
        for row in conn.execute(
            "SELECT seen_from, replaced_at, title, lead, body_text FROM revisions "
            "WHERE release_id = ? ORDER BY id",
            (release_id,),
        )
    ]
    versions.append(
        {
            "seen_from": current["updated_at"] or current["first_seen_at"],
            "replaced_at": None,
            "title": current["title"],
            "lead": current["lead"],
            "body_text": current["body_text"],
        }
    )
    click.echo(f"Release {release_id}: {current['title']}\n{current['url']}")
    click.echo(f"{len(versions)} version(s)")
    for number, version in enumerate(versions, 1):
        until = version["replaced_at"] or "now"
        click.echo(f"\n== version {number}: seen {version['seen_from']} until {until}")
        if number == 1:
            continue
        previous = versions[number - 2]
        before = _version_lines(previous)
        after = _version_lines(version)
        diff = difflib.unified_diff(
            before, after, f"version {number - 1}", f"version {number}", lineterm=""
        )
        for line in diff:
            click.echo(line)


def _version_lines(version: dict[str, Any]) -> list[str]:
    return [
        f"Title: {version['title']}",
        f"Lead: {version['lead']}",
        "",
        *str(version["body_text"]).splitlines(),
    ]


# -- helpers -----------------------------------------------------------------


def _print_table(
    headers: tuple[str, ...], rows: list[tuple[Any, ...]], *, wrap_last: bool = False
) -> None:
    texts = [[str(v) if v is not None else "" for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in texts:
        for i, value in enumerate(row):
            if not (wrap_last and i == len(row) - 1):
                widths[i] = min(max(widths[i], len(value)), 60)

    def fmt(row: list[str]) -> str:
        cells = []
        for i, value in enumerate(row):
            if wrap_last and i == len(row) - 1:
                cells.append(value)
            else:
                cut = value if len(value) <= widths[i] else value[: widths[i] - 1] + "…"
                cells.append(cut.ljust(widths[i]))
        return "  ".join(cells).rstrip()

    click.echo(fmt(list(headers)))
    click.echo("  ".join("-" * w for w in widths))
    for row in texts:
        click.echo(fmt(row))


__all__ = ["DEFAULT_DB", "main"]


def _add_commands() -> None:
    # Commands with a module of their own; imported here so that `--help`
    # lists them, their heavy imports happen only when they run.
    from pressarchive.cli.demo import demo_command
    from pressarchive.cli.replay import extract_command, reextract_command
    from pressarchive.cli.serve import serve_command
    from pressarchive.storage.export import export_command

    for command in (
        demo_command,
        extract_command,
        reextract_command,
        export_command,
        serve_command,
    ):
        main.add_command(command)


_add_commands()
