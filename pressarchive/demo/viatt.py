"""The Via TT (Notified newsroom) fixture press room.

Serves a publisher room the way platforms.md describes the real one: a listing
newest first at START_PATH with a "Visa fler" (load more) link to `?page=N`,
an RSS feed declared by `<link rel="alternate">`, and release pages at
`/pressmeddelande/<id>/<slug>?publisherId=1347718` (some with `&lang=sv`)
carrying the chrome the seeds show: share buttons, "Kontakt:" and
"Avsändare:" blocks typed into the body, the about block (with "Om" and the
address on older pages, typed into the body on newer ones), "Följ", the
subscribe box, "Senaste pressmeddelandena från …" with titles glued to date
lines, "Besök vårt pressrum" and Orion icon texts in visually hidden spans.

Specials: EDITED_KEY changes title and a paragraph in edition 2 (the URL slug
stays, as on the real platform where the numeric id is the release), and
MISSING_KEY is listed but its page is always 404.

The room only ever sees a path (no Host header), so the feed's links are
root-relative; the spider resolves them against the feed's URL.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pressarchive.demo.corpus import (
    MISSING_KEY,
    ORGANISATION,
    DemoContact,
    DemoRelease,
    about_text,
    releases_for,
)
from pressarchive.demo.server import Reply
from pressarchive.demo.shared import display_name

if TYPE_CHECKING:
    from collections.abc import Sequence

PLATFORM = "viatt"
PUBLISHER_ID = "1347718"
PUBLISHER_SLUG = "norrkopings-kommun"
START_PATH = f"/publisher/{PUBLISHER_ID}/{PUBLISHER_SLUG}"
FEED_PATH = "/rss/releases/latest"
PAGE_SIZE = 15
FEED_SIZE = 20
# The registry's [source.options] for the demo source (read by the demo server).
SOURCE_OPTIONS = {"publisher_id": PUBLISHER_ID}
STOCKHOLM = ZoneInfo("Europe/Stockholm")

KIND_LABELS = {
    "pressmeddelande": "Pressmeddelande",
    "pressinbjudan": "Pressinbjudan",
    "nyhet": "Nyhet",
}
ORION_ICON = "A line styled icon from Orion Icon Library."
# Pages published before this carry the publisher's separate "Om" block with
# the address (seed 003, 2022); later ones have the about text typed into the
# body after "Avsändare:" (seed 004, 2023).
ABOUT_SECTION_BEFORE = datetime(2023, 1, 1, tzinfo=UTC)

_HTML = "text/html; charset=utf-8"
_RELEASE_PATH = re.compile(r"^/pressmeddelande/(\d+)(?:/[^/]*)?/?$")


# --- small pure helpers -------------------------------------------------------------


def release_number(key: str) -> int:
    """A stable numeric release id for a corpus key ("r017" -> 3600017).

    Keys of the form letters+digits map without collisions; anything else
    falls back to a CRC (never used by the bundled corpus)."""
    match = re.fullmatch(r"([a-z]*)(\d+)", key)
    if match:
        prefix = sum(ord(c) - 96 for c in match.group(1)) % 30
        return 3_000_000 + prefix * 100_000 + int(match.group(2)) % 100_000
    return 10_000_000 + zlib.crc32(key.encode()) % 10_000_000


def slugify(title: str) -> str:
    folded = unicodedata.normalize("NFKD", title.casefold())
    ascii_only = folded.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:80] or "pressmeddelande"


def shown_date(moment: datetime) -> str:
    """Via TT's date line: day.month.year without leading zeros, seconds, CET/CEST."""
    local = moment.astimezone(STOCKHOLM)
    zone = "CEST" if local.dst() else "CET"
    return f"{local.day}.{local.month}.{local.year} {local:%H:%M:%S} {zone}"


def iso_local(moment: datetime) -> str:
    return moment.astimezone(STOCKHOLM).isoformat(timespec="seconds")


def has_lang_param(number: int) -> bool:
    return number % 3 == 0


def has_json_ld(number: int) -> bool:
    # The real pages are expected to carry JSON-LD; some fixtures lack it so
    # the markup date is exercised too.
    return number % 4 != 1


