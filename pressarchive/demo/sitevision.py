"""The fixture Sitevision news archive: a municipality's own site (norrkoping.se).

Paths as on the real site: `/nyhetsarkiv` (the archive start: the newest news
and the year archives), `/nyhetsarkiv/<year>` (one year, newest first, paged
with the portlet's own `sv.<id>.page` parameter) and news pages
`/nyhetsarkiv/<year>/<yyyy>-<mm>-<dd>-<slug>`. The chrome is the real site's:
alert banner, cookie consent, mega menu, breadcrumbs, "Dela", footer.

Specials: LATIN1_KEY is served in ISO-8859-1 with the charset declared only in
`<meta http-equiv="Content-Type">`; NO_DATE_KEY has no date anywhere (and a
page name without one); pages show their date in three styles, with and
without machine-readable metadata.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from html import escape
from zoneinfo import ZoneInfo

from pressarchive.demo import corpus
from pressarchive.demo.corpus import DemoRelease
from pressarchive.demo.server import Reply
from pressarchive.demo.shared import Flaky, display_name, page_number

PLATFORM = "sitevision"
START_PATH = "/nyhetsarkiv"
PAGE_PARAM = "sv.12.4f0a3b5189a1c7d2e.page"  # Sitevision names paging after the portlet id
PAGE_SIZE = 4  # small pages, so that the bundled archive's years are paged too
SIZED_PAGE_SIZE = 20  # benchmark rooms (thousands of releases): the real site's page size
TEASER_SIZE = 5
STOCKHOLM = ZoneInfo("Europe/Stockholm")
MONTHS = (
    "januari februari mars april maj juni juli augusti september oktober november december"
).split()
HTML_TYPE = "text/html; charset=utf-8"
UPDATED_AFTER = timedelta(days=2)

ALERT_BANNER = (
    '<div class="env-alert sv-alert" role="alert"><div class="env-alert__content">'
    '<p class="env-alert__heading">Varning för högt vattenflöde i Motala ström</p>'
    "<p>SMHI har skickat ut en orange varning som gäller högt vattenflöde i Motala ström. "
    '<a href="/trafik/varningar">Här hittar du mer information om varningen</a></p></div></div>'
)
COOKIE_CONSENT = (
    '<div class="sv-cookie-consent-banner" role="dialog" aria-label="Kakor">'
    "<p>Vi använder kakor (cookies) för att webbplatsen ska fungera och för att förbättra den.</p>"
    "<button>Godkänn alla kakor</button> <button>Endast nödvändiga kakor</button>"
    '<a href="/om-webbplatsen/kakor">Läs mer om kakor</a></div>'
)
MEGA_MENU = (
    '<header class="site-header"><a class="logo" href="/"><img src="/images/logo.svg" '
    'alt="Norrköpings kommun, till startsidan"></a><nav class="mega-menu" aria-label="Huvudmeny"><ul>'
    + "".join(
        f'<li><a href="/{slug}">{label}</a><ul class="mega-menu__sub"><li><a href="/{slug}/mer">'
        f"Mer om {label.lower()}</a></li></ul></li>"
        for slug, label in (
            ("omsorg-och-stod", "Omsorg och stöd"),
            ("forskola-och-skola", "Förskola och skola"),
            ("bygga-bo-och-miljo", "Bygga, bo och miljö"),
            ("trafik-och-resor", "Trafik och resor"),
            ("uppleva-och-gora", "Uppleva och göra"),
            ("kommun-och-politik", "Kommun och politik"),
        )
    )
    + '</ul></nav><form class="search" action="/sok"><label>Sök på webbplatsen'
    '<input name="q"></label><button>Sök</button></form></header>'
)
FOOTER = (
    '<footer class="site-footer"><p>Norrköpings kommun, 601 81 Norrköping</p>'
    "<p>Telefon: 011-15 00 00 · E-post: kontaktcenter@norrkoping.se</p>"
    '<ul><li><a href="/om-webbplatsen">Om webbplatsen</a></li>'
    '<li><a href="/om-webbplatsen/tillganglighetsredogorelse">Tillgänglighetsredogörelse</a></li>'
    '<li><a href="/om-webbplatsen/kakor">Kakor</a></li></ul></footer>'
)
SHARE = (
    '<div class="sv-share"><span class="sv-share__label">Dela</span>'
    '<a href="https://www.facebook.com/sharer">Facebook</a> <a href="https://www.linkedin.com/share">'
    'LinkedIn</a> <a href="mailto:?subject=Tips">E-post</a></div>'
)
KIND_LABELS = {
    "pressmeddelande": "Pressmeddelande",
    "pressinbjudan": "Pressinbjudan",
    "nyhet": "Nyhet",
}


def slugify(text: str) -> str:
    """Sitevision page names: lower case, å/ä/ö folded, words joined by dashes."""
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:80]


def local(moment: datetime) -> datetime:
    return moment.astimezone(STOCKHOLM)


def long_date(moment: datetime) -> str:
    day = local(moment)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def release_path(release: DemoRelease) -> str:
    day = local(release.published)
    if release.key == corpus.NO_DATE_KEY:
        return f"/nyhetsarkiv/{day.year}/{slugify(release.title)}"
    return f"/nyhetsarkiv/{day.year}/{day:%Y-%m-%d}-{slugify(release.title)}"


def date_style(release: DemoRelease) -> int:
    """Three ways real pages show their date; stable per release across editions."""
    return sum(map(ord, release.key)) % 3


def was_updated(release: DemoRelease) -> bool:
    """Some pages say they were updated after publication (stable per release)."""
    return sum(map(ord, release.key)) // 3 % 2 == 0


def _document(title: str, head: str, breadcrumbs: str, main: str, *, charset: str) -> str:
    if charset == "utf-8":
        charset_meta = '<meta charset="utf-8">'
    else:
        charset_meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    return (
        f'<!DOCTYPE html>\n<html lang="sv"><head>{charset_meta}'
        f"<title>{escape(title)} - Norrköpings kommun</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="alternate" type="application/rss+xml" title="Nyheter" href="/nyhetsarkiv.rss">'
        f"{head}</head><body>{ALERT_BANNER}{COOKIE_CONSENT}{MEGA_MENU}"
        f'<nav class="breadcrumbs" aria-label="Du är här"><ol>{breadcrumbs}</ol></nav>'
        f'<main id="main-content" class="sv-layout">{main}</main>{FOOTER}</body></html>'
    )


def _crumbs(*parts: tuple[str, str | None]) -> str:
    items = ['<li><a href="/">Startsida</a></li>']
    for label, href in parts:
        if href:
            items.append(f'<li><a href="{href}">{escape(label)}</a></li>')
        else:
            items.append(f'<li aria-current="page">{escape(label)}</li>')
    return "".join(items)


def _paragraphs(release: DemoRelease) -> str:
    parts = []
    for text in release.paragraphs:
        if text.startswith("– ") or text.startswith("- "):
            parts.append(f'<p class="normal quote">{escape(text)}</p>')
        else:
            parts.append(f'<p class="normal">{escape(text)}</p>')
    return "".join(parts)


def _contacts(release: DemoRelease) -> str:
    if not release.contacts:
        return ""
    cards = []
    for contact in release.contacts:
        name = display_name(contact)
        lines = [f"<strong>{escape(name)}</strong>", escape(contact.title)]
        lines.append(f"Telefon: {escape(contact.phone)}")
        if contact.email:
            lines.append(f'<a href="mailto:{contact.email}">{escape(contact.email)}</a>')
        cards.append(f'<p class="normal">{"<br>".join(lines)}</p>')
    return (
        '<div class="sv-text-portlet sv-contact" id="Kontakt"><div class="sv-text-portlet-content">'
        f'<h2 class="subheading">Kontakt</h2>{"".join(cards)}</div></div>'
    )


def _dates(release: DemoRelease) -> tuple[str, str]:
    """(head metadata, the visible date line) in the release's date style."""
    if release.key == corpus.NO_DATE_KEY:
        return "", ""
    day = local(release.published)
    style = date_style(release)
    if style == 0:
        head = f'<meta property="article:published_time" content="{day.isoformat()}">'
        line = f"Publicerad {long_date(release.published)}"
        if was_updated(release):
            line += f" · Uppdaterad {long_date(release.published + UPDATED_AFTER)}"
    elif style == 1:
        head = ""
        line = f"Publicerad: {day:%Y-%m-%d %H:%M}"
    else:
        head = f'<meta name="dcterms.date" content="{day:%Y-%m-%d}">'
        line = f"Publicerad {long_date(release.published)} kl. {day:%H.%M}"
    return head, f'<p class="sv-published">{escape(line)}</p>'


