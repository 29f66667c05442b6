"""The search language: words ANDed, "phrases", OR, NOT and parentheses, each word
expanded to its Swedish inflections and compounds (Snowball stems), compiled
to an FTS5 query (`storage.search` runs it)."""

from __future__ import annotations

import re
from dataclasses import dataclass
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
