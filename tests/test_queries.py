"""The compiled query layer (extract/query.py) answers what parsel answers, the
project's HTML parser reads what lxml.html reads, and the
one-pass `<time>` rules of metadata pick what the XPath rules they replace picked."""

from __future__ import annotations

from pathlib import Path

import lxml.etree
import lxml.html
import pytest
from parsel import Selector

from pressarchive.extract.metadata import _time_datetime
from pressarchive.extract.page import Page
from pressarchive.extract.query import find, first_string, string_value
from pressarchive.refine.html_parser import html_parser

TESTS = Path(__file__).parent
PAGES = sorted((TESTS / "golden").glob("*.html")) + sorted((TESTS / "real").glob("*/*.html"))

# Every kind of query the extractors ask: class selectors alone and in groups,
# descendant combinators, attribute prefixes, ::text and ::attr, XPath unions.
QUERIES = (
    ".press-release__body",
    ".contact-card__name, h4, h3, .name",
    ".press-release__contacts .contact-card",
    "article a[href], .documents a[href]",
    'a[href^="mailto:"]::attr(href)',
    'meta[property="article:tag"]::attr(content)',
    'link[rel="canonical"]',
    "h1::text",
    "article figure",
    "//h2|//h3|//h4",
    '//time[@itemprop="datePublished"]/@datetime',
    "//article//time/@datetime",
    "(//p)[1]",
)


def _as_parsel(match: object) -> str:
    if isinstance(match, lxml.etree._Element):
        return lxml.html.tostring(match, encoding="unicode", with_tail=False)
    return str(match)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_find_answers_what_parsel_answers(path: Path) -> None:
    page = Page(path.read_bytes(), "https://example.org/x")
    sel = Selector(root=page.root, type="html")
    for query in QUERIES:
        ours = [_as_parsel(m) for m in find(page.root, query)]
        theirs = (
            sel.xpath(query).getall() if query.startswith(("/", "(")) else sel.css(query).getall()
        )
        assert ours == theirs, query
        first = sel.xpath(query) if query.startswith(("/", "(")) else sel.css(query)
        expected = (
            first.xpath("string()").get()
            if first and not isinstance(first[0].root, str)
            else first.get()
        )
        assert first_string(page.root, query) == (expected or ""), query


def test_string_value_is_xpath_string() -> None:
    root = lxml.html.fromstring("<div><p>Ett <b>två</b></p><p>tre</p></div>")
    assert string_value(root) == "Ett tvåtre"
    assert string_value("as is") == "as is"


_OLD_TIME_RULES = (
    '//time[@itemprop="datePublished"]/@datetime',
    '//*[@itemprop="datePublished"]/@content',
    "//time[@pubdate]/@datetime",
    '//time[contains(@class, "publish") or contains(@class, "published")]/@datetime',
    "//article//time/@datetime",
    "//main//time/@datetime",
)


def _old_time_datetime(page: Page) -> str:
    sel = Selector(root=page.root, type="html")
    for query in _OLD_TIME_RULES:
        value = sel.xpath(query).get()
        if value and value.strip():
            return str(value).strip()
    return ""


