"""Via TT's second layer: what the outer `<article>` shows, read by element
order and `data-cypress` attributes (platforms.md, "Via TT"; tests/real/viatt/).

The `h1`, the date line `1.4.2026 09:29:57 CEST | Publisher | Pressmeddelande`
(the only date in the HTML), the lead (a block of `<strong>`), the body blocks,
then sections each under an `h2` ("Kontakter" cards with `h2` name + `<small>`
title, `tel:`/`mailto:` links; "Dokument" with `/data/attachments/` links;
"Bilder"), and the about-text in `section[data-cypress=publisher-container]`.
Generated class names (`sc-…`) are never selected on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import lxml.html

from pressarchive.extract.page import Page, element_text, inner_html
from pressarchive.items import Attachment, Contact, Image, Release
from pressarchive.refine.contacts import clean_email, normalise_phone
from pressarchive.refine.dates import parse_date
from pressarchive.text import squash

# The date line as the real page shows it: `D.M.YYYY HH:MM:SS CET|CEST`; the
# date itself is read by refine.dates (CET/CEST say the offset themselves).
_DATE_LINE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s+(?:CEST|CET)\b")
_ATTACHMENT_HREF = "/data/attachments/"
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


def parse_date_line(text: str) -> DateLine | None:
    """The date, publisher and kind label of Via TT's date line, or None
    (also when the date is no date, such as 31.2)."""
    line = squash(text)
    match = _DATE_LINE.match(line)
    parsed = parse_date(match.group(0)) if match else None
    if match is None or parsed is None:
        return None
    rest = [squash(part) for part in line[match.end() :].split("|")]
    rest = [part for part in rest if part]
    return DateLine(
        raw=match.group(0),
        instant=parsed.utc,
        publisher=rest[0] if len(rest) >= 2 else None,
        kind_label=rest[-1] if rest else None,
    )


# --- the structure of the article ------------------------------------------------


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
        phone = normalise_phone(str(tel[0])) if tel else None
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
