"""A fetched page, parsed once, with hidden text already gone.

Every extractor reads a `Page`: the bytes are decoded with the right charset
(HTTP header, then the page's own <meta charset>/<meta http-equiv>, then
UTF-8), parsed with lxml.html, and stripped of hidden elements *before* any
text is read, so obfuscation junk ("louivelzse.flygt@nweorrkoping.pqse") never
reaches a field.
"""

from __future__ import annotations

import codecs
import re
from functools import cached_property
from typing import Any
from urllib.parse import urljoin

import lxml.etree
import lxml.html
from parsel import Selector

from pressarchive.extract.class_index import ClassIndex
from pressarchive.extract.query import find
from pressarchive.extract.stylesheet import drop_stylesheet_hidden
from pressarchive.refine.hidden import remove_hidden
from pressarchive.refine.html_parser import html_parser
from pressarchive.text import squash

DEFAULT_ENCODING = "utf-8"
# Browsers look for a meta charset in the first 1024 bytes; pages in the wild put
# it later, behind long <script> blocks, so look a little further.
_SNIFF_BYTES = 4096
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def _known_encoding(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


# C0 control characters (tab, newline and carriage return kept) and DEL: no
# text of a release holds them, and search uses \x02/\x03 as highlight marks.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_controls(text: str) -> str:
    return _CONTROLS.sub("", text) if _CONTROLS.search(text) else text


# Encodings in which the bytes 0x00-0x1f and 0x7f are those characters and
# nothing else decodes to them (UTF-7, UTF-16 or ISO-2022 would not do).
_ASCII_BASED = frozenset(
    ["utf-8", "utf-8-sig", "ascii", "iso8859-1"]
    + [f"cp{n}" for n in range(1250, 1259)]
    + [f"iso8859-{n}" for n in range(2, 17)]
)
_CONTROL_BYTES = bytes(range(0x09)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20)) + b"\x7f"


def _decoded(body: bytes, encoding: str, errors: str = "strict") -> str:
    """`body` decoded, without controls. The search for them in the text costs
    ~3.5 ns a character (~0.35 ms on a real 100 KB page); in an ASCII-based
    encoding, deleting their bytes and comparing the lengths costs a fifth,
    and finds none in all but a broken page."""
    text = body.decode(encoding, errors=errors)
    if encoding in _ASCII_BASED and len(body.translate(None, _CONTROL_BYTES)) == len(body):
        return text
    return without_controls(text)


def guess_encoding(body: bytes) -> str:
    """A page that declares no charset: UTF-8 if the bytes are UTF-8, else
    windows-1252 (what Latin-1 pages in the wild are)."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return DEFAULT_ENCODING


def charset_undeclared(body: bytes | str, declared: str | None) -> bool:
    """True when nothing said how to decode the page (no header, meta or BOM) and
    it is not plain ASCII, so the charset used was a guess."""
    if isinstance(body, str) or _known_encoding(declared) or body.startswith(codecs.BOM_UTF8):
        return False
    return not body.isascii() and not _META_CHARSET.search(body[:_SNIFF_BYTES])


def declared_encoding(body: bytes, declared: str | None = None) -> str | None:
    """The charset the response says: a BOM, else the HTTP header's, else the
    page's meta declaration; None when nothing says."""
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    from_header = _known_encoding(declared)
    if from_header:
        return from_header
    match = _META_CHARSET.search(body[:_SNIFF_BYTES])
    from_meta = _known_encoding(match.group(1).decode("ascii", "replace")) if match else None
    # A page that says latin-1 is, in practice, windows-1252 (curly quotes, dashes).
    if from_meta in ("latin-1", "iso8859-1"):
        return "cp1252"
    return from_meta


def sniff_encoding(body: bytes, declared: str | None = None) -> str:
    """The charset to decode `body` with: the declared one (a BOM wins over
    everything, as in browsers), else a guess from the bytes."""
    return declared_encoding(body, declared) or guess_encoding(body)


def decode_body(body: bytes | str, declared: str | None = None) -> tuple[str, str]:
    """(text, encoding used)."""
    if isinstance(body, str):
        return without_controls(body), "unicode"
    encoding = declared_encoding(body, declared)
    if encoding is None:
        # Undeclared: the UTF-8 attempt is the decoding too, not a test before it.
        try:
            return _decoded(body, DEFAULT_ENCODING), DEFAULT_ENCODING
        except UnicodeDecodeError:
            encoding = "cp1252"
    return _decoded(body, encoding, errors="replace"), encoding


def parse_html(text: str) -> lxml.html.HtmlElement:
    """The document's root element; an empty or unparsable body gives an empty <html>."""
    text = _XML_DECLARATION.sub("", text, count=1)
    if not text.strip():
        return lxml.html.fromstring("<html><body></body></html>")
    try:
        return lxml.html.document_fromstring(text, parser=html_parser())
    except (lxml.etree.ParserError, ValueError):
        return lxml.html.fromstring("<html><body></body></html>")


