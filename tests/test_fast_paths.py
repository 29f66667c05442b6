"""The crawl's fast paths (issue 12) give exactly what the plain code gives.

Each fast path replaced a slow but obvious implementation; these tests keep
the obvious one as the reference and compare on varied and real input.
"""

from __future__ import annotations

import base64
import re
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from pressarchive.extract.viatt_state import _BASE64_JUNK, find_state, percent_decode
from pressarchive.items import Attachment, Contact, Event, Image, Release, Tag
from pressarchive.refine.html import html_blocks, parse_blocks

REAL = Path(__file__).parent / "real"


def _unquote_or_error(text: str) -> str | type[Exception]:
    try:
        return unquote(text, errors="strict")
    except UnicodeError:
        return UnicodeError


def _fast_or_error(text: str) -> str | type[Exception]:
    try:
        return percent_decode(text)
    except UnicodeError:
        return UnicodeError


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "%41%42",
        "%zz",
        "a%",
        "100%",
        "%e2%82%ac",
        "%C3%A5+%20",
        "\\x41%41",
        "%5C%22",
        "åäö%41",
        "%ff",
        "%c3",
        "%C3%A5%C3",
    ],
)
def test_percent_decode_is_unquote(text: str) -> None:
    assert _fast_or_error(text) == _unquote_or_error(text)


def test_percent_decode_on_real_via_tt_states() -> None:
    states = 0
    for page in sorted(REAL.rglob("*.html")):
        raw = find_state(page.read_text(encoding="utf-8", errors="replace"))
        if raw is None:
            continue
        cleaned = _BASE64_JUNK.sub("", raw)
        cleaned += "=" * (-len(cleaned) % 4)
        text = base64.b64decode(cleaned.replace("-", "+").replace("_", "/")).decode("ascii")
        assert percent_decode(text) == unquote(text, errors="strict")
        states += 1
    assert states >= 2  # the two real Via TT pages


def test_release_to_dict_is_asdict_without_extracted() -> None:
    moment = datetime(2026, 4, 1, 7, 29, 57, tzinfo=UTC)
    release = Release(
        "s",
        "viatt",
        "https://via.tt.se/pressmeddelande/1/x",
        title="T",
        published_at=moment,
        contacts=[Contact("Hanna", title="Presschef", phone="+46706871538")],
        tags=[Tag("Skola", "subject")],
        images=[Image("https://i/1.jpg", "c")],
        attachments=[Attachment("https://d/1.pdf")],
        events=[Event(starts_at=moment, place="P")],
        layers={"title": "api"},
        flags=["partial"],
        extracted={"title": "T", "x": [1, {"y": 2}]},
    )
    expected = asdict(release)
    del expected["extracted"]
    del expected["extracted_text"]  # the extraction's text, made on the way to the archive
    del expected["refined"]  # the pipeline's marker, not the record's (items.Release)
    plain = release.to_dict()
    assert plain == expected
    plain["contacts"][0]["name"] = "changed"  # a copy, as asdict gives
    plain["layers"]["title"] = "changed"
    assert release.contacts[0].name == "Hanna" and release.layers["title"] == "api"


def test_parse_blocks_parsed_once_but_callers_get_copies() -> None:
    fragment = "<p>Ett</p><ul><li>a</li><li>b</li></ul><p hidden>dold</p>"
    first = parse_blocks(fragment)
    first[1].items.append(("<b>x</b>", "x"))
    first[0].text = "ändrad"
    again = parse_blocks(fragment)
    assert [b.plain for b in again] == ["Ett", "• a\n• b"]
    assert html_blocks(fragment) == ["Ett", "• a\n• b"]


def _documents() -> list[tuple[str, bytes]]:
    from pressarchive.dedupe.urls import platform_release_id
    from pressarchive.demo.server import ask, room_module, room_start_path

    docs = [(str(p), p.read_bytes()) for p in sorted(REAL.rglob("*.html"))]
    for platform in ("mynewsdesk", "viatt", "sitevision", "cision", "generic"):
        module = room_module(platform)
        room = module.make_room(size=6)
        listing = ask(room, room_start_path(module, room)).body
        docs.append((platform, listing))
        releases = [
            href.decode()
            for href in re.findall(rb'href="(/[^"]+)"', listing)
            if platform_release_id(platform, "http://127.0.0.1" + href.decode())
        ]
        for path in releases[:3]:
            docs.append((path, ask(room, path).body))
    docs.append(
        (
            "every rule",
            """<html><body><!-- c --><p>a<span class="sr-only">x</span>b</p>
            <div hidden><p>h<!-- inner --></p></div><div aria-hidden=" TRUE ">y</div>
            <div style="color:red; DISPLAY : none">z</div><p class="Is-Hidden">q</p>
            <i></i><i class="fa fa-x"></i><span class="my-icon"> </span><span class="fade">ok</span>
            <img alt="A line styled icon from Orion Icon Library"><p title="Icon library">t</p>
            <p>Icon from somewhere</p><p>text <b>Icon from</b></p><svg><g/></svg>
            <p class="env-assistive-text">öppnas i nytt fönster</p><p class="u-HIDDEN">u</p>
            <noscript>n</noscript><template>t</template><p>kept</p>tail</body></html>""".encode(),
        )
    )
    return docs


