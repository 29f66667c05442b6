"""Sitevision pages (municipalities, regions, parties): read by portlet structure.

What a real page is (tests/real/sitevision: two sites, and ../shared/platforms.md):
Sitevision builds `<main>` from layouts (`id="svid10_…"`) and portlets
(`id="svid12_…"`). Portlets the site's *template* adds to every page carry the
class `sv-template-portlet` (the date line, "Uppdaterades senast", "Fler
nyheter", the share menu); the page's *own* content sits in
`div.pagecontent` areas as portlets without it. The editor names each portlet
with an anchor `<div id="Rubrik">` (`#Ingress`, `#Innehall`,
`#PubliceringsdatumText`, `#Mittenspalt` …): the names differ per site, so
nothing here selects on them. Instead:

- title: the `h1` of the page content (`h1.env-text-heading-01` on both sites);
- lead: the content portlet(s) whose paragraphs are `p.env-text-summary-01`;
- body: the content portlets after title and lead, in page order: text
  portlets (`.sv-text-portlet-content`) and HTML portlets (an embedded post on
  X is part of the release);
- date: the template's `time[datetime]` after a label (`<strong>NYHET</strong>`
  or a bare "NYHET"): the label is the `kind`. A `time` after "Uppdaterades
  senast" is `updated_at`. Without a `time`, `meta[name=rek:pubdate]`: both
  sites write their local clock time under a "Z" (rek:pubdate
  15:06:55.000Z beside `<time datetime="…T15:06:55+02:00">`), so it is read
  as Europe/Stockholm time, not UTC.

Cookie dialog (before the header), breadcrumbs, aside, newsletter form and
footer are outside `<main>` or template portlets, so they never reach a field.

Older Sitevision pages (2020, seen as text only) show "Publicerad <date>
<time>" lines and no `env-text-*` classes: GUESS, the same portlet reading
applies (the portlet structure is Sitevision's, not the site's); the
"Publicerad" line is read as the date. A real page of that generation would
prove it; if the portlet reading finds no body the trafilatura layer serves it
and the release is flagged `missing:body_html` (the spider warns and counts).
"""

from __future__ import annotations

import html
import re
from copy import deepcopy
from datetime import UTC, datetime

import lxml.html

from pressarchive.dedupe.urls import platform_release_id
from pressarchive.extract import flag_missing
from pressarchive.extract.fallback import fallback_body_html
from pressarchive.extract.generic import (
    absolute,
    fill,
    kind_from_label,
    machine_datetime,
    make_contact,
)
from pressarchive.extract.metadata import read_metadata
from pressarchive.extract.page import Page, element_text
from pressarchive.extract.titles import clean_title
from pressarchive.items import Contact, Image, Release
from pressarchive.refine.contacts import read_card
from pressarchive.text import squash
from pressarchive.times import STOCKHOLM

PLATFORM = "sitevision"
REQUIRED_FIELDS: tuple[str, ...] = ("title", "published_raw", "body_html")

_PORTLET_ID = re.compile(r"^svid12_")
_UPDATED = re.compile(r"\b(?:uppdaterad(?:es)?(?:\s+senast)?|senast\s+uppdaterad)\b", re.I)
_PUBLISHED = re.compile(r"\bPublicerad\b:?\s*(.+)", re.I)
# GUESS: no real Sitevision release with contacts is seen. A municipality's page
# text (seeds) ends with a "Kontakt" heading and a paragraph per person: name,
# title, "Telefon: …", e-mail, one per line. A real page with contacts would prove
# the shape; until then a heading with no readable card below it stays body.
_CONTACT_HEADING = re.compile(
    r"^(?:kontakt(?:er|person(?:er)?)?|kontakta oss|för mer information|mer information)"
    r"(?:\s+\w+){0,3}:?$",
    re.I,
)
_UNIT_HEADING = re.compile(r"^kontakt(?:er)?:?$", re.I)
# Where the page's own text is; the order is the preference.
_REGIONS = ("//main", "//*[@role='main']", "//body")
# Template furniture that can sit inside <main> on some sites.
_CHROME_TAGS = frozenset(("aside", "nav", "footer", "header", "dialog", "form"))
_CHROME = "self::aside or self::nav or self::footer or self::header or self::dialog or self::form"


