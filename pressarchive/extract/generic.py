"""Any other press room: structured metadata first, trafilatura for the body.

Also the small reading helpers the platform extractors share (inner HTML of a
container, squashed text, phone numbers, ISO machine dates), so that every
extractor reads markup the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import lxml.html
from parsel import Selector

from pressarchive.extract import flag_missing
from pressarchive.extract.fallback import fallback_title, main_content
from pressarchive.extract.metadata import article_object, read_metadata
from pressarchive.extract.page import Page
from pressarchive.extract.titles import clean_title
from pressarchive.items import Attachment, Contact, Image, Release, Tag
from pressarchive.refine.contacts import normalise_phone
from pressarchive.text import squash

REQUIRED_FIELDS: tuple[str, ...] = ("title", "body_html")

_ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "blogposting", "pressrelease"}
_KIND_WORDS = (
    ("pressinbjudan", "pressinbjudan"),
    ("pressinbjudningar", "pressinbjudan"),
    ("pressmeddelande", "pressmeddelande"),
    ("pressmeddelanden", "pressmeddelande"),
    ("nyhet", "nyhet"),
    ("nyheter", "nyhet"),
)


# ------------------------------------------------------------------ shared helpers


def text_of(selector: Selector | None) -> str:
    if selector is None:
        return ""
    return squash(selector.xpath("string()").get())


def first(sel: Selector, queries: Iterable[str]) -> Selector | None:
    """The first element that the first matching CSS query finds."""
    for query in queries:
        found = sel.css(query)
        if found:
            return found[0]
    return None


def first_text(sel: Selector, queries: Iterable[str]) -> str:
    for query in queries:
        for found in sel.css(query):
            text = text_of(found)
            if text:
                return text
    return ""


def inner_html(selector: Selector | None) -> str:
    """The container's children as HTML, without the container's own tag."""
    if selector is None:
        return ""
    element = selector.root
    if not isinstance(element, lxml.html.HtmlElement):
        return ""
    parts = [element.text or ""]
    parts.extend(lxml.html.tostring(child, encoding="unicode") for child in element)
    return "".join(parts).strip()


def has_text(html: str) -> bool:
    return bool(re.sub(r"<[^>]+>|&nbsp;|\s+", "", html))


def machine_datetime(value: str | None) -> datetime | None:
    """An ISO 8601 date-time from metadata; None for a bare day or anything else.

    A bare day is not an unambiguous publication time: the visible date line
    (parsed by the pipeline) is better then.
    """
    if not value or "T" not in value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


_PARTY = re.compile(r"^(?P<name>.+?)\s*\((?P<party>[A-ZÅÄÖ]{1,3})\)$")


def split_party(name: str) -> tuple[str, str | None]:
    """`Olle Vikmång (S)` -> (`Olle Vikmång`, `S`)."""
    match = _PARTY.match(squash(name))
    if match:
        return match.group("name"), match.group("party")
    return squash(name), None


def make_contact(
    name: str, *, title: str = "", phone: str = "", email: str = "", role: str = "contact"
) -> Contact | None:
    person, party = split_party(name)
    if not person:
        return None
    email = squash(email).removeprefix("mailto:").split("?")[0]
    return Contact(
        name=person,
        role=role,
        title=squash(title) or None,
        party=party,
        phone=normalise_phone(phone) if phone else None,
        email=email or None,
    )


def kind_from_label(label: str | None, default: str) -> str:
    """The platform's material label ("Pressinbjudan", "Nyheter") -> a Kind."""
    words = squash(label).lower().rstrip(":")
    for word, kind in _KIND_WORDS:
        if words == word or words.startswith(word + " ") or words.startswith(word + ":"):
            return kind
    return default


def absolute(page: Page, href: str | None) -> str | None:
    return urljoin(page.url, href.strip()) if href and href.strip() else None


def json_ld_article(page: Page) -> dict[str, Any] | None:
    """The page's JSON-LD article (a bare WebPage or Event is not one). Read from
    `page.json_ld`: the parsed tree has lost its <script> blocks to remove_hidden."""
    found = article_object(page)
    if found is None or not {str(t).lower() for t in _as_list(found.get("@type"))} & _ARTICLE_TYPES:
        return None
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# ------------------------------------------------------------------ the generic extractor


def is_article(page: Page) -> bool:
    """Does the page say it is an article (and not a listing, a tag page, "Om oss")?"""
    sel = page.sel
    og_type = sel.css('meta[property="og:type"]::attr(content)').get("")
    if og_type.strip().lower() == "article":
        return True
    if sel.css('meta[property="article:published_time"]'):
        return True
    return json_ld_article(page) is not None


