"""Via TT (Notified newsroom) release pages -> Release.

Layers, per field, first that has it:
- title: structured metadata (JSON-LD headline, og:title), then the `<h1>`.
- published_at: only from JSON-LD/`article:published_time` (an ISO instant);
  published_raw is the date line as shown ("10.2.2025 14:24:42 CET"), the
  metadata string when the page shows none.
- lead, body_html, kind, about_text, images: the markup (og:description is a
  summary, sometimes cut, so it is only the lead's last resort; og:image is
  the publisher's logo when the release has no picture, so it is not used).

Selectors are kept in one table per field, the current markup first, so a
changed layout is a one-line fix. A field the platform always has that comes
back empty is flagged `missing:<field>` by extract_page; the spider turns that
into a warning and a stats count.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from lxml import html

from pressarchive.dedupe.fingerprint import platform_release_id
from pressarchive.extract.metadata import read_metadata
from pressarchive.extract.page import Page, inner_html
from pressarchive.items import Attachment, Image, Release

if TYPE_CHECKING:
    from parsel import Selector, SelectorList

REQUIRED_FIELDS: tuple[str, ...] = ("title", "published_raw", "body_html")

SELECTORS: dict[str, tuple[str, ...]] = {
    "title": ("article.release h1", "h1.release__title", "main h1"),
    "date_line": (".release__meta", ".release__date", "article .meta"),
    "date": (".release__meta .release__date", ".release__date", "article time"),
    "kind": (".release__meta .release__type", ".release__type"),
    "publisher": (".release__publisher", ".release__meta .release__publisher-name"),
    "lead": (".release__lead", "article .lead", "article .preamble"),
    "body": (".release__body", "article .body", "article .release-body"),
    "about": (".publisher-about__text", ".publisher-about .about-text"),
    "image": (".release__image", "article figure"),
    "attachments": (".release__attachments a[href]", "article .attachments a[href]"),
}

KIND_BY_LABEL = {
    "pressmeddelande": "pressmeddelande",
    "pressmeddelanden": "pressmeddelande",
    "pressinbjudan": "pressinbjudan",
    "pressinbjudningar": "pressinbjudan",
    "nyhet": "nyhet",
    "nyheter": "nyhet",
}

# "10.2.2025 14:24:42 CET | Norrköpings kommun | Pressinbjudan"
_DATE_LINE = re.compile(
    r"(?P<date>\d{1,2}\.\d{1,2}\.\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*CES?T)?)"
    r"(?:\s*\|\s*(?P<org>[^|]+?))?(?:\s*\|\s*(?P<kind>[^|]+?))?\s*$"
)
_SPACE = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def first_match(sel: Selector, field: str) -> SelectorList[Selector] | None:
    """The first selector of the field's table that matches anything."""
    for css in SELECTORS[field]:
        found = sel.css(css)
        if found:
            return found
    return None


def first_text(sel: Selector, field: str) -> str:
    found = first_match(sel, field)
    if found is None:
        return ""
    return _squash(" ".join(found[0].css("::text").getall()))


def body_html(sel: Selector) -> str:
    """The inner HTML of the body container, as found."""
    found = first_match(sel, "body")
    if found is None or not isinstance(found[0].root, html.HtmlElement):
        return ""
    return inner_html(found[0].root)


def parse_date_line(text: str) -> tuple[str | None, str | None, str | None]:
    """(date as shown, organisation, kind label) from Via TT's meta line."""
    match = _DATE_LINE.search(_squash(text))
    if not match:
        return None, None, None
    org = match.group("org")
    kind = match.group("kind")
    return match.group("date"), org.strip() if org else None, kind.strip() if kind else None


def kind_from_label(label: str | None) -> str | None:
    if not label:
        return None
    return KIND_BY_LABEL.get(label.strip().casefold())


def _set(release: Release, name: str, value: object, layer: str) -> None:
    setattr(release, name, value)
    release.layers[name] = layer


def extract(page: Page, release: Release) -> None:
    """Fill `release` in place from a Via TT release page."""
    sel = page.sel
    meta = read_metadata(page)
    line = parse_date_line(first_text(sel, "date_line"))
    _read_title(sel, meta.title, release)
    _read_dates(sel, line[0], meta.published_raw, release)
    _read_kind_and_organisation(sel, line, release)
    _read_text(sel, meta.description, release)
    _read_media(sel, page.url, release)
    if meta.canonical:
        _set(release, "canonical_url", urljoin(page.url, meta.canonical), "metadata")
    release.platform_id = platform_release_id("viatt", page.url) or release.platform_id
    if release.platform_id:
        release.layers["platform_id"] = "markup"
    language = meta.language or (sel.xpath("/html/@lang").get() or "").strip()
    if language:
        _set(release, "language", language.split("-")[0].lower(), "metadata")


def _read_title(sel: Selector, meta_title: str | None, release: Release) -> None:
    if meta_title and meta_title.strip():
        _set(release, "title", _squash(meta_title), "metadata")
        return
    title = first_text(sel, "title")
    if title:
        _set(release, "title", title, "markup")


def _read_dates(
    sel: Selector, line_date: str | None, meta_published: str | None, release: Release
) -> None:
    shown = first_text(sel, "date") or line_date
    if shown:
        _set(release, "published_raw", shown, "markup")
    elif meta_published:
        _set(release, "published_raw", meta_published.strip(), "metadata")
    instant = _iso_instant(meta_published)
    if instant is not None:
        _set(release, "published_at", instant, "metadata")


def _iso_instant(raw: str | None) -> datetime | None:
    """An aware UTC datetime from an ISO string with an offset; None otherwise
    (a date without a zone is not unambiguous: the pipeline parses it)."""
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None or not re.search(r"T\d", raw):
        return None
    return value.astimezone(UTC)


def _read_kind_and_organisation(
    sel: Selector, line: tuple[str | None, str | None, str | None], release: Release
) -> None:
    _, line_org, line_kind = line
    kind = kind_from_label(first_text(sel, "kind")) or kind_from_label(line_kind)
    if kind:
        _set(release, "kind", kind, "markup")
    else:
        release.flag("kind_unknown")
    organisation = first_text(sel, "publisher") or line_org
    if organisation:
        _set(release, "organisation", organisation, "markup")


def _read_text(sel: Selector, meta_description: str | None, release: Release) -> None:
    lead = first_text(sel, "lead")
    if lead:
        _set(release, "lead", lead, "markup")
    elif meta_description:
        _set(release, "lead", _squash(meta_description), "metadata")
    body = body_html(sel)
    if body:
        _set(release, "body_html", body, "markup")
    about_found = first_match(sel, "about")
    if about_found is not None:
        about = _squash(" ".join(about_found[0].css("::text").getall()))
        if about:
            _set(release, "about_text", about, "markup")


def _read_media(sel: Selector, url: str, release: Release) -> None:
    # og:image is left alone: without a figure it is the publisher's logo.
    figure = first_match(sel, "image")
    if figure is not None:
        src = figure[0].css("img::attr(src)").get()
        if src:
            caption = _squash(" ".join(figure[0].css("figcaption ::text").getall())) or None
            release.images.append(Image(url=urljoin(url, src), caption=caption))
            release.layers["images"] = "markup"
    links = first_match(sel, "attachments")
    for link in links or []:
        href = link.attrib.get("href")
        if href:
            title = _squash(" ".join(link.css("::text").getall())) or None
            release.attachments.append(Attachment(url=urljoin(url, href), title=title))
    if release.attachments:
        release.layers["attachments"] = "markup"