def release_path(number: int, slug: str) -> str:
    lang = "&lang=sv" if has_lang_param(number) else ""
    return f"/pressmeddelande/{number}/{slug}?publisherId={PUBLISHER_ID}{lang}"


def _icon(name: str) -> str:
    # Renders as "HiddenA line styled icon from Orion Icon Library.Eye" in a
    # naive text dump, as seen on the real pages.
    return (
        '<span class="icon"><span class="visually-hidden">Hidden</span>'
        f'<svg role="img" aria-hidden="true"><title>{ORION_ICON}</title>'
        f'<desc>{escape(name)}</desc><path d="M0 0h24v24H0z"/></svg></span>'
    )


def _html_reply(body: str, status: int = 200) -> Reply:
    return Reply(status=status, body=body.encode("utf-8"), headers={"Content-Type": _HTML})


def _not_found() -> Reply:
    return _html_reply(
        _page("Sidan hittades inte", "<main><h1>404 – Sidan hittades inte</h1></main>"), 404
    )


# --- page chrome --------------------------------------------------------------------

_COOKIE_BANNER = """
<div id="cookie-consent" class="cookie-banner" role="dialog" aria-label="Cookies">
  <p>Vi använder kakor (cookies) för att webbplatsen ska fungera och för att förbättra
  din upplevelse. Läs mer i vår <a href="/cookies">cookiepolicy</a>.</p>
  <button type="button" class="cookie-banner__accept">Godkänn alla</button>
  <button type="button" class="cookie-banner__settings">Inställningar</button>
</div>"""

_HEADER = (
    """
<header class="site-header">
  <a class="site-header__logo" href="/"><img src="/static/via-tt-logo.svg" alt="Via TT"></a>
  <nav class="site-nav" aria-label="Huvudmeny">
    <ul><li><a href="/">Nyheter</a></li><li><a href="/pressmeddelanden">Pressmeddelanden</a></li>
    <li><a href="/publishers">Organisationer</a></li><li><a href="/om">Om Via TT</a></li>
    <li><a href="/login">Logga in</a></li></ul>
  </nav>
  <form class="site-search" action="/search"><label class="visually-hidden" for="q">Sök</label>
    <input id="q" name="q" placeholder="Sök pressmeddelanden">
    <button type="submit">"""
    + _icon("Search")
    + """Sök</button></form>
</header>"""
)

_FOOTER = """
<footer class="site-footer">
  <p>Via TT är en tjänst från TT Nyhetsbyrån i samarbete med Notified.</p>
  <ul><li><a href="/villkor">Användarvillkor</a></li><li><a href="/integritet">Integritetspolicy</a></li>
  <li><a href="/cookies">Cookies</a></li></ul>
</footer>"""


