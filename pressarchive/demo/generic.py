"""The fixture generic newsroom: an organisation's own WordPress-like site.

Nothing platform-specific to lean on: the home page declares its feeds with
`<link rel="alternate">` (posts, and comments, which are not releases),
robots.txt names `/sitemap.xml`, a sitemap index points at the post, page and
category sitemaps, and posts carry Yoast-style JSON-LD and OpenGraph around a
theme's markup (cookie notice, menu, sidebar with "Senaste inläggen" and a
subscribe form, footer). The feed holds the newest ten posts (`?paged=N` for
older ones, as WordPress does, though no link says so).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from html import escape

from pressarchive.demo import corpus
from pressarchive.demo.corpus import DemoRelease
from pressarchive.demo.server import Reply
from pressarchive.demo.shared import PathIndex, display_name
from pressarchive.demo.sitevision import slugify
from pressarchive.times import STOCKHOLM

PLATFORM = "generic"
START_PATH = "/"
FEED_SIZE = 10
PAGE_SIZE = 10
MONTHS = (
    "januari februari mars april maj juni juli augusti september oktober november december"
).split()
SITE_NAME = "Nyhetsrum – Norrköpings kommun"
HTML_TYPE = "text/html; charset=UTF-8"
CATEGORIES = {
    "pressmeddelande": ("Pressmeddelanden", "pressmeddelanden"),
    "pressinbjudan": ("Pressinbjudningar", "pressinbjudningar"),
    "nyhet": ("Nyheter", "nyheter"),
}
STATIC_PAGES = {
    "/om-oss/": ("Om oss", "Norrköpings kommun är en av Sveriges största kommuner."),
    "/kontakt/": ("Kontakt", "Kontaktcenter nås på 011-15 00 00 vardagar 8–17."),
    "/presskontakter/": ("Presskontakter", "Presstjänsten svarar på frågor från media."),
}

COOKIE_NOTICE = (
    '<div id="cookie-notice" class="cn-notice" role="dialog"><span>Vi använder kakor för att ge '
    'dig den bästa upplevelsen av vår webbplats.</span><a class="cn-accept" href="#">Ok</a>'
    '<a class="cn-more" href="/integritetspolicy/">Integritetspolicy</a></div>'
)
MENU = (
    '<header id="masthead" class="site-header"><p class="site-title"><a href="/">Nyhetsrum</a></p>'
    '<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">'
    '<li class="menu-item"><a href="/">Start</a></li>'
    '<li class="menu-item"><a href="/kategori/pressmeddelanden/">Pressmeddelanden</a></li>'
    '<li class="menu-item"><a href="/kategori/nyheter/">Nyheter</a></li>'
    '<li class="menu-item"><a href="/presskontakter/">Presskontakter</a></li>'
    '<li class="menu-item"><a href="/om-oss/">Om oss</a></li></ul></nav></header>'
)
FOOTER = (
    '<footer id="colophon" class="site-footer"><div class="site-info">© Norrköpings kommun · '
    'Drivs med <a href="https://wordpress.org/">WordPress</a></div></footer>'
)


def local(moment: datetime) -> datetime:
    return moment.astimezone(STOCKHOLM)


def release_path(release: DemoRelease) -> str:
    day = local(release.published)
    return f"/nyheter/{day:%Y}/{day:%m}/{slugify(release.title)}/"


def _sidebar(latest: list[DemoRelease]) -> str:
    items = "".join(
        f'<li><a href="{release_path(r)}">{escape(r.title)}</a></li>' for r in latest[:5]
    )
    return (
        '<aside id="secondary" class="widget-area"><section class="widget widget_recent_entries">'
        f'<h2 class="widget-title">Senaste inläggen</h2><ul>{items}</ul></section>'
        '<section class="widget widget_subscribe"><h2 class="widget-title">Prenumerera</h2>'
        "<p>Få våra pressmeddelanden via e-post. Endast mejladress behövs.</p>"
        '<form><input type="email" name="email"><button>Prenumerera</button></form></section></aside>'
    )


def _document(title: str, head: str, main: str, latest: list[DemoRelease]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="sv-SE"><head><meta charset="UTF-8">'
        f"<title>{escape(title)} – {escape(SITE_NAME)}</title>"
        f'<link rel="alternate" type="application/rss+xml" title="{escape(SITE_NAME)} » Flöde" href="/feed/">'
        f'<link rel="alternate" type="application/rss+xml" title="{escape(SITE_NAME)} » Kommentarsflöde" '
        'href="/comments/feed/">'
        f'{head}</head><body class="wp-site">{COOKIE_NOTICE}<div id="page" class="site">{MENU}'
        f'<div id="content" class="site-content"><main id="primary" class="site-main">{main}</main>'
        f"{_sidebar(latest)}</div>{FOOTER}</div></body></html>"
    )


def _json_ld(release: DemoRelease, url: str) -> str:
    day = local(release.published)
    graph = [
        {
            "@type": "Article",
            "@id": f"{url}#article",
            "headline": release.title,
            "datePublished": day.isoformat(),
            "dateModified": day.isoformat(),
            "author": {
                "@type": "Person",
                "name": release.sender.name if release.sender else "Redaktionen",
            },
            "articleSection": [CATEGORIES[release.kind][0]],
            "keywords": [name for kind, name in release.tags if kind == "subject"],
            "inLanguage": "sv-SE",
            "isPartOf": {"@id": f"{url}#webpage"},
        },
        {"@type": "WebPage", "@id": f"{url}#webpage", "url": url, "name": release.title},
        {"@type": "Organization", "name": corpus.ORGANISATION, "url": "/"},
    ]
    text = json.dumps({"@context": "https://schema.org", "@graph": graph}, ensure_ascii=False)
    return text.replace("</", "<\\/")


def _contact_block(release: DemoRelease) -> str:
    lines = []
    for contact in release.contacts:
        name = display_name(contact)
        email = f", {contact.email}" if contact.email else ""
        lines.append(
            f"{escape(name)}, {escape(contact.title)}, telefon {escape(contact.phone)}{escape(email)}"
        )
    if not lines:
        return ""
    return f"<h2>Kontakt</h2><p>{'<br>'.join(lines)}</p>"


def render_release(release: DemoRelease, latest: list[DemoRelease]) -> str:
    path = release_path(release)
    day = local(release.published)
    label, slug = CATEGORIES[release.kind]
    tags = [name for kind, name in release.tags if kind == "subject"]
    head = (
        f'<link rel="canonical" href="{path}"><meta name="description" content="{escape(release.lead)}">'
        '<meta property="og:locale" content="sv_SE"><meta property="og:type" content="article">'
        f'<meta property="og:title" content="{escape(release.title)}">'
        f'<meta property="og:description" content="{escape(release.lead)}">'
        f'<meta property="og:url" content="{path}"><meta property="og:site_name" content="{escape(SITE_NAME)}">'
        f'<meta property="article:published_time" content="{day.isoformat()}">'
        f'<meta property="article:modified_time" content="{day.isoformat()}">'
        f'<script type="application/ld+json" class="yoast-schema-graph">{_json_ld(release, path)}</script>'
    )
    if release.image_caption:
        head += f'<meta property="og:image" content="/wp-content/uploads/{day:%Y/%m}/{release.key}.jpg">'
    figure = ""
    if release.image_caption:
        figure = (
            f'<figure class="wp-block-image"><img src="/wp-content/uploads/{day:%Y/%m}/{release.key}.jpg" '
            f'alt=""><figcaption>{escape(release.image_caption)}</figcaption></figure>'
        )
    paragraphs = "".join(f"<p>{escape(text)}</p>" for text in release.paragraphs)
    tag_links = ", ".join(f'<a href="/tagg/{slugify(t)}/" rel="tag">{escape(t)}</a>' for t in tags)
    main = (
        f'<article id="post-{release.key}" class="post type-post status-publish category-{slug}">'
        f'<header class="entry-header"><h1 class="entry-title">{escape(release.title)}</h1>'
        '<div class="entry-meta"><span class="posted-on">Publicerat '
        f'<time class="entry-date published" datetime="{day.isoformat()}">'
        f"{day.day} {MONTHS[day.month - 1]} {day.year}</time></span></div></header>"
        f'<div class="entry-content"><p class="ingress"><strong>{escape(release.lead)}</strong></p>'
        f"{figure}{paragraphs}{_contact_block(release)}</div>"
        f'<footer class="entry-footer"><span class="cat-links">Publicerat i '
        f'<a href="/kategori/{slug}/" rel="category tag">{label}</a></span>'
        + (f' <span class="tags-links">Etiketter: {tag_links}</span>' if tag_links else "")
        + '</footer></article><nav class="post-navigation"><a href="/">« Till nyhetsrummet</a></nav>'
    )
    return _document(release.title, head, main, latest)


def _rss(releases: list[DemoRelease]) -> str:
    items = []
    for release in releases:
        label = CATEGORIES[release.kind][0]
        body = "".join(f"<p>{escape(p)}</p>" for p in release.paragraphs)
        items.append(
            f"<item><title>{escape(release.title)}</title><link>{release_path(release)}</link>"
            f"<pubDate>{release.published:%a, %d %b %Y %H:%M:%S} +0000</pubDate>"
            f"<category><![CDATA[{label}]]></category>"
            f'<guid isPermaLink="false">/?p={release.key}</guid>'
            f"<description><![CDATA[{release.lead}]]></description>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{escape(SITE_NAME)}</title><link>/</link><language>sv-SE</language>"
        f"{''.join(items)}</channel></rss>"
    )


def _urlset(entries: Sequence[tuple[str, str | None]]) -> str:
    urls = "".join(
        f"<url><loc>{escape(loc)}</loc>"
        + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "")
        + "</url>"
        for loc, lastmod in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )


SITEMAP_INDEX = (
    '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    "<sitemap><loc>/post-sitemap.xml</loc></sitemap><sitemap><loc>/page-sitemap.xml</loc></sitemap>"
    "<sitemap><loc>/category-sitemap.xml</loc></sitemap></sitemapindex>"
)


@lru_cache(maxsize=8)
def _edition(size: int | None, number: int) -> PathIndex:
    return PathIndex.build(corpus.releases_for(PLATFORM, size=size, edition=number), release_path)


@dataclass
class GenericRoom:
    size: int | None = None
    platform: str = PLATFORM

    def respond(self, path: str, query: dict[str, list[str]], *, edition: int) -> Reply:
        state = _edition(self.size, edition)
        if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
            path += "/"  # WordPress redirects to the slash form; the fixture answers both
        if path == "/robots.txt":
            text = "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\nSitemap: /sitemap.xml\n"
            return Reply(200, text.encode(), {"Content-Type": "text/plain; charset=utf-8"})
        if path == "/sitemap.xml":
            return _xml(SITEMAP_INDEX)
        if path == "/post-sitemap.xml":
            return _xml(
                _urlset([(release_path(r), local(r.published).isoformat()) for r in state.releases])
            )
        if path == "/page-sitemap.xml":
            return _xml(_urlset([("/", None)] + [(p, None) for p in STATIC_PAGES]))
        if path == "/category-sitemap.xml":
            return _xml(_urlset([(f"/kategori/{slug}/", None) for _, slug in CATEGORIES.values()]))
        if path == "/feed/":
            page = _int(query.get("paged"), 1)
            chunk = state.releases[(page - 1) * FEED_SIZE : page * FEED_SIZE]
            if page < 1 or not chunk:
                return _not_found(state)
            return Reply(
                200, _rss(chunk).encode(), {"Content-Type": "application/rss+xml; charset=UTF-8"}
            )
        if path == "/comments/feed/":
            empty = '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Kommentarer</title></channel></rss>'
            return Reply(
                200, empty.encode(), {"Content-Type": "application/rss+xml; charset=UTF-8"}
            )
        if path == "/" or path.startswith("/page/"):
            return self._home(
                state, _int([path.strip("/").split("/")[-1]], 1) if path != "/" else 1
            )
        if path in STATIC_PAGES:
            title, text = STATIC_PAGES[path]
            main = f'<article class="page"><h1 class="entry-title">{title}</h1><div class="entry-content"><p>{text}</p></div></article>'
            head = '<meta property="og:type" content="website">'
            return _html(_document(title, head, main, state.releases))
        release = state.by_path.get(path)
        if release is None or release.key == corpus.MISSING_KEY:
            return _not_found(state)
        return _html(render_release(release, state.releases))

    def _home(self, state: PathIndex, page: int) -> Reply:
        chunk = state.releases[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        if page < 1 or not chunk:
            return _not_found(state)
        posts = "".join(
            f'<article class="post"><h2 class="entry-title"><a href="{release_path(r)}">{escape(r.title)}</a></h2>'
            f'<time class="entry-date" datetime="{local(r.published).isoformat()}">'
            f"{local(r.published).day} {MONTHS[local(r.published).month - 1]} {local(r.published).year}</time>"
            f'<div class="entry-summary"><p>{escape(r.lead)}</p></div></article>'
            for r in chunk
        )
        more = f'<nav class="nav-links"><a class="next page-numbers" href="/page/{page + 1}/">Äldre inlägg</a></nav>'
        if page * PAGE_SIZE >= len(state.releases):
            more = ""
        head = '<meta property="og:type" content="website">'
        return _html(
            _document("Nyhetsrum", head, f"<h1>Nyhetsrum</h1>{posts}{more}", state.releases)
        )


def _int(values: list[str] | None, default: int) -> int:
    try:
        return int((values or [str(default)])[0])
    except ValueError:
        return 0


def _html(text: str) -> Reply:
    return Reply(200, text.encode(), {"Content-Type": HTML_TYPE})


def _xml(text: str) -> Reply:
    return Reply(200, text.encode(), {"Content-Type": "application/xml; charset=UTF-8"})


def _not_found(state: PathIndex) -> Reply:
    body = _document(
        "Sidan hittades inte", "", "<h1>Hoppsan! Sidan kunde inte hittas.</h1>", state.releases
    )
    return Reply(404, body.encode(), {"Content-Type": HTML_TYPE})


def make_room(*, size: int | None = None) -> GenericRoom:
    return GenericRoom(size=size)
