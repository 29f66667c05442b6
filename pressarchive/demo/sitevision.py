"""The fixture Sitevision news archive: a municipality's own site (norrkoping.se).

Pages are shaped like the real Sitevision pages in tests/real/sitevision (two
sites, read in ../shared/platforms.md): `<html class="sv-no-js
sv-template-nyhet">`, assets under `/sitevision/system-resource/`,
`sv.PageContext`, layouts `svid10_…` and portlets `svid12_…` each opened by
an editor-named anchor (`<div id="Rubrik">`), template portlets marked
`sv-template-portlet`, the page's own portlets inside `div.pagecontent`,
`h1.env-text-heading-01`, `p.env-text-summary-01`, `p.env-text-body-01`, the
date as `time[datetime]` after a "NYHET" label, `meta[name=rek:pubdate]`
holding the local clock time under a "Z" (as both real sites do), an
"Uppdaterades senast" template portlet, a cookie dialog before the header,
breadcrumbs `nav[aria-label=Brödsmulor]`, "Fler nyheter" and a share menu,
`<aside>`, a newsletter form and `<footer>`.

Still our guess, each said where it is rendered: the alert banner's markup
(seen only as text, seed 002), the labels "PRESSMEDDELANDE"/"PRESSINBJUDAN"
(only "NYHET" seen), the contact block inside the content (no real Sitevision
release with contacts seen), and the archive's listing and paging.

Paths as on the real site: `/nyhetsarkiv` (the archive start: the newest news
and the year archives), `/nyhetsarkiv/<year>` (one year, newest first, paged)
and news pages `/nyhetsarkiv/<year>/<yyyy>-<mm>-<dd>-<slug>`.

Specials: LATIN1_KEY is served in ISO-8859-1 with the charset declared only in
`<meta http-equiv="Content-Type">`; NO_DATE_KEY has no date anywhere (and a
page name without one); pages show their date in the three forms seen: the
date line of centerpartiet.se (`<strong>NYHET </strong><time>2026-08-11</time>`),
of socialdemokraterna.se (`NYHET<time>03 augusti 2026</time>`, with an
"Uppdaterades senast" portlet when updated), and the older "Publicerad
2020-05-08 13:37" line (norrkoping.se 2020, seen as text) with no `<time>`.
"""

from __future__ import annotations

import hashlib
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
# GUESS: one real site pages a portlet with `?open.12_<portlet id>=true`-style
# parameters; how a news archive pages is unseen. A real archive page would prove it.
PAGE_PARAM = "sv.12.4f0a3b5189a1c7d2e.page"
PAGE_SIZE = 4  # small pages, so that the bundled archive's years are paged too
SIZED_PAGE_SIZE = 20  # benchmark rooms (thousands of releases)
TEASER_SIZE = 5
STOCKHOLM = ZoneInfo("Europe/Stockholm")
MONTHS = (
    "januari februari mars april maj juni juli augusti september oktober november december"
).split()
HTML_TYPE = "text/html; charset=utf-8"
UPDATED_AFTER = timedelta(days=2)
SYSTEM_RESOURCE = "/sitevision/system-resource/4e7df169b6bde8439e89d72cd1fc8284663b8657affa42ab"


def _sv_id(*parts: str) -> str:
    """A stable Sitevision-like id (`4f0a3b5189a1c7d2e1`): the same page, the same bytes."""
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:20]


def _portlet(anchor: str, classes: str, inner: str, *, template: bool = False) -> str:
    """A Sitevision portlet: `svid12_` id, the editor's anchor, then its content."""
    kind = " sv-template-portlet" if template else ""
    return (
        f'<div id="svid12_{_sv_id(anchor, classes)}" class="{classes}{kind}">'
        f'<div id="{anchor}"><!-- {anchor} --></div>{inner}</div>'
    )