def _page(title: str, main: str, head_extra: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>.visually-hidden{{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}}</style>
{head_extra}
</head>
<body>
{_COOKIE_BANNER}
{_HEADER}
{main}
{_FOOTER}
</body>
</html>
"""


def _feed_link() -> str:
    return (
        '<link rel="alternate" type="application/rss+xml" '
        f'title="Pressmeddelanden från {escape(ORGANISATION)}" '
        f'href="{FEED_PATH}?publisherId={PUBLISHER_ID}">'
    )


def _follow_and_subscribe() -> str:
    org = escape(ORGANISATION)
    return f"""
<section class="publisher-follow">
  <h2>Följ {org}</h2>
  <div class="subscribe">
    <p>Abonnera på våra pressmeddelanden. Endast mejladress behövs och den används bara här.
    Du kan avanmäla dig när som helst.</p>
    <form action="/subscribe" method="post"><input type="hidden" name="publisherId" value="{PUBLISHER_ID}">
    <label class="visually-hidden" for="email">E-post</label><input id="email" name="email" type="email">
    <button type="submit">Abonnera</button></form>
  </div>
</section>"""


def _pressroom_teaser() -> str:
    return f"""
<section class="pressroom-teaser">
  <p>I vårt pressrum kan du läsa de senaste pressmeddelandena, få tillgång till pressmaterial
  och hitta kontaktinformation.</p>
  <a class="button" href="{START_PATH}">Besök vårt pressrum{_icon("Eye")}</a>
</section>"""


# --- the room's state per edition --------------------------------------------------


@dataclass
class _Listed:
    release: DemoRelease
    number: int
    slug: str
    path: str


@dataclass
class _Edition:
    listed: list[_Listed]
    by_number: dict[int, _Listed]


@dataclass
class ViaTTRoom:
    """One Via TT publisher room (the Room protocol of pressarchive.demo.server)."""

    size: int | None = None
    platform: str = PLATFORM
    _editions: dict[int, _Edition] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def edition_state(self, edition: int) -> _Edition:
        with self._lock:
            if edition not in self._editions:
                self._editions[edition] = self._build(edition)
            return self._editions[edition]

    def _build(self, edition: int) -> _Edition:
        # Slugs come from the first edition so an edited title keeps its URL.
        first = releases_for(PLATFORM, size=self.size, edition=1)
        slugs = {r.key: slugify(r.title) for r in first}
        releases = (
            first if edition == 1 else releases_for(PLATFORM, size=self.size, edition=edition)
        )
        listed = []
        for release in releases:
            number = release_number(release.key)
            slug = slugs.get(release.key) or slugify(release.title)
            listed.append(_Listed(release, number, slug, release_path(number, slug)))
        return _Edition(listed, {item.number: item for item in listed})

    def respond(self, path: str, query: dict[str, list[str]], *, edition: int) -> Reply:
        state = self.edition_state(edition)
        if path == "/robots.txt":
            return Reply(
                status=200,
                body=b"User-agent: *\nDisallow: /search\nDisallow: /login\n",
                headers={"Content-Type": "text/plain; charset=utf-8"},
            )
        if path.rstrip("/") == START_PATH:
            return self._listing(state, _page_number(query))
        if path == FEED_PATH and query.get("publisherId") == [PUBLISHER_ID]:
            return Reply(
                status=200,
                body=render_feed(state.listed[:FEED_SIZE]).encode("utf-8"),
                headers={"Content-Type": "application/rss+xml; charset=utf-8"},
            )
        match = _RELEASE_PATH.match(path)
        if match:
            item = state.by_number.get(int(match.group(1)))
            if item is None or item.release.key == MISSING_KEY:
                return _not_found()
            latest = [other for other in state.listed[:3] if other is not item][:2]
            return _html_reply(render_release(item, latest))
        return _not_found()

    def _listing(self, state: _Edition, page: int | None) -> Reply:
        if page is None:
            return _not_found()
        start = (page - 1) * PAGE_SIZE
        items = state.listed[start : start + PAGE_SIZE]
        if not items and page != 1:
            return _not_found()
        has_next = start + PAGE_SIZE < len(state.listed)
        newest = state.listed[0].release.published if state.listed else datetime.now(UTC)
        return _html_reply(render_listing(items, page, has_next, about_text(PLATFORM, newest)))


def _page_number(query: dict[str, list[str]]) -> int | None:
    raw = query.get("page", ["1"])[0]
    return int(raw) if raw.isdigit() and int(raw) >= 1 else None


def make_room(*, size: int | None = None) -> ViaTTRoom:
    return ViaTTRoom(size=size)


def start_path(room: object = None) -> str:
    return START_PATH


# --- renderers (pure: data in, markup out) -----------------------------------------


def render_listing(items: Sequence[_Listed], page: int, has_next: bool, about: str) -> str:
    org = escape(ORGANISATION)
    rows = "\n".join(_listing_item(item) for item in items)
    more = (
        f'<a class="load-more" rel="next" href="{START_PATH}?page={page + 1}" '
        f'data-page="{page + 1}">Visa fler{_icon("Arrow down")}</a>'
        if has_next
        else ""
    )
    main = f"""
<main class="publisher">
  <section class="publisher-header">
    <img class="publisher-header__logo" src="/images/publisher/{PUBLISHER_ID}.png" alt="{org} logotyp">
    <h1>{org}</h1>
    <p class="publisher-header__tagline">Pressmeddelanden och nyheter</p>
  </section>
  <section class="release-list" aria-label="Pressmeddelanden">
    <h2>Pressmeddelanden</h2>
    <ul class="release-list__items">
{rows}
    </ul>
    {more}
  </section>
  <aside class="publisher-about">
    <h2>Om {org}</h2>
    <p>{escape(about)}</p>
  </aside>
  {_follow_and_subscribe()}
</main>"""
    suffix = f" – sida {page}" if page > 1 else ""
    return _page(f"{ORGANISATION}{suffix} | Via TT", main, _feed_link())


def _listing_item(item: _Listed) -> str:
    release = item.release
    label = KIND_LABELS.get(release.kind, "Pressmeddelande")
    return f"""      <li class="release-list__item" data-release-id="{item.number}">
        <a class="release-list__link" href="{escape(item.path)}">
          <h3 class="release-list__title">{escape(release.title)}</h3>
          <span class="release-list__date">{shown_date(release.published)}</span> |
          <span class="release-list__type">{label}</span>
        </a>
        <p class="release-list__summary">{escape(release.lead)}</p>
      </li>"""


def render_feed(items: Sequence[_Listed]) -> str:
    entries = "\n".join(_feed_item(item) for item in items)
    org = escape(ORGANISATION)
    built = (
        format_datetime(items[0].release.published.astimezone(UTC), usegmt=True) if items else ""
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>{org} – Via TT</title>
<link>{START_PATH}</link>
<description>Senaste pressmeddelanden från {org}</description>
<language>sv</language>
<lastBuildDate>{built}</lastBuildDate>
<atom:link href="{FEED_PATH}?publisherId={PUBLISHER_ID}" rel="self" type="application/rss+xml"/>
{entries}
</channel>
</rss>
"""


def _feed_item(item: _Listed) -> str:
    release = item.release
    published = format_datetime(release.published.astimezone(UTC), usegmt=True)
    label = KIND_LABELS.get(release.kind, "Pressmeddelande")
    return f"""<item>
<title>{escape(release.title)}</title>
<link>{escape(item.path)}</link>
<guid isPermaLink="false">viatt-{item.number}</guid>
<pubDate>{published}</pubDate>
<category>{label}</category>
<dc:creator>{escape(ORGANISATION)}</dc:creator>
<description>{escape(release.lead)}</description>
</item>"""


def render_release(item: _Listed, latest: Sequence[_Listed]) -> str:
    release = item.release
    org = escape(ORGANISATION)
    label = KIND_LABELS.get(release.kind, "Pressmeddelande")
    about = about_text(PLATFORM, release.published)
    separate_about = release.published < ABOUT_SECTION_BEFORE
    body = _release_body(release, about_in_body=not separate_about, about=about)
    about_block = _about_section(about) if separate_about else ""
    image = _figure(item) if release.image_caption else ""
    main = f"""
<main class="release-page">
  <article class="release" data-release-id="{item.number}">
    <div class="release__publisher"><a href="{START_PATH}">{org}</a></div>
    <h1 class="release__title">{escape(release.title)}</h1>
    <div class="release__meta">
      <span class="release__date">{shown_date(release.published)}</span> |
      <a class="release__publisher-name" href="{START_PATH}">{org}</a> |
      <span class="release__type">{label}</span>
    </div>
    {_share_buttons()}
    {image}
    <div class="release__lead"><p>{escape(release.lead)}</p></div>
    <div class="release__body">
{body}
    </div>
    {_attachments(item)}
  </article>
  {about_block}
  {_follow_and_subscribe()}
  {_latest_block(latest)}
  {_pressroom_teaser()}
</main>"""
    return _page(f"{release.title} | {ORGANISATION}", main, _release_head(item))


def _release_head(item: _Listed) -> str:
    release = item.release
    canonical = f"/pressmeddelande/{item.number}/{item.slug}?publisherId={PUBLISHER_ID}"
    parts = [
        f'<meta name="description" content="{escape(release.lead)}">',
        f'<meta property="og:title" content="{escape(release.title)}">',
        f'<meta property="og:description" content="{escape(release.lead)}">',
        '<meta property="og:type" content="article">',
        '<meta property="og:site_name" content="Via TT">',
        f'<meta property="og:url" content="{escape(canonical)}">',
        # The release's own image where it has one, else the publisher's logo (as
        # on the real pages): og:image is not evidence that the release has an image.
        f'<meta property="og:image" content="{_og_image(item)}">',
        f'<link rel="canonical" href="{escape(canonical)}">',
        _feed_link(),
    ]
    if has_json_ld(item.number):
        parts.append(_json_ld(release, canonical))
    return "\n".join(parts)


def _og_image(item: _Listed) -> str:
    if item.release.image_caption:
        return f"/images/release/{item.number}.jpg"
    return f"/images/publisher/{PUBLISHER_ID}.png"


def _json_ld(release: DemoRelease, canonical: str) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": release.title,
        "description": release.lead,
        "datePublished": iso_local(release.published),
        "inLanguage": "sv",
        "mainEntityOfPage": canonical,
        "author": {"@type": "Organization", "name": ORGANISATION},
        "publisher": {"@type": "Organization", "name": "Via TT"},
    }
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>'


