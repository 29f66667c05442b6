"""The fixture Cision News press room (news.cision.com/se/<organisation>).

The room lists releases newest first, paged with `?page=N` and a rel="next"
link; release pages `/se/<room>/r/<slug>,c<id>` carry JSON-LD (NewsArticle)
and OpenGraph beside the markup, and show dates as `tis, nov 25, 2025 08:00 CET`.
Chrome: OneTrust cookie banner, site menu, subscribe box, "Senaste
pressmeddelandena", the organisation's about block, footer. An RSS feed per
organisation is linked from every page.

Feeds, as working client code of public projects calls them:
- `/se/<room>/ListItems?format=rss`: the room's releases as RSS 2.0, newest
  first (title, link, guid, pubDate, description). GUESS, what would prove it
  is a saved feed: the item fields and how many items it holds (FEED_SIZE here;
  the older `/se/<room>/rss` link of the pages serves the same).
- Cision's NewsFeed service `/papi/NewsFeed/<FEED_ID>?format=json&pageIndex=N
  &pageSize=M` (on its own host, publish.ne.cision.com, in reality; served here
  beside the room): `{PageIndex, PageSize, TotalFoundReleases, Releases}` with
  the release fields its clients read (Title, HtmlIntro, HtmlBody, HtmlContact,
  HtmlCompanyInformation, PublishDate in UTC, CisionWireUrl, LanguageCode …).
  GUESS: the shape is from client code, no real answer is seen. An unknown feed
  id answers 404 with `{"Message": …}`, as clients expect errors.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from html import escape

from pressarchive.demo import corpus
from pressarchive.demo.corpus import DemoRelease
from pressarchive.demo.server import Reply
from pressarchive.demo.shared import (
    FeedItem,
    Flaky,
    PathIndex,
    display_name,
    page_number,
    render_rss,
)
from pressarchive.demo.sitevision import slugify
from pressarchive.times import STOCKHOLM

PLATFORM = "cision"
ROOM = "norrkopings-kommun"
START_PATH = f"/se/{ROOM}"
PAGE_SIZE = 15
FEED_SIZE = 20
FEED_ID = "A1B2C3D4E5F60718293A4B5C6D7E8F90"
NEWSFEED_PATH = "/papi/NewsFeed/"
NEWSFEED_DEFAULT_PAGE_SIZE = 50
NEWSFEED_MAX_PAGE_SIZE = 100
WIRE_HOST = "https://news.cision.com"
WEEKDAYS = ("mån", "tis", "ons", "tors", "fre", "lör", "sön")
MONTHS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
HTML_TYPE = "text/html; charset=utf-8"
KIND_LABELS = {"pressmeddelande": "Pressmeddelande", "pressinbjudan": "Inbjudan", "nyhet": "Nyhet"}

COOKIE_BANNER = (
    '<div id="onetrust-banner-sdk" class="otFlat" role="dialog"><p id="onetrust-policy-text">'
    "Vi använder cookies för att ge dig en bättre upplevelse av Cision News.</p>"
    '<button id="onetrust-accept-btn-handler">Acceptera alla cookies</button>'
    '<button id="onetrust-reject-all-handler">Avvisa alla</button></div>'
)
SITE_HEADER = (
    '<header class="site-header"><a class="brand" href="/se"><img src="/static/cision-news.svg" '
    'alt="Cision News logotyp"></a><nav class="site-nav"><ul><li><a href="/se">Nyheter</a></li>'
    '<li><a href="/se/foretag">Företag</a></li><li><a href="/se/amnen">Ämnen</a></li>'
    '<li><a href="/se/sok">Sök</a></li></ul></nav></header>'
)
SUBSCRIBE = (
    '<aside class="subscribe-box"><h2>Prenumerera</h2><p>Få pressmeddelanden från Norrköpings '
    'kommun direkt i din inkorg.</p><form><label>E-post<input type="email" name="email">'
    "</label><button>Prenumerera</button></form></aside>"
)
FOOTER = (
    '<footer class="site-footer"><p>Cision News är en tjänst från Cision Sverige AB.</p>'
    '<ul><li><a href="/se/om">Om Cision News</a></li><li><a href="/se/integritet">Integritetspolicy'
    '</a></li><li><a href="/se/cookies">Cookies</a></li></ul></footer>'
)


def local(moment: datetime) -> datetime:
    return moment.astimezone(STOCKHOLM)


def shown_date(moment: datetime) -> str:
    """`tis, nov 25, 2025 08:00 CET`: Cision's date line."""
    day = local(moment)
    zone = "CEST" if day.dst() else "CET"
    return f"{WEEKDAYS[day.weekday()]}, {MONTHS[day.month - 1]} {day.day}, {day.year} {day:%H:%M} {zone}"


