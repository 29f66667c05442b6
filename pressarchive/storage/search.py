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


@dataclass(frozen=True)
class Term:
    """A word form the query matches: exactly, or as a prefix."""

    form: str
    prefix: bool = False


def _expand_word(word: str) -> tuple[str, list[Term]]:
    if word.endswith("*"):
        core = word[:-1].lower()
        return (f'"{core}"*', [Term(core, True)]) if core else ("", [])
    lowered = word.lower()
    base = stem(word)
    if len(base) < MIN_PREFIX:
        base = lowered
    if len(base) < MIN_PREFIX:
        return f'"{lowered}"', [Term(lowered)]
    if len(base) < SHORT_STEM:
        forms = list(dict.fromkeys([lowered, *(base + ending for ending in _INFLECTIONS)]))
        match = "(" + " OR ".join(f'"{form}"' for form in forms) + ")"
        return match, [Term(form) for form in forms]
    return f'"{base}"*', [Term(base, True)]


@dataclass(frozen=True)
class CompiledQuery:
    match: str  # the FTS5 MATCH expression
    terms: tuple[Term, ...]  # what to highlight (NOT-ed words excluded)


def compile_query(query: str) -> CompiledQuery:
    """Turn what a person types into an FTS5 MATCH expression.

    Words are stem-expanded; "quoted phrases" are matched as written;
    AND / OR / NOT (upper case) and parentheses are operators.
    """
    if not query or not query.strip():
        raise SearchError("empty search query")
    if query.count('"') % 2:
        raise SearchError("unbalanced quote in search query")
    parts: list[str] = []
    terms: list[Term] = []
    depth = 0
    negated = False
    for token in _TOKEN.findall(query):
        if token == "(":
            depth += 1
            parts.append(token)
            continue
        if token == ")":
            depth -= 1
            if depth < 0:
                raise SearchError("unbalanced parenthesis in search query")
            parts.append(token)
            continue
        if token in OPERATORS:
            parts.append(token)
            negated = token == "NOT"
            continue
        if token.startswith('"'):
            words = _WORD_CHARS.findall(token[1:-1])
            if words:
                parts.append('"' + " ".join(words) + '"')
                if not negated:
                    terms.extend(Term(w.lower()) for w in words)
        else:
            for word in _WORD_CHARS.findall(token):
                match, word_terms = _expand_word(word + ("*" if token.endswith("*") else ""))
                if match:
                    parts.append(match)
                    if not negated:
                        terms.extend(word_terms)
        negated = False
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
        if (
            joined
            and joined[-1] not in OPERATORS
            and joined[-1] != "("
            and part not in OPERATORS
            and part != ")"
        ):
            joined.append("AND")
        joined.append(part)
    return CompiledQuery(" ".join(joined), tuple(dict.fromkeys(terms)))


def fts_query(query: str) -> str:
    """The FTS5 MATCH expression for what a person typed (see compile_query)."""
    return compile_query(query).match


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


def search(
    conn: sqlite3.Connection,
    query: str,
    *,
    filters: Filters | None = None,
    limit: int = 20,
    order: str = "newest",
) -> list[Hit]:
    """Releases matching `query`, newest first by default.

    Newest-first walks the publication-date index and stops after `limit`
    matches, so it stays fast on words that occur in most releases;
    `relevance` (BM25, title weighted highest) has to score every match.
    """
    compiled = compile_query(query)
    if order not in ORDERS:
        raise SearchError(f"unknown order {order!r}; use one of {', '.join(ORDERS)}")
    clauses, params = (filters or Filters()).where("r")
    filter_sql = "".join(f" AND {c}" for c in clauses)
    if order == "relevance":
        sql = f"""
            SELECT r.id, bm25(releases_fts, 5.0, 2.0, 1.0) AS rank
            FROM releases_fts JOIN releases r ON r.id = releases_fts.rowid
            WHERE releases_fts MATCH ?{filter_sql}
            ORDER BY rank LIMIT ?"""
        args: list[Any] = [compiled.match, *params, limit]
    else:
        direction = "DESC" if order == "newest" else "ASC"
        sql = f"""
            SELECT r.id, 0.0 FROM releases r INDEXED BY releases_published
            WHERE r.id IN (SELECT rowid FROM releases_fts WHERE releases_fts MATCH ?){filter_sql}
            ORDER BY r.published_at {direction}, r.id {direction} LIMIT ?"""
        args = [compiled.match, *params, limit]
    try:
        ranked = conn.execute(sql, args).fetchall()
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
