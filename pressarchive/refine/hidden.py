"""Hidden elements: what a reader of the page never sees, removed from a tree.

Extractors call `remove_hidden` on the page tree before reading any text:
press rooms interleave junk characters in hidden elements to garble e-mail
addresses for harvesters, and icon fonts / SVGs leave descriptions such as
"A line styled icon from Orion Icon Library" in a naive text render. The
body's blocks (refine/html.py) are read with the same rules.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HIDDEN_CLASSES = frozenset(
    {
        "hidden",
        "hide",
        "is-hidden",
        "u-hidden",
        "d-none",
        "invisible",
        "sr-only",
        "visually-hidden",
        "visuallyhidden",
        "screen-reader-text",
        "screenreader",
        "offscreen",
        # Sitevision's (Envision) text for screen readers only, e.g. "(öppnas i
        # nytt fönster)" after a link: seen on real Sitevision pages.
        "env-assistive-text",
    }
)
_DROP_WITH_CONTENT = frozenset(
    {"script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "canvas"}
)
_ICON_CLASS = re.compile(
    r"(?:^|[\s_-])(?:icon|icons|fa|fas|far|fab|glyphicon|material-icons)(?:$|[\s_-])", re.I
)
_ICON_TEXT = re.compile(r"line styled icon|icon library|\bicon from\b", re.IGNORECASE)


# Substrings one of which every hidden class holds: most elements carry a
# class, and one search for them is much cheaper than splitting it into a set.
_HIDDEN_CLASS_HINTS = ("hid", "d-none", "invisible", "sr-only", "screen", "assistive")
_HIDDEN_CLASS_HINT = re.compile("|".join(map(re.escape, _HIDDEN_CLASS_HINTS)))
_LABEL_ATTRIBUTES = ("alt", "title", "aria-label")


def _is_hidden(el: lxml.html.HtmlElement, tag: str) -> bool:
    """Whether a reader never sees `el` (its `tag`, read once by the caller).
    Runs on every element of every page: cheap tests first, an attribute read
    only when the element has it."""
    if "}" in tag or not tag.islower():
        tag = tag.rsplit("}", 1)[-1].lower()
    if tag in _DROP_WITH_CONTENT:
        return True
    text = el.text
    names = el.keys()
    classes = ""
    if names:
        get = el.get
        if "hidden" in names:
            return True
        if "aria-hidden" in names and (get("aria-hidden") or "").strip().lower() == "true":
            return True
        if "style" in names and _HIDDEN_STYLE.search(get("style") or ""):
            return True
        if "class" in names:
            classes = get("class") or ""
            lowered = classes.lower()
            if _HIDDEN_CLASS_HINT.search(lowered) and not _HIDDEN_CLASSES.isdisjoint(
                lowered.split()
            ):
                return True
            if tag in ("i", "span") and _ICON_CLASS.search(classes) and not (text or "").strip():
                return True
        if ("alt" in names or "title" in names or "aria-label" in names) and any(
            _ICON_TEXT.search(get(n) or "") for n in _LABEL_ATTRIBUTES if n in names
        ):
            return True
    if tag == "i" and not classes and not (text or "").strip() and len(el) == 0:
        # An empty <i> is an icon-font glyph, never emphasis.
        return True
    return (
        bool(text)
        and "icon" in text.lower()
        and tag not in ("html", "body")
        and bool(_ICON_TEXT.fullmatch(text.strip()))
    )


def remove_hidden(root: lxml.html.HtmlElement) -> int:
    """Remove, in place, everything a reader does not see. Returns the count of
    elements removed (a removed element's descendants are not counted)."""
    doomed: list[lxml.html.HtmlElement] = []
    skip: set[lxml.html.HtmlElement] = set()
    for el in root.iter():
        tag = el.tag  # lxml makes a new string at every read
        if not isinstance(tag, str):
            if isinstance(el, etree._Comment):
                doomed.append(el)
            continue
        if el is root or el in skip:
            continue
        if _is_hidden(el, tag):
            doomed.append(el)
            skip.update(el.iterdescendants())
    for el in doomed:
        _drop_keep_tail(el)
    return sum(1 for el in doomed if isinstance(el.tag, str))


def _drop_keep_tail(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    previous = el.getprevious()
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)
