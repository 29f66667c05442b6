"""Exports: the archive as rows for CSV, JSON Lines or an Excel workbook (the command: cli/export.py).

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
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, TextIO

from pressarchive.storage.export_columns import (
    _XML_ILLEGAL,
    BATCH_SIZE,
    COLUMN_NAMES,
    COLUMNS,
    DIALECTS,
    MULTI_SEPARATOR,
    XLSX_CELL_LIMIT,
    XLSX_TRUNCATED,
    Column,
    ContactEntry,
    merge_contacts,
    neutralise,
    neutralise_parts,
)
from pressarchive.storage.search import Filters
from pressarchive.storage.search_query import fts_query

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
