"""`pressarchive export`: the command, with its progress bar, the file written
beside the target and renamed, and CSV, JSON Lines or XLSX on stdout."""

from __future__ import annotations

import io
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from pressarchive.cli.common import (
    db_option,
    fail,
    filter_options,
    make_filters,
    open_readonly,
    resolve_filters,
)
from pressarchive.storage.atomic import atomic_output
from pressarchive.storage.export import (
    count_releases,
    export_rows,
    write_csv,
    write_jsonl,
    write_xlsx,
)
from pressarchive.storage.export_columns import (
    DIALECTS,
    FORMATS,
)
from pressarchive.storage.search import Filters
from pressarchive.storage.search_query import SearchError

if TYPE_CHECKING:
    from tqdm import tqdm


def _counted(rows: Iterable[dict[str, Any]], bar: tqdm[Any]) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield row
        bar.update()


def export(
    conn: sqlite3.Connection,
    fmt: str,
    output: Path | None,
    *,
    filters: Filters | None = None,
    query: str | None = None,
    dialect: str = "excel",
    unique: bool = False,
    show_progress: bool | None = None,
) -> int:
    """Write the matching releases to `output` (None: stdout); returns the row count."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    filters = filters or Filters()
    # the bar goes to stderr, and only to a terminal: a cron job's mail stays clean
    enabled = sys.stderr.isatty() if show_progress is None else show_progress
    from tqdm import tqdm  # here: every command's start-up imports this module

    # Counting costs one more pass; worth it only when someone watches the bar
    # or the XLSX autofilter needs the extent.
    total = (
        count_releases(conn, filters, query, unique=unique) if enabled or fmt == "xlsx" else None
    )
    with tqdm(
        total=total, desc=f"export {fmt}", unit=" rows", file=sys.stderr, disable=not enabled
    ) as bar:
        rows = _counted(export_rows(conn, filters, query, unique=unique), bar)
        if output is None:
            return (
                _export_xlsx(rows, None, total)
                if fmt == "xlsx"
                else _export_text(rows, fmt, None, dialect)
            )
        # written beside the target and renamed: a killed export leaves no half file
        with atomic_output(output) as partial:
            if fmt == "xlsx":
                return _export_xlsx(rows, partial, total)
            return _export_text(rows, fmt, partial, dialect)


def _export_xlsx(rows: Iterable[dict[str, Any]], output: Path | None, total: int | None) -> int:
    if output is not None:
        return write_xlsx(rows, output, row_count=total)
    buffer = io.BytesIO()
    written = write_xlsx(rows, buffer, row_count=total)
    stdout = sys.stdout.buffer
    stdout.write(buffer.getvalue())
    stdout.flush()
    return written


def _export_text(
    rows: Iterable[dict[str, Any]], fmt: str, output: Path | None, dialect: str
) -> int:
    # The BOM is what makes Excel read the file as UTF-8 (å ä ö intact).
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    if output is not None:
        with output.open("w", encoding=encoding, newline="") as stream:
            return _write_text(rows, fmt, stream, dialect)
    binary = sys.stdout.buffer
    stream = io.TextIOWrapper(binary, encoding=encoding, newline="", write_through=False)
    try:
        return _write_text(rows, fmt, stream, dialect)
    finally:
        stream.flush()
        stream.detach()


def _write_text(rows: Iterable[dict[str, Any]], fmt: str, stream: TextIO, dialect: str) -> int:
    if fmt == "csv":
        return write_csv(rows, stream, dialect=dialect)
    return write_jsonl(rows, stream)


@click.command("export")
@db_option
@filter_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="csv",
    show_default=True,
    help="csv (UTF-8 with BOM), jsonl (one JSON object a line) or xlsx (Excel workbook).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (default: stdout).",
)
@click.option(
    "--dialect",
    type=click.Choice(DIALECTS),
    default=None,
    help="CSV only: excel (commas, the default) or excel-sv (semicolons, as Swedish Excel expects).",
)
@click.option("--query", "-q", metavar="WORDS", help="Only releases matching these words.")
@click.option(
    "--unique/--all-copies",
    " /--no-unique",
    default=None,
    help="One row per release (the earliest copy; other_urls names the others), "
    "or one row per platform copy (also --no-unique). "
    "Default: --unique with --organisation, else --all-copies.",
)
def export_command(
    db: Path,
    sources: tuple[str, ...],
    organisation: str | None,
    since: date | None,
    until: date | None,
    kind: str | None,
    fmt: str,
    output: Path | None,
    dialect: str | None,
    query: str | None,
    unique: bool | None,
) -> None:
    """Export releases to CSV, JSON Lines or Excel, with the same filters as search.

    Columns are the same, in the same order, in every format; dates are
    ISO 8601 (typed date cells in xlsx). All 2024 releases of one press room
    as a spreadsheet, and every release mentioning a bridge as CSV for
    Swedish Excel:

    \b
        pressarchive export --source norrkoping-mynewsdesk --since 2024-01-01 \\
            --until 2024-12-31 --format xlsx -o releases-2024.xlsx
        pressarchive export --query bro --dialect excel-sv -o bro.csv

    With --organisation each release is one row (--unique): the same release
    on Mynewsdesk and Via TT is counted once, its other copies in other_urls.
    --all-copies gives one row per platform copy.
    """
    if dialect is not None and fmt != "csv":
        fail(f"--dialect is for CSV only; --format {fmt} has no dialect", 2)
    if unique is None:
        # An organisation's releases are asked for as releases, not as platform
        # copies: the same release on two platforms would be counted twice.
        unique = organisation is not None
    filters = make_filters(sources, since, until, kind, organisation)
    if fmt == "xlsx" and output is None and sys.stdout.isatty():
        fail("xlsx is a binary file: give --output FILE (or redirect stdout)")
    if output is not None and output.parent and not output.parent.exists():
        fail(f"{output.parent}: no such folder")
    conn = open_readonly(db, check=True)  # it reads everything: refuse a damaged archive
    try:
        filters = resolve_filters(conn, filters)
        try:
            written = export(
                conn,
                fmt,
                output,
                filters=filters,
                query=query,
                dialect=dialect or "excel",
                unique=unique,
            )
        except SearchError as exc:
            fail(str(exc))
    finally:
        conn.close()
    if output is not None:
        what = "releases (one row per release)" if unique else "rows (one per platform copy)"
        click.echo(f"{written} {what} written to {output}", err=True)
