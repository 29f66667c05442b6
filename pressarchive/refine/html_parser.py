"""The one HTML parser of the project's hot paths (a page read, a body cleaned)."""

from __future__ import annotations

import threading

import lxml.html
from lxml import etree

_parsers = threading.local()


def html_parser() -> lxml.html.HTMLParser:
    """lxml.html's parser, with every element an `HtmlElement` chosen in C.
    lxml.html's own lookup is a Python method run for every element proxy made
    (some 280 per release page, ~7% of reading one); the special classes it
    picks (form, input, label, ...) are never used here. One per thread: an
    lxml parser must not be shared between threads."""
    parser: lxml.html.HTMLParser | None = getattr(_parsers, "parser", None)
    if parser is None:
        parser = lxml.html.HTMLParser()
        parser.set_element_class_lookup(
            etree.ElementDefaultClassLookup(
                element=lxml.html.HtmlElement,
                comment=lxml.html.HtmlComment,
                pi=lxml.html.HtmlProcessingInstruction,
                entity=lxml.html.HtmlEntity,
            )
        )
        _parsers.parser = parser
    return parser
