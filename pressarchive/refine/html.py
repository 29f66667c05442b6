"""Whitespace and HTML sanitising (hidden elements: refine/hidden.py; page
chrome: refine/chrome.py).

`parse_blocks` turns an article fragment into a flat list of blocks (p,
h2–h4, ul/ol, blockquote) with both sanitised inner HTML and plain text;
everything downstream (refine, contacts, the about-text model) works on
those blocks, so the body is rendered from them once, at the end.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

import lxml.html
from lxml import etree

from pressarchive.refine.hidden import remove_hidden
from pressarchive.refine.html_parser import html_parser


def _fragment(fragment: str) -> lxml.html.HtmlElement:
    """The fragment under a new <div>: lxml.html.fragment_fromstring(...,
    create_parent="div"), but with the <div> made by our parser. lxml.html
    makes it with its own, and the elements moved under it then take that
    parser's class lookup, a Python method run at every element access."""
    parser = html_parser()
    elements = lxml.html.fragments_fromstring(fragment or "", parser=parser, no_leading_text=False)
    root: lxml.html.HtmlElement = parser.makeelement("div")
    if elements and isinstance(elements[0], str):
        root.text = elements.pop(0)
    root.extend(elements)
    return root


def strip_hidden_html(html_text: str) -> str:
    """The fragment without its hidden elements, as HTML."""
    if not html_text.strip():
        return ""
    root = _fragment(html_text)
    remove_hidden(root)
    inner = html.escape(root.text or "", quote=False)
    return inner + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root.iterchildren()
    )


# --- text -------------------------------------------------------------------

_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e]")
_ODD_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v\r]")
_RUNS = re.compile(r" {2,}")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_WHITESPACE = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")


def _unicode_clean(s: str) -> str:
    if s.isascii():
        return s
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", s))


def normalise_text(s: str) -> str:
    """NFC, no soft hyphens / zero-width characters, one space between words,
    lines stripped, at most one blank line in a row."""
    s = _ODD_SPACES.sub(" ", _unicode_clean(s))
    lines = [_RUNS.sub(" ", line).strip() for line in s.split("\n")]
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


def _inline_text(s: str) -> str:
    return _WHITESPACE.sub(" ", _unicode_clean(s))


# --- blocks -------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "aside", "header", "footer", "nav",
        "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "table",
        "thead", "tbody", "tfoot", "tr", "td", "th", "figure", "figcaption", "dl", "dt",
        "dd", "pre", "address", "hr", "form", "fieldset", "details", "summary", "caption",
        "center", "body", "html",
    }
)  # fmt: skip
_LEAF_BLOCKS = {"p": "p", "h1": "h2", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4",
                "figcaption": "p", "dt": "p", "dd": "p", "pre": "p", "address": "p",
                "summary": "p", "caption": "p"}  # fmt: skip
_DROP_BLOCKS = frozenset({"nav", "form", "button", "select", "textarea", "input", "label"})
_INLINE_KEEP = {"strong": "strong", "b": "strong", "em": "em", "i": "em"}
_SAFE_HREF = re.compile(r"^\s*(?:javascript|vbscript|data):", re.IGNORECASE)


@dataclass
class Block:
    """One block of the body: tag p | h2 | h3 | h4 | ul | ol | blockquote.
    For lists `items` holds (html, text) per item; else `html`/`text`."""

    tag: str
    html: str = ""
    text: str = ""
    items: list[tuple[str, str]] = field(default_factory=list)

    @property
    def plain(self) -> str:
        if self.items:
            return "\n".join("• " + text for _, text in self.items)
        return self.text

    def render(self) -> str:
        if self.items:
            lis = "".join(f"<li>{h}</li>" for h, _ in self.items)
            return f"<{self.tag}>{lis}</{self.tag}>"
        return f"<{self.tag}>{self.html}</{self.tag}>"


class _Line:
    """Inline content collected until the next block boundary."""

    def __init__(self) -> None:
        self.html: list[str] = []
        self.text: list[str] = []

    def add(self, html_part: str, text_part: str) -> None:
        self.html.append(html_part)
        self.text.append(text_part)

    def take(self) -> tuple[str, str]:
        # str.split() is the fastest whitespace collapse; pieces are already clean
        h = " ".join("".join(self.html).split())
        t = " ".join("".join(self.text).split())
        self.html, self.text = [], []
        return h, t