def release_id(release: DemoRelease) -> int:
    return 3_000_000 + zlib.crc32(release.key.encode()) % 1_000_000


def release_path(release: DemoRelease) -> str:
    return f"{START_PATH}/r/{slugify(release.title)},c{release_id(release)}"


def _json_ld(release: DemoRelease) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": release.title,
        "description": release.lead,
        "datePublished": local(release.published).isoformat(),
        "inLanguage": "sv",
        "author": {"@type": "Organization", "name": corpus.ORGANISATION},
        "publisher": {"@type": "Organization", "name": "Cision News"},
        "keywords": [name for _, name in release.tags],
    }
    if release.image_caption:
        data["image"] = f"/images/{release.key}.jpg"
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _contacts(release: DemoRelease) -> str:
    people = list(release.contacts) + ([release.sender] if release.sender else [])
    if not people:
        return ""
    cards = []
    for contact in people:
        name = display_name(contact)
        email = ""
        if contact.email:
            email = f'<p class="contact-email"><a href="mailto:{contact.email}">{escape(contact.email)}</a></p>'
        cards.append(
            f'<div class="contact-card"><p class="contact-name">{escape(name)}</p>'
            f'<p class="contact-title">{escape(contact.title)}</p>'
            f'<p class="contact-phone">{escape(contact.phone)}</p>{email}</div>'
        )
    return f'<section class="release-contacts"><h2>Kontakter</h2>{"".join(cards)}</section>'


def _body(release: DemoRelease) -> str:
    parts = [f"<p>{escape(text)}</p>" for text in release.paragraphs]
    return "".join(parts)


TAG_HEADINGS = (("subject", "Ämnen"), ("category", "Kategorier"), ("region", "Regioner"))


def _tag_group(release: DemoRelease, kind: str, heading: str) -> str:
    names = [name for tag_kind, name in release.tags if tag_kind == kind]
    if not names:
        return ""
    links = "".join(f'<a class="tag" href="/se/amnen/{slugify(n)}">{escape(n)}</a>' for n in names)
    return f'<div class="release-tags" data-kind="{kind}"><h2>{heading}</h2>{links}</div>'


