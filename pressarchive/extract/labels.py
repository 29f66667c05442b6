"""Reading a release by its visible labels, where its class names are unseen.

Mynewsdesk and Cision page HTML has never been seen here; their page *text*
has (../shared/seeds): sections under headings "Ämnen", "Kontakter", "Om
<organisation>". These readers find the heading by its words and take what
follows it, so they hold whatever the class names are. They are the layer
after the platform's (guessed) classes and before nothing: a page where they
find nothing either is reported by the extractor.
"""

from __future__ import annotations

import re

import lxml.html

from pressarchive.extract.generic import make_contact
from pressarchive.extract.page import Page, element_text
from pressarchive.items import Contact
from pressarchive.refine.chrome import is_about_heading
from pressarchive.refine.contacts import read_card
from pressarchive.text import squash

_HEADINGS = "//h2 | //h3 | //h4"
_CONTACTS = re.compile(r"^(?:kontakter|kontaktpersoner?|presskontakt(?:er)?)$", re.I)


def _following_blocks(heading: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The heading's next siblings up to the next heading of its level or higher;
    when it has none (the heading sits alone in a header), its parent's."""
    level = heading.tag
    stop = {"h1", "h2", "h3", "h4"} if level == "h4" else {"h1", "h2", level}
    blocks: list[lxml.html.HtmlElement] = []
    for sibling in heading.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        if sibling.tag in stop:
            break
        blocks.append(sibling)
    parent = heading.getparent()
    if not blocks and parent is not None and parent.tag in ("header", "div"):
        return _following_blocks(parent) if parent.getparent() is not None else []
    return blocks


def about_by_heading(page: Page, organisation: str | None = None) -> str:
    """The text under the heading that opens the about-text ("Om", "Om
    Norrköpings kommun"; the rule is refine.chrome.is_about_heading)."""
    for heading in page.root.xpath(_HEADINGS):
        text = " ".join(squash(element_text(b)) for b in _following_blocks(heading)).strip()
        if text and is_about_heading(squash(element_text(heading)), organisation, text):
            return text
    return ""


def contacts_by_heading(page: Page, role: str = "contact") -> list[Contact]:
    """The cards under a "Kontakter" heading: each block a person (name first,
    then title; phone from `tel:` or a "Tel" line; e-mail from `mailto:`)."""
    for heading in page.root.xpath(_HEADINGS):
        if not _CONTACTS.match(squash(element_text(heading))):
            continue
        contacts: list[Contact] = []
        for block in _following_blocks(heading):
            cards = (
                [c for c in block if isinstance(c.tag, str)]
                if block.tag in ("ul", "ol")
                else [block]
            )
            for card in cards:
                contact = _card(card, role)
                if contact is not None:
                    contacts.append(contact)
        if contacts:
            return contacts
    return []


def _card(card: lxml.html.HtmlElement, role: str) -> Contact | None:
    read = read_card(element_text(card).split("\n"))
    if read is None:
        return None
    # the card's own tel: and mailto: links win over its text
    phone = next(iter(card.xpath('.//a[starts-with(@href, "tel:")]/@href')), "") or read.phone
    email = next(iter(card.xpath('.//a[starts-with(@href, "mailto:")]/@href')), "") or read.email
    if not (phone or email or read.title):
        return None
    return make_contact(
        squash(read.name),
        title=read.title,
        phone=str(phone).removeprefix("tel:"),
        email=str(email),
        role=role,
    )
