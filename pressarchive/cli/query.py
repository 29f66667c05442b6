"""`pressarchive search`, `sql` and `history`: reading the archive from the command line."""

from __future__ import annotations

import csv
import difflib
import json
import sqlite3
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from pressarchive.cli.common import (
    db_option,
    fail,
    filter_options,
    make_filters,
    open_readonly,
    print_table,
    resolve_filters,
    short_cell,
)
from pressarchive.storage.search import HIGHLIGHT_END, HIGHLIGHT_START, ORDERS, search
from pressarchive.storage.search_query import SearchError

# -- search ------------------------------------------------------------------


@click.command("search")
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
        print_table(("date", "source", "title", "snippet"), rows, wrap_last=True)
    else:
        for row in rows:
            click.echo("\t".join(row))


def _highlight(snippet: str, styled: bool) -> str:
    if styled:
        return snippet.replace(HIGHLIGHT_START, "\x1b[1;33m").replace(HIGHLIGHT_END, "\x1b[0m")
    return snippet.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")


# -- sql -----------------------------------------------------------------------


@click.command()
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
        print_table(headers, [tuple(short_cell(v) for v in row) for row in rows])


# -- history -----------------------------------------------------------------


@click.command()
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