def render_release(release: DemoRelease, *, charset: str = "utf-8") -> str:
    day = local(release.published)
    date_head, date_line = _dates(release)
    head = (
        f'<meta property="og:title" content="{escape(release.title)}">'
        f'<meta property="og:description" content="{escape(release.lead)}">'
        '<meta property="og:type" content="article">'
        f'<meta name="description" content="{escape(release.lead)}">{date_head}'
    )
    image = ""
    if release.image_caption:
        image = (
            '<div class="sv-image-portlet"><img src="/images/18.6c1d2f/'
            f'{release.key}.jpg" alt="{escape(release.image_caption)}">'
            f'<p class="sv-image-portlet__caption">{escape(release.image_caption)}</p></div>'
        )
    tags = ""
    if release.tags:
        items = "".join(f'<li class="sv-tag">{escape(name)}</li>' for _, name in release.tags)
        tags = f'<div class="sv-tags"><span>Ämnen:</span><ul>{items}</ul></div>'
    main = (
        '<div class="sv-row"><article class="sv-column-8 news-article">'
        f'<p class="sv-news-category">{KIND_LABELS.get(release.kind, "Nyhet")}</p>'
        '<div class="sv-text-portlet sv-use-margins"><div class="sv-text-portlet-content">'
        f'<h1 class="heading">{escape(release.title)}</h1></div></div>{image}'
        '<div class="sv-text-portlet sv-use-margins" id="Ingress"><div class="sv-text-portlet-content">'
        f'<p class="normal lead">{escape(release.lead)}</p></div></div>'
        '<div class="sv-text-portlet sv-use-margins" id="Brodtext"><div class="sv-text-portlet-content">'
        f"{_paragraphs(release)}</div></div>{_contacts(release)}{tags}"
        f'<div class="sv-text-portlet sv-dates">{date_line}</div>{SHARE}</article>'
        '<aside class="sv-column-4"><h2>Fler nyheter</h2><ul>'
        '<li><a href="/nyhetsarkiv">Alla nyheter i nyhetsarkivet</a></li>'
        '<li><a href="/kommun-och-politik/press">Pressrum och presskontakter</a></li>'
        "</ul></aside></div>"
    )
    crumbs = _crumbs(
        ("Nyhetsarkiv", START_PATH),
        (str(day.year), f"/nyhetsarkiv/{day.year}"),
        (release.title, None),
    )
    return _document(release.title, head, crumbs, main, charset=charset)


