"""CSS and XPath queries on lxml elements, each compiled once per process.

parsel's `Selector.css`/`.xpath` translate and compile the query again at every
call and wrap every match in a new `Selector`; for the ~60 small queries an
extractor asks of a release page that overhead cost more than the matching
itself (a one-off micro-benchmark on a demo Mynewsdesk release: ~95 µs for
`sel.css(".press-release__body")` against ~80 µs for the compiled query, and
~120 µs against ~6 µs for a match's `string()`). The queries are the same:
CSS goes through parsel's own translator (so `::text` and `::attr(name)` keep
working), and the namespaces parsel binds (`re:`, `set:`) are bound here too.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import lxml.etree
from parsel import Selector
from parsel.csstranslator import css2xpath

# A query that starts like this is XPath; anything else is CSS (parsel's rule of thumb
# as the extractors write their queries).
_XPATH_STARTS = ("/", "(", "./")
_STRING_VALUE = lxml.etree.XPath("string()", smart_strings=False)


def is_xpath(query: str) -> bool:
    return query.startswith(_XPATH_STARTS)


@lru_cache(maxsize=2048)
def compiled(query: str) -> lxml.etree.XPath:
    """The query as a compiled XPath: CSS translated as parsel translates it."""
    xpath = query if is_xpath(query) else css2xpath(query)
    return lxml.etree.XPath(xpath, namespaces=Selector._default_namespaces, smart_strings=False)


def find(node: lxml.etree._Element, query: str) -> list[Any]:
    """The matches of `query` under `node`: elements, or strings for text and
    attribute queries (`::text`, `::attr(x)`, `/@x`)."""
    result = compiled(query)(node)
    return result if isinstance(result, list) else [result]


def string_value(match: Any) -> str:
    """XPath's string() of a match (parsel's `.xpath("string()").get()`)."""
    if isinstance(match, str):
        return match
    return str(_STRING_VALUE(match))


def first_string(node: lxml.etree._Element, query: str) -> str:
    """The string value of the first match of `query`, "" when nothing matches."""
    for match in find(node, query):
        return string_value(match)
    return ""
