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
from functools import lru_cache
from typing import Any

import snowballstemmer

OPERATORS = {"AND", "OR", "NOT"}
_TOKEN = re.compile(r'"[^"]*"|\(|\)|[^\s()"]+')
_WORD_CHARS = re.compile(r"[\w-]+", re.UNICODE)
# Stems shorter than this are too unspecific as prefixes ("ha*" would find half the language).
MIN_PREFIX = 3


class SearchError(ValueError):
    """The query cannot be understood; the message is for the user."""


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    return snowballstemmer.stemmer("swedish")


# Snowball leaves short words alone (its R1 region needs three letters first),
# so "broar" would not reach "bro". These plural and definite endings are
# stripped when Snowball changed nothing and a stem of three letters is left.
_SHORT_WORD_ENDINGS = (
    "arnas",
    "ernas",
    "ornas",
    "arna",
    "erna",
    "orna",
    "ar",
    "er",
    "or",
    "en",
    "et",
)


def stem(word: str) -> str:
    lowered = word.lower()
    base = str(_stemmer().stemWord(lowered))
    if base == lowered:
        for ending in _SHORT_WORD_ENDINGS:
            if lowered.endswith(ending) and len(lowered) - len(ending) >= MIN_PREFIX:
                return lowered[: -len(ending)]
    return base


# A short stem is a poor prefix ("bro*" finds "brott", crime): short stems are
# expanded to their inflected forms instead. Long stems stay prefixes, which
# also finds compounds that start with the word ("trygghetsskapande").
SHORT_STEM = 5
_INFLECTIONS = (
    "", "s", "n", "ns", "en", "ens", "et", "ets", "na", "nas",
    "ar", "arna", "arnas", "er", "erna", "ernas", "or", "orna", "ornas",
    "a", "e", "t", "r", "de", "te", "ade", "at", "ande",
)  # fmt: skip


def _expand_word(word: str) -> str:
    if word.endswith("*"):
        core = word[:-1]
        return f'"{core}"*' if core else ""
    base = stem(word)
    if len(base) < MIN_PREFIX:
        base = word.lower()
    if len(base) < MIN_PREFIX:
        return f'"{word}"'
    if len(base) < SHORT_STEM:
        forms = dict.fromkeys([word.lower(), *(base + ending for ending in _INFLECTIONS)])
        return "(" + " OR ".join(f'"{form}"' for form in forms) + ")"
    return f'"{base}"*'


def fts_query(query: str) -> str:
    """Turn what a person types into an FTS5 MATCH expression.

    Words are stem-expanded; "quoted phrases" are matched as written;
    AND / OR / NOT (upper case) and parentheses are operators.
    """
    if not query or not query.strip():
        raise SearchError("empty search query")
    if query.count('"') % 2:
        raise SearchError("unbalanced quote in search query")
    parts: list[str] = []
    depth = 0
    for token in _TOKEN.findall(query):
        if token == "(":
            depth += 1
            parts.append(token)
        elif token == ")":
            depth -= 1
            if depth < 0:
                raise SearchError("unbalanced parenthesis in search query")
            parts.append(token)
        elif token in OPERATORS:
            parts.append(token)
        elif token.startswith('"'):
            inner = " ".join(_WORD_CHARS.findall(token[1:-1]))
            if inner:
                parts.append(f'"{inner}"')
        else:
            for word in _WORD_CHARS.findall(token):
                expanded = _expand_word(word + ("*" if token.endswith("*") else ""))
                if expanded:
                    parts.append(expanded)
    if depth:
        raise SearchError("unbalanced parenthesis in search query")
    words = [p for p in parts if p not in OPERATORS and p not in "()"]
    if not words:
        raise SearchError(f"nothing to search for in {query!r}")
    if parts[0] in OPERATORS - {"NOT"} or parts[-1] in OPERATORS:
        raise SearchError(f"search query cannot start or end with an operator: {query!r}")
    # FTS5 accepts implicit AND between phrases but not next to a parenthesised
    # group, so adjacent operands get an explicit AND.
    joined: list[str] = []
    for part in parts:
        if joined and joined[-1] not in OPERATORS and joined[-1] != "(":
            if part not in OPERATORS and part != ")":
                joined.append("AND")
        joined.append(part)
    return " ".join(joined)


@dataclass(frozen=True)
class Filters:
    source: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    kind: str | None = None

    def where(self, alias: str = "r") -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.source:
            clauses.append(f"{alias}.source_id IN ({', '.join('?' * len(self.source))})")
            params.extend(self.source)
        if self.since:
            clauses.append(f"{alias}.published_at >= ?")
            params.append(self.since.isoformat())
        if self.until:
            # inclusive: everything published on the `until` day (UTC) counts
            clauses.append(f"{alias}.published_at < date(?, '+1 day')")
            params.append(self.until.isoformat())
        if self.kind:
            clauses.append(f"{alias}.kind = ?")
            params.append(self.kind)
        return clauses, params


@dataclass(frozen=True)
class Hit:
    id: int
    source_id: str
    published_at: str | None
    kind: str
    title: str
    url: str
    snippet: str
    rank: float


HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"


def search(
    conn: sqlite3.Connection, query: str, *, filters: Filters | None = None, limit: int = 20
) -> list[Hit]:
    match = fts_query(query)
    clauses, params = (filters or Filters()).where("r")
    where = " AND ".join(["releases_fts MATCH ?", *clauses])
    sql = f"""
        SELECT r.id, r.source_id, r.published_at, r.kind, r.title, r.url,
               snippet(releases_fts, -1, '{HIGHLIGHT_START}', '{HIGHLIGHT_END}', '…', 16) AS snip,
               bm25(releases_fts, 5.0, 2.0, 1.0) AS rank
        FROM releases_fts JOIN releases r ON r.id = releases_fts.rowid
        WHERE {where}
        ORDER BY rank LIMIT ?"""
    try:
        rows = conn.execute(sql, [match, *params, limit]).fetchall()
    except sqlite3.OperationalError as exc:
        raise SearchError(f"cannot search for {query!r}: {exc}") from None
    return [
        Hit(
            id=row[0],
            source_id=row[1],
            published_at=row[2],
            kind=row[3],
            title=row[4],
            url=row[5],
            snippet=" ".join(str(row[6] or "").split()),
            rank=float(row[7]),
        )
        for row in rows
    ]