def _is_hidden_reference(el: Any) -> bool:
    """`_is_hidden` as first written, rule by rule."""
    from pressarchive.refine.hidden import (
        _DROP_WITH_CONTENT,
        _HIDDEN_CLASSES,
        _HIDDEN_STYLE,
        _ICON_CLASS,
        _ICON_TEXT,
    )

    tag = el.tag if isinstance(el.tag, str) else ""
    tag = tag.rsplit("}", 1)[-1].lower()
    if tag in _DROP_WITH_CONTENT:
        return True
    attrib = el.attrib
    if "hidden" in attrib:
        return True
    if attrib.get("aria-hidden", "").strip().lower() == "true":
        return True
    style = attrib.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    classes = attrib.get("class", "")
    if classes:
        if set(classes.lower().split()) & _HIDDEN_CLASSES:
            return True
        if tag in ("i", "span") and _ICON_CLASS.search(classes) and not (el.text or "").strip():
            return True
    if tag == "i" and not classes and not (el.text or "").strip() and len(el) == 0:
        return True
    for name in ("alt", "title", "aria-label"):
        value = attrib.get(name)
        if value and _ICON_TEXT.search(value):
            return True
    return tag not in ("html", "body") and bool(_ICON_TEXT.fullmatch((el.text or "").strip()))


def remove_hidden_reference(root: Any) -> int:
    from lxml import etree

    from pressarchive.refine.hidden import _drop_keep_tail

    doomed: list[Any] = []
    skip: set[Any] = set()
    for el in root.iter():
        if not isinstance(el.tag, str):
            if isinstance(el, etree._Comment):
                doomed.append(el)
            continue
        if el is root or el in skip:
            continue
        if _is_hidden_reference(el):
            doomed.append(el)
            skip.update(el.iterdescendants())
    for el in doomed:
        _drop_keep_tail(el)
    return sum(1 for el in doomed if isinstance(el.tag, str))


def test_remove_hidden_fast_equals_the_reference() -> None:
    import lxml.html

    from pressarchive.extract.page import decode_body, parse_html
    from pressarchive.refine.hidden import remove_hidden

    documents = _documents()
    assert len(documents) > 15
    for name, body in documents:
        text, _ = decode_body(body)
        fast, slow = parse_html(text), parse_html(text)
        assert remove_hidden(fast) == remove_hidden_reference(slow), name
        assert lxml.html.tostring(fast) == lxml.html.tostring(slow), name
        fragment = lxml.html.fragment_fromstring(text, create_parent="div")
        reference = lxml.html.fragment_fromstring(text, create_parent="div")
        assert remove_hidden(fragment) == remove_hidden_reference(reference), name
        assert lxml.html.tostring(fragment) == lxml.html.tostring(reference), name
    every_rule = parse_html(decode_body(documents[-1][1])[0])
    assert (
        remove_hidden(every_rule) == 16
    )  # counted by hand: every rule, "fade" and "Icon from somewhere" kept
    assert "kept" in every_rule.text_content() and "ok" in every_rule.text_content()


@pytest.mark.parametrize("level", [1, 2, 3, 4, 9])
def test_leveled_warc_reads_back_record_by_record(level: int) -> None:
    """Members of every size read back, each on its own: ISA-L's (levels 1-3)
    and zlib's (4-9, a small window for a small record, the full one for a
    large record)."""
    import io

    from warcio.archiveiterator import ArchiveIterator

    from pressarchive.storage.warc_gzip import LeveledWARCWriter

    buffer = io.BytesIO()
    writer = LeveledWARCWriter(buffer, gzip=True, level=level)
    payloads = [b"page 0", (b"page 1 " * 9000)[:60_000], bytes(range(256)) * 400]
    for number, payload in enumerate(payloads):
        record = writer.create_warc_record(
            f"http://127.0.0.1/{number}",
            "resource",
            payload=io.BytesIO(payload),
            warc_content_type="text/html",
        )
        writer.write_record(record)
    buffer.seek(0)
    iterator = ArchiveIterator(buffer)
    read = []
    for record in iterator:
        read.append(
            (record.rec_headers.get_header("WARC-Target-URI"), record.content_stream().read())
        )
        # each record is its own gzip member: a reader can seek straight to it
        assert iterator.get_record_offset() >= 0
    assert read == [(f"http://127.0.0.1/{n}", payload) for n, payload in enumerate(payloads)]
    assert buffer.getvalue().count(b"\x1f\x8b\x08") >= 3


def _hidden_rules_reference(css: str) -> list[tuple[int, str]]:
    from pressarchive.extract.stylesheet import _HIDDEN_CLASS_RULE

    return [(m.start(), m.group(0)) for m in _HIDDEN_CLASS_RULE.finditer(css)]


def _hidden_rules_fast(css: str) -> list[tuple[int, str]]:
    from pressarchive.extract.stylesheet import _hidden_rules

    return sorted((m.start(), m.group(0)) for m in _hidden_rules(css))