def _share_buttons() -> str:
    links = "".join(
        f'<a class="share__link" href="#share-{name.lower()}">{_icon(name)}'
        f'<span class="visually-hidden">Dela på {name}</span></a>'
        for name in ("Facebook", "LinkedIn", "X", "Email")
    )
    return f'<div class="share"><span class="share__label">Dela</span>{links}</div>'


def _figure(item: _Listed) -> str:
    caption = escape(item.release.image_caption or "")
    return (
        f'<figure class="release__image"><img src="/images/release/{item.number}.jpg" '
        f'alt="{caption}"><figcaption>{caption}</figcaption></figure>'
    )


def _release_body(release: DemoRelease, *, about_in_body: bool, about: str) -> str:
    parts = [f"<p>{escape(p)}</p>" for p in release.paragraphs]
    # The room adds its own "Tid:/Plats:" block below the text, as the
    # Mynewsdesk room does (the golden set and the event reader expect it).
    if release.event is not None:
        event = release.event
        parts.append(
            f"<p><strong>Tid:</strong> {escape(event.date_text)}, {escape(event.time_text)}<br>"
            f"<strong>Plats:</strong> {escape(event.place)}</p>"
        )
    if release.contacts:
        parts.append("<p><strong>Kontakt:</strong></p>")
        parts.extend(_contact_paragraph(contact) for contact in release.contacts)
    parts.append("<p>_____________________________________________</p>")
    if release.sender is not None:
        sender = release.sender
        parts.append(
            f"<p>Avsändare: {escape(sender.name)}, {escape(sender.title)}<br>"
            f"Telefon: {escape(sender.phone)}</p>"
        )
    if about_in_body:
        parts.append(f"<p>{escape(about)}</p>")
    return "\n".join("      " + part for part in parts)


