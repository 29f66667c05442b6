"""Full-text search over the archive, with Swedish word forms.

The FTS5 index keeps the words as written (å, ä, ö distinct). A reader's word
is expanded at query time: its Snowball Swedish stem becomes a prefix query,
so *trygghet* (stem *trygg*) finds *tryggheten* and *trygghetsskapande*, and
*bro* finds *bron* and *broar*. Stemming the query rather than the index keeps
snippets and Datasette's own search working on the real text.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

from pressarchive.storage.search_query import (
    SearchError,
    Term,
    compile_query,
)


def organisation_sql(alias: str) -> str:
    """A release's organisation: the one its page names, else its source's."""
    return (
        f"COALESCE({alias}.organisation, "
        f"(SELECT organisation FROM sources WHERE id = {alias}.source_id))"
    )


ORGANISATIONS_SQL = f"SELECT DISTINCT {organisation_sql('r')} FROM releases r"


@dataclass(frozen=True)
class Filters:
    source: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    kind: str | None = None
    organisation: str | None = None  # as the archive spells it
    unique: bool = False  # one release per cluster, as the view unique_releases

    def where(self, alias: str = "r") -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.source:
            clauses.append(f"{alias}.source_id IN ({', '.join('?' * len(self.source))})")
            params.extend(self.source)
        if self.organisation:
            clauses.append(f"{organisation_sql(alias)} = ?")
            params.append(self.organisation)
        # Days are Swedish days: a release of 00:30 on New Year's Day, Stockholm
        # time, belongs to the new year though it is still the old one in UTC.
        # published_local starts with the local date (ISO 8601 with offset).
        if self.since:
            clauses.append(f"{alias}.published_local >= ?")
            params.append(self.since.isoformat())
        if self.until:
            clauses.append(f"{alias}.published_local < date(?, '+1 day')")
            params.append(self.until.isoformat())
        if self.kind:
            clauses.append(f"{alias}.kind = ?")
            params.append(self.kind)
        if self.unique:  # the view's rule, asked of the view (storage/schema.py)
            clauses.append(f"EXISTS (SELECT 1 FROM unique_releases u WHERE u.id = {alias}.id)")
        return clauses, params


@dataclass(frozen=True)
class Hit:
    id: int
    source_id: str
    published_at: str | None  # UTC
    published_local: str | None  # Europe/Stockholm: its date is the one a reader expects
    kind: str
    title: str
    url: str
    snippet: str
    rank: float


HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"
SNIPPET_TOKENS = 24
_TEXT_TOKEN = re.compile(r"\w+", re.UNICODE)

ORDERS = ("newest", "oldest", "relevance")


def snippet(text: str, terms: tuple[Term, ...], *, size: int = SNIPPET_TOKENS) -> str:
    """The window of `size` words with the most matches, matches marked with
    HIGHLIGHT_START/END. Done in Python for the few hits shown: FTS5's own
    snippet() re-runs the whole query for every row."""
    tokens = list(_TEXT_TOKEN.finditer(text))
    if not tokens:
        return ""
    exact = {t.form for t in terms if not t.prefix}
    prefixes = tuple(t.form for t in terms if t.prefix)
    hits = [
        (word := m.group().lower()) in exact or (bool(prefixes) and word.startswith(prefixes))
        for m in tokens
    ]
    best_start, best_count, count = 0, -1, 0
    for i in range(len(tokens)):
        count += hits[i]
        if i >= size:
            count -= hits[i - size]
        if count > best_count:
            best_count, best_start = count, max(0, i - size + 1)
    # The scan finds the window that *ends* at its last match; centre it on its
    # matches so that a snippet cut short by a narrow display keeps them.
    matched = [i for i in range(best_start, min(best_start + size, len(tokens))) if hits[i]]
    if matched:
        centre = (matched[0] + matched[-1]) // 2
        best_start = max(0, min(centre - size // 2, len(tokens) - size))
    window = tokens[best_start : best_start + size]
    start, end = window[0].start(), window[-1].end()
    # A window at either end of the text keeps its punctuation, not an ellipsis.
    if best_start == 0:
        start = 0
    if best_start + size >= len(tokens):
        end = len(text)
    pieces: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for token, hit in zip(window, hits[best_start : best_start + size], strict=True):
        if hit:
            pieces.append(text[cursor : token.start()])
            pieces.append(HIGHLIGHT_START + token.group() + HIGHLIGHT_END)
            cursor = token.end()
    pieces.append(text[cursor:end])
    pieces.append("…" if end < len(text) else "")
    return " ".join("".join(pieces).split())


# Newest (oldest) first: a query with few matches reads them all and sorts
# them (SPARSE of them at most); one with more walks the publication-date index
# in chunks that double in size, asking FTS5 for the matches within each
# chunk's range of ids (FTS5 reads a rowid range of its index without touching
# the rest), and stops at the chunk that completes the page of results. A word
# in every release costs one small chunk. Release ids follow the order in which
# releases were first stored, which is close to publication order; where it is
# not (a backfilled history), a chunk's id range is wider and costs more, never
# a wrong result.
SPARSE = 500
FIRST_CHUNK = 256
# Relevance (BM25) scores every match. A query matching more releases than this
# is ranked among its RELEVANCE_POOL most recently archived matches (FTS5 reads
# them off the end of its index): BM25 then spends its time on the releases a
# reader is likeliest to want, and a word in every release (whose BM25 weight
# is nil anyway) costs what a rarer one does.
RELEVANCE_POOL = 1000


def _matching_ids(
    conn: sqlite3.Connection,
    match: str,
    limit: int,
    low: int | None = None,
    high: int | None = None,
) -> list[int]:
    """Rowids matching `match` (within low..high), at most `limit` of them."""
    if low is None or high is None:
        sql = "SELECT rowid FROM releases_fts WHERE releases_fts MATCH ? LIMIT ?"
        return [int(r[0]) for r in conn.execute(sql, (match, limit))]
    sql = (
        "SELECT rowid FROM releases_fts WHERE releases_fts MATCH ? "
        "AND rowid BETWEEN ? AND ? LIMIT ?"
    )
    return [int(r[0]) for r in conn.execute(sql, (match, low, high, limit))]


def _passing(conn: sqlite3.Connection, ids: list[int], filters: Filters) -> set[int]:
    """Those of `ids` that pass `filters`."""
    clauses, params = filters.where("r")
    passing: set[int] = set()
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        sql = (
            f"SELECT r.id FROM releases r WHERE r.id IN ({', '.join('?' * len(chunk))})"
            + "".join(f" AND {c}" for c in clauses)
        )
        passing.update(int(r[0]) for r in conn.execute(sql, [*chunk, *params]))
    return passing


def in_date_order(
    conn: sqlite3.Connection,
    match: str,
    filters: Filters,
    limit: int,
    *,
    direction: str = "DESC",
) -> list[int]:
    """The first `limit` matches in order of publication (`direction` DESC:
    newest first, undated last; ASC: the reverse), ties by id the same way."""
    unfiltered = not filters.where("r")[0]
    few = _matching_ids(conn, match, SPARSE + 1)
    if len(few) <= SPARSE:
        if not unfiltered:
            few = [i for i in few if i in _passing(conn, few, filters)]
        if not few:
            return []
        rows = conn.execute(
            f"""SELECT id FROM releases WHERE id IN ({", ".join("?" * len(few))})
                ORDER BY published_at {direction}, id {direction} LIMIT ?""",
            [*few, limit],
        )
        return [int(r[0]) for r in rows]
    found: list[int] = []
    offset, size = 0, FIRST_CHUNK
    while len(found) < limit:
        chunk = [
            int(r[0])
            for r in conn.execute(
                f"""SELECT id FROM releases INDEXED BY releases_published
                    ORDER BY published_at {direction}, id {direction} LIMIT ? OFFSET ?""",
                (size, offset),
            )
        ]
        if not chunk:
            break
        hits = set(_matching_ids(conn, match, len(chunk) * 4 + 1_000_000, min(chunk), max(chunk)))
        in_chunk = [i for i in chunk if i in hits]
        if in_chunk and not unfiltered:
            passing = _passing(conn, in_chunk, filters)
            in_chunk = [i for i in in_chunk if i in passing]
        found.extend(in_chunk)
        offset += size
        size *= 2
    return found[:limit]


def search(
    conn: sqlite3.Connection,
    query: str,
    *,
    filters: Filters | None = None,
    limit: int = 20,
    order: str = "newest",
) -> list[Hit]:
    """Releases matching `query`, newest first by default.

    Newest (and oldest) first read the date index chunk by chunk and stop at
    the chunk that fills the page (see FIRST_CHUNK); `relevance` (BM25, title
    weighted highest) ranks every match, or the RELEVANCE_POOL most recently
    archived of a query that matches more.
    """
    compiled = compile_query(query)
    if order not in ORDERS:
        raise SearchError(f"unknown order {order!r}; use one of {', '.join(ORDERS)}")
    filters = filters or Filters()
    try:
        if order == "relevance":
            ranked = _relevance(conn, compiled.match, filters, limit)
        else:
            direction = "DESC" if order == "newest" else "ASC"
            ids = in_date_order(conn, compiled.match, filters, limit, direction=direction)
            ranked = [(i, 0.0) for i in ids]
    except sqlite3.OperationalError as exc:
        raise SearchError(f"cannot search for {query!r}: {exc}") from None
    if not ranked:
        return []
    ids = [int(row[0]) for row in ranked]
    rows = {
        int(row[0]): row
        for row in conn.execute(
            f"""SELECT id, source_id, published_at, kind, title, url, lead, body_text,
                       published_local
                FROM releases WHERE id IN ({", ".join("?" * len(ids))})""",
            ids,
        )
    }
    hits = []
    for release_id, rank in ranked:
        row = rows[int(release_id)]
        text = "\n".join(part for part in (row[6], row[7]) if part) or row[4]
        hits.append(
            Hit(
                id=int(release_id),
                source_id=row[1],
                published_at=row[2],
                published_local=row[8],
                kind=row[3],
                title=row[4],
                url=row[5],
                snippet=snippet(text, compiled.terms),
                rank=float(rank),
            )
        )
    return hits


def _relevance(
    conn: sqlite3.Connection, match: str, filters: Filters, limit: int
) -> list[tuple[int, float]]:
    clauses, params = filters.where("r")
    filter_sql = "".join(f" AND {c}" for c in clauses)
    many = conn.execute(
        "SELECT COUNT(*) FROM (SELECT rowid FROM releases_fts WHERE releases_fts MATCH ? LIMIT ?)",
        (match, RELEVANCE_POOL + 1),
    ).fetchone()[0]
    if many <= RELEVANCE_POOL:
        sql = f"""
            SELECT r.id, bm25(releases_fts, 5.0, 2.0, 1.0) AS rank
            FROM releases_fts JOIN releases r ON r.id = releases_fts.rowid
            WHERE releases_fts MATCH ?{filter_sql}
            ORDER BY rank LIMIT ?"""
        return [(int(i), float(rank)) for i, rank in conn.execute(sql, [match, *params, limit])]
    pool = [
        int(r[0])
        for r in conn.execute(
            "SELECT rowid FROM releases_fts WHERE releases_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
            (match, RELEVANCE_POOL),
        )
    ]
    if clauses:
        passing = _passing(conn, pool, filters)
        pool = [i for i in pool if i in passing]
    if not pool:
        return []
    low, high = min(pool), max(pool)
    wanted = set(pool)
    scored = [
        (float(rank), int(i))
        for i, rank in conn.execute(
            """SELECT rowid, bm25(releases_fts, 5.0, 2.0, 1.0) FROM releases_fts
               WHERE releases_fts MATCH ? AND rowid BETWEEN ? AND ?""",
            (match, low, high),
        )
        if int(i) in wanted
    ]
    scored.sort()
    return [(i, rank) for rank, i in scored[:limit]]
