"""Cision News release pages (news.cision.com/se/<room>/r/<slug>,c<id>).

Cision carries JSON-LD (NewsArticle) and OpenGraph: title and the exact
publication time come from there; the visible date line
(`tis, nov 25, 2025 08:00 CET`) is kept as the raw date. Body, lead, contacts,
tags, files and the about block come from the markup.

GUESS: Cision's release page HTML is unseen. What is seen: its release JSON
(read by pressarchive.extract.services.cision_release) and, in one public
client's test fixture (hand-made, not a served page), `article` > `h1` and
`time[datetime="2025-07-04 07:55:00Z"]` showing "fre, jul 04, 2025 09:55 CET".
The class names below (`.release-body`, `.contact-card`, …) are ours; when
they find nothing, the labels "Kontakter" and "Om …" (page text, seed 004)
are read by pressarchive.extract.labels, the body comes from the fallback
layer, and the release is flagged `missing:body_html` (warned, counted). A
real saved page under tests/real/cision would prove or replace them.
"""

from __future__ import annotations

from typing import Any

from parsel import Selector

from pressarchive.dedupe.urls import platform_release_id
from pressarchive.extract import flag_missing
from pressarchive.extract.fallback import fallback_body_html
from pressarchive.extract.generic import (
    absolute,
    fill,
    first,
    first_text,
    inner_html,
    json_ld_article,
    kind_from_label,
    machine_datetime,
    make_contact,
    squash,
    text_of,
)
from pressarchive.extract.labels import about_by_heading, contacts_by_heading
from pressarchive.extract.metadata import read_metadata
from pressarchive.extract.page import Page
from pressarchive.extract.titles import clean_title
from pressarchive.items import Attachment, Image, Release, Tag

PLATFORM = "cision"
REQUIRED_FIELDS: tuple[str, ...] = ("title", "published_raw", "body_html")

ARTICLE = ("article.release", "main article", "main", "body")
TITLE = ("h1.release-title", "h1")
LEAD = (".release-lead", ".lead", ".ingress")
BODY = (".release-body", '[itemprop="articleBody"]', ".body")
DATE = (".release-meta time", "header time", "time")
KIND = (".release-type", ".news-type")
CONTACT_CARDS = (".release-contacts .contact-card", ".contacts .contact")
TAG_GROUPS = (".release-tags", ".tags")
_TAG_KINDS = {"ämnen": "subject", "kategorier": "category", "regioner": "region"}
FILES = (".release-files a", ".attachments a")
ABOUT = (".release-about p", ".about p", ".boilerplate")
IMAGES = ("figure.release-image", ".release-images figure")

# Cision's label for an invitation is "Inbjudan"; Kind calls it "pressinbjudan".
_CISION_KINDS = {"inbjudan": "pressinbjudan", "regulatorisk": "pressmeddelande"}


def extract(page: Page, release: Release) -> None:
    sel = page.sel
    meta = read_metadata(page)
    data = json_ld_article(page) or {}
    article = first(sel, ARTICLE) or sel

    headline = _str(data.get("headline")) or clean_title(meta.title, [meta.site_name])
    if not fill(release, "title", headline, "metadata"):
        fill(release, "title", first_text(article, TITLE), "markup")
    if not fill(release, "lead", first_text(article, LEAD), "markup"):
        fill(release, "lead", _str(data.get("description")) or meta.description, "metadata")
    if not fill(release, "body_html", inner_html(first(article, BODY)), "markup"):
        # The text is rescued, but the platform's body selector stopped matching:
        # that is a layout change and must be loud (the spider warns and counts it).
        fill(release, "body_html", fallback_body_html(page), "fallback")
        release.flag("missing:body_html")
    about = " ".join(text_of(p) for p in _all(article, ABOUT)) or about_by_heading(
        page, release.organisation
    )
    fill(release, "about_text", about, "markup")

    _dates(release, article, data, meta.published_raw)
    label = first_text(article, KIND).lower()
    release.kind = _CISION_KINDS.get(label) or kind_from_label(label, "pressmeddelande")
    release.layers["kind"] = "markup" if label else "derived"

    for card in _all(article, CONTACT_CARDS):
        contact = make_contact(
            text_of(first(card, (".contact-name", "strong", "p"))),
            title=text_of(first(card, (".contact-title",))),
            phone=text_of(first(card, (".contact-phone", 'a[href^="tel:"]'))),
            email=card.css('a[href^="mailto:"]::attr(href)').get(""),
        )
        if contact is not None:
            release.contacts.append(contact)
    if not release.contacts:
        release.contacts = contacts_by_heading(page)
    if release.contacts:
        release.layers["contacts"] = "markup"
    _tags(release, article, data)
    for link in _all(article, FILES):
        url = absolute(page, link.attrib.get("href"))
        if url:
            release.attachments.append(Attachment(url=url, title=text_of(link) or None))
    _images(release, page, article, meta.image)

    release.platform_id = platform_release_id(PLATFORM, page.url)
    release.canonical_url = absolute(page, meta.canonical) if meta.canonical else None
    release.language = (
        _str(data.get("inLanguage")) or meta.language or sel.xpath("/html/@lang").get()
    )
    flag_missing(release, REQUIRED_FIELDS)


def _dates(
    release: Release, article: Selector, data: dict[str, Any], meta_published: str | None
) -> None:
    machine = _str(data.get("datePublished")) or meta_published
    time_element = first(article, DATE)
    if time_element is not None:
        machine = machine or time_element.attrib.get("datetime")
    if not fill(release, "published_raw", text_of(time_element), "markup"):
        fill(release, "published_raw", machine, "metadata")
    exact = machine_datetime(machine)
    if exact is not None:
        release.published_at = exact
        release.layers["published_at"] = "metadata"
    modified = _str(data.get("dateModified"))
    if modified:
        release.updated_raw = modified
        release.updated_at = machine_datetime(modified)
        release.layers["updated_raw"] = "metadata"


def _tags(release: Release, article: Selector, data: dict[str, Any]) -> None:
    """Tag groups by their heading ("Ämnen", "Kategorier", "Regioner"), else the
    JSON-LD keywords."""
    found: list[tuple[str, str]] = []
    for group in _all(article, TAG_GROUPS):
        heading = text_of(first(group, ("h2", "h3", ".heading"))).lower()
        kind = _TAG_KINDS.get(heading, "subject")
        found.extend((text_of(link), kind) for link in group.css("a"))
    layer = "markup"
    if not found:
        keywords = data.get("keywords")
        if isinstance(keywords, str):
            keywords = keywords.split(",")
        found = [(squash(k), "keyword") for k in keywords or [] if isinstance(k, str)]
        layer = "metadata"
    for name, kind in dict.fromkeys((n, k) for n, k in found if n):
        release.tags.append(Tag(name=name, kind=kind))
    if release.tags:
        release.layers["tags"] = layer


def _images(release: Release, page: Page, article: Selector, og_image: str | None) -> None:
    for figure in _all(article, IMAGES):
        url = absolute(page, figure.css("img::attr(src)").get())
        if url:
            caption = text_of(first(figure, ("figcaption",)))
            release.images.append(Image(url=url, caption=caption or None))
    if release.images:
        release.layers["images"] = "markup"
    elif og_image:
        release.images.append(Image(url=absolute(page, og_image) or og_image))
        release.layers["images"] = "metadata"


def _all(sel: Selector, queries: tuple[str, ...]) -> list[Selector]:
    for query in queries:
        found = sel.css(query)
        if found:
            return list(found)
    return []


def _str(value: Any) -> str | None:
    return squash(value) or None if isinstance(value, str) else None
