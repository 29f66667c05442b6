"""The Via TT demo press room: Norrköpings kommun's publisher room, offline.

Release pages are rendered by `pressarchive.demo.viatt_markup` in the shape of
the real ones (tests/real/viatt/): generated class names, `data-cypress`, the
visible date line, share bar, bold lead, body, "Kontakter" cards, "Bilder",
"Dokument", the publisher container with the about-text, the subscribe box,
"Senaste pressmeddelandena från …", the footer, and the embedded
`window.__INITIAL_STATE__` encoded as the real page encodes it.

What Norrköping's own pages show (seeds 003, 004; the 2025 release texts in
the search corpus): the "Kontakt:" block, underscores, "Avsändare:" and, from
2023 on, the about-text typed into the body; before 2023 the about-text sits
under "Om" with the Rådhuset address. Their releases seen so far carry no
"Kontakter" cards; the platform has them (Moderaterna, Sverigedemokraterna),
so one release in four here shows its contacts as cards as well, and every
fifth has a document. Releases of 2020 are linked in the older URL generation
(`/pressmeddelande/<slug>?publisherId=&releaseId=<id>`, seen on a Norrköping
release of 2020); the rest as `/pressmeddelande/<id>/<slug>?publisherId=`.

Also as seen: the per-publisher RSS feed `/rss/releases/latest?publisherId=`
(channel "<Publisher> - senaste pressmeddelandena", items with title, link,
pubDate, HTML-escaped description). The room only ever sees a path (no Host
header), so the feed's links are root-relative where the real feed's are
absolute; the spider resolves them against the feed's URL.

GUESS: the publisher room `/pressrum/<pid>/<slug>`, its listing markup and
its paging are unseen. The room page here lists releases in the markup of the
release page's sidebar (the only release list of the site seen), links the
feed (a public project says the room links it), and pages with a "Visa fler"
link to `?page=N`. A saved room page as served, and the request its "more"
button makes, would prove or replace this.

Specials: EDITED_KEY changes title and a paragraph in edition 2 (the URL slug
stays, as on the real platform where the numeric id is the release), and
MISSING_KEY is listed but its page is always 404.
"""

from __future__ import annotations

