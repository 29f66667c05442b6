"""Sitevision municipal news pages (norrkoping.se/nyhetsarkiv/...).

Sitevision builds a page from portlets (`sv-text-portlet`, `sv-image-portlet`)
whose ids and classes each municipality names itself, so every field has
several selectors, tried in order, then the fallback layer. Site chrome (the
alert banner, cookie consent, mega menu, "Dela", footer) lives outside the
containers read here.
"""

from __future__ import annotations

import re

from parsel import Selector

from pressarchive.dedupe.fingerprint import platform_release_id
from pressarchive.extract import flag_missing
from pressarchive.extract.fallback import fallback_body_html
from pressarchive.extract.generic import (
    absolute,
    fill,
    first,
    first_text,
    inner_html,
    kind_from_label,
    machine_datetime,
    make_contact,
    squash,
    text_of,
)
from pressarchive.extract.metadata import read_metadata
from pressarchive.extract.page import Page
from pressarchive.items import Image, Release, Tag

PLATFORM = "sitevision"
REQUIRED_FIELDS: tuple[str, ...] = ("title", "published_raw", "body_html")

# Selectors, most specific first; all in one place so a layout change is one edit.
ARTICLE = ("main article", "article.news-article", "main#main-content", "main", "body")
TITLE = ("h1.heading", "h1")
LEAD = ("#Ingress p", "p.lead", ".sv-text-portlet p.normal.lead", "p.ingress", ".ingress")
BODY = (
    "#Brodtext .sv-text-portlet-content",
    "#Brodtext",
    ".sv-text-portlet.brodtext .sv-text-portlet-content",
    ".news-body",
)
KIND_LABEL = (".sv-news-category", ".news-category", ".sv-news-type")
DATE_LINES = (".sv-published", ".sv-dates p", ".published", "p.meta", "time")
CONTACT = ("#Kontakt .sv-text-portlet-content", "#Kontakt", ".sv-contact")
IMAGE = (".sv-image-portlet",)
TAGS = (".sv-tags li", ".sv-tags a")

_PUBLISHED = re.compile(r"\bPublicerad\b:?\s*(.+)", re.I)
_UPDATED = re.compile(r"\b(?:Uppdaterad|Senast uppdaterad)\b:?\s*(.+)", re.I)
# What joins "Publicerad …" and "Uppdaterad …" on one line.
_SEPARATORS = " \u00b7,|-–"
_PHONE = re.compile(r"^(?:Telefon|Tel|Mobil)\s*:?\s*(.+)$", re.I)


def extract(page: Page, release: Release) -> None:
    sel = page.sel
    meta = read_metadata(page)
    article = first(sel, ARTICLE) or sel

    if not fill(release, "title", first_text(article, TITLE), "markup"):
        fill(release, "title", meta.title, "metadata")
    if not fill(release, "lead", first_text(article, LEAD), "markup"):
        fill(release, "lead", meta.description, "metadata")
    if not fill(release, "body_html", inner_html(first(article, BODY)), "markup"):
        # The text is rescued, but the platform's body selector stopped matching:
        # that is a layout change and must be loud (the spider warns and counts it).
        fill(release, "body_html", fallback_body_html(page), "fallback")
        release.flag("missing:body_html")

    label = first_text(article, KIND_LABEL)
    release.kind = kind_from_label(label or release.title.split(":")[0], "nyhet")
    release.layers["kind"] = "markup" if label else "derived"

    _dates(release, article, sel, meta.published_raw, meta.modified_raw)
    _contacts(release, article)
    _images(release, page, article)
    for item in article.css(TAGS[0]) or article.css(TAGS[1]):
        name = text_of(item)
        if name:
            release.tags.append(Tag(name=name, kind="subject"))
    if release.tags:
        release.layers["tags"] = "markup"

    release.platform_id = platform_release_id(PLATFORM, page.url)
    release.canonical_url = absolute(page, meta.canonical) if meta.canonical else None
    release.language = meta.language or sel.xpath("/html/@lang").get() or None
    flag_missing(release, REQUIRED_FIELDS)


def _dates(
    release: Release,
    article: Selector,
    sel: Selector,
    meta_published: str | None,
    meta_modified: str | None,
) -> None:
    """The visible "Publicerad" line is the raw date; a full ISO time in the
    metadata (article:published_time) is the exact one when the page has it."""
    shown_published, shown_updated = "", ""
    for query in DATE_LINES:
        for line in article.css(query):
            text = text_of(line)
            published = _PUBLISHED.search(text)
            updated = _UPDATED.search(text)
            if published and not shown_published:
                shown_published = _UPDATED.split(published.group(1))[0].strip(_SEPARATORS)
            if updated and not shown_updated:
                shown_updated = updated.group(1).strip()
        if shown_published:
            break
    dcterms = sel.css('meta[name="dcterms.date"]::attr(content)').get()
    exact = machine_datetime(meta_published) or machine_datetime(dcterms)
    if fill(release, "published_raw", shown_published, "markup"):
        pass
    elif meta_published or dcterms:
        fill(release, "published_raw", meta_published or dcterms, "metadata")
    if exact is not None:
        release.published_at = exact
        release.layers["published_at"] = "metadata"
    if shown_updated:
        release.updated_raw = shown_updated
        release.layers["updated_raw"] = "markup"
    elif meta_modified:
        release.updated_raw = meta_modified
        release.updated_at = machine_datetime(meta_modified)
        release.layers["updated_raw"] = "metadata"


def _contacts(release: Release, article: Selector) -> None:
    block = first(article, CONTACT)
    if block is None:
        return
    for card in block.css("p"):
        lines = [squash(t) for t in card.xpath(".//text()").getall() if squash(t)]
        email = card.css('a[href^="mailto:"]::attr(href)').get("")
        if not lines:
            continue
        name, rest = lines[0], lines[1:]
        title, phone = "", ""
        for line in rest:
            match = _PHONE.match(line)
            if match:
                phone = match.group(1)
            elif "@" in line:
                email = email or line
            elif not title:
                title = line
        contact = make_contact(name, title=title, phone=phone, email=email)
        if contact is not None:
            release.contacts.append(contact)
    if release.contacts:
        release.layers["contacts"] = "markup"


def _images(release: Release, page: Page, article: Selector) -> None:
    for portlet in article.css(IMAGE[0]):
        src = absolute(page, portlet.css("img::attr(src)").get())
        if not src:
            continue
        caption = text_of(
            first(portlet, ("figcaption", ".sv-image-portlet__caption", ".caption", "p"))
        )
        release.images.append(Image(url=src, caption=caption or None))
    if release.images:
        release.layers["images"] = "markup"
