"""Class selectors on a whole page, answered from one index instead of a scan each.

An extractor asks a release page for a handful of classes
(`.press-release__body`, `.press-release__date`, ...), alone, in lists
(`.a, h1.b`) or as one descendant pair (`.press-release__contacts
.contact-card`). parsel translates each to XPath whose class test,
`contains(concat(' ', normalize-space(@class), ' '), ' x ')`, libxml2
evaluates string by string on every element of the page: ~35 µs a query on a
demo Mynewsdesk release page (one-off timing). `ClassIndex` indexes every
class of the page in one pass (~65 µs), after which each query is a look-up:
the five whole-page class queries of the Mynewsdesk extractor and its
contact-card pair went from ~300 to ~95 µs a page, the pass included.

On a small subtree (a contact card of seven elements) XPath is the faster
for one query (~9 µs against ~12 µs for a Python pass), so only the page's
root is indexed; `first_of_each` answers several queries of a subtree in
one pass.

The answers are parsel's: the elements in document order, the root itself
included (parsel's `descendant-or-self::`), tags matched exactly and classes
split on XPath's white space only. Any other query is not parsed (None) and
goes to XPath.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import lxml.etree

# The class names our extractors use are plain CSS identifiers; an escaped or
# attribute selector is left to XPath.
_SIMPLE = re.compile(r"([a-z][a-z0-9]*)?(?:\.(-?[_a-zA-Z][_a-zA-Z0-9-]*))?")


def class_tokens(value: str) -> Iterator[str]:
    """The tokens of a class attribute as XPath's normalize-space() splits it:
    on space, tab, CR and LF only, not on every Unicode space as str.split()."""
    if "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\t", " ").replace("\n", " ").replace("\r", " ")
    return (token for token in value.split(" ") if token)


@dataclass(frozen=True)
class Simple:
    tag: str | None
    cls: str | None


def _simple(text: str) -> Simple | None:
    shape = _SIMPLE.fullmatch(text.strip())
    if shape is None or not any(shape.groups()):
        return None
    return Simple(*shape.groups())


@lru_cache(maxsize=1024)
def selector_list(query: str) -> tuple[Simple, ...] | None:
    """`a, .b, h1.c` as its simple selectors; None for any other query."""
    if query.startswith(("/", "(", "./")):
        return None
    items = tuple(_simple(item) for item in query.split(","))
    return None if any(item is None for item in items) else items  # type: ignore[return-value]


@lru_cache(maxsize=1024)
def descendant_pair(query: str) -> tuple[Simple, Simple] | None:
    """`.a .b` (two simple selectors with a class each); None for any other query."""
    parts = query.split(" ")
    if len(parts) != 2:
        return None
    outer, inner = _simple(parts[0]), _simple(parts[1])
    if outer is None or inner is None or outer.cls is None or inner.cls is None:
        return None
    return outer, inner


def first_of_each(node: Any, queries: tuple[str, ...]) -> list[Any] | None:
    """For each query, a list of simple selectors, its first match under `node`
    (itself included) in document order, or None: what XPath's first match of
    each would be, found in one pass over the subtree. None for the whole
    answer when a query is of another shape.

    For a contact card's four fields (name, title, phone, e-mail) that is one
    Python pass over its ~7 elements instead of four XPath unions (~40 µs)."""
    groups = [selector_list(query) for query in queries]
    if any(group is None for group in groups):
        return None
    found: list[Any] = [None] * len(groups)
    left = len(groups)
    for element in node.iter(lxml.etree.Element):
        tag = element.tag
        value = element.get("class")
        tokens: set[str] | None = None
        for number, group in enumerate(groups):
            if found[number] is not None or group is None:
                continue
            for item in group:
                if item.tag is not None and item.tag != tag:
                    continue
                if item.cls is not None:
                    if not value:
                        continue
                    if tokens is None:
                        tokens = set(class_tokens(value))
                    if item.cls not in tokens:
                        continue
                found[number] = element
                left -= 1
                break
        if not left:
            break
    return found


class ClassIndex:
    """Every element of a page tree by class, indexed when first asked.

    Made after the page's hidden elements are gone. An extractor that drops
    elements later (Sitevision drops its date lines) would leave it stale, so a
    match is returned only while it is still under the root. Nothing adds
    elements to a page tree after parsing (the extractors only read and drop)."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self._by_class: dict[str, list[tuple[int, Any]]] | None = None

    def select(self, query: str) -> list[Any] | None:
        """What `query` selects under the root, in document order; None when
        the query is not one this index answers (a class in each item)."""
        items = selector_list(query)
        if items is not None and all(item.cls is not None for item in items):
            found = {position: el for item in items for position, el in self._with(item)}
            return [found[position] for position in sorted(found)]
        pair = descendant_pair(query)
        if pair is None:
            return None
        outer = {el for _, el in self._with(pair[0])}
        # a `.b` strictly inside a `.a`
        return [
            el
            for _, el in self._with(pair[1])
            if outer and any(ancestor in outer for ancestor in el.iterancestors())
        ]

    def _with(self, item: Simple) -> list[tuple[int, Any]]:
        if self._by_class is None:
            self._by_class = self._build()
        assert item.cls is not None
        return [
            (position, el)
            for position, el in self._by_class.get(item.cls, ())
            if (item.tag is None or el.tag == item.tag) and self._attached(el)
        ]

    def _build(self) -> dict[str, list[tuple[int, Any]]]:
        # class_tokens inlined: this loop runs over every element of the page
        index: dict[str, list[tuple[int, Any]]] = {}
        for position, element in enumerate(self.root.iter(lxml.etree.Element)):
            value = element.get("class")
            if not value:
                continue
            if "\t" in value or "\n" in value or "\r" in value:
                value = value.replace("\t", " ").replace("\n", " ").replace("\r", " ")
            entry = (position, element)
            for token in value.split(" "):
                if not token:
                    continue
                bucket = index.get(token)
                if bucket is None:
                    index[token] = [entry]
                elif bucket[-1][1] is not element:  # class="x x": one match
                    bucket.append(entry)
        return index

    def _attached(self, element: Any) -> bool:
        ancestors = list(element.iterancestors())
        return (ancestors[-1] if ancestors else element) is self.root