import re
import threading
import unicodedata
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from typing import TYPE_CHECKING

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
from pressarchive.demo.viatt_markup import (
    Card,
    Document,
    Picture,
    Publisher,
    ReleasePage,
    Teaser,
    page_shell,
    render_release_page,
    render_teasers,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

PLATFORM = "viatt"
PUBLISHER = Publisher(
    id="1347718",
    name=ORGANISATION,
    slug="norrkopings-kommun",
    # As the "Om" block of seed 003 shows it: the name twice, then Rådhuset.
    address_lines=(ORGANISATION, "Rådhuset"),
    zipcode="604 81",
    city="Norrköping",
    website="http://norrkoping.se",
)
PUBLISHER_ID = PUBLISHER.id
START_PATH = PUBLISHER.room_path
FEED_PATH = "/rss/releases/latest"
PAGE_SIZE = 15
FEED_SIZE = 20
SIDEBAR_SIZE = 5
# The registry's [source.options] for the demo source (read by the demo server).
SOURCE_OPTIONS = {"publisher_id": PUBLISHER_ID}
# Pages published before this carry the publisher's separate "Om" block with
# the address (seed 003, 2022); later ones have the about text typed into the
# body after "Avsändare:" (seed 004, 2023).
ABOUT_SECTION_BEFORE = datetime(2023, 1, 1, tzinfo=UTC)

_HTML = "text/html; charset=utf-8"
_RELEASE_PATH = re.compile(r"^/pressmeddelande/(?:(\d+)(?:/[^/]*)?|[^/]+)/?$")


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


def has_lang_param(number: int) -> bool:
    return number % 3 == 0


def uses_old_url(published: datetime) -> bool:
    """The older URL generation, seen on a Norrköping release of 2020."""
    return published.year == 2020


def release_path(number: int, slug: str, published: datetime | None = None) -> str:
    lang = "&lang=sv" if has_lang_param(number) else ""
    if published is not None and uses_old_url(published):
        return f"/pressmeddelande/{slug}?publisherId={PUBLISHER_ID}&releaseId={number}{lang}"
    return f"/pressmeddelande/{number}/{slug}?publisherId={PUBLISHER_ID}{lang}"


def has_cards(number: int) -> bool:
    return number % 4 == 2


def has_attachment(number: int) -> bool:
    return number % 5 == 0


def _html_reply(body: str, status: int = 200) -> Reply:
    return Reply(status=status, body=body.encode("utf-8"), headers={"Content-Type": _HTML})


def _not_found() -> Reply:
    main = '<article><h1 class="sc-fTFjTM hFKCuq">Sidan hittades inte</h1></article>'
    return _html_reply(page_shell("Sidan hittades inte | Via TT", main), 404)


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
            path = release_path(number, slug, release.published)
            listed.append(_Listed(release, number, slug, path))
        return _Edition(listed, {item.number: item for item in listed})

    def respond(self, path: str, query: dict[str, list[str]], *, edition: int) -> Reply:
        state = self.edition_state(edition)
        if path == "/robots.txt":
            return Reply(
                status=200,
                body=b"User-agent: *\nDisallow: /search\n",
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
            number = match.group(1) or (query.get("releaseId") or [""])[0]
            item = state.by_number.get(int(number)) if number.isdigit() else None
            if item is None or item.release.key == MISSING_KEY:
                return _not_found()
            latest = [other for other in state.listed[: SIDEBAR_SIZE + 1] if other is not item]
            return _html_reply(render_release(item, latest[:SIDEBAR_SIZE]))
        return _not_found()

    def _listing(self, state: _Edition, page: int | None) -> Reply:
        if page is None:
            return _not_found()
        start = (page - 1) * PAGE_SIZE
        items = state.listed[start : start + PAGE_SIZE]
        if not items and page != 1:
            return _not_found()
        has_next = start + PAGE_SIZE < len(state.listed)
        return _html_reply(render_listing(items, page, has_next))


def _page_number(query: dict[str, list[str]]) -> int | None:
    raw = query.get("page", ["1"])[0]
    return int(raw) if raw.isdigit() and int(raw) >= 1 else None


def make_room(*, size: int | None = None) -> ViaTTRoom:
    return ViaTTRoom(size=size)


def start_path(room: object = None) -> str:
    return START_PATH


# --- renderers (pure: data in, markup out) -----------------------------------------


def _teaser(item: _Listed) -> Teaser:
    release = item.release
    return Teaser(
        item.number, item.path, release.title, release.published, release.kind, release.lead
    )


def render_listing(items: Sequence[_Listed], page: int, has_next: bool) -> str:
    """GUESS (see the module docstring): the room's release list and its paging."""
    name = escape(ORGANISATION)
    more = (
        f'<a class="sc-jMakVo oydvt" rel="next" href="{START_PATH}?page={page + 1}">Visa fler</a>'
        if has_next
        else ""
    )
    main = (
        '<article><div class="sc-cfxfcM hohmvl pressroom"><div class="sc-gmPhUn cpoevv">'
        f'<h1 class="sc-fTFjTM sc-ktJbId hFKCuq taVdg">{name}</h1>'
        f'<a href="{FEED_PATH}?publisherId={PUBLISHER_ID}">RSS</a>'
        '<section class="sc-iHbSHJ kOAvWt"><h2 class="sc-gmgFlS gFdXpt">Pressmeddelanden</h2>'
        f'<div class="sc-hCPjZK doNROt"><section class="sc-iHbSHJ bRZKcX">'
        f"{render_teasers([_teaser(item) for item in items])}</section></div>{more}</section>"
        "</div></div></article>"
    )
    suffix = f" – sida {page}" if page > 1 else ""
    return page_shell(f"{ORGANISATION}{suffix} | Via TT", main)


def render_feed(items: Sequence[_Listed]) -> str:
    """The per-publisher RSS as seen in working code: channel "<Publisher> -
    senaste pressmeddelandena", items with title, link, pubDate, description."""
    entries = "\n".join(_feed_item(item) for item in items)
    org = escape(ORGANISATION)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>{org} - senaste pressmeddelandena</title>
<link>{START_PATH}</link>
<description>{org} - senaste pressmeddelandena</description>
<language>sv</language>
{entries}
</channel>
</rss>
"""


def _feed_item(item: _Listed) -> str:
    release = item.release
    published = format_datetime(release.published.astimezone(UTC), usegmt=True)
    summary = escape(f"<p>{escape(release.lead)}</p>")
    return f"""<item>
<title>{escape(release.title)}</title>
<link>{escape(item.path)}</link>
<guid isPermaLink="false">{item.number}</guid>
<pubDate>{published}</pubDate>
<description>{summary}</description>
</item>"""


def release_page(item: _Listed, latest: Sequence[_Listed]) -> ReleasePage:
    """The data a release page shows, from the corpus record."""
    release = item.release
    separate_about = release.published < ABOUT_SECTION_BEFORE
    about = about_text(PLATFORM, release.published)
    pictures = (
        (
            Picture(
                f"/data/images/public/{PUBLISHER_ID}/{item.number}/bild.jpg", release.image_caption
            ),
        )
        if release.image_caption
        else ()
    )
    documents = (
        (Document(f"/data/attachments/{item.number}/underlag.pdf", "Underlag.pdf"),)
        if has_attachment(item.number)
        else ()
    )
    cards = tuple(_card(c) for c in release.contacts) if has_cards(item.number) else ()
    return ReleasePage(
        number=item.number,
        path=item.path,
        title=release.title,
        lead=release.lead,
        body_html=release_body(release, about_in_body=not separate_about, about=about),
        kind=release.kind,
        published=release.published,
        publisher=PUBLISHER,
        about=about if separate_about else "",
        about_with_address=separate_about,
        release_header=not separate_about,
        cards=cards,
        pictures=pictures,
        documents=documents,
        latest=tuple(_teaser(other) for other in latest),
    )


def render_release(item: _Listed, latest: Sequence[_Listed]) -> str:
    canonical = f"https://via.tt.se{item.path}"
    return render_release_page(release_page(item, latest), canonical=canonical)


def _card(contact: DemoContact) -> Card:
    return Card(name=contact.name, title=contact.title, phone=contact.phone, email=contact.email)


def release_body(release: DemoRelease, *, about_in_body: bool, about: str) -> str:
    """The release's own HTML (the state's `body.complete`): what Norrköping types."""
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
    return "\n".join(parts)


def _contact_paragraph(contact: DemoContact) -> str:
    name = escape(display_name(contact))
    lines = [name, f"Titel: {escape(contact.title)}", f"Telefon: {escape(contact.phone)}"]
    if contact.email:
        lines.append(
            f'E-post: <a href="mailto:{escape(contact.email)}">{escape(contact.email)}</a>'
        )
    return "<p>" + "<br>".join(lines) + "</p>"
