"""Via TT release pages -> Release (platforms.md, "Via TT"; tests/real/viatt/).

The real page is server-rendered React with generated class names (`sc-…`),
which are never selected on. Each field comes from the first layer that has
it, and `release.layers` records which:

1. "state": `window.__INITIAL_STATE__` (pressarchive.extract.viatt_state):
   title, UTC date, lead, body HTML, about-text ("Om oss" boilerplates),
   contact cards, documents, images, kind label, publisher. A state that is
   present but undecodable is a logged warning and the flag `state_undecodable`.
2. "markup": the structure of the outer `<article>` (viatt_article): the `h1`, the date line
   `1.4.2026 09:29:57 CEST | Publisher | Pressmeddelande` (the only date in
   the HTML), the lead (a block of `<strong>`), the body blocks, then sections
   each under an `h2` ("Kontakter" cards with `h2` name + `<small>` title,
   `tel:`/`mailto:` links; "Dokument" with `/data/attachments/` links; "Bilder"),
   and the about-text in `section[data-cypress=publisher-container]` (older
   pages put an `<address>` first, which is not about-text).
3. "metadata": og:title without " | Publisher", og:description as the lead.

Whatever a layer leaves empty falls to the next; a required field that no
layer found is flagged `missing:<field>` by extract_page, and the spider
warns and counts it.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urljoin, urlsplit

import lxml.html

from pressarchive.dedupe.urls import platform_release_id
from pressarchive.extract.page import Page, element_text
from pressarchive.extract.titles import clean_title
from pressarchive.extract.viatt_article import (
    Structure,
    read_structure,
)
from pressarchive.extract.viatt_state import (
    ReleaseState,
    StateError,
    decode_state,
    find_state,
    label_kind,
    release_state,
)
from pressarchive.items import Attachment, Contact, Image, Release
from pressarchive.refine.contacts import clean_email, normalise_phone
from pressarchive.text import squash

REQUIRED_FIELDS: tuple[str, ...] = ("title", "published_raw", "body_html")

log = logging.getLogger(__name__)

KIND_BY_LABEL = {
    "pressmeddelande": "pressmeddelande",
    "press release": "pressmeddelande",
    "pressinbjudan": "pressinbjudan",
    "press invitation": "pressinbjudan",
    "nyhet": "nyhet",
    "news": "nyhet",
}


# --- pure helpers --------------------------------------------------------------------------


def kind_from_label(label: str | None) -> str | None:
    if not label:
        return None
    return KIND_BY_LABEL.get(squash(label).casefold())


def iso_instant(raw: str | None) -> datetime | None:
    """An aware UTC datetime from the state's ISO date ("2026-04-01T07:29:57.304Z")."""
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        return None
    # Whole seconds, as the page shows them: the state's milliseconds are the
    # platform's own stamp, and the markup layer must give the same instant.
    return value.astimezone(UTC).replace(microsecond=0)


def html_text(fragment: str) -> str:
    """The squashed text of an HTML fragment (the state's leadtext, boilerplates)."""
    if not fragment or not fragment.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return squash(re.sub(r"<[^>]+>", " ", fragment))
    return squash(element_text(root))


def paragraphs_text(fragment: str) -> str:
    """An HTML fragment's text, one line per block (about-texts keep their paragraphs)."""
    if not fragment or not fragment.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return squash(re.sub(r"<[^>]+>", " ", fragment))
    lines = [squash(line) for line in element_text(root).split("\n")]
    return "\n".join(line for line in lines if line)