def _text_portlet(anchor: str, inner: str, *, template: bool = False) -> str:
    return _portlet(
        anchor,
        "sv-text-portlet sv-use-margins",
        f'<div class="sv-text-portlet-content">{inner}</div>',
        template=template,
    )


# GUESS: municipal sites show SMHI warnings site-wide (seed 002, text only); the
# markup of the banner is unseen. Rendered as the header's crisis-message portlet
# (centerpartiet.se has an empty `#Krismeddelande` portlet there).
ALERT_BANNER = _portlet(
    "Krismeddelande",
    "sv-custom-module sv-se-soleil-crisisMessage",
    '<div class="env-alert" role="alert"><p>Varning för högt vattenflöde i Motala ström</p>'
    "<p>SMHI har skickat ut en orange varning som gäller högt vattenflöde i Motala ström. "
    '<a href="/trafik/varningar">Här hittar du mer information om varningen</a></p></div>',
    template=True,
)
COOKIE_CONSENT = _portlet(
    "Cookiebanner",
    "sv-custom-module sv-marketplace-sitevision-cookie-consent sv-skip-spacer",
    '<div><dialog class="env-dialog env-dialog--large sv-cookie-consent-modal">'
    '<h1 class="env-dialog__title">Vi använder kakor (cookies)</h1>'
    '<div class="env-dialog__main"><p class="env-text">Vi använder kakor för att förbättra '
    "funktionaliteten på webbplatsen. Du bestämmer själv hur kakor får användas.</p>"
    '<p class="env-text"><a class="env-link" href="/om-webbplatsen/kakor">Läs mer i vår '
    'cookiepolicy</a></p></div><div class="env-dialog__controls"><form>'
    '<button class="env-button env-button--primary">Godkänn alla kakor</button></form><form>'
    '<button class="env-button env-button--primary">Godkänn nödvändiga kakor</button></form>'
    "</div></dialog></div>",
    template=True,
)
MENU_ITEMS = (
    ("omsorg-och-stod", "Omsorg och stöd"),
    ("forskola-och-skola", "Förskola och skola"),
    ("bygga-bo-och-miljo", "Bygga, bo och miljö"),
    ("trafik-och-resor", "Trafik och resor"),
    ("uppleva-och-gora", "Uppleva och göra"),
    ("kommun-och-politik", "Kommun och politik"),
)
HEADER = (
    f'<header id="svid10_{_sv_id("header")}" class="sv-vertical sv-layout sv-template-layout">'
    + _portlet(
        "Gatillinnehall",
        "sv-html-portlet sv-portlet",
        '<a class="env-assistive-text env-assistive-text--focusable" href="#page_content">'
        "Gå till innehåll</a>",
        template=True,
    )
    + ALERT_BANNER
    + _portlet(
        "Tradmeny",
        "sv-custom-module sv-se-soleil-treeMenu",
        '<nav aria-label="Meny"><ul>'
        + "".join(f'<li><a href="/{slug}">{label}</a></li>' for slug, label in MENU_ITEMS)
        + "</ul></nav>",
        template=True,
    )
    + "</header>"
)
FOOTER = (
    f'<footer id="svid10_{_sv_id("footer")}" class="sv-vertical sv-layout sv-template-layout">'
    + _text_portlet(
        "KontaktText",
        '<h3 class="font-footer-heading">Kontakta Norrköpings kommun</h3>'
        '<p class="font-footer-text">Norrköpings kommun, 601 81 Norrköping</p>'
        '<p class="font-footer-text"><a href="tel:+4611150000">011-15 00 00</a></p>'
        '<p class="font-footer-text"><a href="mailto:kontaktcenter@norrkoping.se">'
        "kontaktcenter@norrkoping.se</a></p>",
        template=True,
    )
    + _portlet(
        "SocialamedierMeny",
        "sv-jcrmenu-portlet sv-portlet",
        '<ul><li><a href="https://www.facebook.com/norrkopingskommun"><i class="bi bi-facebook" '
        'aria-hidden="true"></i><span class="sr-only">Facebook (länk till annan webbplats, '
        "öppnas i nytt fönster)</span></a></li></ul>",
        template=True,
    )
    + _portlet(
        "SnabbnavigeringMeny",
        "sv-jcrmenu-portlet sv-portlet",
        '<nav aria-label="Snabbnavigering"><ul><li><a href="/om-webbplatsen">Om webbplatsen</a></li>'
        '<li><a href="/om-webbplatsen/tillganglighetsredogorelse">Tillgänglighetsredogörelse</a>'
        '</li><li><a href="/om-webbplatsen/kakor">Om kakor</a></li></ul></nav>',
        template=True,
    )
    + "</footer>"
)
NEWSLETTER = (
    f'<div id="svid10_{_sv_id("newsletter")}" class="sv-vertical sv-layout sv-template-layout" '
    'aria-label="nyhetsbrevsprenumeration" role="form">'
    + _portlet(
        "PrenumerationsformularSkript",
        "sv-script-portlet sv-portlet",
        '<form name="SubscribeForm"><div class="sv-text-portlet-content"><h2 '
        'class="env-text-heading-02">Prenumerera på<br>Norrköpings kommuns nyhetsbrev!</h2></div>'
        '<input name="email"><label>Ja, jag vill prenumerera på nyhetsbrevet</label></form>',
        template=True,
    )
    + "</div>"
)
MORE_NEWS = _portlet(
    "Actionknapp",
    "sv-custom-module sv-se-soleilit-actionLink",
    '<a href="/nyhetsarkiv"><span>Fler nyheter</span><i class="bi bi-arrow-right-short" '
    'aria-hidden="true"></i></a>',
    template=True,
)
SHARE = _portlet(
    "Delasidapasocialamedier",
    "sv-custom-module sv-se-soleil-socialMediaShare",
    '<div><button class="env-button env-button--secondary">Dela<span class="env-assistive-text">'
    " i sociala medier. Klicka för att fälla ut alternativ</span></button><ul>"
    '<li><a aria-label="Dela sidan på Facebook" href="https://facebook.com/sharer.php?u=x">'
    '<i class="bi bi-facebook" aria-hidden="true"></i></a></li>'
    '<li><a aria-label="Dela sidan via mejl" href="mailto:?subject=Tips"><i class="bi '
    'bi-envelope-fill" aria-hidden="true"></i></a></li></ul></div>',
    template=True,
)
ASIDE = (
    f'<aside id="svid10_{_sv_id("aside")}" class="sv-vertical sv-layout sv-template-layout">'
    + _text_portlet(
        "Relateradenyheter",
        '<h2 class="env-text-heading-02">Relaterade nyheter</h2><ul class="env-text-list">'
        '<li><a href="/nyhetsarkiv">Alla nyheter i nyhetsarkivet</a></li>'
        '<li><a href="/kommun-och-politik/press">Pressrum och presskontakter</a></li></ul>',
        template=True,
    )
    + MORE_NEWS
    + "</aside>"
)
# GUESS: only "NYHET" is seen as a label; the other kinds' labels are assumed.
KIND_LABELS = {
    "pressmeddelande": "PRESSMEDDELANDE",
    "pressinbjudan": "PRESSINBJUDAN",
    "nyhet": "NYHET",
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


def rek_stamp(moment: datetime) -> str:
    """`rek:pubdate` as both real sites write it: the local clock under a "Z"."""
    return f"{local(moment):%Y-%m-%dT%H:%M:%S}.000Z"


def _document(
    title: str, head: str, breadcrumbs: str, main: str, *, charset: str, aside: str = ""
) -> str:
    if charset == "utf-8":
        charset_meta = '<meta charset="UTF-8">'
    else:
        charset_meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    return (
        '<!DOCTYPE html>\n<html lang="sv" class="sv-no-js sv-template-nyhet"><head>'
        f"{charset_meta}<title>{escape(title)} | Norrköpings kommun</title>"
        f'<link rel="preload" href="{SYSTEM_RESOURCE}/js/jquery.js" as="script">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="dcterms.identifier" content="https://www.norrkoping.se">'
        '<meta name="dcterms.language" content="sv">'
        '<link rel="alternate" type="application/rss+xml" title="Nyheter" href="/nyhetsarkiv.rss">'
        f"{head}<script>sv.PageContext = {{pageId: '4.4f0a3b5189a1c7d2e1', "
        "siteId: '2.4f0a3b5189a1c7d2e0'};</script></head>"
        '<body class=" sv-responsive env-m-around--0">'
        f'<div id="svid10_{_sv_id("root")}" class="sv-layout">{COOKIE_CONSENT}{HEADER}'
        f'<div id="svid10_{_sv_id("wrap")}" class="sv-vertical sv-layout sv-template-layout">'
        + _portlet(
            "Brodsmulor",
            "sv-custom-module sv-se-soleil-breadcrumbs",
            f'<nav aria-label="Brödsmulor"><ol>{breadcrumbs}</ol></nav>',
            template=True,
        )
        + '<div id="page_content"></div>'
        f'<main id="svid10_{_sv_id("main")}" class="sv-vertical sv-layout sv-template-layout">'
        f"{main}</main>{aside}</div>{NEWSLETTER}{FOOTER}</div></body></html>"
    )


def _crumbs(*parts: tuple[str, str | None]) -> str:
    items = ['<li><a href="/">Startsida</a><span aria-hidden="true">/</span></li>']
    for label, href in parts:
        if href:
            items.append(
                f'<li><a href="{href}">{escape(label)}</a><span aria-hidden="true">/</span></li>'
            )
        else:
            items.append(f'<li><a class="current" href="#">{escape(label)}</a></li>')
    return "".join(items)


def _paragraphs(release: DemoRelease) -> str:
    return "".join(f'<p class="env-text-body-01">{escape(text)}</p>' for text in release.paragraphs)


def _contacts(release: DemoRelease) -> str:
    """GUESS: no real Sitevision release with contacts is seen; a municipality's
    news page is assumed to end its text with a "Kontakt" heading and one
    paragraph per person (as the text of norrkoping.se pages in the seeds does)."""
    if not release.contacts:
        return ""
    cards = []
    for contact in release.contacts:
        lines = [f"<strong>{escape(display_name(contact))}</strong>", escape(contact.title)]
        lines.append(f"Telefon: {escape(contact.phone)}")
        if contact.email:
            lines.append(f'<a href="mailto:{contact.email}">{escape(contact.email)}</a>')
        cards.append(f'<p class="env-text-body-01">{"<br>".join(lines)}</p>')
    return f'<h2 class="env-text-heading-02">Kontakt</h2>{"".join(cards)}'


def _date_portlets(release: DemoRelease) -> tuple[str, str, str]:
    """(head metadata, the date portlet above the content, the updated portlet
    below it) in the release's date style."""
    label = KIND_LABELS.get(release.kind, "NYHET")
    if release.key == corpus.NO_DATE_KEY:
        return "", _text_portlet("PubliceringsdatumText", f"<p>{label}</p>", template=True), ""
    day = local(release.published)
    updated = release.published + UPDATED_AFTER
    head = f'<meta name="rek:pubdate" content="{rek_stamp(release.published)}">'
    style = date_style(release)
    after = ""
    if style == 0:  # centerpartiet.se
        line = (
            f'<p class="font-small"><strong>{label} </strong>'
            f'<time datetime="{day.isoformat()}">{day:%Y-%m-%d}</time></p>'
        )
        head += f'<meta name="rek:moddate" content="{rek_stamp(release.published)}">'
    elif style == 1:  # socialdemokraterna.se
        line = (
            f'<p class="sv-font-nyhetsdatum">{label}'
            f'<time datetime="{day.isoformat()}">{long_date(release.published)}</time></p>'
        )
        if was_updated(release):
            head += f'<meta name="rek:moddate" content="{rek_stamp(updated)}">'
            after = _text_portlet(
                "Uppdateradessenast",
                '<p class="sv-font-nyhetsdatum">Uppdaterades senast: '
                f'<time datetime="{local(updated).isoformat()}">{long_date(updated)}</time></p>',
                template=True,
            )
    else:  # the older generation: a "Publicerad" line, no <time>
        line = f"<p>{label}</p><p>Publicerad {day:%Y-%m-%d} {day:%H:%M}</p>"
    return head, _text_portlet("PubliceringsdatumText", line, template=True), after


def render_release(release: DemoRelease, *, charset: str = "utf-8") -> str:
    day = local(release.published)
    date_head, date_portlet, updated_portlet = _date_portlets(release)
    head = (
        f'<meta name="description" content="{escape(release.lead)}">'
        f'<meta property="og:title" content="{escape(release.title)}">'
        '<meta property="og:type" content="article">'
        f'<meta property="og:description" content="{escape(release.lead)}">{date_head}'
    )
    image = ""
    if release.image_caption:
        image = _portlet(
            "Bild",
            "sv-image-portlet sv-portlet",
            f'<img class="sv-noborder" src="/images/18.6c1d2f/{release.key}.jpg" '
            f'alt="{escape(release.image_caption)}">',
        )
    main = (
        date_portlet + f'<div id="svid94_{_sv_id("pagecontent")}" class="pagecontent sv-layout">'
        '<div id="Mittenspalt"><!-- Mittenspalt --></div>'
        + _portlet(
            "Rubrik",
            "sv-text-portlet sv-use-margins sv-skip-spacer",
            '<div class="sv-text-portlet-content"><h1 class="env-text-heading-01">'
            f"{escape(release.title)}</h1></div>",
        )
        + image
        + _portlet(
            "Ingress",
            "sv-text-portlet sv-use-margins",
            '<div class="sv-text-portlet-content"><p class="env-text-summary-01">'
            f"{escape(release.lead)}</p></div>",
        )
        + _portlet(
            "Innehall",
            "sv-text-portlet sv-use-margins",
            '<div class="sv-text-portlet-content">'
            f"{_paragraphs(release)}{_contacts(release)}</div>",
        )
        + "</div>"
        + updated_portlet
        + MORE_NEWS
        + SHARE
    )
    crumbs = _crumbs(
        ("Nyhetsarkiv", START_PATH),
        (str(day.year), f"/nyhetsarkiv/{day.year}"),
        (release.title, None),
    )
    return _document(release.title, head, crumbs, main, charset=charset, aside=ASIDE)


def _teaser(release: DemoRelease) -> str:
    """An archive portlet's item as a real Sitevision archive lists it
    (`ul.sv-channel > li.sv-channel-item`, `time[datetime]`,
    `span.env-text-summary-01`: seen on sandvikenenergi.se's archive portlet,
    a Sitevision site, in a public project's real fixture)."""
    date = ""
    if release.key != corpus.NO_DATE_KEY:
        day = local(release.published)
        date = f'<time datetime="{day.isoformat()}">{long_date(release.published)}</time>'
    return (
        '<li class="sv-channel-item">'
        f'<a href="{release_path(release)}"><span class="env-text-heading-03">'
        f"{escape(release.title)}</span></a>{date}"
        f'<span class="env-text-summary-01">{escape(release.lead)}</span></li>'
    )


# GUESS: the year navigation and the pager below are ours; a real Sitevision news
# archive's listing and paging are unseen (only an archive portlet's items are).
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
            '<h1 class="env-text-heading-01">Nyhetsarkiv</h1><p class="env-text-summary-01">'
            "Här hittar du nyheter och pressmeddelanden från Norrköpings kommun.</p>"
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
            f'<h1 class="env-text-heading-01">Nyheter {year}</h1>'
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