def _contact_paragraph(contact: DemoContact) -> str:
    name = escape(display_name(contact))
    lines = [name, f"Titel: {escape(contact.title)}", f"Telefon: {escape(contact.phone)}"]
    if contact.email:
        lines.append(
            f'E-post: <a href="mailto:{escape(contact.email)}">{escape(contact.email)}</a>'
        )
    return "<p>" + "<br>".join(lines) + "</p>"


def has_attachment(number: int) -> bool:
    return number % 5 == 0


def _attachments(item: _Listed) -> str:
    if not has_attachment(item.number):
        return ""
    return (
        '<div class="release__attachments"><h2>Bilagor</h2>'
        f'<a href="/files/{item.number}/underlag.pdf">{_icon("Document")}Underlag (PDF)</a></div>'
    )


def _about_section(about: str) -> str:
    org = escape(ORGANISATION)
    return f"""
<section class="publisher-about">
  <h2>Om</h2>
  <address class="publisher-about__address">{org}<br>{org}<br>Rådhuset<br>604 81 Norrköping<br>
  <a href="http://norrkoping.se">http://norrkoping.se</a></address>
  <div class="publisher-about__text"><p>{escape(about)}</p></div>
</section>"""


def _latest_block(latest: Sequence[_Listed]) -> str:
    rows = "".join(
        f'<li><a href="{escape(other.path)}"><h3>{escape(other.release.title)}</h3>'
        f"<span>{shown_date(other.release.published)} | "
        f"{KIND_LABELS.get(other.release.kind, 'Pressmeddelande')}</span></a>"
        f"<p>{escape(other.release.lead)}</p></li>"
        for other in latest
    )
    return f"""
<section class="latest-releases">
  <h2>Senaste pressmeddelandena från {escape(ORGANISATION)}</h2>
  <ul>{rows}</ul>
</section>"""
