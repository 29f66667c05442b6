"""Via TT release pages -> Release (platforms.md, "Via TT"; tests/real/viatt/).

The real page is server-rendered React with generated class names (`sc-…`),
which are never selected on. Each field comes from the first layer that has
it, and `release.layers` records which:

1. "state": `window.__INITIAL_STATE__` (pressarchive.extract.viatt_state):
   title, UTC date, lead, body HTML, about-text ("Om oss" boilerplates),
   contact cards, documents, images, kind label, publisher. A state that is
   present but undecodable is a logged warning and the flag `state_undecodable`.
2. "markup": the structure of the outer `<article>`: the `h1`, the date line
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
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, urljoin, urlsplit

import lxml.html
import phonenumbers

from pressarchive.dedupe.fingerprint import platform_release_id
from pressarchive.extract.page import Page, element_text, inner_html, squash
from pressarchive.extract.viatt_state import (
    ReleaseState,
    StateError,
    decode_state,
    find_state,
    label_kind,
    release_state,
)
from pressarchive.items import Attachment, Contact, Image, Release

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
# The date line as the real page shows it; CET/CEST say the offset themselves.
_DATE_LINE = re.compile(
    r"^(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})\s+"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s+(?P<zone>CEST|CET)\b"
)
_ZONES = {"CET": timezone(timedelta(hours=1)), "CEST": timezone(timedelta(hours=2))}
_ATTACHMENT_HREF = "/data/attachments/"
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_BLOCK_TAGS = frozenset(("div", "p", "ul", "ol", "table", "blockquote", "figure", "h2", "h3"))


@dataclass
class DateLine:
    """`1.4.2026 09:29:57 CEST | Moderaterna | Pressmeddelande`, read."""

    raw: str  # the date as shown
    instant: datetime  # UTC
    publisher: str | None = None
    kind_label: str | None = None


@dataclass
class Structure:
    """What the outer <article> shows, read by element order and data-cypress."""

    title: str = ""
    date_line: DateLine | None = None
    lead: str = ""
    body_html: str = ""
    about: str = ""
    contacts: list[Contact] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)


# --- pure helpers --------------------------------------------------------------------------


def parse_date_line(text: str) -> DateLine | None:
    """The date, publisher and kind label of Via TT's date line, or None.

    `D.M.YYYY HH:MM:SS CET|CEST` is the platform's own format (seen on every
    real page); the zone name fixes the offset, so no time zone database is needed.
    """
    line = squash(text)
    match = _DATE_LINE.match(line)
    if not match:
        return None
    parts = dict(match.groupdict())
    try:
        local = datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"]),
            int(parts["minute"]),
            int(parts["second"] or 0),
            tzinfo=_ZONES[parts["zone"]],
        )
    except ValueError:
        return None
    rest = [squash(part) for part in line[match.end() :].split("|")]
    rest = [part for part in rest if part]
    return DateLine(
        raw=match.group(0),
        instant=local.astimezone(UTC),
        publisher=rest[0] if len(rest) >= 2 else None,
        kind_label=rest[-1] if rest else None,
    )


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


def phone_e164(raw: str | None) -> str | None:
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw.removeprefix("tel:"), "SE")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_email(raw: str | None) -> str | None:
    if not raw:
        return None
    value = raw.strip().removeprefix("mailto:").split("?")[0].strip()
    return value.lower() if _EMAIL.match(value) else None


def strip_publisher_suffix(title: str, publisher: str | None) -> str:
    """ "Title | Moderaterna" -> "Title": the publisher's name, else the one last part."""
    title = squash(title)
    if publisher and title.endswith(f" | {publisher}"):
        return title[: -len(f" | {publisher}")].strip()
    head, sep, _ = title.rpartition(" | ")
    return head.strip() if sep and head.strip() else title


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
        phone = phone_e164(str(phone_raw)) if phone_raw else None
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


# --- layer 2: the structure of the article ------------------------------------------------


def release_article(page: Page) -> lxml.html.HtmlElement | None:
    """The outermost <article> holding an h1 (contact cards and the sidebar's
    releases are <article>s too, nested inside it)."""
    for article in page.root.iter("article"):
        if article.find(".//h1") is not None:
            return article
    return None


def _own_text(element: lxml.html.HtmlElement, skip: str) -> str:
    """The element's text without its `skip` children (a card's h2 holds <small>)."""
    parts = [element.text or ""]
    for child in element:
        if child.tag != skip:
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return squash("".join(parts))


def _heading(section: lxml.html.HtmlElement) -> str:
    h2 = section.find("./h2")
    if h2 is None:
        h2 = next(iter(section.iterdescendants("h2")), None)
    return squash(h2.text_content()) if h2 is not None else ""