def test_hidden_rules_on_real_style_sheets() -> None:
    from pressarchive.extract.page import parse_html

    sheets = [
        style.text or ""
        for path in sorted(REAL.glob("*/*.html"))
        for style in parse_html(path.read_text(encoding="utf-8", errors="replace")).iter("style")
    ]
    assert sum(map(len, sheets)) > 50_000  # the Via TT page alone has ~50 KB of CSS
    for css in sheets:
        assert _hidden_rules_fast(css) == _hidden_rules_reference(css)


def test_hidden_rules_on_made_up_style_sheets() -> None:
    """Stretches between braces, nesting, comma lists, case (İ, ı and ſ match
    i and s case-blind), white space inside declarations, non-ASCII sheets."""
    import random

    atoms = [
        ".a", ".b-c", ".x_1", ",", " ", "{", "}", "display:none", "DISPLAY : NONE",
        "Visibility:\thidden", "visibility:hidden", "d\u0130splay:none", "d\u0131splay:none",
        "di\u017fplay:none", "é", ";", "color:red", "div", ":hover", "@media(x){", ".a.b",
        "\n", ".", "#id", "display", "none", "hidden", ":",
    ]  # fmt: skip
    rng = random.Random(12)
    for _ in range(20_000):
        css = "".join(rng.choice(atoms) for _ in range(rng.randint(1, 14)))
        assert _hidden_rules_fast(css) == _hidden_rules_reference(css), css


def _decode_body_reference(body: bytes, declared: str | None) -> tuple[str, str]:
    from pressarchive.extract.page import DEFAULT_ENCODING, declared_encoding, without_controls

    encoding = declared_encoding(body, declared)
    if encoding is None:
        try:
            return without_controls(body.decode(DEFAULT_ENCODING)), DEFAULT_ENCODING
        except UnicodeDecodeError:
            encoding = "cp1252"
    return without_controls(body.decode(encoding, errors="replace")), encoding


@pytest.mark.parametrize(
    "text",
    ["plain", "tab\tnew\nline\r", "nul\x00bell\x07esc\x1bdel\x7f", "åäö “quotes” \x0c", "\x85\x9d"],
)
@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "cp1252", "iso-8859-1", "iso-8859-15", "utf-16", "utf-7"]
)
def test_decode_body_drops_controls_as_the_reference(text: str, encoding: str) -> None:
    """The byte-level shortcut for "no control characters" holds only for
    ASCII-based encodings; UTF-16 and UTF-7 take the text-level search."""
    from pressarchive.extract.page import decode_body

    body = text.encode(encoding, errors="replace")
    for declared in (encoding, None):
        assert decode_body(body, declared) == _decode_body_reference(body, declared)
    page = f'<html><head><meta charset="{encoding}"></head><body>{text}</body></html>'
    body = page.encode(encoding, errors="replace")
    assert decode_body(body) == _decode_body_reference(body, None)


def test_decode_body_on_saved_pages() -> None:
    from pressarchive.extract.page import decode_body

    pages = sorted(REAL.glob("*/*.html")) + sorted((REAL.parent / "golden").glob("*.html"))
    for path in pages:
        body = path.read_bytes()
        assert decode_body(body) == _decode_body_reference(body, None), path.name
        assert decode_body(body, "cp1252") == _decode_body_reference(body, "cp1252"), path.name


def test_only_style_sheets_of_a_real_size_are_remembered() -> None:
    """A hostile site's huge, ever-different sheets must not pile up in memory."""
    from pressarchive.extract.page import parse_html
    from pressarchive.extract.stylesheet import (
        _CACHED_SHEET_CHARS,
        _remembered_classes_hidden_by,
        stylesheet_hidden_classes,
    )

    small = ".a{display:none}"
    huge = ".b{display:none}" + " " * _CACHED_SHEET_CHARS
    _remembered_classes_hidden_by.cache_clear()
    for css in (small, huge):
        root = parse_html(f"<html><head><style>{css}</style></head><body></body></html>")
        assert stylesheet_hidden_classes(root) == {css[1]}
    assert _remembered_classes_hidden_by.cache_info().currsize == 1


def test_long_strings_from_a_page_are_not_remembered() -> None:
    """The caches of paragraph keys and folded names keep strings of a
    paragraph's or a name's size only: a page can hold megabytes in one."""
    from pressarchive.refine import about_model, contacts

    long = "Ord " * 5_000
    about_model._remembered_key.cache_clear()
    contacts._remembered_name_key.cache_clear()
    contacts._remembered_fold.cache_clear()
    contacts._remembered_stems.cache_clear()
    assert about_model.paragraph_key(long) == about_model._key(about_model.tokens(long))
    assert contacts.name_key(long) == contacts._name_key(long)
    assert contacts.email_is_valid("anna@example.se", [long])
    assert about_model._remembered_key.cache_info().currsize == 0
    assert contacts._remembered_name_key.cache_info().currsize == 0
    assert contacts._remembered_fold.cache_info().currsize == 0
    assert contacts._remembered_stems.cache_info().currsize == 0
    assert about_model.paragraph_key("Ett kort stycke.") == "ett kort stycke"
    assert about_model._remembered_key.cache_info().currsize == 1
