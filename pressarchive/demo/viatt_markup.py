"""Via TT page markup as the real site serves it, rendered from plain data.

The shapes are copied from real release pages (tests/real/viatt/: Moderaterna
2026, Sverigedemokraterna 2022; platforms.md "Via TT"): server-rendered React
with generated class names (`sc-…`), `data-cypress` handles, the `<article>`
holding an optional release header, the `h1`, the date line
`1.4.2026 09:29:57 CEST | Publisher | Kind`, the share bar, the bold lead, an
optional figure, the body, then sections under `h2`s ("Kontakter" cards,
"Bilder", "Dokument", the publisher container with the about-text, under "Om"
with an `<address>` on older pages), beside it the subscribe box and
"Senaste pressmeddelandena från …", the footer, and at the end
`window.__INITIAL_STATE__`: base64 of the URL-encoded JSON store.

Pure functions: data in, markup out. `pressarchive.demo.viatt` (the demo room)
and the golden-set builder both render through here.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import quote

from pressarchive.times import STOCKHOLM

KIND_LABELS = {
    "pressmeddelande": ("Pressmeddelande", "Press Release"),
    "pressinbjudan": ("Pressinbjudan", "Press Invitation"),
    "nyhet": ("Nyhet", "News"),
}
# What JavaScript's encodeURIComponent leaves as it is.
_URI_SAFE = "-_.!~*'()"


@dataclass(frozen=True)
class Publisher:
    id: str
    name: str
    slug: str
    address_lines: tuple[str, ...] = ()  # the address block's lines before zip code and city
    zipcode: str = ""
    city: str = ""
    website: str = ""

    @property
    def room_path(self) -> str:
        return f"/pressrum/{self.id}/{self.slug}"


@dataclass(frozen=True)
class Card:
    """A "Kontakter" card: an `h2` name with a `<small>` title, phone, e-mail."""

    name: str
    title: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Picture:
    path: str
    caption: str | None = None


@dataclass(frozen=True)
class Document:
    path: str
    title: str


@dataclass(frozen=True)
class Teaser:
    """Another release as the "Senaste pressmeddelandena" sidebar shows it."""

    number: int
    path: str
    title: str
    published: datetime
    kind: str
    summary: str


@dataclass(frozen=True)
class ReleasePage:
    number: int
    path: str  # root-relative, as the site links it
    title: str
    lead: str
    body_html: str
    kind: str
    published: datetime  # aware
    publisher: Publisher
    about: str = ""  # the publisher's about-text ("" when the page shows none)
    # Older pages: "Om" heading, then the publisher container with <address> first;
    # newer ones: the container holds its own "Om oss" heading and the boilerplate.
    about_with_address: bool = False
    release_header: bool = True
    cards: tuple[Card, ...] = ()
    pictures: tuple[Picture, ...] = ()
    documents: tuple[Document, ...] = ()
    latest: tuple[Teaser, ...] = field(default=())
    language: str = "sv"


# --- small pure helpers ---------------------------------------------------------------------


def shown_date(moment: datetime) -> str:
    """The date line's date: day.month.year without leading zeros, seconds, CET/CEST."""
    local = moment.astimezone(STOCKHOLM)
    zone = "CEST" if local.dst() else "CET"
    return f"{local.day}.{local.month}.{local.year} {local:%H:%M:%S} {zone}"


