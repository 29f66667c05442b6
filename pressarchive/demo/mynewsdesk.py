"""The Mynewsdesk fixture press room (platforms.md, seed 000).

The press room at START_PATH lists releases newest first, ten a page, with
`?page=N` pagination (`<link rel="next">` and a "Nästa" link). Each item has
an image id as alt text or "Media no image", the title, the line
`Pressmeddelanden   •   Jan 18, 2018 16:32 CET` and the summary; every fifth
item is shown whole, followed by "Läs vidare »". The sidebar has "Kommande
evenemang", "Kontaktpersoner N kontaktpersoner" cards and "Om Norrköpings kommun".

Release pages come in both URL generations: before mid-2017 the older
`/se/pressroom/norrkopings_kommun/pressrelease/view/<slug>-<id>` (with the
about text typed into the body, as communicators did), later the newer
`/se/norrkopings_kommun/pressreleases/<slug>-<id>` (about text in its own
block, `article:published_time` in the head). News use `news`, press
invitations with an event use `events`. Contact cards hide junk characters in
their e-mail addresses in three ways: inline `display:none`, the `hidden`
attribute, and a class hidden by the page's style sheet.

The room's RSS `/se/<room>/pressreleases.rss` (seen in working code) lists
the FEED_SIZE newest press releases, press releases only (news and events have
feeds of their own, not served here). Items as a third-party test fixture
shows them, which says it was copied from a real Mynewsdesk feed of 2026 but
is visibly edited (github: a Java VroomNewsServiceTest): title, pubDate in RFC
1123 with the Swedish offset (`+0200`), description, a link with `utm_*`
parameters, dc:creator. GUESS, what would prove it is a saved
`pressreleases.rss`: the guid, the exact tracking parameters, and the feed's
length (20 here).

Special: FLAKY_KEY's page answers 500 twice, then 200.
"""

from __future__ import annotations

import threading
import unicodedata
import zlib
from datetime import datetime
from html import escape

from pressarchive.demo.corpus import (
    FLAKY_KEY,
    ORGANISATION,
    SENDERS,
    DemoContact,
    DemoRelease,
    about_text,
    releases_for,
)
from pressarchive.demo.server import Reply, html_reply, not_found, text_reply
from pressarchive.demo.shared import FeedItem, Flaky, display_name, page_number, render_rss
from pressarchive.times import STOCKHOLM

PLATFORM = "mynewsdesk"
ROOM = "norrkopings_kommun"
START_PATH = f"/se/{ROOM}"
PAGE_SIZE = 10
FEED_PATH = f"{START_PATH}/pressreleases.rss"
FEED_SIZE = 20
FEED_LINK_TRACKING = "?utm_source=rss&utm_medium=rss"
FLAKY_FAILURES = 2
# Releases before this date are linked with the older URL generation.
NEW_URLS_FROM = datetime(2017, 7, 1, tzinfo=STOCKHOLM)
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# URL segment -> (listing label, release page label)
LABELS = {
    "pressreleases": ("Pressmeddelanden", "Pressmeddelande"),
    "news": ("Nyheter", "Nyhet"),
    "events": ("Evenemang", "Evenemang"),
}
RSS_TYPE = "application/rss+xml; charset=utf-8"
ROBOTS = "User-agent: *\nDisallow: /se/account/\nDisallow: /*/subscribe\nAllow: /\n"
_JUNK = "qzxwvjkbfy"