def extract(page: Page, release: Release) -> None:
    meta = read_metadata(page)
    region = _region(page)
    portlets = _content_portlets(region)

    title_at, title = _title(portlets)
    # Some templates print the page name as the title in a template portlet.
    title = title or _template_title(region)
    if not fill(release, "title", title, "markup"):
        fill(release, "title", clean_title(meta.title or _document_title(page)), "metadata")
        release.flag("missing:title_markup")

    lead_parts: list[str] = []
    body_parts: list[str] = []
    for position, portlet in enumerate(portlets):
        if position <= title_at:
            continue  # the title, and what stands above it (the top image)
        if _is_date_line(portlet):
            continue  # "NYHET 2026-08-11" placed among the page's own portlets
        summary = _lead_paragraphs(portlet)
        if summary and not body_parts:
            lead_parts.extend(squash(element_text(p)) for p in summary)
            continue
        html = _portlet_html(portlet, page, release)
        if html:
            body_parts.append(html)

    if not fill(release, "lead", " ".join(p for p in lead_parts if p), "markup"):
        fill(release, "lead", meta.description, "metadata")
    if not fill(release, "body_html", "\n".join(body_parts), "markup"):
        # Rescued by the generic layer, but the portlet reading stopped matching:
        # a layout change that must be loud (the spider warns and counts it).
        fill(release, "body_html", fallback_body_html(page), "fallback")
        release.flag("missing:body_html")

    _dates_and_kind(release, page, region)
    _images(release, page, portlets)
    release.platform_id = platform_release_id(PLATFORM, page.url)
    release.canonical_url = absolute(page, meta.canonical) if meta.canonical else None
    release.language = meta.language or page.root.get("lang") or None
    flag_missing(release, REQUIRED_FIELDS)


_LEAD_ANCHOR = re.compile(r"ingress|lead|summary|sammanfattning", re.I)


