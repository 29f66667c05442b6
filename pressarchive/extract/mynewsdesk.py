"""Mynewsdesk release pages -> Release (platforms.md, "Mynewsdesk").

Metadata first (OpenGraph, `article:published_time` where the page has it),
then the page's markup: the "Pressmeddelande - Jan 18, 2018 16:32 CET" header,
title, summary, body, "Ämnen"/"Kategorier"/"Regioner" lists, the about
block, and the "Kontakter" cards (press contacts, e-mails read only after the
hidden junk characters are gone). The body is kept as found, contact block and
"Avsändare:" included: cleaning is the refine stage's job.

Selectors are listed per field, most specific first, so that one renamed class
does not empty a field; the spider warns when a required field comes back empty.

GUESS, all of it: Mynewsdesk's page HTML is unseen (only its text, seeds 000
and 001). Every class name below (`.press-release__body`, `.contact-card`, …)
is ours; one third-party scraper's `div.panel__text` / `p.type__date > time`
are unverified. What holds without them: metadata, the labels the page text
shows ("Ämnen", "Kontakter", "Om …", read by pressarchive.extract.labels), the
fallback body, and, with `options.unique_key`, the pressroom service that
replaces the page entirely (pressarchive.extract.services). A real saved
release page under tests/real/mynewsdesk would prove or replace the classes;
until then a page where they find nothing is flagged `missing:<field>`, which
the spider warns about and counts.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pressarchive.extract.class_index import first_of_each
from pressarchive.extract.fallback import fallback_body_html
from pressarchive.extract.labels import about_by_heading, contacts_by_heading
from pressarchive.extract.metadata import read_metadata
from pressarchive.extract.page import Page
from pressarchive.extract.query import first_string, string_value
from pressarchive.extract.titles import clean_title
from pressarchive.items import Attachment, Contact, Image, Release, Tag
from pressarchive.refine.contacts import clean_email, normalise_phone
from pressarchive.text import squash

REQUIRED_FIELDS: tuple[str, ...] = ("title", "published_raw", "body_html")

TITLE = ("h1.press-release__title", "article h1", ".panel__title", "h1")
DATE = (".press-release__date", ".publish-date", "article header time", ".material-header__date")
TYPE_LABEL = (".press-release__type", ".material-type", ".press-release__header")
LEAD = (".press-release__summary", ".summary", "article .lead", ".material-summary")
BODY = (
    ".press-release__body",
    ".material-body",
    '[itemprop="articleBody"]',
    "article .body",
)
ABOUT = (".press-release__boilerplate", ".boilerplate", ".material-boilerplate")
CONTACT_CARDS = (".press-release__contacts .contact-card", ".contact-card", ".contact-person")
# Within a card: its name, title, phone and e-mail (the first match of each).
CARD_FIELDS = (
    ".contact-card__name, h4, h3, .name",
    ".contact-card__title, .title",
    ".contact-card__phone, .phone",
    ".contact-card__email, .email",
)
FIGURES = ("article figure", ".newsroom-media")
TAG_HEADINGS = {"ämnen": "subject", "kategorier": "category", "regioner": "region"}

# A date line like "Pressmeddelande  •  Jan 18, 2018 16:32 CET": keep from the month on.
_DATE_IN_LINE = re.compile(
    r"((?:Jan|Feb|Mar|Apr|May|Maj|Jun|Jul|Aug|Sep|Oct|Okt|Nov|Dec)[a-z]*\.? \d{1,2}, \d{4}"
    r"(?: \d{1,2}:\d{2})?(?: CES?T)?)"
)
_DOCUMENT = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|zip)(?:$|\?)|/documents?/", re.IGNORECASE)
_PATH_KINDS = (
    (re.compile(r"/(?:events?)/"), "pressinbjudan"),
    (re.compile(r"/news/"), "nyhet"),
)
_LABEL_KINDS = (
    ("pressinbjudan", "pressinbjudan"),
    ("evenemang", "pressinbjudan"),
    ("nyhet", "nyhet"),
)


def first_text(page: Page, queries: tuple[str, ...]) -> str:
    for query in queries:
        value = page.text(query)
        if value:
            return value
    return ""


def first_html(page: Page, queries: tuple[str, ...]) -> str:
    for query in queries:
        html = page.inner_html(query)
        if squash(re.sub(r"<[^>]+>", " ", html)):
            return html
    return ""


def date_from_line(line: str) -> str:
    """The date part of a header line ("Pressmeddelande - Jan 18, 2018 16:32 CET")."""
    match = _DATE_IN_LINE.search(line)
    return match.group(1) if match else ""


def machine_date(value: str | None) -> datetime | None:
    """An ISO 8601 date with an offset, else None (anything vaguer is left to the pipeline)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else None


def kind_of(url: str, label: str, title: str) -> str:
    if title.lower().startswith("pressinbjudan"):
        return "pressinbjudan"
    for pattern, kind in _PATH_KINDS:
        if pattern.search(url):
            return kind
    lowered = label.lower()
    for word, kind in _LABEL_KINDS:
        if word in lowered:
            return kind
    return "pressmeddelande"