STYLE = (
    "<style>.mnd-obf{display:none}.visually-hidden{position:absolute;clip:rect(0 0 0 0)}</style>"
)
MENU = (
    '<header class="site-header"><a class="logo" href="/se">Mynewsdesk</a><nav class="site-nav"><ul>'
    '<li><a href="/se/search">Sök nyheter</a></li><li><a href="/se/pressrooms">Pressrum</a></li>'
    '<li><a href="/se/account/login">Logga in</a></li><li><a href="/se/signup">Skapa konto</a></li>'
    "</ul></nav></header>"
)
COOKIE_BANNER = (
    '<div id="cookie-consent" class="cookie-banner" role="dialog"><p>Vi använder cookies för att '
    "förbättra din upplevelse av Mynewsdesk, för statistik och för marknadsföring. Läs mer i vår "
    '<a href="/se/cookies">cookiepolicy</a>.</p><button>Acceptera alla</button>'
    "<button>Endast nödvändiga</button></div>"
)
FOOTER = (
    '<footer class="site-footer"><p>Mynewsdesk – sprid dina nyheter till rätt målgrupp.</p>'
    '<ul><li><a href="/se/about">Om Mynewsdesk</a></li><li><a href="/se/privacy">Integritet</a></li>'
    "</ul></footer>"
)
SUBSCRIBE = (
    '<aside class="subscribe-box"><h2>Prenumerera på nyheter från Norrköpings kommun</h2>'
    '<form action="/se/norrkopings_kommun/subscribe"><input type="email" name="email" '
    'placeholder="Din e-postadress"><button>Prenumerera</button></form></aside>'
)


# --- pure helpers -------------------------------------------------------------------


def local(moment: datetime) -> datetime:
    return moment.astimezone(STOCKHOLM)


def display_date(moment: datetime) -> str:
    """`Jan 18, 2018 16:32 CET` in Stockholm time."""
    wall = local(moment)
    zone = "CEST" if wall.dst() else "CET"
    return f"{MONTHS_EN[wall.month - 1]} {wall.day:02d}, {wall.year} {wall:%H:%M} {zone}"


def slugify(title: str) -> str:
    ascii_title = (
        unicodedata.normalize("NFKD", title.lower()).encode("ascii", "ignore").decode("ascii")
    )
    words = "".join(c if c.isalnum() else " " for c in ascii_title).split()
    return "-".join(words)[:80].rstrip("-")


def release_number(key: str) -> int:
    """A stable numeric id for a corpus key, as Mynewsdesk ends its slugs with one.

    Generated (benchmark) keys "b<digits>" map one to one; the bundled keys are
    hashed (a test checks that they do not collide)."""
    if key.startswith("b") and key[1:].isdigit():
        return 3_000_000 + int(key[1:])
    return 2_000_000 + zlib.crc32(key.encode()) % 900_000


def image_id(key: str) -> str:
    """A Cloudinary-style image id ("Cumciqx59jecg3pe7irn"), stable per release."""
    seed = zlib.crc32(b"img" + key.encode())
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    chars = []
    for _ in range(20):
        seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
        chars.append(alphabet[seed % len(alphabet)])
    return "".join(chars).capitalize()


def segment(release: DemoRelease) -> str:
    """Where the room files a release: news, events, or press releases. Half the
    press invitations are filed as press releases, told apart only by their
    "Pressinbjudan:" title, as communicators often did."""
    if release.kind == "nyhet":
        return "news"
    if release.kind == "pressinbjudan" and release_number(release.key) % 2 == 0:
        return "events"
    return "pressreleases"


def release_path(release: DemoRelease) -> str:
    slug = f"{slugify(release.title)}-{release_number(release.key)}"
    segment_name = segment(release)
    if local(release.published) < NEW_URLS_FROM:
        old = {"news": "news", "events": "event", "pressreleases": "pressrelease"}[segment_name]
        return f"/se/pressroom/{ROOM}/{old}/view/{slug}"
    return f"/se/{ROOM}/{segment_name}/{slug}"


def listing_label(release: DemoRelease) -> str:
    return LABELS[segment(release)][0]


def page_label(release: DemoRelease) -> str:
    return LABELS[segment(release)][1]


def obfuscated_email(email: str, variant: int) -> str:
    """The address with junk characters hidden in between, the way the room hides them."""
    pieces = []
    for position, char in enumerate(email):
        pieces.append(escape(char))
        if position % 4 == 2:
            junk = _JUNK[(position + variant) % len(_JUNK)] * (1 + position % 2)
            if variant % 3 == 0:
                pieces.append(f'<span style="display:none">{junk}</span>')
            elif variant % 3 == 1:
                pieces.append(f"<span hidden>{junk}</span>")
            else:
                pieces.append(f'<span class="mnd-obf">{junk}</span>')
    return "".join(pieces)


