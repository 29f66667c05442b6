"""`pressarchive export`: the archive as CSV, JSON Lines or an Excel workbook.

Every format carries the same columns in the same order (COLUMNS, defined
once here and documented in the README). Rows are streamed from SQLite in
batches: the contacts and tags of a batch come in one query each, and nothing
holds the whole archive in memory, so 100,000 releases export in constant
memory.

One row per release (`--unique`, the default with `--organisation`): a
release published on several platforms is one cluster; the earliest matching
copy is the row and `other_urls` names the other copies, so counting rows
counts releases. `--all-copies` gives every platform's copy its own row.

Contacts are one readable cell, "Name (role, title, phone, e-mail)" per
person joined by " | ", where only the parts a person has appear (no empty
slots), and one person named in two roles appears once with both roles;
`contacts_json` carries the same as JSON for programs.

Spreadsheet safety: a text cell that begins with = + - @ tab or CR is
prefixed with an apostrophe in CSV, so Excel and LibreOffice show it as text
instead of running it as a formula; in a joined cell (contacts, tags,
other_urls) every part is guarded, since splitting the cell (text to
columns) makes each part a cell of its own. The XLSX writer stores every
text cell as a string cell, which no spreadsheet evaluates, so single-valued
text stays verbatim.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, TextIO

import click

from pressarchive.cli.common import (
    db_option,
    fail,
    filter_options,
    make_filters,
    open_readonly,
    resolve_filters,
)
from pressarchive.cli.progress import Progress, is_terminal, progress
from pressarchive.storage.atomic import atomic_output
from pressarchive.storage.search import Filters, SearchError, fts_query


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    type: str = "text"  # text | integer | datetime (UTC) | localdatetime | date | joined | json
    width: int = 14  # characters, for the XLSX column


COLUMNS: tuple[Column, ...] = (
    Column("id", "The release's id in the archive (stable across exports).", "integer", 8),
    Column("source_id", "The press room it was archived from (see `pressarchive sources`).", width=24),
    Column("organisation", "The organisation that published it.", width=24),
    Column("platform", "mynewsdesk, viatt, sitevision, cision or generic.", width=12),
    Column("kind", "pressmeddelande, pressinbjudan or nyhet.", width=16),
    Column("published_date", "Publication day in Swedish time (YYYY-MM-DD).", "date", 12),
    Column("published_at", "Publication time in UTC, ISO 8601.", "datetime", 20),
    Column("published_local", "Publication time in Europe/Stockholm, ISO 8601 with offset (XLSX: a date-time cell in Swedish time).", "localdatetime", 20),
    Column("title", "The headline.", width=50),
    Column("lead", "The introduction (ingress), when the page has one.", width=50),
    Column("body_text", "The text of the release, paragraphs separated by blank lines.", width=80),
    Column("url", "The page it was read from.", width=40),
    Column("canonical_url", "The release's canonical address.", width=40),
    Column("other_urls", "The same release on the cluster's other platforms or press rooms, separated by ' | ' (empty: only this one).", "joined", 40),
    Column("language", "Language code (sv, en).", width=8),
    Column("contacts", "Who to call, in page order: 'Name (role, title, phone, e-mail)' per person, separated by ' | '; only the parts the release gives; one person in two roles appears once with both (roles: contact, press contact, sender).", "joined", 60),
    Column("contacts_json", "The same people as JSON: a list of {name, roles, title, phone, email} (null when not given).", "json", 30),
    Column("tags", "Subjects, categories, regions and keywords, separated by ' | '.", "joined", 30),
    Column("cluster_id", "Releases with the same cluster_id are one release on several platforms.", "integer", 10),
    Column("cluster_size", "How many archived releases share that cluster (1: only this one).", "integer", 8),
    Column("first_seen_at", "When the archive first saw it (UTC, ISO 8601).", "datetime", 20),
    Column("last_seen_at", "When a crawl last saw it (UTC, ISO 8601).", "datetime", 20),
)  # fmt: skip
COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)

FORMATS = ("csv", "jsonl", "xlsx")
DIALECTS = ("excel", "excel-sv")
MULTI_SEPARATOR = " | "
BATCH_SIZE = 500
# Excel refuses longer cells; the rest of such a body stays in CSV/JSONL and the archive.
XLSX_CELL_LIMIT = 32_767
XLSX_TRUNCATED = " […]"

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters that the XLSX (XML) format cannot hold.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value: str) -> str:
    """Make a cell that a spreadsheet would read as a formula read as text."""
    if value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_parts(parts: Sequence[str]) -> str:
    """A joined cell whose every part is formula-safe: splitting the cell
    (text to columns) makes each part a cell of its own."""
    return MULTI_SEPARATOR.join(neutralise(part) for part in parts)


ROLE_ORDER = ("contact", "press_contact", "sender")
ROLE_LABELS = {"contact": "contact", "press_contact": "press contact", "sender": "sender"}


@dataclass
class ContactEntry:
    """One person as a release names them; `roles` in ROLE_ORDER."""

    name: str
    roles: list[str]
    title: str | None
    phone: str | None
    email: str | None

    def label(self) -> str:
        roles = ", ".join(ROLE_LABELS.get(r, r) for r in self.roles)
        details = [d for d in (roles, self.title, self.phone, self.email) if d]
        return f"{self.name} ({', '.join(details)})" if details else self.name

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "roles": self.roles,
            "title": self.title,
            "phone": self.phone,
            "email": self.email,
        }


def merge_contacts(
    mentions: Iterable[tuple[int, str, str, str | None, str | None, str | None]],
) -> list[ContactEntry]:
    """(contact_id, name, role, title, phone, email) in page order -> one entry
    per person, their roles together, in the order they first appear."""
    entries: dict[int, ContactEntry] = {}
    for contact_id, name, role, title, phone, email in mentions:
        entry = entries.get(contact_id)
        if entry is None:
            entries[contact_id] = ContactEntry(name, [role], title or None, phone, email)
            continue
        if role not in entry.roles:
            entry.roles.append(role)
            entry.roles.sort(key=lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else 99)
        entry.title = entry.title or title or None
    return list(entries.values())


# -- reading the archive ----------------------------------------------------


def _matching(
    filters: Filters, query: str | None, alias: str, match: str | None
) -> tuple[list[str], list[Any]]:
    clauses, params = filters.where(alias)
    if query:
        clauses.append(f"{alias}.id IN (SELECT rowid FROM releases_fts WHERE releases_fts MATCH ?)")
        params.append(match)
    return clauses, params


def _release_sql(
    filters: Filters, query: str | None, unique: bool = False
) -> tuple[str, list[Any]]:
    match = fts_query(query) if query else None
    clauses, params = _matching(filters, query, "r", match)
    if unique:
        # The earliest copy of its cluster among the releases that match, in the
        # order of the unique_releases view: a release published on two
        # platforms is one row, whichever of its copies the filters let in.
        inner, inner_params = _matching(filters, query, "r2", match)
        inner_where = "".join(f" AND {c}" for c in inner)
        clauses.append(
            f"""(r.cluster_id IS NULL OR r.id = (
                SELECT r2.id FROM releases r2 WHERE r2.cluster_id = r.cluster_id{inner_where}
                ORDER BY r2.published_at IS NULL, r2.published_at, r2.id LIMIT 1))"""
        )
        params.extend(inner_params)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    sql = f"""
        SELECT r.id, r.source_id, COALESCE(r.organisation, s.organisation) AS organisation,
               r.platform, r.kind, r.published_at, r.published_local, r.title, r.lead,
               r.body_text, r.url, r.canonical_url, r.language, r.cluster_id,
               (SELECT COUNT(*) FROM releases c WHERE c.cluster_id = r.cluster_id)
                   AS cluster_size,
               r.first_seen_at, r.last_seen_at
        FROM releases r LEFT JOIN sources s ON s.id = r.source_id{where}
        ORDER BY r.published_at IS NULL, r.published_at, r.id"""
    return sql, params


def count_releases(
    conn: sqlite3.Connection,
    filters: Filters | None = None,
    query: str | None = None,
    *,
    unique: bool = False,
) -> int:
    sql, params = _release_sql(filters or Filters(), query, unique)
    return int(conn.execute(f"SELECT COUNT(*) FROM ({sql})", params).fetchone()[0])


def _contacts_by_release(
    conn: sqlite3.Connection, ids: Sequence[int]
) -> dict[int, list[ContactEntry]]:
    mentions: dict[int, list[tuple[int, str, str, str | None, str | None, str | None]]] = {}
    rows = conn.execute(
        f"""SELECT rc.release_id, c.id, c.name, rc.role, COALESCE(rc.title, c.title),
                   c.phone, c.email
            FROM release_contacts rc JOIN contacts c ON c.id = rc.contact_id
            WHERE rc.release_id IN ({", ".join("?" * len(ids))})
            ORDER BY rc.release_id, rc.position, rc.role""",
        list(ids),
    )
    for release_id, contact_id, name, role, title, phone, email in rows:
        mentions.setdefault(int(release_id), []).append(
            (int(contact_id), name, role, title, phone, email)
        )
    return {release_id: merge_contacts(found) for release_id, found in mentions.items()}


def _other_urls_by_release(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    rows = conn.execute(
        f"""SELECT r.id, o.url FROM releases r
            JOIN releases o ON o.cluster_id = r.cluster_id AND o.id != r.id
            WHERE r.id IN ({", ".join("?" * len(ids))})
            ORDER BY r.id, o.published_at IS NULL, o.published_at, o.id""",
        list(ids),
    )
    for release_id, url in rows:
        found.setdefault(int(release_id), []).append(url)
    return found


def _tags_by_release(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    rows = conn.execute(
        f"""SELECT rt.release_id, t.name FROM release_tags rt JOIN tags t ON t.id = rt.tag_id
            WHERE rt.release_id IN ({", ".join("?" * len(ids))})
            ORDER BY rt.release_id, t.kind, t.name""",
        list(ids),
    )
    for release_id, name in rows:
        found.setdefault(int(release_id), []).append(name)
    return found


def _published_date(published_local: str | None, published_at: str | None) -> str | None:
    # The Swedish calendar day is what a reader means by "published on".
    stamp = published_local or published_at
    return stamp[:10] if stamp else None


def _flatten(
    row: sqlite3.Row | tuple[Any, ...],
    contacts: list[ContactEntry],
    tags: list[str],
    other_urls: list[str],
) -> dict[str, Any]:
    """One release as a dict keyed by COLUMN_NAMES; joined columns are lists
    (the writers join them), contacts_json a list of dicts."""
    (
        release_id, source_id, organisation, platform, kind, published_at, published_local,
        title, lead, body_text, url, canonical_url, language, cluster_id, cluster_size,
        first_seen_at, last_seen_at,
    ) = tuple(row)  # fmt: skip
    return {
        "id": release_id,
        "source_id": source_id,
        "organisation": organisation,
        "platform": platform,
        "kind": kind,
        "published_date": _published_date(published_local, published_at),
        "published_at": published_at,
        "published_local": published_local,
        "title": title,
        "lead": lead,
        "body_text": body_text,
        "url": url,
        "canonical_url": canonical_url,
        "language": language,
        "other_urls": other_urls,
        "contacts": [c.label() for c in contacts],
        "contacts_json": [c.as_json() for c in contacts],
        "tags": tags,
        "cluster_id": cluster_id,
        "cluster_size": cluster_size,
        "first_seen_at": first_seen_at,
        "last_seen_at": last_seen_at,
    }


def export_rows(
    conn: sqlite3.Connection,
    filters: Filters | None = None,
    query: str | None = None,
    *,
    unique: bool = False,
    batch_size: int = BATCH_SIZE,
) -> Iterator[dict[str, Any]]:
    """The releases matching the filters (and full-text `query`), oldest first,
    one dict per release keyed by COLUMN_NAMES (one per cluster when `unique`).
    Streams in batches."""
    sql, params = _release_sql(filters or Filters(), query, unique)
    # A cursor of its own: the batch look-ups below must not reset it.
    cursor = conn.cursor()
    cursor.execute(sql, params)
    while batch := cursor.fetchmany(batch_size):
        ids = [int(row[0]) for row in batch]
        contacts = _contacts_by_release(conn, ids)
        tags = _tags_by_release(conn, ids)
        others = _other_urls_by_release(conn, ids)
        for row in batch:
            release_id = int(row[0])
            yield _flatten(
                row,
                contacts.get(release_id, []),
                tags.get(release_id, []),
                others.get(release_id, []),
            )


# -- writers ----------------------------------------------------------------


def _json_cell(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if value else ""


def _csv_cell(column: Column, value: Any) -> Any:
    if value is None:
        return ""
    if column.type == "joined":
        return neutralise_parts(value)
    if column.type == "json":
        return _json_cell(value)  # starts with [ : never a formula
    if isinstance(value, str):
        return neutralise(value)
    return value


def write_csv(rows: Iterable[dict[str, Any]], stream: TextIO, *, dialect: str = "excel") -> int:
    """CSV with a header; `excel-sv` separates with semicolons for Swedish Excel.
    The caller opens `stream` with newline="" (and utf-8-sig for the BOM)."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown CSV dialect {dialect!r}; use one of {', '.join(DIALECTS)}")
    writer = csv.writer(stream, dialect="excel", delimiter=";" if dialect == "excel-sv" else ",")
    writer.writerow(COLUMN_NAMES)
    written = 0
    for row in rows:
        writer.writerow([_csv_cell(column, row[column.name]) for column in COLUMNS])
        written += 1
    return written