def read_contact_cards(page: Page, release: Release) -> list[Contact]:
    for query in CONTACT_CARDS:
        cards = page.find(query)
        if cards:
            break
    else:
        return []
    contacts = []
    for card in cards:
        fields = first_of_each(card, CARD_FIELDS)
        assert fields is not None, "CARD_FIELDS are lists of simple selectors"
        name, title_text, phone_raw, email_raw = (
            "" if element is None else squash(string_value(element)) for element in fields
        )
        if not name:
            continue
        title = title_text or None
        email = clean_email(email_raw) if email_raw else None
        if email_raw and email is None:
            release.flag("email_invalid")
        if not email_raw:
            mailto = first_string(card, 'a[href^="mailto:"]::attr(href)')
            email = clean_email(mailto) if mailto else None
        phone = normalise_phone(phone_raw) if phone_raw else None
        if phone_raw and phone is None:
            release.flag("phone_invalid")
        contacts.append(
            Contact(
                name=name,
                role="press_contact",
                title=title,
                phone=phone,
                email=email.lower() if email else None,
                organisation=release.organisation,
            )
        )
    return contacts


def _first_list_items(heading: Any) -> list[Any]:
    """The <li> children of the heading's first following <ul> sibling: what
    `./following-sibling::ul[1]/li` selects, without an XPath a heading."""
    for ul in heading.itersiblings("ul"):
        return list(ul.iterchildren("li"))
    return []


def read_tags(page: Page) -> list[Tag]:
    tags: list[Tag] = []
    for heading in page.elements("h2", "h3", "h4"):
        kind = TAG_HEADINGS.get(squash(string_value(heading)).lower())
        if kind is None:
            continue
        names = [string_value(li) for li in _first_list_items(heading)]
        tags.extend(Tag(name=squash(n), kind=kind) for n in names if squash(n))
    return tags


def read_images(page: Page, og_image: str | None) -> list[Image]:
    images: list[Image] = []
    for query in FIGURES:
        for figure in page.find(query):
            src = first_string(figure, "img::attr(src)")
            if not src:
                continue
            caption = squash(first_string(figure, "figcaption")) or None
            images.append(Image(url=page.absolute(src), caption=caption))
        if images:
            break
    if not images and og_image:
        images.append(Image(url=og_image))
    return images


def read_attachments(page: Page) -> list[Attachment]:
    """Documents linked from the release (Mynewsdesk's "Dokument" section)."""
    attachments: list[Attachment] = []
    seen: set[str] = set()
    # The class test of `.documents a[href]` is an XPath scan of every element;
    # the page's class index says first whether any element has that class.
    query = "article a[href], .documents a[href]" if page.find(".documents") else "article a[href]"
    for link in page.find(query):
        href = link.get("href", "")
        if not _DOCUMENT.search(href):
            continue
        url = page.absolute(href)
        if url not in seen:
            seen.add(url)
            title = squash(string_value(link)) or None
            attachments.append(Attachment(url=url, title=title))
    return attachments


def extract(page: Page, release: Release) -> None:
    meta = read_metadata(page)

    title = clean_title(meta.title, [meta.site_name])
    release.layers["title"] = "metadata"
    if not title:
        title = first_text(page, TITLE)
        release.layers["title"] = "markup"
    release.title = title

    header_line = first_text(page, DATE)
    shown_date = date_from_line(header_line) or header_line
    iso = machine_date(meta.published_raw)
    if iso is not None and meta.published_raw:
        release.published_raw = meta.published_raw
        release.published_at = iso
        release.layers["published_raw"] = release.layers["published_at"] = "metadata"
    elif shown_date:
        release.published_raw = shown_date
        release.layers["published_raw"] = "markup"
    if meta.modified_raw:
        release.updated_raw = meta.modified_raw
        release.updated_at = machine_date(meta.modified_raw)
        release.layers["updated_raw"] = "metadata"

    # og:description is often a shortened lead; the page's own summary is the lead.
    lead = first_text(page, LEAD)
    release.layers["lead"] = "markup"
    if not lead and meta.description:
        lead = meta.description
        release.layers["lead"] = "metadata"
    release.lead = lead

    body_html = first_html(page, BODY)
    release.layers["body_html"] = "markup"
    if not body_html:
        body_html = fallback_body_html(page)
        release.layers["body_html"] = "fallback"
    release.body_html = body_html

    about = first_text(page, ABOUT) or about_by_heading(page, release.organisation)
    if about:
        release.about_text = about
        release.layers["about_text"] = "markup"

    label = first_text(page, TYPE_LABEL)
    release.kind = kind_of(page.url, label, release.title)
    release.layers["kind"] = "markup"

    if meta.canonical:
        release.canonical_url = meta.canonical
        release.layers["canonical_url"] = "metadata"
    if meta.language:
        release.language = meta.language
        release.layers["language"] = "metadata"

    release.contacts = read_contact_cards(page, release) or contacts_by_heading(
        page, role="press_contact"
    )
    release.tags = read_tags(page)
    release.images = read_images(page, meta.image)
    release.attachments = read_attachments(page)
    found = {
        "contacts": bool(release.contacts),
        "tags": bool(release.tags),
        "images": bool(release.images),
        "attachments": bool(release.attachments),
    }
    release.layers.update({name: "markup" for name, present in found.items() if present})