def iso_utc(moment: datetime) -> str:
    """The state's date: ISO UTC with milliseconds and Z ("2026-04-01T07:29:57.304Z")."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def encode_state(state: dict[str, Any]) -> str:
    """btoa(encodeURIComponent(JSON.stringify(state))), as the real page carries it."""
    text = json.dumps(state, ensure_ascii=False, separators=(",", ":"))
    return base64.b64encode(quote(text, safe=_URI_SAFE).encode("ascii")).decode("ascii")


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, KIND_LABELS["pressmeddelande"])[0]


def localized_label(kind: str) -> str:
    sv, en = KIND_LABELS.get(kind, KIND_LABELS["pressmeddelande"])
    return f"sv__label__{sv}__lang__en__label__{en}"


def paragraphs_html(text: str) -> str:
    """Plain text, paragraphs separated by blank lines, as `<p>` elements."""
    parts = [part.strip() for part in text.split("\n\n") if part.strip()]
    return "\n".join(f"<p>{escape(part)}</p>" for part in parts)


# --- the embedded state ----------------------------------------------------------------------


def release_state(page: ReleasePage) -> dict[str, Any]:
    """The slice of the store a release page is rendered from (shape of the real one)."""
    publisher = page.publisher
    boilerplate = paragraphs_html(page.about) if page.about else ""
    version = {
        "title": page.title,
        "leadtext": f"<p><strong>{escape(page.lead)}</strong></p>",
        "metadescription": page.lead,
        "body": {
            "complete": page.body_html,
            "cookieless": {"content": page.body_html, "externalContentDomains": []},
        },
        "boilerplates": (
            [{"header": "Om oss", "body": boilerplate, "image": None, "url": None}]
            if boilerplate and not page.about_with_address
            else []
        ),
        "logos": [],
        "images": [
            {"path": p.path, "caption": p.caption, "focus": "center"} for p in page.pictures
        ],
        "documents": [{"path": d.path, "title": d.title} for d in page.documents],
        "links": [],
        "keywords": "",
        "url": page.path,
        "localizedlabel": localized_label(page.kind),
        "contacts": {
            "cards": [
                {
                    "id": None,
                    "name": card.name,
                    "title": card.title,
                    "company_department": None,
                    "phone": card.phone,
                    "mobile": None,
                    "email": card.email,
                    "path": None,
                    "focus": "center",
                }
                for card in page.cards
            ]
        },
    }
    release = {
        "readyState": "RELEASE_FETCHED",
        "id": page.number,
        "format": "article",
        "date": iso_utc(page.published),
        "versions": {page.language: version},
        "url": page.path,
        "publisher": {
            "id": int(publisher.id) if publisher.id.isdigit() else publisher.id,
            "name": publisher.name,
            "address": ", ".join(publisher.address_lines),
            "city": publisher.city,
            "zipcode": publisher.zipcode,
            "phone": None,
            "website": publisher.website,
            "boilerplate": boilerplate if page.about_with_address else "",
            "logopath": None,
            "pressroomurl": publisher.room_path,
        },
        "latestReleases": [
            {
                "id": teaser.number,
                "title": teaser.title,
                "date": iso_utc(teaser.published),
                "metadescription": teaser.summary,
                "url": teaser.path,
                "type": kind_label(teaser.kind),
                "language": "sv",
            }
            for teaser in page.latest
        ],
        "masterpressroom": None,
    }
    return {
        "pressroom": {},
        "release": {str(page.number): release},
        "site": {"name": "Via TT"},
        "i18n": {"lang": page.language},
        "host": "https://via.tt.se",
    }


# --- page chrome (copied in shape from the real pages) ----------------------------------------

_STYLE = (
    '<style data-styled="true" data-styled-version="5.3.11">'
    ".iSNtnE{display:block;margin:0 0 2rem;clear:both;color:#4e4e4e;font-size:0.9375rem;}/*!sc*/\n"
    'data-styled.g1[id="sc-aXZVg"]{content:"iSNtnE,"}/*!sc*/\n'
    ".cuXGiE{color:#4e4e4e;max-width:100%;font-size:0.875rem;line-height:1rem;}/*!sc*/\n"
    ".ledSWm{display:none;cursor:pointer;border:1px solid #dedede;}/*!sc*/\n"
    "@media (min-width:480px){.ledSWm{display:block;width:100px;height:100px;}}/*!sc*/\n"
    ".cYFiZQ small{display:block;font-size:1rem;}/*!sc*/\n"
    "</style>"
)

_NAV = (
    '<div class="navigation"><nav class="sc-kCMKrZ euErMA"><div class="sc-dJiZtA dWTTLZ">'
    '<div class="agency-logo"><a class="agency-logo__link" href="/">'
    '<img class="agency-logo__wide" src="/data/images/static/logo-w_300_h_100.png" alt="Home"/></a></div>'
    '<ul class="sc-epALIP gJCnnF">'
    + "".join(
        f'<li data-cypress="frontpage-nav-item" class="sc-lbJcrp myWuH"><a href="{href}" '
        f'data-cypress="{handle}" class="sc-iLsKjm gMsBGG"><span class="title">{label}</span>'
        '<span class="active-marker"></span><span class="active-bg"></span></a></li>'
        for href, handle, label in (
            ("/", "releases", "Sök nyheter"),
            ("/abonnera", "releases", "Abonnera"),
            ("/avsandare", "publishers", "Sök pressrum"),
            ("https://tt.se/via-tt/", "service", "Om tjänsten"),
            ("https://tt.se/via-tt/", "buy", "Bli kund"),
        )
    )
    + '</ul><ul class="sc-epALIP iBFuJH"><li class="sc-lbJcrp eWzbNr">'
    '<button aria-label="Öppna menyn" class="sc-eifrsQ kNMLNz"><svg style="display:block;height:25px;'
    'width:25px" class=""><use xlink:href="#prs-icons_menu"></use></svg></button></li></ul>'
    "</div></nav></div>"
)

_FOOTER = (
    '<footer aria-label="Sidfotsnavigering" class="sc-kbhJrz kLSevz"><div class="sc-jIGnZt dVQvjv">'
    '<img class="sc-hwdzOV fEwPN footer__logo" src="/data/images/static/logo-w_300_h_100.png" alt="Via TT"/>'
    "<address><span>Vill du skicka ett pressmeddelande genom Via TT?<br/>"
    '<a href="https://tt.se/via-tt">Här hittar du mer information om tjänsten</a><br/></span><br/>'
    "<span>Via TT, en tjänst från TT Nyhetsbyrån<br/></span><span>105 12 Stockholm<br/></span>"
    "<span>Östgötagatan 100<br/></span><span>Stockholm<br/></span><br/>"
    '<span>Vill du nå TT Nyhetsbyrån?<!-- --> <a href="https://tt.se/kontakt">Kontakta oss</a></span>'
    '</address><br/><a href="https://x.com/ViaTT_se">Via TT på X</a><br/><p></p>'
    "<span>© <!-- -->Via TT<!-- --> <!-- -->2026</span><br/><br/>"
    '<nav><a tabindex="0">Svenska</a><a tabindex="0">English</a></nav></div></footer>'
)

# The icon sprite after the scripts: its <title>/<desc> texts are what a naive
# text dump shows as "HiddenA line styled icon from Orion Icon Library.Eye".
_SPRITE = (
    '<div id="svg-sprite">\n<svg xmlns="http://www.w3.org/2000/svg"><defs/>'
    '<symbol id="prs-icons_eye-hide" viewBox="0 0 64 64" role="img" fill="currentColor">'
    "<title>Hidden</title><desc>A line styled icon from Orion Icon Library.</desc>"
    '<path d="M62 2L2 62"/></symbol>'
    '<symbol id="prs-icons_eye" viewBox="0 0 64 64" role="img" fill="currentColor"><title>Eye</title>'
    '<circle cx="32" cy="31.5" r="13"/></symbol></svg>\n</div>'
)

_SHARE_NETWORKS = (
    ("Dela på Facebook", "facebook", "#0965FE"),
    ("Dela på LinkedIn", "linkedin", "#0077B5"),
    ("Dela på X", "twitter", "#000000"),
    ("Dela via e-post", "email", "#7f7f7f"),
)


def _share_bar() -> str:
    buttons = "".join(
        f'<button aria-label="{label}" networkName="{network}" class="react-share__ShareButton" '
        'style="background-color:transparent;border:none;padding:0;font:inherit;color:inherit;'
        'cursor:pointer"><svg viewBox="0 0 64 64" width="32" height="32"><rect width="64" '
        f'height="64" rx="0" ry="0" fill="{colour}"></rect></svg></button>'
        for label, network, colour in _SHARE_NETWORKS
    )
    return f'<div class="sc-klVQfs cgoTQW"><span>Dela</span>{buttons}</div>'


def _date_line(page: ReleasePage) -> str:
    publisher = page.publisher
    return (
        f'<p class="sc-gEvEer cuXGiE">{shown_date(page.published)}<!-- --> |<!-- --> '
        '<span style="white-space:nowrap;text-overflow:ellipsis">'
        f'<a href="{publisher.room_path}">{escape(publisher.name)}</a> <!-- -->|</span> '
        f"<!-- -->{kind_label(page.kind)}</p>"
    )


def _lead(page: ReleasePage) -> str:
    return (
        '<div class="sc-kMkxaj hSksXp"><strong><p>'
        f"<strong>{escape(page.lead)}</strong></p></strong></div>"
    )


def _lead_figure(page: ReleasePage) -> str:
    if not page.pictures:
        return ""
    src = page.pictures[0].path
    return (
        '<figure style="width:100%" class="sc-jGKxIK hLbGd"><div class="sc-krNlru cjxuOt"><div>'
        f'<img class="ImageDiv__modal-image fullwidth" src="{escape(src)}" alt=""/></div></div></figure>'
    )


def _section(heading: str, inner: str) -> str:
    return (
        f'<section class="sc-iHbSHJ bRZKcX"><h2 class="sc-gmgFlS gFdXpt">{heading}</h2>'
        f"{inner}</section>"
    )


def _cards(page: ReleasePage) -> str:
    if not page.cards:
        return ""
    articles = []
    for card in page.cards:
        small = f"<small>{escape(card.title)}</small>" if card.title else ""
        lines = ""
        if card.phone:
            lines += (
                '<span class="sc-cmaqmh hSWQHd"><span>Tel:</span>'
                f'<a href="tel:{escape(card.phone)}" class="sc-kAkpmW fIpmuu">{escape(card.phone)}</a></span>'
            )
        if card.email:
            lines += (
                '<span class="sc-cmaqmh hSWQHd">'
                f'<a href="mailto:{escape(card.email)}" class="sc-kAkpmW fIpmuu">{escape(card.email)}</a></span>'
            )
        articles.append(
            '<article class="sc-hIUJlX kHnVoi"><div><div class="sc-jnOGJG ledSWm contact-image-wrapper">'
            '</div></div><section class="sc-brPLxw jOUQfw">'
            f'<h2 class="sc-eZkCL cYFiZQ">{escape(card.name)}{small}</h2>'
            f'<p class="sc-ggpjZQ iTkuWm"></p>{lines}</section></article>'
        )
    return _section("Kontakter", "".join(articles))


def _pictures(page: ReleasePage) -> str:
    if not page.pictures:
        return ""
    figures = "".join(
        '<figure class="sc-hZDyAQ hKquUT"><div class="sc-krNlru eJneQg"><div>'
        f'<img class="ImageDiv__modal-image" src="{escape(p.path)}" alt=""/></div></div>'
        f'<figcaption class="sc-guJBdh fxXGGy"><strong>{escape(p.caption or "")}</strong></figcaption>'
        f'<a class="GalleryItem__link" href="{escape(p.path)}" download="">Ladda ned bild</a></figure>'
        for p in page.pictures
    )
    return _section("Bilder", f'<div class="sc-hCPjZK doNROt">{figures}</div>')


def _documents(page: ReleasePage) -> str:
    if not page.documents:
        return ""
    items = "".join(
        f'<li><a href="{escape(d.path)}">{escape(d.title)}</a></li>' for d in page.documents
    )
    return _section("Dokument", f'<ul class="sc-eyvILC gNXtgV">{items}</ul>')


def _about(page: ReleasePage) -> str:
    if not page.about:
        return ""
    text = f'<div class="sc-eulNck ieGzEA">{paragraphs_html(page.about)}</div>'
    if page.about_with_address:
        publisher = page.publisher
        lines = [escape(publisher.name), *map(escape, publisher.address_lines)]
        lines.append(f"{escape(publisher.zipcode)}<!-- --> <!-- -->{escape(publisher.city)}")
        site = escape(publisher.website)
        address = (
            '<div class="sc-hCPjZK kwhFmp"><address class="sc-dExYaf kVRkqO">'
            + "<br/>".join(lines)
            + f'<br/><br/><a href="{site}">{site}</a></address></div>'
        )
        container = (
            '<section data-cypress="publisher-container" class="sc-lnPyaJ dhZSrP">'
            f"{address}{text}</section>"
        )
        return _section("Om", container)
    return (
        '<section class="sc-iHbSHJ bRZKcX"><section data-cypress="publisher-container" '
        'class="sc-lnPyaJ dhZSrP"><h2 class="sc-gmgFlS gFdXpt">Om oss</h2>'
        f"{text}</section></section>"
    )


def _sidebar(page: ReleasePage) -> str:
    name = escape(page.publisher.name)
    teasers = render_teasers(page.latest)
    return (
        '<div class="sc-hCPjZK dyIwpL"><div class="sc-gFAWRd ebpVCS">'
        '<section data-cypress="subscribe" class="sc-iHbSHJ bRZKcX">'
        f'<h2 class="sc-gmgFlS gFdXpt">Följ {name}</h2><p class="sc-fiCwlc sPlpT">Abonnera på '
        "våra pressmeddelanden. Endast mejladress behövs och den används bara här. Du kan "
        'avanmäla dig när som helst.</p><button class="sc-ikkxIA cDIAos">Följ</button></section>'
        '<section class="sc-iHbSHJ kOAvWt">'
        f'<h2 class="sc-gmgFlS gFdXpt">Senaste pressmeddelandena från {name}</h2>'
        f'<div class="sc-hCPjZK doNROt"><section class="sc-iHbSHJ bRZKcX">{teasers}</section></div>'
        '<p class="sc-fiCwlc sPlpT">I vårt pressrum kan du läsa de senaste pressmeddelandena, få '
        "tillgång till pressmaterial och hitta kontaktinformation.</p>"
        f'<a class="sc-jMakVo oydvt" href="{page.publisher.room_path}">Besök vårt pressrum</a>'
        "</section></div></div>"
    )


def _head(page: ReleasePage, canonical: str) -> str:
    full_title = escape(f"{page.title} | {page.publisher.name}")
    lead = escape(page.lead)
    return (
        f'<title data-rh="true">{full_title}</title>\n'
        '<meta data-rh="true" charset="utf-8"/><meta data-rh="true" name="viewport" '
        'content="width=device-width, initial-scale=1"/>'
        f'<meta data-rh="true" name="description" content="{lead}"/>'
        '<meta data-rh="true" property="og:type" content="article"/>'
        f'<meta data-rh="true" property="og:title" content="{full_title}"/>'
        f'<meta data-rh="true" property="og:description" content="{lead}"/>'
        f'<meta data-rh="true" property="og:url" content="{escape(canonical)}"/>'
        '<meta data-rh="true" name="twitter:card" content="summary_large_image"/>\n'
        f'<link data-rh="true" rel="canonical" href="{escape(canonical)}"/>\n'
    )


def render_release_page(page: ReleasePage, *, canonical: str | None = None) -> str:
    """The whole release page, as the real site serves one."""
    header = (
        f'<div data-cypress="release-header"><a href="{page.publisher.room_path}">'
        f'<img src="/data/images/static/publisher-{page.publisher.id}.png" '
        f'alt="{escape(page.publisher.name)}" class="sc-jaXxmE eHzngw"/></a></div>'
        if page.release_header
        else ""
    )
    body = f'<div class="sc-aXZVg iSNtnE"><div>{page.body_html}</div></div>'
    article = (
        '<article><div class="sc-cfxfcM hohmvl article"><div class="sc-gmPhUn cpoevv">'
        f'{header}<h1 class="sc-fTFjTM sc-ktJbId hFKCuq taVdg">{escape(page.title)}</h1>'
        f"{_date_line(page)}{_share_bar()}{_lead(page)}{_lead_figure(page)}{body}"
        f"{_cards(page)}{_pictures(page)}{_documents(page)}{_about(page)}</div>"
        f"{_sidebar(page)}</div></article>"
    )
    return (
        '<!doctype html>\n<html lang="sv" prefix="og: http://ogp.me/ns#">\n<head>\n'
        f"{_head(page, canonical or page.path)}{_STYLE}\n</head>\n<body>\n"
        '<div id="root"><div class="sc-fBWQRz fYJjLO"><div class="sc-hknOHE fMVQyd">'
        f'{_NAV}<div class="sc-jIGnZt dVQvjv">{article}</div>{_FOOTER}</div></div></div>\n'
        f"<script>window.__INITIAL_STATE__ = '{encode_state(release_state(page))}'</script>\n\n"
        '<script src="/public/b/app.js"></script>\n'
        f"{_SPRITE}\n\n</body>\n</html>\n"
    )


def render_teasers(teasers: Sequence[Teaser]) -> str:
    """Release teasers in the sidebar's markup (also the room listing's guess)."""
    return "".join(
        '<article class="sc-gdyeKB kTOkei">'
        f'<a class="sc-kzqdkY gRwDgO" href="{escape(t.path)}"><div class="sc-bDpDS jUyNyE">'
        '<h2 class="sc-gmgFlS sc-kRRyDe gFdXpt fBIPdV latest-release__title">'
        f'{escape(t.title)}<small class="sc-knuQbY bSeviW">{shown_date(t.published)}'
        f"<!-- --> | <!-- -->{kind_label(t.kind)}</small></h2>"
        f'<p class="sc-bVHCgj dlLCbJ">{escape(t.summary)}</p></div></a>'
        '<div class="latest-release__overlay"></div></article>'
        for t in teasers
    )


def page_shell(title: str, main: str) -> str:
    """Any other page of the site: the same head, nav and footer around `main`."""
    return (
        '<!doctype html>\n<html lang="sv" prefix="og: http://ogp.me/ns#">\n<head>\n'
        f'<title data-rh="true">{escape(title)}</title>\n'
        '<meta data-rh="true" charset="utf-8"/>\n'
        f"{_STYLE}\n</head>\n<body>\n"
        '<div id="root"><div class="sc-fBWQRz fYJjLO"><div class="sc-hknOHE fMVQyd">'
        f'{_NAV}<div class="sc-jIGnZt dVQvjv">{main}</div>{_FOOTER}</div></div></div>\n'
        f"{_SPRITE}\n\n</body>\n</html>\n"
    )