class Page:
    """A fetched page, ready to read: `.root` (lxml), `.sel` (parsel), `.url`."""

    def __init__(self, body: bytes | str, url: str, encoding: str | None = None) -> None:
        self.url = url
        self.charset_guessed = charset_undeclared(body, encoding)
        self.html, self.encoding = decode_body(body, encoding)
        self.root = parse_html(self.html)
        # remove_hidden drops <script> and <style>: keep what they say about the page first.
        self.json_ld: list[str] = [
            script.text or ""
            for script in self.root.iter("script")
            if (script.get("type") or "").strip().lower() == "application/ld+json"
        ]
        self.hidden_removed = drop_stylesheet_hidden(self.root) + remove_hidden(self.root)

    @cached_property
    def sel(self) -> Selector:
        return Selector(root=self.root, type="html")

    def find(self, query: str) -> list[Any]:
        """Matches of an XPath (starts with / or ( or ./) or a CSS selector: elements,
        or strings for text and attribute queries."""
        by_class = self._classes.select(query)
        return find(self.root, query) if by_class is None else by_class

    @cached_property
    def _classes(self) -> ClassIndex:
        return ClassIndex(self.root)

    def text(self, query: str) -> str:
        """The squashed text of the first match, "" when nothing matches."""
        for match in self.find(query):
            value = squash(_text_of(match))
            if value:
                return value
        return ""

    def texts(self, query: str) -> list[str]:
        """The squashed texts of all matches, empty ones left out."""
        return [t for t in (squash(_text_of(m)) for m in self.find(query)) if t]

    def lines(self, query: str) -> list[str]:
        """The non-empty lines (block by block) of the first match's text."""
        for match in self.find(query):
            return [line for line in map(squash, _text_of(match).split("\n")) if line]
        return []

    def attr(self, query: str, name: str) -> str:
        """Attribute `name` of the first match that has it, "" when none."""
        for match in self.find(query):
            value = match.get(name) if isinstance(match, lxml.etree._Element) else None
            if value and value.strip():
                return str(value).strip()
        return ""

    def inner_html(self, query: str) -> str:
        """The inner HTML of the first match, "" when nothing matches."""
        for match in self.find(query):
            return inner_html(match) if isinstance(match, lxml.etree._Element) else ""
        return ""

    def meta(self, *names: str) -> str:
        """The first non-empty <meta name|property|itemprop=...> content among `names`."""
        index = self._meta_index
        for name in names:
            for attribute in _META_ATTRIBUTES:
                value = index.get((attribute, name))
                if value:
                    return value
        return ""

    @cached_property
    def _meta_index(self) -> dict[tuple[str, str], str]:
        """(attribute, value) -> the stripped content of the first <meta> with that
        attribute value and a non-empty content: all meta tags read in one pass
        (a page asks for some thirty names)."""
        index: dict[tuple[str, str], str] = {}
        for element in self.root.iter("meta"):
            content = (element.get("content") or "").strip()
            if not content:
                continue
            for attribute in _META_ATTRIBUTES:
                value = element.get(attribute)
                if value is not None:
                    index.setdefault((attribute, value), content)
        return index

    def elements(self, *tags: str) -> list[Any]:
        """Every element with one of these tags, in document order: what XPath's
        `//h2|//h3` answers, in one walk of the tree instead of one scan a tag
        and a sort."""
        return list(self.root.iter(*tags))

    def link_href(self, rel: str) -> str:
        """The stripped href of the first <link rel="..."> (exactly `rel`, as
        `link[rel="canonical"]` matches) that has a non-blank one, "" when none."""
        for link in self.root.iter("link"):
            if link.get("rel") == rel:
                href = link.get("href")
                if href and href.strip():
                    return str(href).strip()
        return ""

    def meta_contents(self, attribute: str, value: str) -> list[str]:
        """The content of every <meta> whose `attribute` is exactly `value`, in
        document order (`meta[property="article:tag"]::attr(content)`)."""
        return [
            str(content)
            for element in self.root.iter("meta")
            if element.get(attribute) == value and (content := element.get("content")) is not None
        ]

    def absolute(self, url: str) -> str:
        return urljoin(self.url, url.strip())

    @cached_property
    def language(self) -> str | None:
        lang = self.root.get("lang") or self.meta("og:locale", "dc.language", "language")
        return lang.replace("_", "-").split("-")[0].lower() if lang else None


_META_ATTRIBUTES = ("property", "name", "itemprop")


def _text_of(match: Any) -> str:
    """A match's text: an element's block by block, a string as it is."""
    if isinstance(match, lxml.etree._Element):
        return element_text(match)
    return str(match)


_BLOCK_TAGS = frozenset(
    "address article aside blockquote dd div dl dt figcaption figure footer form h1 h2 h3 h4 "
    "h5 h6 header hr li main nav ol p pre section table td th tr ul".split()
)
_SKIPPED_TAGS = frozenset(("script", "style", "template", "noscript"))


def element_text(element: lxml.etree._Element) -> str:
    """The element's text with line breaks between blocks, so that block
    neighbours ("Kontakt" / "Utrednings- och utvecklingsenheten") do not glue."""
    parts: list[str] = []

    def walk(node: lxml.etree._Element, *, tail: bool) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag and tag not in _SKIPPED_TAGS:
            block = tag in _BLOCK_TAGS
            if block or tag == "br":
                parts.append("\n")
            if node.text:
                parts.append(node.text)
            for child in node:
                walk(child, tail=True)
            if block:
                parts.append("\n")
        if tail and node.tail:
            parts.append(node.tail)

    walk(element, tail=False)
    return "".join(parts)


def inner_html(element: lxml.html.HtmlElement) -> str:
    """The element's children serialised as HTML, without the element's own tag."""
    parts = [element.text or ""]
    parts.extend(lxml.html.tostring(child, encoding="unicode", with_tail=True) for child in element)
    return "".join(parts).strip()