def _lead_paragraphs(portlet: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The lead: `p.env-text-summary-01` (seen on both real sites), else, on
    sites without env-text classes, a portlet the editor named "Ingress" (seen
    as an anchor on both sites) or paragraphs classed as a lead."""
    found: list[lxml.html.HtmlElement] = portlet.xpath(".//p[contains(@class, 'env-text-summary')]")
    if found:
        return found
    anchor = portlet.xpath("./div[@id][1]/@id")
    if anchor and _LEAD_ANCHOR.search(str(anchor[0])):
        return list(portlet.xpath(".//div[contains(@class, 'sv-text-portlet-content')]//p"))
    return list(portlet.xpath(".//p[contains(@class, 'ingress') or contains(@class, 'lead')]"))


def _is_date_line(portlet: lxml.html.HtmlElement) -> bool:
    """A short portlet holding a `time[datetime]`: a date line, not body."""
    return bool(portlet.xpath(".//time[@datetime]")) and len(squash(element_text(portlet))) <= 80


def _template_title(region: lxml.html.HtmlElement) -> str:
    for heading in region.iter("h1"):
        if any(a.tag in _CHROME_TAGS for a in heading.iterancestors()):
            continue
        text = squash(element_text(heading))
        if text:
            return text
    return ""


def _region(page: Page) -> lxml.html.HtmlElement:
    for query in _REGIONS:
        found = page.root.xpath(query)
        if found:
            region: lxml.html.HtmlElement = found[0]
            return region
    return page.root


def _is_template(element: lxml.html.HtmlElement) -> bool:
    return "sv-template-portlet" in (element.get("class") or "").split()


def _content_portlets(region: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The page's own portlets in page order: inside `div.pagecontent` areas
    when the page has them, else every non-template portlet of the region;
    never one inside an aside, nav, header, footer, dialog or form."""
    areas = region.xpath(".//div[contains(concat(' ', @class, ' '), ' pagecontent ')]")
    scopes = areas or [region]
    found: list[lxml.html.HtmlElement] = []
    taken: set[lxml.html.HtmlElement] = set()
    for scope in scopes:
        for element in scope.iter("div"):
            if not _PORTLET_ID.match(element.get("id") or "") or _is_template(element):
                continue
            ancestors = list(element.iterancestors())
            if taken.intersection(ancestors) or any(a.tag in _CHROME_TAGS for a in ancestors):
                continue  # a portlet inside a portlet already taken, or in the chrome
            found.append(element)
            taken.add(element)
    return found


def _title(portlets: list[lxml.html.HtmlElement]) -> tuple[int, str]:
    """(position of the title's portlet, the title); (-1, "") when none has an h1."""
    for position, portlet in enumerate(portlets):
        for heading in portlet.iter("h1"):
            text = squash(element_text(heading))
            if text:
                return position, text
    return -1, ""


def _portlet_html(portlet: lxml.html.HtmlElement, page: Page, release: Release) -> str:
    """A content portlet's HTML without its anchor `<div id="…">` and without
    what the reader never sees as text of the release."""
    classes = (portlet.get("class") or "").split()
    if "sv-text-portlet" in classes:
        content = portlet.xpath(".//div[contains(@class, 'sv-text-portlet-content')]")
        if not content:
            return ""
        container = deepcopy(content[0])
    elif "sv-html-portlet" in classes:
        container = deepcopy(portlet)
        for anchor in container.xpath("./div[@id][not(*)]"):
            anchor.drop_tree()
    elif "sv-custom-module" in classes:
        return _embed_link(portlet, page)
    else:
        return ""  # images and other portlets: no text of the release
    for line in container.xpath(".//p"):
        if _UPDATED.match(squash(line.text_content()[:80])):
            line.drop_tree()  # "Uppdaterades senast …": a date, read as updated_at
    _take_contacts(container, release)
    parts = [container.text or ""]
    parts.extend(lxml.html.tostring(child, encoding="unicode") for child in container)
    html = "".join(parts).strip()
    return html if squash(element_text(container)) else ""


# A Sitevision app module renders in the browser from an initial state its
# script registers under the portlet's id ("svid12_X" -> '12.X'); the YouTube
# module (seen on socialdemokraterna.se, tests/real/sitevision) names the video
# as "embedUrl". Without it a body ends on "Se pressträffen:". The scripts are
# gone from the parsed tree (hidden text), so the page's own text is read.
def _embed_link(portlet: lxml.html.HtmlElement, page: Page) -> str:
    """An app module's embedded video or post as a link, or "" when it names none."""
    portlet_id = (portlet.get("id") or "").removeprefix("svid")
    if not _PORTLET_ID.match(portlet.get("id") or ""):
        return ""
    state = re.search(
        r"registerInitialState\(\s*'"
        + re.escape(portlet_id.replace("_", ".", 1))
        + r"'\s*,\s*\{[^}]*?\"embedUrl\"\s*:\s*\"(https?://[^\"\\]+)\"",
        page.html,
    )
    if state is None:
        return ""
    url = html.escape(state.group(1))
    return f'<p><a href="{url}">{url}</a></p>'


def _take_contacts(container: lxml.html.HtmlElement, release: Release) -> None:
    """Move a "Kontakt" heading's cards out of the body into release.contacts."""
    for heading in container.xpath("./h2 | ./h3 | ./h4 | ./p[strong and count(*) = 1]"):
        heading_text = squash(element_text(heading))
        if not _CONTACT_HEADING.match(heading_text):
            continue
        cards: list[lxml.html.HtmlElement] = []
        for sibling in heading.itersiblings():
            if sibling.tag not in ("p", "div"):
                break
            contact = _card(sibling, unit_allowed=_UNIT_HEADING.match(heading_text) is not None)
            if contact is None:
                break
            release.contacts.append(contact)
            cards.append(sibling)
        if cards:
            release.layers["contacts"] = "markup"
            for element in (heading, *cards):
                element.drop_tree()
        return


def _card(element: lxml.html.HtmlElement, *, unit_allowed: bool) -> Contact | None:
    lines = [squash(line) for line in element_text(element).split("\n") if squash(line)]
    if len(lines) == 1:
        # Under "Kontakt", a lone short name is a unit as contact (seed 002:
        # "Kontakt" / "Utrednings- och utvecklingsenheten"), not a sentence.
        name = lines[0]
        if unit_allowed and len(name) <= 80 and not name.endswith((".", "!", "?", ":")):
            return make_contact(name)
        return None
    card = read_card(lines)
    if card is None or not (card.phone or card.email):
        return None  # a paragraph under "Mer information", not a contact card
    return make_contact(card.name, title=card.title, phone=card.phone, email=card.email)


def _dates_and_kind(release: Release, page: Page, region: lxml.html.HtmlElement) -> None:
    published_time: lxml.html.HtmlElement | None = None
    for time in region.xpath(".//time[@datetime]"):
        if time.xpath(f"ancestor::*[{_CHROME}]"):
            continue
        line = time.getparent()
        line_text = squash(element_text(line)) if line is not None else ""
        if _UPDATED.search(line_text):
            if release.updated_raw is None:
                release.updated_raw = time.get("datetime")
                release.updated_at = machine_datetime(release.updated_raw)
                release.layers["updated_raw"] = "markup"
            continue
        if published_time is None:
            published_time = time

    label = ""
    if published_time is not None:
        raw = (published_time.get("datetime") or "").strip()
        fill(release, "published_raw", raw, "markup")
        release.published_at = machine_datetime(raw)
        if release.published_at is not None:
            release.layers["published_at"] = "markup"
        line = published_time.getparent()
        if line is not None:
            label = squash(element_text(line)).replace(squash(element_text(published_time)), "")
    if not release.published_raw:
        shown = _published_line(region)
        if fill(release, "published_raw", shown, "markup"):
            pass
        else:
            rek = page.meta("rek:pubdate")
            if fill(release, "published_raw", rek, "metadata"):
                release.published_at = rek_local(rek)
                release.layers["published_at"] = "metadata"
    if release.updated_raw is None:
        modified = page.meta("rek:moddate")
        if modified and modified != page.meta("rek:pubdate"):
            release.updated_raw = modified
            release.updated_at = rek_local(modified)
            release.layers["updated_raw"] = "metadata"

    release.kind = kind_from_label(label or _template_label(region), "")
    release.layers["kind"] = "markup"
    if not release.kind:
        release.kind = kind_from_label(release.title.split(":")[0], "nyhet")
        release.layers["kind"] = "derived"


def _template_label(region: lxml.html.HtmlElement) -> str:
    """A kind label ("NYHET") standing alone in a template portlet's line, for
    pages whose date line has no `<time>` to find it by."""
    for line in region.xpath(
        ".//div[contains(concat(' ', @class, ' '), ' sv-template-portlet ')]//p"
    ):
        words = squash(element_text(line)).split()
        if words and kind_from_label(words[0], ""):
            return words[0]
    return ""


def _published_line(region: lxml.html.HtmlElement) -> str:
    """The date of a "Publicerad 2020-05-08 13:37" line (older Sitevision pages)."""
    for line in region.xpath(".//p | .//span | .//div[not(*)]"):
        match = _PUBLISHED.match(squash(element_text(line)))
        if match:
            return _UPDATED.split(match.group(1))[0].strip(" \u00b7,|-–")
    return ""


def rek_local(value: str | None) -> datetime | None:
    """`rek:pubdate`: the site's local clock time written with a "Z" (seen on two
    sites, against their `<time datetime>`), so read as Europe/Stockholm."""
    if not value:
        return None
    text = value.strip().removesuffix("Z").removesuffix(".000")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=STOCKHOLM)
    return moment.astimezone(UTC)


def _images(release: Release, page: Page, portlets: list[lxml.html.HtmlElement]) -> None:
    for portlet in portlets:
        if "sv-image-portlet" not in (portlet.get("class") or "").split():
            continue
        for img in portlet.iter("img"):
            src = absolute(page, img.get("src"))
            if src:
                release.images.append(Image(url=src, caption=img.get("alt") or None))
    if release.images:
        release.layers["images"] = "markup"


def _document_title(page: Page) -> str:
    found = page.root.xpath("//title")
    return squash(found[0].text_content()) if found else ""
