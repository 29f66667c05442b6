"""A page's class index (extract/class_index.py) answers what XPath answers:
the same elements in document order, for every class of every saved page,
and still after an extractor dropped elements."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import lxml.etree
import pytest

from pressarchive.extract.class_index import ClassIndex, class_tokens
from pressarchive.extract.page import Page
from pressarchive.extract.query import find

TESTS = Path(__file__).parent
PAGES = sorted((TESTS / "golden").glob("*.html")) + sorted((TESTS / "real").glob("*/*.html"))

# The queries the extractors ask of a whole page that the index answers.
EXTRACTOR_QUERIES = (
    ".press-release__body",
    ".press-release__date",
    ".press-release__contacts .contact-card",
    "h1.press-release__title",
    ".contact-card",
    ".sv-text-portlet-content, .sv-portlet",
    ".env-assistive-text",
)


def _xpath(root: lxml.etree._Element, query: str) -> list[object]:
    return list(find(root, query))


def _queries_for(root: lxml.etree._Element) -> list[str]:
    """Every class on the page, alone, with its tag, in lists and in pairs."""
    classes: list[str] = []
    tagged: list[str] = []
    for element in root.iter(lxml.etree.Element):
        for token in class_tokens(element.get("class") or ""):
            if re.fullmatch(r"-?[_a-zA-Z][_a-zA-Z0-9-]*", token) and token not in classes:
                classes.append(token)
                tagged.append(f"{element.tag}.{token}")
    pairs = [f".{a} .{b}" for a, b in itertools.pairwise(classes)]
    lists = [f".{a}, .{b}" for a, b in zip(classes[::2], classes[1::2], strict=False)]
    return [f".{c}" for c in classes] + tagged + pairs + lists + list(EXTRACTOR_QUERIES)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_the_index_answers_what_xpath_answers(path: Path) -> None:
    page = Page(path.read_bytes(), "https://example.org/x")
    queries = _queries_for(page.root)
    assert len(queries) > len(EXTRACTOR_QUERIES)
    for query in queries:
        ours = ClassIndex(page.root).select(query)
        assert ours is not None, query
        assert ours == _xpath(page.root, query), query
        assert page.find(query) == ours, query


def test_a_dropped_element_is_not_found_any_more() -> None:
    page = Page(
        b'<html><body><div class="a"><p class="x">one</p></div>'
        b'<p class="x">two</p><section class="a"><p class="x">three</p></section></body></html>',
        "https://example.org/x",
    )
    assert [p.text for p in page.find(".x")] == ["one", "two", "three"]  # the index is made
    first, _, third = page.find(".x")
    first.getparent().drop_tree()  # the whole first div, as Sitevision drops a line
    assert (
        [p.text for p in page.find(".x")]
        == ["two", "three"]
        == [p.text for p in _xpath(page.root, ".x")]
    )
    assert [p.text for p in page.find(".a .x")] == ["three"]
    third.drop_tree()
    assert page.find(".a .x") == _xpath(page.root, ".a .x") == []


@pytest.mark.parametrize(
    "attribute",
    [
        "x\ty",  # tab, newline and CR separate classes for XPath's normalize-space
        "x\ny",
        " x  y ",
        "x\u00a0y",  # a no-break space does not: "x\u00a0y" is one class
        "x x y",  # a repeated class is one match
        "X y",  # classes are case-sensitive
    ],
)
def test_class_attributes_split_as_xpath_splits_them(attribute: str) -> None:
    html = f'<html><body><p class="{attribute}">t</p><div class="y"><b class="x">u</b></div></body></html>'
    page = Page(html, "https://example.org/x")
    for query in (".x", ".y", ".y .x", ".x, .y", "p.x", "b.x"):
        assert page.find(query) == _xpath(page.root, query), (attribute, query)


@pytest.mark.parametrize(
    "query",
    ["h1", "article .body", "a[href]", ".a > .b", ".a.b", "//p", ".a::text", ".x, h4", ".é"],
)
def test_other_queries_go_to_xpath(query: str) -> None:
    assert ClassIndex(lxml.etree.fromstring("<r/>")).select(query) is None


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_first_of_each_is_each_querys_first_xpath_match(path: Path) -> None:
    """On every element of every saved page taken as the subtree (a contact
    card in the extractor): the first match of each query, as XPath has it."""
    from pressarchive.extract.class_index import first_of_each
    from pressarchive.extract.mynewsdesk import CARD_FIELDS

    page = Page(path.read_bytes(), "https://example.org/x")
    classes = [q for q in _queries_for(page.root) if " " not in q][:6]
    queries = (*CARD_FIELDS, "p, h2", "li", *classes)
    for node in page.root.iter(lxml.etree.Element):
        expected = [next(iter(find(node, query)), None) for query in queries]
        assert first_of_each(node, queries) == expected


def test_first_of_each_takes_only_simple_selector_lists() -> None:
    from pressarchive.extract.class_index import first_of_each

    node = lxml.etree.fromstring("<div class='a'><p class='b'>x</p></div>")
    assert first_of_each(node, (".a", "p.b, .c")) == [node, node[0]]
    assert first_of_each(node, (".a", "div > p")) is None
