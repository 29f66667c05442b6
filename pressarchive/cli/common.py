"""What every `pressarchive` command shares: --db, the filters, one-line errors."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from pressarchive.items import KINDS
from pressarchive.storage.connection import ArchiveError, connect
from pressarchive.storage.search import ORGANISATIONS_SQL, Filters
from pressarchive.storage.store import Archive

DEFAULT_DB = Path("data/pressarchive.db")

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 1) -> NoReturn:
    """One clear line on stderr and a non-zero exit: never a traceback."""
    click.echo(f"pressarchive: {message}", err=True)
    sys.exit(code)


def db_option(func: F) -> F:
    return click.option(
        "--db",
        "db",
        type=click.Path(dir_okay=False, path_type=Path),
        default=DEFAULT_DB,
        show_default=True,
        help="The archive (SQLite file).",
    )(func)


class DateParam(click.ParamType):
    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date; use YYYY-MM-DD", param, ctx)


def filter_options(func: F) -> F:
    """--source, --organisation, --since, --until, --kind: the same filters on
    search and export."""
    func = click.option("--kind", type=click.Choice(KINDS), help="Only this kind of release.")(func)
    func = click.option(
        "--until",
        type=DateParam(),
        help="Published on or before this day (YYYY-MM-DD, Swedish time).",
    )(func)
    func = click.option(
        "--since",
        type=DateParam(),
        help="Published on or after this day (YYYY-MM-DD, Swedish time).",
    )(func)
    func = click.option(
        "--organisation",
        metavar="NAME",
        help='Only releases of this organisation, from all its press rooms ("Norrköpings kommun").',
    )(func)
    func = click.option(
        "--source",
        "sources",
        multiple=True,
        metavar="ID",
        help="Only releases of this source (repeatable).",
    )(func)
    return func


def make_filters(
    sources: tuple[str, ...],
    since: date | None,
    until: date | None,
    kind: str | None,
    organisation: str | None = None,
) -> Filters:
    if since and until and since > until:
        fail(f"--since {since} is after --until {until}")
    return Filters(source=sources, since=since, until=until, kind=kind, organisation=organisation)


def open_readonly(db: Path, *, check: bool = False) -> sqlite3.Connection:
    """A read-only connection to an archive that must already exist; `check`
    refuses a damaged one first (PRAGMA quick_check, store.check_integrity)."""
    try:
        archive = Archive(db, readonly=True, check=check)
    except ArchiveError as exc:
        fail(str(exc))
    return archive.conn


def _check_sources_exist(conn: sqlite3.Connection, sources: tuple[str, ...]) -> None:
    if not sources:
        return
    known = {row[0] for row in conn.execute("SELECT id FROM sources")}
    unknown = [s for s in sources if s not in known]
    if unknown:
        fail(
            f"unknown source(s) in the archive: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(known)) or 'none'})"
        )


def resolve_filters(conn: sqlite3.Connection, filters: Filters) -> Filters:
    """The filters with the organisation spelt as the archive spells it.

    A source or organisation the archive does not know is a typo, not an empty
    result: one line and a non-zero exit."""
    _check_sources_exist(conn, filters.source)
    if filters.organisation is None:
        return filters
    known = sorted(row[0] for row in conn.execute(ORGANISATIONS_SQL) if row[0])
    wanted = filters.organisation.strip().casefold()
    for name in known:
        if name.casefold() == wanted:
            return replace(filters, organisation=name)
    fail(
        f"unknown organisation in the archive: {filters.organisation} "
        f"(known: {', '.join(known) or 'none'})"
    )


__all__ = [
    "DEFAULT_DB",
    "DateParam",
    "connect",
    "db_option",
    "fail",
    "filter_options",
    "make_filters",
    "open_readonly",
    "resolve_filters",
]


def print_table(
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


def short_cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    # ISO timestamps: the minute is enough in a table
    if len(text) >= 19 and text[4] == "-" and text[10] == "T":
        return text[:16].replace("T", " ")
    return text