def contact_card(contact: DemoContact, variant: int) -> str:
    email = ""
    if contact.email:
        email = f'<li class="contact-card__email">{obfuscated_email(contact.email, variant)}</li>'
    return (
        '<div class="contact-card">'
        f'<h4 class="contact-card__name">{escape(contact.name)}</h4>'
        '<ul class="contact-card__details"><li class="contact-card__role">Presskontakt</li>'
        f'<li class="contact-card__title">{escape(contact.title.capitalize())}</li>'
        f"{email}"
        f'<li class="contact-card__phone">{escape(contact.phone)}</li></ul></div>'
    )


def _document(title: str, head: str, main: str, sidebar: str = "") -> str:
    return (
        '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>{STYLE}{head}</head><body>{COOKIE_BANNER}{MENU}"
        f'<div class="page"><main class="page__main">{main}</main>'
        f'<aside class="page__sidebar">{sidebar}</aside></div>{FOOTER}</body></html>'
    )


def _image(release: DemoRelease, *, size: str) -> str:
    if release.image_caption is None:
        return '<div class="media-list__image media-list__image--empty"><span>Media no image</span></div>'
    ident = image_id(release.key)
    return (
        f'<div class="media-list__image"><img src="https://mnd-assets.mynewsdesk.com/image/upload/'
        f'{size}/{ident}.jpg" alt="{ident}"></div>'
    )


def _paragraphs(release: DemoRelease) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in release.paragraphs)


def render_feed(releases: list[DemoRelease]) -> bytes:
    """The room's press-release feed: the newest press releases, newest first."""
    items = [
        FeedItem(
            title=release.title,
            link=release_path(release) + FEED_LINK_TRACKING,
            guid=str(release_number(release.key)),
            published=release.published,
            description=release.lead,
            creator=ORGANISATION,
        )
        for release in releases
        if segment(release) == "pressreleases"
    ][:FEED_SIZE]
    return render_rss(f"{ORGANISATION} - Pressmeddelanden", START_PATH, items, zone=STOCKHOLM)


# --- the room -----------------------------------------------------------------------


