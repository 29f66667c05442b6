"""Classes a page's own style sheets hide, and the elements that carry them.

A harvester trap hides junk text with a class rule of the page's <style>
(`.x{display:none}`), which an element's inline style does not show; Page
removes those elements before any text is read (refine/hidden.py removes the
inline-hidden ones)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import lxml.etree
import lxml.html

# `.name { ... display: none ... }` with a lone class selector (comma lists allowed).
_HIDDEN_CLASS_RULE = re.compile(
    r"((?:\.[A-Za-z_][\w-]*\s*,\s*)*\.[A-Za-z_][\w-]*)\s*\{[^}]*?(?:display\s*:\s*none|visibility\s*:\s*hidden)",
    re.IGNORECASE,
)


_HIDDEN_DECLARATION = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_DECLARATION_WORDS = (
    ("display", re.compile(r"display\s*:\s*none")),
    ("visibility", re.compile(r"visibility\s*:\s*hidden")),
)


def stylesheet_hidden_classes(root: lxml.html.HtmlElement) -> set[str]:
    """Classes the page's own <style> blocks hide (`.x{display:none}`)."""
    classes: set[str] = set()
    for style in root.iter("style"):
        css = style.text or ""
        if len(css) <= _CACHED_SHEET_CHARS:
            classes.update(_remembered_classes_hidden_by(css))
        else:
            classes.update(_classes_hidden_by(css))
    return classes


def _classes_hidden_by(css: str) -> frozenset[str]:
    return frozenset(
        name.strip().lstrip(".")
        for match in _hidden_rules(css)
        for name in match.group(1).split(",")
    )


# A site serves the same style sheet on every page: searched once per process.
# Only sheets of a real size are kept (the real Via TT page's is 50 KB), so
# that a hostile site's huge, ever-different sheets cannot fill the memory.
_CACHED_SHEET_CHARS = 256 * 1024
_remembered_classes_hidden_by = lru_cache(maxsize=16)(_classes_hidden_by)


def _hidden_rules(css: str) -> Iterator[re.Match[str]]:
    """`_HIDDEN_CLASS_RULE.finditer(css)`, searched only where it can match.

    Run over a whole style sheet, the rule tries every class selector and scans
    its declarations for a hiding one: ~2.5 ms on the ~50 KB of CSS of the real
    Via TT page. A match cannot span a `}`, so the sheet falls into stretches
    between two `}`, each searched on its own exactly as the whole-sheet search
    goes through it; only the stretches that hold a hiding declaration are
    searched, and only up to their last one."""
    ends: dict[int, int] = {}  # a stretch's start -> the end of its last hiding declaration
    for start, end in _hiding_declarations(css):
        stretch = css.rfind("}", 0, start) + 1
        ends[stretch] = max(end, ends.get(stretch, 0))
    for start, end in ends.items():
        yield from _HIDDEN_CLASS_RULE.finditer(css, start, end)


def _hiding_declarations(css: str) -> list[tuple[int, int]]:
    """Where `_HIDDEN_DECLARATION` matches in `css` (its matches cannot overlap).
    An ASCII sheet (any real one) is lowered once and searched word by word
    with str.find, ~10x faster than the case-blind pattern; any other keeps the
    pattern, whose case-blindness also matches İ, ı and ſ."""
    if not css.isascii():
        return [match.span() for match in _HIDDEN_DECLARATION.finditer(css)]
    lowered = css.lower()
    found: list[tuple[int, int]] = []
    for word, declaration in _DECLARATION_WORDS:
        at = lowered.find(word)
        while at >= 0:
            match = declaration.match(lowered, at)
            if match:
                found.append(match.span())
            at = lowered.find(word, at + 1)
    return found


def drop_stylesheet_hidden(root: lxml.html.HtmlElement) -> int:
    """Remove elements hidden by a class rule of the page's own style sheet: a
    harvester trap pattern that inline-style checks do not see."""
    hidden = stylesheet_hidden_classes(root)
    if not hidden:
        return 0
    doomed = [
        el
        for el in root.iter(lxml.etree.Element)
        if (classes := el.get("class")) and not hidden.isdisjoint(classes.split())
    ]
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()
    return len(doomed)
