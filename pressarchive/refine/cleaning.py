"""Extracted record -> clean record: the body without chrome, contacts,
about-text, repeated title or lead; contacts structured; the event of an
invitation; the language. Idempotent: refine(refine(r)) == refine(r).

The order matters: page chrome and the "latest releases" box go first, then
contact blocks (so their short lines never reach the about-text model), then
the about-text (an "Om <org>" heading, the learned model, and prose after the
sender line — the end of a release on every platform seen), last the title
and lead repeated at the top.
"""

from __future__ import annotations

import itertools
import re
from urllib.parse import urlsplit

from pressarchive.items import Release
from pressarchive.refine.about_model import ABOUT_WORDS, AboutModel, heading_like, tokens
from pressarchive.refine.chrome import is_about_heading, is_chrome, is_latest_list_start
from pressarchive.refine.contacts import EMAIL_RE, clean_contact, extract_contacts, merge_contacts
from pressarchive.refine.events import announces_event, extract_events, is_invitation
from pressarchive.refine.html import (
    Block,
    normalise_text,
    parse_blocks,
    render_html,
    render_text,
    text_blocks,
)
from pressarchive.refine.language import detect_language

# When, where: an invitation's details recur ("Plats: Rådhuset") but are not chrome.
_EVENT_LINE = re.compile(r"^\s*(?:datum|tid|plats|när|var|adress)\s*:", re.IGNORECASE)
_TAG_HEADINGS = re.compile(r"^(?:ämnen|kategorier|regioner|taggar)$", re.IGNORECASE)

Indexed = list[tuple[int, Block]]