def _jsonl_value(column: Column, value: Any) -> Any:
    # JSON is for programs: joined cells as they read in a spreadsheet, but
    # exact (no formula guard); contacts_json as real JSON.
    if column.type == "joined":
        return MULTI_SEPARATOR.join(value)
    return value


def write_jsonl(rows: Iterable[dict[str, Any]], stream: TextIO) -> int:
    written = 0
    for row in rows:
        record = {c.name: _jsonl_value(c, row[c.name]) for c in COLUMNS}
        stream.write(json.dumps(record, ensure_ascii=False))
        stream.write("\n")
        written += 1
    return written


def _parse_datetime(value: str) -> datetime:
    # Excel has no time zones: UTC stamps are written as naive UTC datetimes
    # (the column header and README say UTC), and published_local as the
    # Swedish wall-clock time it carries (its offset dropped).
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=None)


def _xlsx_text(value: str) -> str:
    value = _XML_ILLEGAL.sub("", value)
    if len(value) > XLSX_CELL_LIMIT:
        value = value[: XLSX_CELL_LIMIT - len(XLSX_TRUNCATED)] + XLSX_TRUNCATED
    return value


def _xlsx_value(column: Column, value: Any) -> Any:
    if value is None or value == "" or value == []:
        return None
    if column.type == "joined":
        return _xlsx_text(neutralise_parts(value))
    if column.type == "json":
        return _xlsx_text(_json_cell(value))
    if column.type in ("datetime", "localdatetime"):
        return _parse_datetime(str(value))
    if column.type == "date":
        return date.fromisoformat(str(value))
    if isinstance(value, str):
        return _xlsx_text(value)
    return value