def _is_share_bar(element: lxml.html.HtmlElement) -> bool:
    return element.find(".//button") is not None or "react-share" in lxml.html.tostring(
        element, encoding="unicode"
    )


def _is_lead_block(element: lxml.html.HtmlElement) -> bool:
    """A block whose text is all bold: how the real page sets the lead."""
    text = squash(element.text_content())
    bold = squash(" ".join(s.text_content() for s in element.xpath("./strong|./*/strong|./b")))
    return bool(text) and text == bold


def read_cards(section: lxml.html.HtmlElement, page: Page, release: Release) -> list[Contact]:
    """ "Kontakter" cards: each an <article> with an h2 name + <small> title."""
    contacts = []
    for card in section.iterdescendants("article"):
        h2 = next(iter(card.iterdescendants("h2")), None)
        if h2 is None:
            continue
        name = _own_text(h2, "small")
        if not name:
            continue
        small = h2.find(".//small")
        title = squash(small.text_content()) if small is not None else ""
        tel = card.xpath(".//a[starts-with(@href, 'tel:')]/@href")
        mail = card.xpath(".//a[starts-with(@href, 'mailto:')]/@href")
        phone = phone_e164(str(tel[0])) if tel else None
        if tel and phone is None:
            release.flag("phone_invalid")
        email = clean_email(str(mail[0])) if mail else None
        contacts.append(
            Contact(name=name, role="contact", title=title or None, phone=phone, email=email)
        )
    return contacts


def read_about(page: Page) -> str:
    """The publisher-container's text under its "Om …" heading, the address left out."""
    for container in page.root.xpath('//*[@data-cypress="publisher-container"]'):
        lines: list[str] = []
        for child in container:
            if not isinstance(child.tag, str) or child.tag in ("h2", "h3", "address"):
                continue
            if child.find(".//address") is not None:
                for address in child.iterdescendants("address"):
                    address.drop_tree()
            text = "\n".join(
                squash(line) for line in element_text(child).split("\n") if squash(line)
            )
            if text:
                lines.append(text)
        if lines:
            return "\n".join(lines)
    return ""


def read_structure(page: Page, release: Release) -> Structure:
    found = Structure(about=read_about(page))
    article = release_article(page)
    if article is None:
        return found
    h1 = next(iter(article.iter("h1")))
    found.title = squash(h1.text_content())
    parent = h1.getparent()
    siblings = list(parent) if parent is not None else []
    after = siblings[siblings.index(h1) + 1 :] if h1 in siblings else []
    body_parts: list[str] = []
    for element in after:
        if not isinstance(element.tag, str):
            continue
        if found.date_line is None and not body_parts and not found.lead:
            # The real page sets it in a <p>; any block right after the h1 will do.
            found.date_line = parse_date_line(element.text_content())
            if found.date_line is not None:
                continue
        if element.tag == "section":
            _read_section(element, page, release, found)
            continue
        if element.tag == "figure":
            _read_figure(element, page, found)
            continue
        if element.tag not in _BLOCK_TAGS or _is_share_bar(element):
            continue
        if not found.lead and not body_parts and _is_lead_block(element):
            found.lead = squash(element.text_content())
            continue
        if squash(element.text_content()):
            body_parts.append(inner_html(element) if element.tag == "div" else _outer(element))
    found.body_html = "\n".join(part for part in body_parts if part)
    return found


def _outer(element: lxml.html.HtmlElement) -> str:
    return lxml.html.tostring(element, encoding="unicode", with_tail=False).strip()


def _read_figure(element: lxml.html.HtmlElement, page: Page, found: Structure) -> None:
    for img in element.iter("img"):
        src = img.get("src")
        if src:
            caption = element.find(".//figcaption")
            text = squash(caption.text_content()) if caption is not None else ""
            found.images.append(Image(url=page.absolute(src), caption=text or None))


def _read_section(
    section: lxml.html.HtmlElement, page: Page, release: Release, found: Structure
) -> None:
    heading = _heading(section).casefold()
    if heading == "kontakter" or heading == "kontakt":
        found.contacts.extend(read_cards(section, page, release))
    for href in section.xpath(f".//a[contains(@href, '{_ATTACHMENT_HREF}')]"):
        link = href.get("href")
        if link:
            title = squash(href.text_content()) or None
            found.attachments.append(Attachment(url=page.absolute(link), title=title))
    if heading == "bilder":
        for figure in section.iter("figure"):
            _read_figure(figure, page, found)


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
        _offer(release, "title", strip_publisher_suffix(og_title, release.organisation), "metadata")
    _offer(release, "lead", squash(page.meta("og:description", "description")), "metadata")
    canonical = page.attr('link[rel="canonical"]', "href") or page.meta("og:url")
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