def _comparable(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _drop_latest_list(blocks: Indexed, flags: list[str]) -> Indexed:
    for pos, (_, block) in enumerate(blocks):
        if is_latest_list_start(block.plain):
            flags.append("latest_list_removed")
            return blocks[:pos]
    return blocks


_ABOUT_LINE = re.compile(r"Om(?:\s.{2,60})?:?")


def _drop_chrome(blocks: Indexed, organisation: str | None, flags: list[str]) -> Indexed:
    kept: Indexed = []
    after_tag_heading = False
    in_about_heading = False
    for i, block in blocks:
        text = block.plain.strip()
        if in_about_heading and organisation and text.casefold() == organisation.casefold():
            kept.append((i, block))  # "Om" / "Norrköpings kommun" / address: the about block
            continue
        in_about_heading = bool(_ABOUT_LINE.fullmatch(text))
        if after_tag_heading and block.items:
            after_tag_heading = False
            continue  # the subject/category list under "Ämnen": the extractor reads tags
        after_tag_heading = bool(_TAG_HEADINGS.match(block.plain.strip()))
        if block.items:
            items = [(h, t) for h, t in block.items if not is_chrome(t, organisation)]
            if len(items) < len(block.items):
                flags.append("chrome_removed")
            if items:
                kept.append((i, Block(block.tag, items=items)))
        elif is_chrome(block.plain, organisation):
            flags.append("chrome_removed")
        else:
            kept.append((i, block))
    return kept


def _known_words(release: Release) -> list[str]:
    """Words a garbled e-mail domain may be a scrambled copy of."""
    known = [release.organisation or ""]
    host = urlsplit(release.url).hostname or ""
    known.append(host.removeprefix("www."))
    for contact in release.contacts:
        known.append(contact.organisation or "")
        if contact.email and "@" in contact.email:
            known.append(contact.email.rsplit("@", 1)[1])
    return known


def _cut_contacts(blocks: Indexed, release: Release, known: list[str]) -> tuple[Indexed, int]:
    """Contact blocks out of the body into release.contacts. Returns the kept
    blocks and the original index of the sender line (-1 if none)."""
    lines = [block.plain for _, block in blocks]
    found = extract_contacts(lines, known_domains=known)
    for flag in found.flags:
        release.flag(flag)
    sender_at = -1
    for pos, (i, _) in enumerate(blocks):
        if pos in found.used and re.match(r"^\s*avsändare\s*:", lines[pos], re.IGNORECASE):
            sender_at = i
    cleaned = [clean_contact(c, known, release.flags) for c in release.contacts]
    release.contacts = merge_contacts(cleaned, found.contacts)
    return [b for pos, b in enumerate(blocks) if pos not in found.used], sender_at


def _about_heading_at(blocks: Indexed, organisation: str | None) -> int:
    """Position of the heading that opens the about block (not the first block)."""
    for pos, (_, block) in enumerate(blocks):
        following = blocks[pos + 1][1].plain if pos + 1 < len(blocks) else ""
        if pos > 0 and is_about_heading(block.plain, organisation, following):
            return pos
    return -1


def _split_about(
    blocks: Indexed, release: Release, about: AboutModel | None, sender_at: int
) -> tuple[Indexed, list[str]]:
    """Move the about-text out of the body; returns the body and the about
    paragraphs in the order the page has them."""
    found: Indexed = []
    heading = _about_heading_at(blocks, release.organisation)
    if heading >= 0:
        found += blocks[heading + 1 :]
        blocks = blocks[:heading]
        release.flag("about_by_heading")
    if about is not None and blocks:
        kinds = about.classify([b.plain for _, b in blocks])
        kept: Indexed = []
        for (i, block), kind in zip(blocks, kinds, strict=True):
            if kind == "about":
                found.append((i, block))
                release.flag("about_learned")
            elif kind == "chrome" and not _EVENT_LINE.match(block.plain):
                release.flag("chrome_learned")
            else:
                kept.append((i, block))
        blocks = kept
    if sender_at >= 0:
        # Prose after the sender line is the organisation's standing text.
        after = [(i, b) for i, b in blocks if i > sender_at]
        prose = {i for i, b in after if len(tokens(b.plain)) >= ABOUT_WORDS}
        # a short line just before the about paragraph is its heading
        headings = {
            i
            for (i, b), (j, _) in itertools.pairwise(after)
            if j in prose and heading_like(b.plain)
        }
        moved = prose | headings
        if moved:
            release.flag("about_by_position")
            found += [(i, b) for i, b in after if i in moved]
            blocks = [(i, b) for i, b in blocks if i not in moved]
    return blocks, [b.plain for _, b in sorted(found, key=lambda pair: pair[0])]


def _drop_repeated_head(blocks: Indexed, release: Release) -> Indexed:
    heads = {
        "title_repeated": _comparable(release.title),
        "lead_repeated": _comparable(release.lead),
    }
    while blocks:
        first = _comparable(blocks[0][1].plain)
        hit = next((flag for flag, text in heads.items() if text and first == text), None)
        if hit is None:
            return blocks
        release.flag(hit)
        blocks = blocks[1:]
    return blocks


def _drop_cut_lead(blocks: Indexed, release: Release) -> None:
    """A lead that is the body's first paragraph cut short is no lead: a page
    without an ingress whose meta description stood in for one (the Liberalerna
    WordPress page in tests/real/generic: "… Valmanifestet har titeln…")."""
    # The ellipsis is what says "cut": an ingress may open with the same words
    # as the body's first sentence and still be the page's own lead.
    if not release.lead.rstrip().endswith(("…", "...")):
        return
    lead = _comparable(release.lead)
    if blocks and lead and _comparable(blocks[0][1].plain).startswith(lead):
        release.lead = ""
        release.flag("lead_was_cut_body")


def _merge_about(existing: str, found: list[str]) -> str:
    paragraphs: list[str] = []
    seen: set[str] = set()
    for paragraph in [*normalise_text(existing).split("\n\n"), *found]:
        paragraph = normalise_text(paragraph)
        key = _comparable(paragraph)
        if key and key not in seen:
            seen.add(key)
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


def _emails_in_text(blocks: Indexed) -> list[str]:
    return [m.rsplit("@", 1)[1] for _, b in blocks for m in EMAIL_RE.findall(b.plain)]


def refine(release: Release, *, about: AboutModel | None = None) -> Release:
    """Clean `release` in place (and return it)."""
    release.title = normalise_text(release.title).replace("\n", " ")
    release.lead = normalise_text(release.lead)
    raw_blocks = (
        parse_blocks(release.body_html)
        if release.body_html.strip()
        else text_blocks(release.body_text)
    )
    blocks: Indexed = list(enumerate(raw_blocks))
    blocks = _drop_latest_list(blocks, release.flags)
    blocks = _drop_chrome(blocks, release.organisation, release.flags)
    known = _known_words(release) + _emails_in_text(blocks)
    blocks, sender_at = _cut_contacts(blocks, release, known)
    blocks, about_texts = _split_about(blocks, release, about, sender_at)
    blocks = _drop_repeated_head(blocks, release)
    _drop_cut_lead(blocks, release)
    release.flags[:] = list(dict.fromkeys(release.flags))

    body = [b for _, b in blocks]
    release.body_html = render_html(body)
    release.body_text = render_text(body)
    release.about_text = _merge_about(release.about_text, about_texts)

    invitation = is_invitation(release.kind, release.title)
    if invitation:
        release.kind = "pressinbjudan"
    if not release.events and (invitation or announces_event(release.title, release.lead)):
        lines = [line for b in body for line in b.plain.split("\n")]
        release.events = extract_events(
            lines,
            context=release.published_local or release.published_at,
            labelled_only=not invitation,
        )
        if invitation and not release.events:
            release.flag("event_not_found")
    release.language = (
        detect_language(release.body_text, declared=release.language) or release.language
    )
    return release