class MynewsdeskRoom:
    platform = PLATFORM

    def __init__(self, *, size: int | None = None) -> None:
        self.size = size
        self._editions: dict[int, tuple[list[DemoRelease], dict[str, DemoRelease]]] = {}
        self._flaky = Flaky(FLAKY_FAILURES)
        self._lock = threading.Lock()

    def releases(self, edition: int) -> tuple[list[DemoRelease], dict[str, DemoRelease]]:
        with self._lock:
            if edition not in self._editions:
                releases = releases_for(PLATFORM, size=self.size, edition=edition)
                self._editions[edition] = (releases, {release_path(r): r for r in releases})
            return self._editions[edition]

    def respond(self, path: str, query: dict[str, list[str]], *, edition: int) -> Reply:
        if path == "/robots.txt":
            return text_reply(ROBOTS)
        releases, by_path = self.releases(edition)
        if path.rstrip("/") == START_PATH:
            return self._listing(releases, page_number(query))
        if path == FEED_PATH:
            return Reply(200, render_feed(releases), {"Content-Type": RSS_TYPE})
        release = by_path.get(path.rstrip("/"))
        if release is None:
            return not_found()
        if release.key == FLAKY_KEY and self._flaky.fails_now(path):
            return html_reply("<html><body><h1>502 Bad Gateway</h1></body></html>", status=500)
        return html_reply(self._release_page(release, releases))

    # -- listing

    def _listing(self, releases: list[DemoRelease], page: int) -> Reply:
        pages = max(1, -(-len(releases) // PAGE_SIZE))
        if page < 1 or page > pages:
            return not_found()
        chunk = releases[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        items = "".join(
            self._item(r, whole=(i % 5 == 4))
            for i, r in enumerate(chunk, start=(page - 1) * PAGE_SIZE)
        )
        head = f'<meta property="og:title" content="{escape(ORGANISATION)}">'
        pager = []
        if page > 1:
            head += f'<link rel="prev" href="{START_PATH}?page={page - 1}">'
            pager.append(f'<a rel="prev" href="{START_PATH}?page={page - 1}">« Föregående</a>')
        if page < pages:
            head += f'<link rel="next" href="{START_PATH}?page={page + 1}">'
            pager.append(
                f'<a rel="next" class="pagination__next" href="{START_PATH}?page={page + 1}">Nästa »</a>'
            )
        main = (
            f'<header class="newsroom-header"><h1>{escape(ORGANISATION)}</h1>'
            '<nav class="newsroom-tabs"><a href="#">Alla</a> <a href="#">Pressmeddelanden</a> '
            '<a href="#">Nyheter</a> <a href="#">Evenemang</a> <a href="#">Bilder</a></nav></header>'
            f'<ul class="media-list">{items}</ul>'
            f'<nav class="pagination">{" ".join(pager)}<span class="pagination__info">Sida {page} av {pages}</span></nav>'
        )
        sidebar = self._events(releases) + self._contacts() + self._about(releases) + SUBSCRIBE
        title = f"{ORGANISATION} - Pressrum"
        return html_reply(_document(title, head, main, sidebar))

    def _item(self, release: DemoRelease, *, whole: bool) -> str:
        path = release_path(release)
        body = ""
        if whole:
            body = (
                f'<div class="media-list__body">{_paragraphs(release)}</div>'
                f'<a class="media-list__more" href="{path}">Läs vidare »</a>'
            )
        return (
            f'<li class="media-list__item"><a class="media-list__link" href="{path}">'
            f"{_image(release, size='c_fill,w_220,h_140')}"
            f'<h3 class="media-list__title">{escape(release.title)}</h3></a>'
            f'<div class="media-list__meta"><span class="media-list__type">{listing_label(release)}</span>'
            f'   •   <span class="media-list__date">{display_date(release.published)}</span></div>'
            f'<p class="media-list__summary">{escape(release.lead)}</p>{body}</li>'
        )

    def _events(self, releases: list[DemoRelease]) -> str:
        events = [r for r in releases if r.event is not None][:2]
        if not events:
            return ""
        cards = []
        for release in events:
            assert release.event is not None
            start = local(release.event.starts_at)
            cards.append(
                f'<li class="event-card"><span class="event-card__day">{start:%d} {MONTHS_EN[start.month - 1]} '
                f"{start:%H:%M}</span><h4>{escape(release.title)}</h4>"
                f'<span class="event-card__range">{start:%Y-%m-%d} - {start:%Y-%m-%d}</span>'
                f'<span class="event-card__place">{escape(release.event.place)}</span></li>'
            )
        return (
            f'<section class="upcoming-events"><h2>Kommande evenemang <small>{len(cards)} evenemang'
            f"</small></h2><ul>{''.join(cards)}</ul></section>"
        )

    def _contacts(self) -> str:
        cards = "".join(contact_card(c, i) for i, c in enumerate(SENDERS))
        return (
            f'<section class="newsroom-contacts"><h2>Kontaktpersoner <small>{len(SENDERS)} '
            f"kontaktpersoner</small></h2>{cards}</section>"
        )

    def _about(self, releases: list[DemoRelease]) -> str:
        newest = releases[0].published if releases else datetime.now(STOCKHOLM)
        return (
            f'<section class="newsroom-about"><h2>Om {escape(ORGANISATION)}</h2>'
            f"<h3>{escape(ORGANISATION)}</h3><p>{escape(about_text('viatt', newest))}</p></section>"
        )

    # -- release page

    def _release_page(self, release: DemoRelease, releases: list[DemoRelease]) -> str:
        path = release_path(release)
        newer_generation = local(release.published) >= NEW_URLS_FROM
        label = page_label(release)
        head = (
            f'<meta property="og:title" content="{escape(release.title)}">'
            f'<meta property="og:description" content="{escape(release.lead)}">'
            f'<meta property="og:url" content="https://www.mynewsdesk.com{path}">'
            '<meta property="og:type" content="article">'
            '<meta property="og:site_name" content="Mynewsdesk">'
        )
        if release.image_caption is not None:
            head += (
                '<meta property="og:image" content="https://mnd-assets.mynewsdesk.com/image/upload/'
                f'c_fill,w_1200/{image_id(release.key)}.jpg">'
            )
        if newer_generation:
            head += (
                '<meta property="article:published_time" '
                f'content="{local(release.published).isoformat()}">'
                f'<link rel="canonical" href="https://www.mynewsdesk.com{path}">'
            )
        figure = ""
        if release.image_caption is not None:
            figure = (
                f'<figure class="newsroom-media">{_image(release, size="c_fill,w_800")}'
                f"<figcaption>{escape(release.image_caption)}</figcaption></figure>"
            )
        about_in_body = "" if newer_generation else _about_paragraphs(release)
        body = (
            f"{_paragraphs(release)}{_contact_block(release)}"
            f"<p>{'_' * 70}</p>{_sender_block(release)}{about_in_body}"
        )
        boilerplate = ""
        if newer_generation:
            boilerplate = (
                f'<div class="press-release__boilerplate">{_about_paragraphs(release)}</div>'
            )
        cards = "".join(contact_card(c, i + len(release.key)) for i, c in enumerate(SENDERS[:3]))
        main = (
            f'<article class="press-release">'
            f'<header class="press-release__header"><span class="press-release__type">{label}</span> - '
            f'<span class="press-release__date">{display_date(release.published)}</span>'
            f'<h1 class="press-release__title">{escape(release.title)}</h1></header>'
            f"{figure}"
            f'<div class="press-release__summary"><p>{escape(release.lead)}</p></div>'
            f'<div class="press-release__body">{body}</div>'
            f"{_tag_lists(release)}{boilerplate}"
            f'<section class="press-release__contacts"><h2>Kontakter</h2>{cards}</section>'
            "</article>"
        )
        latest = "".join(
            f'<li><a href="{release_path(r)}">{escape(r.title)}</a></li>'
            for r in releases[:5]
            if r.key != release.key
        )
        sidebar = (
            f'<section class="latest"><h2>Senaste nytt från {escape(ORGANISATION)}</h2>'
            f"<ul>{latest}</ul></section>{SUBSCRIBE}"
        )
        return _document(f"{release.title} | {ORGANISATION}", head, main, sidebar)


def _about_paragraphs(release: DemoRelease) -> str:
    lines = about_text(PLATFORM, release.published).split("\n")
    return f"<p><strong>{escape(lines[0])}</strong><br>{escape(' '.join(lines[1:]))}</p>"


def _contact_block(release: DemoRelease) -> str:
    if not release.contacts:
        return ""
    people = []
    for contact in release.contacts:
        name = display_name(contact)
        people.append(
            f"<p>{escape(name)}<br>Titel: {escape(contact.title)}<br>Telefon: {escape(contact.phone)}</p>"
        )
    label = "Kontaktperson:" if len(release.contacts) == 1 else "Kontaktpersoner:"
    return f"<p><strong>{label}</strong></p>{''.join(people)}"


def _sender_block(release: DemoRelease) -> str:
    sender = release.sender
    if sender is None:
        return ""
    return (
        f"<p>Avsändare: {escape(sender.name)}, {escape(sender.title)}<br>"
        f"Telefon: {escape(sender.phone)}</p>"
    )


def _tag_lists(release: DemoRelease) -> str:
    sections = []
    for kind, heading in (("subject", "Ämnen"), ("category", "Kategorier"), ("region", "Regioner")):
        names = [name for k, name in release.tags if k == kind]
        if names:
            items = "".join(f'<li><a href="#">{escape(n)}</a></li>' for n in names)
            sections.append(
                f'<div class="tag-list tag-list--{kind}"><h3>{heading}</h3><ul>{items}</ul></div>'
            )
    return f'<section class="press-release__tags">{"".join(sections)}</section>'


def make_room(*, size: int | None = None) -> MynewsdeskRoom:
    return MynewsdeskRoom(size=size)