def url_language(url: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get("lang")
    return values[0].strip().lower() if values and values[0].strip() else None


# --- layer 1: the embedded state ---------------------------------------------------------


def read_state(page: Page, release_id: str | None, release: Release) -> ReleaseState | None:
    """The release in the page's state; a broken state is warned about and flagged."""
    raw = find_state(page.html)
    if raw is None:
        return None
    language = url_language(page.url) or (page.root.get("lang") or "").split("-")[0] or None
    try:
        found = release_state(decode_state(raw), release_id, language)
    except StateError as exc:
        log.warning("%s: Via TT page state cannot be decoded (%s)", page.url, exc)
        release.flag("state_undecodable")
        return None
    if found is None:
        log.warning("%s: Via TT page state holds no release %s", page.url, release_id or "")
        release.flag("state_without_release")
    return found


def _state_contacts(state: ReleaseState, release: Release) -> list[Contact]:
    contacts = []
    for card in state.items("contacts", "cards"):
        name = squash(str(card.get("name") or ""))
        if not name:
            continue
        phone_raw = card.get("phone") or card.get("mobile")
        phone = normalise_phone(str(phone_raw)) if phone_raw else None
        if phone_raw and phone is None:
            release.flag("phone_invalid")
        email = clean_email(str(card.get("email") or ""))
        title = squash(str(card.get("title") or card.get("company_department") or "")) or None
        contacts.append(Contact(name=name, role="contact", title=title, phone=phone, email=email))
    return contacts


def _state_about(state: ReleaseState) -> str:
    texts = [paragraphs_text(str(item.get("body") or "")) for item in state.items("boilerplates")]
    about = "\n\n".join(text for text in texts if text)
    if about:
        return about
    publisher = state.release.get("publisher")
    if isinstance(publisher, dict):
        return paragraphs_text(str(publisher.get("boilerplate") or ""))
    return ""


def apply_state(state: ReleaseState, page: Page, release: Release) -> None:
    title = squash(state.text("title"))
    if title:
        _set(release, "title", title, "state")
    instant = iso_instant(state.release.get("date") and str(state.release.get("date")))
    if instant is not None:
        _set(release, "published_at", instant, "state")
        _set(release, "published_raw", str(state.release["date"]), "state")
    lead = html_text(state.text("leadtext")) or squash(state.text("metadescription"))
    if lead:
        _set(release, "lead", lead, "state")
    body = state.text("body", "complete")
    if html_text(body):
        _set(release, "body_html", body.strip(), "state")
    about = _state_about(state)
    if about:
        _set(release, "about_text", about, "state")
    kind = kind_from_label(label_kind(state.text("localizedlabel")))
    if kind:
        _set(release, "kind", kind, "state")
    publisher = state.release.get("publisher")
    if isinstance(publisher, dict) and squash(str(publisher.get("name") or "")):
        _set(release, "organisation", squash(str(publisher["name"])), "state")
    if state.language:
        _set(release, "language", state.language, "state")
    contacts = _state_contacts(state, release)
    if contacts:
        _set(release, "contacts", contacts, "state")
    attachments = [
        Attachment(
            url=page.absolute(str(doc["path"])), title=squash(str(doc.get("title") or "")) or None
        )
        for doc in state.items("documents")
        if doc.get("path")
    ]
    if attachments:
        _set(release, "attachments", attachments, "state")
    images = [
        Image(
            url=page.absolute(str(img["path"])),
            caption=squash(str(img.get("caption") or "")) or None,
        )
        for img in state.items("images")
        if img.get("path")
    ]
    if images:
        _set(release, "images", images, "state")
    url = state.text("url")
    if url:
        _set(release, "canonical_url", page.absolute(url), "state")


def apply_structure(found: Structure, release: Release) -> None:
    """Fill what the state left empty from the article's structure."""
    line = found.date_line
    _offer(release, "title", found.title, "markup")
    if line is not None:
        # published_raw is the date as the page shows it, whichever layer gave the instant.
        _set(release, "published_raw", line.raw, "markup")
        _offer(release, "published_at", line.instant, "markup")
        _offer(release, "organisation", line.publisher, "markup")
        kind = kind_from_label(line.kind_label)
        if kind and "kind" not in release.layers:
            _set(release, "kind", kind, "markup")
    _offer(release, "lead", found.lead, "markup")
    _offer(release, "body_html", found.body_html, "markup")
    _offer(release, "about_text", found.about, "markup")
    _offer(release, "contacts", found.contacts, "markup")
    _offer(release, "attachments", found.attachments, "markup")
    _offer(release, "images", found.images, "markup")


# --- layer 3: metadata ---------------------------------------------------------------------


def apply_metadata(page: Page, release: Release) -> None:
    og_title = page.meta("og:title", "twitter:title") or page.text("title")
    if og_title:
        _offer(release, "title", clean_title(og_title, [release.organisation]), "metadata")
    _offer(release, "lead", squash(page.meta("og:description", "description")), "metadata")
    canonical = page.link_href("canonical") or page.meta("og:url")
    if canonical:
        _offer(release, "canonical_url", page.absolute(canonical), "metadata")
    language = (page.root.get("lang") or "").split("-")[0].lower()
    _offer(release, "language", language, "metadata")


# --- the extractor ----------------------------------------------------------------------------


def _set(release: Release, name: str, value: object, layer: str) -> None:
    setattr(release, name, value)
    release.layers[name] = layer


def _offer(release: Release, name: str, value: object, layer: str) -> None:
    """Set the field from this layer only if no earlier layer filled it."""
    if name in release.layers or value is None or value == "" or value == []:
        return
    _set(release, name, value, layer)


def extract(page: Page, release: Release) -> None:
    """Fill `release` in place from a Via TT release page, layer by layer."""
    url_id = platform_release_id("viatt", page.url)
    state = read_state(page, url_id, release)
    if state is not None:
        apply_state(state, page, release)
    apply_structure(read_structure(page, release), release)
    apply_metadata(page, release)
    if url_id:
        _set(release, "platform_id", url_id, "derived")
    elif state is not None and state.release.get("id"):
        # A saved page without its URL: the state still names the release.
        _set(release, "platform_id", str(state.release["id"]), "state")
    if "kind" not in release.layers:
        release.flag("kind_unknown")
    if release.canonical_url:
        release.canonical_url = urljoin(page.url, release.canonical_url)