def render_release(release: DemoRelease, latest: list[DemoRelease]) -> str:
    title = escape(release.title)
    image = ""
    if release.image_caption:
        image = (
            f'<figure class="release-image"><img src="/images/{release.key}.jpg" alt="">'
            f"<figcaption>{escape(release.image_caption)}</figcaption></figure>"
        )
    tags = "".join(_tag_group(release, kind, heading) for kind, heading in TAG_HEADINGS)
    attachments = (
        '<section class="release-files"><h2>Dokument &amp; länkar</h2>'
        f'<a class="file" href="/files/{release.key}.pdf">{title} (pdf)</a></section>'
    )
    others = "".join(
        f'<li><a href="{release_path(r)}">{escape(r.title)}</a> <span>{shown_date(r.published)}</span></li>'
        for r in latest
        if r.key != release.key
    )[:4000]
    head = (
        f'<meta property="og:title" content="{title}"><meta property="og:type" content="article">'
        f'<meta property="og:description" content="{escape(release.lead)}">'
        f'<meta property="og:url" content="{release_path(release)}">'
        f'<script type="application/ld+json">{_json_ld(release)}</script>'
    )
    main = (
        '<article class="release">'
        f'<header class="release-header"><p class="release-type">{KIND_LABELS[release.kind]}</p>'
        f'<h1 class="release-title">{title}</h1><p class="release-meta">'
        f'<time datetime="{local(release.published).isoformat()}">{shown_date(release.published)}</time>'
        f' · <a href="{START_PATH}">{escape(corpus.ORGANISATION)}</a></p></header>{image}'
        f'<div class="release-lead"><p><strong>{escape(release.lead)}</strong></p></div>'
        f'<div class="release-body">{_body(release)}</div>{_contacts(release)}{tags}{attachments}'
        f'<section class="release-about"><h2>Om {escape(corpus.ORGANISATION)}</h2>'
        f"<p>{escape(corpus.about_text(PLATFORM, release.published))}</p></section>"
        '<div class="share"><span>Dela</span> <a href="#">LinkedIn</a> <a href="#">X</a></div>'
        f'</article><aside class="latest"><h2>Senaste pressmeddelandena</h2><ul>{others}</ul></aside>'
        f"{SUBSCRIBE}"
    )
    return _document(release.title, head, main)


def _document(title: str, head: str, main: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="sv"><head><meta charset="utf-8"><title>{escape(title)} | Cision News</title>'
        f'<link rel="alternate" type="application/rss+xml" href="{START_PATH}/rss">{head}</head>'
        f"<body>{COOKIE_BANNER}{SITE_HEADER}<main>{main}</main>{FOOTER}</body></html>"
    )


@lru_cache(maxsize=8)
def _edition(size: int | None, number: int) -> PathIndex:
    return PathIndex.build(corpus.releases_for(PLATFORM, size=size, edition=number), release_path)