@pytest.mark.parametrize(
    "html",
    [
        # a blank first match of a rule passes to the next rule, not to its second match
        '<main><time itemprop="datePublished" datetime=" "></time>'
        '<time itemprop="datePublished" datetime="2024-01-02"></time>'
        '<time pubdate datetime="2024-03-04"></time></main>',
        # trust order beats document order
        '<article><time datetime="2020-01-01"></time></article>'
        '<span itemprop="datePublished" content="2021-02-03"></span>',
        '<time class="x published" datetime="2022-05-06"></time><main><time datetime="2023-01-01"></time></main>',
        '<main><time datetime="2023-01-01"></time></main><article><div><time datetime="2019-09-09"></time></div></article>',
        '<time datetime="2023-01-01"></time>',
        '<time itemprop="datePublished">no attribute</time><meta itemprop="datePublished" content="2018-08-08">',
    ],
)
def test_time_rules_pick_what_the_xpath_rules_picked(html: str) -> None:
    page = Page(f"<html><body>{html}</body></html>", "https://example.org/x")
    assert _time_datetime(page) == _old_time_datetime(page)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_time_rules_on_every_saved_page(path: Path) -> None:
    page = Page(path.read_bytes(), "https://example.org/x")
    assert _time_datetime(page) == _old_time_datetime(page)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_html_parser_reads_what_lxml_html_reads(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    ours = lxml.html.document_fromstring(text, parser=html_parser())
    theirs = lxml.html.document_fromstring(text)
    assert lxml.html.tostring(ours) == lxml.html.tostring(theirs)
    assert all(
        isinstance(el, lxml.html.HtmlElement) for el in ours.iter() if isinstance(el.tag, str)
    )


def test_html_parser_is_one_per_thread() -> None:
    import threading

    seen: list[object] = []
    worker = threading.Thread(target=lambda: seen.append(html_parser()))
    worker.start()
    worker.join()
    assert seen[0] is not html_parser()
    assert html_parser() is html_parser()


def test_a_body_fragment_is_read_with_the_project_parser() -> None:
    """The <div> a body fragment is parsed under is made by our parser: made by
    lxml.html's, it gave every element under it lxml.html's class lookup (a
    Python method at every element access). Same tree either way."""
    from pressarchive.refine.html import _fragment

    for fragment in ("<p>a</p>tail", "lead <b>x</b>", "", "<tr><td>x</td></tr>"):
        root = _fragment(fragment)
        assert root.getroottree().parser is html_parser()
        theirs = lxml.html.fragment_fromstring(fragment, create_parent="div", parser=html_parser())
        assert lxml.html.tostring(root) == lxml.html.tostring(theirs)


# Pages whose shapes separate the tree walks of Page from the queries they replace.
_EDGE_PAGES = (
    '<html><head><link rel="canonical" href=" "><link rel="canonical nofollow" href="/a">'
    '<link rel="canonical" href=" /b "><meta property="article:tag" content="x">'
    '<meta property="article:tag"><meta name="article:tag" content="no">'
    '<meta property="article:tag" content=""></head><body>'
    "<h3>Ämnen</h3><p>not a list</p><ul><li>Ett</li><li><ul><li>inre</li></ul></li></ul>"
    "<div><h2>Nyckelord</h2></div><ul><li>utanför</li></ul>"
    '<h4>Taggar</h4><ul class="x"><li>sista</li></ul>'
    '<div class="documents"><a href="/f.pdf">PDF</a></div><article><a href="/g.pdf">G</a>'
    '<div class="documents"><a href="/h.pdf">H</a><a>no href</a></div></article></body></html>',
    "<html><body><h2>Nothing follows</h2><article><a href='/a.pdf'>A</a></article></body></html>",
)


def _walk_pages() -> list[Page]:
    pages = [Page(path.read_bytes(), "https://example.org/x") for path in PAGES]
    return pages + [Page(html, "https://example.org/x") for html in _EDGE_PAGES]


def _old_read_attachments(page: Page) -> list[object]:
    """mynewsdesk.read_attachments as it was: one XPath for both link groups."""
    from pressarchive.extract.mynewsdesk import _DOCUMENT
    from pressarchive.items import Attachment
    from pressarchive.text import squash

    attachments: list[object] = []
    seen: set[str] = set()
    for link in find(page.root, "article a[href], .documents a[href]"):
        href = link.get("href", "")
        if not _DOCUMENT.search(href):
            continue
        url = page.absolute(href)
        if url not in seen:
            seen.add(url)
            attachments.append(Attachment(url=url, title=squash(string_value(link)) or None))
    return attachments


def test_the_tree_walks_answer_what_their_queries_answer() -> None:
    from pressarchive.extract.mynewsdesk import _first_list_items, read_attachments

    for page in _walk_pages():
        assert page.elements("h2", "h3", "h4") == find(page.root, "//h2|//h3|//h4")
        assert page.link_href("canonical") == page.attr('link[rel="canonical"]', "href")
        assert page.meta_contents("property", "article:tag") == find(
            page.root, 'meta[property="article:tag"]::attr(content)'
        )
        for heading in page.elements("h2", "h3", "h4"):
            assert _first_list_items(heading) == find(heading, "./following-sibling::ul[1]/li")
        assert read_attachments(page) == _old_read_attachments(page)