def _teaser(release: DemoRelease) -> str:
    date = "" if release.key == corpus.NO_DATE_KEY else long_date(release.published)
    return (
        '<li class="sv-channel-item news-item">'
        f'<a class="news-item__link" href="{release_path(release)}">'
        f'<h3 class="news-item__title">{escape(release.title)}</h3></a>'
        f'<span class="news-item__date">{date}</span>'
        f'<p class="news-item__lead">{escape(release.lead)}</p></li>'
    )


def _year_nav(years: list[int], current: int | None) -> str:
    links = []
    for year in years:
        if year == current:
            links.append(f'<li aria-current="page"><a href="/nyhetsarkiv/{year}">{year}</a></li>')
        else:
            links.append(f'<li><a href="/nyhetsarkiv/{year}">{year}</a></li>')
    return (
        f'<nav class="sv-archive-years" aria-label="Nyheter per år"><ul>{"".join(links)}</ul></nav>'
    )


@dataclass
class Edition:
    releases: list[DemoRelease]
    by_path: dict[str, DemoRelease]
    by_year: dict[int, list[DemoRelease]]

    @classmethod
    def build(cls, releases: list[DemoRelease]) -> Edition:
        by_year: dict[int, list[DemoRelease]] = {}
        for release in releases:
            by_year.setdefault(local(release.published).year, []).append(release)
        return cls(releases, {release_path(r): r for r in releases}, by_year)

    @property
    def years(self) -> list[int]:
        return sorted(self.by_year, reverse=True)