@dataclass
class CisionRoom:
    size: int | None = None
    platform: str = PLATFORM
    _flaky: Flaky = field(default_factory=Flaky)

    def respond(self, path: str, query: dict[str, list[str]], *, edition: int) -> Reply:
        path = path.rstrip("/") or "/"
        state = _edition(self.size, edition)
        if path == "/robots.txt":
            return Reply(200, b"User-agent: *\nDisallow: /se/sok\n", {"Content-Type": "text/plain"})
        if path == START_PATH:
            return self._listing(state, page_number(query))
        if path in (f"{START_PATH}/rss", f"{START_PATH}/ListItems"):
            return self._rss(state)
        if path.startswith(NEWSFEED_PATH):
            return newsfeed_reply(state.releases, path[len(NEWSFEED_PATH) :], query)
        release = state.by_path.get(path)
        if release is None:
            return _not_found()
        if release.key == corpus.MISSING_KEY:
            return _not_found()
        if release.key == corpus.FLAKY_KEY and self._flaky.fails_now(release.key):
            return Reply(500, b"Internal Server Error", {"Content-Type": "text/plain"})
        body = render_release(release, state.releases[:5])
        return Reply(200, body.encode(), {"Content-Type": HTML_TYPE})

    def _listing(self, state: PathIndex, page: int) -> Reply:
        pages = max(1, -(-len(state.releases) // PAGE_SIZE))
        if page < 1 or page > pages:
            return _not_found()
        items = []
        for release in state.releases[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
            items.append(
                f'<li class="news-item"><a class="news-item__link" href="{release_path(release)}">'
                f'<h3 class="news-item__title">{escape(release.title)}</h3></a>'
                f'<p class="news-item__meta"><span class="news-item__type">{KIND_LABELS[release.kind]}</span> '
                f'<time datetime="{local(release.published).isoformat()}">{shown_date(release.published)}</time></p>'
                f'<p class="news-item__summary">{escape(release.lead)}</p></li>'
            )
        pager = []
        if page > 1:
            pager.append(f'<a rel="prev" href="{START_PATH}?page={page - 1}">Föregående</a>')
        if page < pages:
            pager.append(
                f'<a rel="next" class="pagination__next" href="{START_PATH}?page={page + 1}">Nästa</a>'
            )
        main = (
            f'<header class="company-header"><h1>{escape(corpus.ORGANISATION)}</h1>'
            '<p><a href="https://www.norrkoping.se">norrkoping.se</a></p></header>'
            f'<ul class="news-list">{"".join(items)}</ul>'
            f'<nav class="pagination">{" ".join(pager)}</nav>{SUBSCRIBE}'
        )
        return Reply(
            200, _document(corpus.ORGANISATION, "", main).encode(), {"Content-Type": HTML_TYPE}
        )

    def _rss(self, state: PathIndex) -> Reply:
        items = [
            FeedItem(
                title=r.title,
                link=release_path(r),
                guid=str(release_id(r)),
                published=r.published,
                description=r.lead,
            )
            for r in state.releases[:FEED_SIZE]
        ]
        xml = render_rss(f"{corpus.ORGANISATION} - Cision News", START_PATH, items)
        return Reply(200, xml, {"Content-Type": "application/rss+xml; charset=utf-8"})


# -- the NewsFeed service ---------------------------------------------------------------


def newsfeed_record(release: DemoRelease) -> dict[str, object]:
    """One release as the NewsFeed service's clients read it."""
    intro = f"<p>{escape(release.lead)}</p>"
    people = list(release.contacts) + ([release.sender] if release.sender else [])
    contact = "".join(
        f"<p>{escape(display_name(c))}, {escape(c.title)}<br>{escape(c.phone)}"
        + (f"<br>{escape(c.email)}" if c.email else "")
        + "</p>"
        for c in people
    )
    published = release.published.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "Id": release_id(release),
        "EncryptedId": f"{zlib.crc32(release.key.encode()):08X}",
        "InformationType": "PRM",
        "LanguageCode": "sv",
        "Title": release.title,
        "HtmlTitle": escape(release.title),
        "Intro": release.lead,
        "HtmlIntro": intro,
        "HtmlBody": _body(release),
        "HtmlContact": (f"<p><strong>Kontakt:</strong></p>{contact}" if contact else ""),
        "HtmlCompanyInformation": (
            f"<p>{escape(corpus.about_text(PLATFORM, release.published))}</p>"
        ),
        "PublishDate": published,
        "LastChangeDate": published,
        "CisionWireUrl": WIRE_HOST + release_path(release),
        "IsRegulatory": False,
    }


def newsfeed_reply(releases: list[DemoRelease], feed_id: str, query: dict[str, list[str]]) -> Reply:
    """A page of the service; pageIndex counts from 1, pageSize is capped at 100."""
    if feed_id.strip("/") != FEED_ID:
        return _json_reply({"Message": "The feed could not be found."}, status=404)
    index = page_number(query, "pageIndex")
    size = min(page_number(query, "pageSize") if "pageSize" in query else 0, NEWSFEED_MAX_PAGE_SIZE)
    size = size if size > 0 else NEWSFEED_DEFAULT_PAGE_SIZE
    chunk = releases[(index - 1) * size : index * size] if index >= 1 else []
    return _json_reply(
        {
            "PageIndex": index,
            "PageSize": size,
            "TotalFoundReleases": len(releases),
            "Title": corpus.ORGANISATION,
            "Releases": [newsfeed_record(r) for r in chunk],
        }
    )


def _json_reply(data: object, *, status: int = 200) -> Reply:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Reply(status, body, {"Content-Type": "application/json; charset=utf-8"})


def _not_found() -> Reply:
    body = _document("Sidan finns inte", "", "<h1>Sidan finns inte</h1>")
    return Reply(404, body.encode(), {"Content-Type": HTML_TYPE})


def make_room(*, size: int | None = None) -> CisionRoom:
    return CisionRoom(size=size)