def extract(page: Page, release: Release) -> None:
    sel = page.sel
    meta = read_metadata(page)
    article = json_ld_article(page) or {}
    content = main_content(page)

    if not fill(release, "title", clean_title(meta.title, [meta.site_name]), "metadata"):
        heading = first_text(sel, ("article h1", "main h1", "h1"))
        if not fill(release, "title", heading, "markup"):
            fill(release, "title", fallback_title(page), "fallback")

    fill(release, "lead", meta.description, "metadata")
    fill(release, "body_html", content.body_html, "fallback")

    published_raw = meta.published_raw or _str(article.get("datePublished"))
    if fill(release, "published_raw", published_raw, "metadata"):
        release.published_at = machine_datetime(published_raw)
        if release.published_at is not None:
            release.layers["published_at"] = "metadata"
    else:
        shown = first_text(sel, ("time.entry-date", "time.published", "article time", ".posted-on"))
        fill(release, "published_raw", shown, "markup")
    modified = meta.modified_raw or _str(article.get("dateModified"))
    if modified:
        release.updated_raw = modified
        release.updated_at = machine_datetime(modified)
        release.layers["updated_raw"] = "metadata"

    release.canonical_url = absolute(page, meta.canonical) if meta.canonical else None
    release.language = meta.language or sel.xpath("/html/@lang").get() or None
    if meta.image:
        release.images.append(Image(url=absolute(page, meta.image) or meta.image))
        release.layers["images"] = "metadata"
    _generic_tags(release, sel, meta.keywords, article)
    _generic_kind(release, sel, article)
    _attachments(release, page)
    flag_missing(release, REQUIRED_FIELDS)


# A document linked from the release's text: WordPress marks it rel="attachment"
# (seen: liberalerna.se, a PDF linked after the press contact).
_DOCUMENT_LINKS = (
    '//article//a[contains(concat(" ", @rel, " "), " attachment ")]',
    '//main//a[contains(concat(" ", @rel, " "), " attachment ")]',
    '//article//a[contains(translate(@href, "PDF", "pdf"), ".pdf")]',
)


def _attachments(release: Release, page: Page) -> None:
    seen: set[str] = set()
    for query in _DOCUMENT_LINKS:
        for link in page.sel.xpath(query):
            url = absolute(page, link.attrib.get("href"))
            if url and url not in seen:
                seen.add(url)
                release.attachments.append(Attachment(url=url, title=text_of(link) or None))
    if release.attachments:
        release.layers["attachments"] = "markup"


def _generic_tags(
    release: Release, sel: Selector, keywords: Iterable[str] | str | None, article: dict[str, Any]
) -> None:
    names: list[tuple[str, str]] = []
    if isinstance(keywords, str):
        keywords = [k for k in keywords.split(",")]
    for keyword in keywords or ():
        names.append((squash(keyword), "keyword"))
    for link in sel.css('a[rel~="category"]'):
        names.append((text_of(link), "category"))
    for link in sel.css('a[rel="tag"]'):
        names.append((text_of(link), "subject"))
    section = article.get("articleSection")
    for name in section if isinstance(section, list) else [section]:
        if isinstance(name, str):
            names.append((squash(name), "category"))
    seen: set[tuple[str, str]] = set()
    for name, kind in names:
        if name and (name.lower(), kind) not in seen:
            seen.add((name.lower(), kind))
            release.tags.append(Tag(name=name, kind=kind))
    if release.tags:
        release.layers["tags"] = "metadata"


def _generic_kind(release: Release, sel: Selector, article: dict[str, Any]) -> None:
    labels = [t.name for t in release.tags if t.kind == "category"]
    labels.append(release.title.split(":")[0] if ":" in release.title else "")
    for label in labels:
        kind = kind_from_label(label, "")
        if kind:
            release.kind = kind
            release.layers["kind"] = "metadata"
            return
    release.kind = "pressmeddelande"


def fill(release: Release, name: str, value: str | None, layer: str) -> bool:
    """Fill `name` from `layer` when it is still empty and the value is not;
    the record remembers the layer. True when it filled the field."""
    value = squash(value) if name != "body_html" else (value or "").strip()
    if getattr(release, name) or not value:
        return False
    if name == "body_html" and not has_text(value):
        return False
    setattr(release, name, value)
    release.layers[name] = layer
    return True


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