@dataclass
class SitevisionRoom:
    size: int | None = None
    platform: str = PLATFORM
    _flaky: Flaky = field(default_factory=Flaky)

    def edition(self, number: int) -> Edition:
        return _edition(self.size, number)

    def respond(self, path: str, query: dict[str, list[str]], *, edition: int) -> Reply:
        path = path.rstrip("/") or "/"
        state = self.edition(edition)
        if path == "/robots.txt":
            return Reply(200, b"User-agent: *\nDisallow: /sok\n", {"Content-Type": "text/plain"})
        if path == "/":
            return _html("Startsida", '<p><a href="/nyhetsarkiv">Nyhetsarkiv</a></p>')
        if path == START_PATH:
            return self._archive_start(state)
        if path == "/nyhetsarkiv.rss":
            return self._rss(state)
        match = re.fullmatch(r"/nyhetsarkiv/(\d{4})", path)
        if match:
            return self._year(state, int(match.group(1)), page_number(query, PAGE_PARAM))
        release = state.by_path.get(path)
        if release is None:
            return _not_found()
        return self._release(release)

    def _release(self, release: DemoRelease) -> Reply:
        if release.key == corpus.MISSING_KEY:
            return _not_found()
        if release.key == corpus.FLAKY_KEY and self._flaky.fails_now(release.key):
            return Reply(500, b"<h1>Internt serverfel</h1>", {"Content-Type": HTML_TYPE})
        if release.key == corpus.LATIN1_KEY:
            body = render_release(release, charset="iso-8859-1")
            # The header names no charset: only the meta tag tells the truth.
            encoded = body.encode("iso-8859-1", errors="xmlcharrefreplace")
            return Reply(200, encoded, {"Content-Type": "text/html"})
        return Reply(200, render_release(release).encode(), {"Content-Type": HTML_TYPE})

    def _archive_start(self, state: Edition) -> Reply:
        teasers = "".join(_teaser(r) for r in state.releases[:TEASER_SIZE])
        years = state.years
        main = (
            '<h1 class="heading">Nyhetsarkiv</h1><p class="normal lead">Här hittar du nyheter och '
            "pressmeddelanden från Norrköpings kommun.</p>"
            f'<section class="latest-news"><h2>Senaste nyheterna</h2><ul class="sv-channel">'
            f"{teasers}</ul></section>{_year_nav(years, None)}"
        )
        return _html("Nyhetsarkiv", main, _crumbs(("Nyhetsarkiv", None)))

    def _year(self, state: Edition, year: int, page: int) -> Reply:
        items = state.by_year.get(year)
        if not items:
            return _not_found()
        per_page = PAGE_SIZE if self.size is None else SIZED_PAGE_SIZE
        pages = max(1, -(-len(items) // per_page))
        if page < 1 or page > pages:
            return _not_found()
        chunk = items[(page - 1) * per_page : page * per_page]
        pager = []
        if page > 1:
            pager.append(
                f'<a rel="prev" href="/nyhetsarkiv/{year}?{PAGE_PARAM}={page - 1}">Föregående</a>'
            )
        for number in range(1, pages + 1):
            if number == page:
                pager.append(f'<span class="current" aria-current="page">{number}</span>')
            else:
                pager.append(f'<a href="/nyhetsarkiv/{year}?{PAGE_PARAM}={number}">{number}</a>')
        if page < pages:
            pager.append(
                f'<a rel="next" href="/nyhetsarkiv/{year}?{PAGE_PARAM}={page + 1}">Nästa</a>'
            )
        main = (
            f'<h1 class="heading">Nyheter {year}</h1>'
            f'<ul class="sv-channel">{"".join(_teaser(r) for r in chunk)}</ul>'
            f'<nav class="sv-pagination" aria-label="Sidnavigering">{" ".join(pager)}</nav>'
            f"{_year_nav(state.years, year)}"
        )
        return _html(
            f"Nyheter {year}", main, _crumbs(("Nyhetsarkiv", START_PATH), (str(year), None))
        )

    def _rss(self, state: Edition) -> Reply:
        items = []
        for release in state.releases[:20]:
            pub = ""
            if release.key != corpus.NO_DATE_KEY:
                pub = f"<pubDate>{release.published:%a, %d %b %Y %H:%M:%S} +0000</pubDate>"
            items.append(
                f"<item><title>{escape(release.title)}</title><link>{release_path(release)}</link>"
                f"<description>{escape(release.lead)}</description>{pub}</item>"
            )
        xml = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            "<title>Nyheter - Norrköpings kommun</title><link>/nyhetsarkiv</link>"
            f"{''.join(items)}</channel></rss>"
        )
        return Reply(200, xml.encode(), {"Content-Type": "application/rss+xml; charset=utf-8"})


@lru_cache(maxsize=8)
def _edition(size: int | None, number: int) -> Edition:
    return Edition.build(corpus.releases_for(PLATFORM, size=size, edition=number))


def _html(title: str, main: str, crumbs: str = "") -> Reply:
    body = _document(title, "", crumbs or _crumbs((title, None)), main, charset="utf-8")
    return Reply(200, body.encode(), {"Content-Type": HTML_TYPE})


def _not_found() -> Reply:
    body = _document(
        "Sidan hittades inte",
        "",
        _crumbs(("Sidan hittades inte", None)),
        "<h1>Sidan kunde inte hittas</h1>",
        charset="utf-8",
    )
    return Reply(404, body.encode(), {"Content-Type": HTML_TYPE})


def make_room(*, size: int | None = None) -> SitevisionRoom:
    return SitevisionRoom(size=size)