def write_xlsx(
    rows: Iterable[dict[str, Any]],
    target: Path | IO[bytes],
    *,
    sheet_title: str = "releases",
    row_count: int | None = None,
) -> int:
    """An Excel workbook: typed date cells, frozen header, autofilter, sized columns.

    Written in openpyxl's write-only mode, which streams rows to disk.
    `row_count` (when known) sets the autofilter over exactly the data."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    if row_count is not None:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{row_count + 1}"

    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column.name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)

    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    formats = {
        "datetime": "yyyy-mm-dd hh:mm:ss",
        "localdatetime": "yyyy-mm-dd hh:mm",
        "date": "yyyy-mm-dd",
    }
    written = 0
    for row in rows:
        cells = []
        for column in COLUMNS:
            cell = WriteOnlyCell(sheet, value=_xlsx_value(column, row[column.name]))
            if column.type in formats:
                cell.number_format = formats[column.type]
            if isinstance(cell.value, str):
                # A string cell is never evaluated: "=SUM(A1)" stays text.
                cell.data_type = "s"
                cell.alignment = wrap if "\n" in cell.value else top
            cells.append(cell)
        sheet.append(cells)
        written += 1
    workbook.save(target)
    return written


def _counted(rows: Iterable[dict[str, Any]], bar: Progress) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield row
        bar.advance()


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
    enabled = is_terminal() if show_progress is None else show_progress
    # Counting costs one more pass; worth it only when someone watches the bar
    # or the XLSX autofilter needs the extent.
    total = (
        count_releases(conn, filters, query, unique=unique) if enabled or fmt == "xlsx" else None
    )
    with progress(total, f"export {fmt}", enabled=enabled) as bar:
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
    default=None,
    help="One row per release (the earliest copy; other_urls names the others), "
    "or one row per platform copy. Default: --unique with --organisation, else --all-copies.",
)
@click.option("--no-unique", "no_unique", is_flag=True, help="The same as --all-copies.")
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
    no_unique: bool,
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
    if no_unique and unique:
        fail("--unique and --no-unique contradict each other; give one", 2)
    if no_unique:
        unique = False
    if unique is None:
        # An organisation's releases are asked for as releases, not as platform
        # copies: the same release on two platforms would be counted twice.
        unique = organisation is not None
    filters = make_filters(sources, since, until, kind, organisation)
    if fmt == "xlsx" and output is None and is_terminal(sys.stdout):
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


__all__ = [
    "COLUMNS",
    "COLUMN_NAMES",
    "Column",
    "count_releases",
    "export",
    "export_command",
    "export_rows",
    "merge_contacts",
    "neutralise",
    "neutralise_parts",
    "write_csv",
    "write_jsonl",
    "write_xlsx",
]