def _tag(el: etree._Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _inline(el: etree._Element, line: _Line, on_break: Callable[[], None]) -> None:
    """Serialise an inline element into `line` (allowed tags only)."""
    tag = _tag(el)
    if tag == "br":
        on_break()
    elif tag in _DROP_BLOCKS or tag == "img":
        pass
    else:
        opening = closing = ""
        if tag == "a":
            href = (el.get("href") or "").strip()
            if href and not _SAFE_HREF.match(href):
                opening = f'<a href="{html.escape(href, quote=True)}">'
                closing = "</a>"
        elif tag in _INLINE_KEEP:
            opening, closing = f"<{_INLINE_KEEP[tag]}>", f"</{_INLINE_KEEP[tag]}>"
        line.add(opening, "")
        _text(el.text, line)
        for child in el:
            if _tag(child) in _BLOCK_TAGS:
                # block inside inline (bad markup): keep its text inline
                _inline_children_of_block(child, line, on_break)
            else:
                _inline(child, line, on_break)
        line.add(closing, "")
    _text(el.tail, line)


def _inline_children_of_block(
    el: etree._Element, line: _Line, on_break: Callable[[], None]
) -> None:
    on_break()
    _text(el.text, line)
    for child in el:
        _inline(child, line, on_break)
    on_break()
    _text(el.tail, line)


def _text(s: str | None, line: _Line) -> None:
    if s:
        t = _inline_text(s)
        line.add(html.escape(t, quote=False), t)


def _walk(container: etree._Element, out: list[Block], leaf_tag: str = "p") -> None:
    line = _Line()

    def flush() -> None:
        h, t = line.take()
        if t:
            out.append(Block(leaf_tag, h, t))

    _text(container.text, line)
    for child in container:
        tag = _tag(child)
        if not tag:
            _text(child.tail, line)
            continue
        if tag not in _BLOCK_TAGS:
            _inline(child, line, flush)
            continue
        flush()
        if tag in _DROP_BLOCKS or tag == "hr":
            pass
        elif tag in _LEAF_BLOCKS:
            _walk(child, out, _LEAF_BLOCKS[tag])
        elif tag in ("ul", "ol"):
            _list(child, out)
        elif tag == "blockquote":
            inner: list[Block] = []
            _walk(child, inner)
            if inner:
                body = "".join(b.render() for b in inner)
                out.append(Block("blockquote", body, "\n".join(b.plain for b in inner)))
        else:
            _walk(child, out, leaf_tag if leaf_tag != "p" else "p")
        _text(child.tail, line)
    flush()


def _list(el: etree._Element, out: list[Block]) -> None:
    items: list[tuple[str, str]] = []
    for li in el:
        if _tag(li) != "li":
            continue
        inner: list[Block] = []
        _walk(li, inner)
        for b in inner:
            if b.items:
                items.extend(b.items)
            elif b.tag == "blockquote":
                items.append((b.text, b.text))
            else:
                items.append((b.html, b.text))
    if items:
        out.append(Block(_tag(el), items=items))


def parse_blocks(fragment: str) -> list[Block]:
    """The fragment as sanitised blocks (hidden elements removed first)."""
    return [replace(block, items=list(block.items)) for block in _blocks_of(fragment)]


@lru_cache(maxsize=8)
def _blocks_of(fragment: str) -> tuple[Block, ...]:
    """Parsed once per body: the about-text learner and the cleaning both read
    the same fragment, and parsing it is a quarter of refining a page. Callers
    get copies (parse_blocks) or only the immutable text (html_blocks)."""
    if not fragment or not fragment.strip():
        return ()
    root = _fragment(fragment)
    remove_hidden(root)
    out: list[Block] = []
    _walk(root, out)
    return tuple(out)


def text_blocks(text: str) -> list[Block]:
    """Plain text (a feed body, say) as blocks: one per line, "• " lines as lists."""
    out: list[Block] = []
    for raw in normalise_text(text).split("\n"):
        line = raw.strip()
        if not line:
            continue
        bullet = re.match(r"^[•\-*·]\s+(.*)$", line)
        if bullet:
            item = (html.escape(bullet.group(1), quote=False), bullet.group(1))
            if out and out[-1].tag == "ul":
                out[-1].items.append(item)
            else:
                out.append(Block("ul", items=[item]))
        else:
            out.append(Block("p", html.escape(line, quote=False), line))
    return out


def render_html(blocks: Iterable[Block]) -> str:
    return "\n".join(b.render() for b in blocks)


def render_text(blocks: Iterable[Block]) -> str:
    return "\n\n".join(b.plain for b in blocks)


def sanitise_html(fragment: str) -> str:
    """Only p, h2–h4, ul, ol, li, a[href], strong, em, blockquote survive."""
    return render_html(parse_blocks(fragment))


def html_blocks(fragment: str) -> list[str]:
    """The plain text of each block of the fragment."""
    return [b.plain for b in _blocks_of(fragment)]
