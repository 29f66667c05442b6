"""The generic layers: feed and sitemap discovery, metadata first, trafilatura body.

Pages come straight from the fixture newsroom (an organisation's own
WordPress-like site) and from hand-written documents; no network.
"""

from __future__ import annotations

import pytest
from parsel import Selector
from pressarchive.spiders.generic import (
    declared_feeds,
    feed_entries,
    is_feed,
    is_sitemap,
    looks_like_article,
    sitemap_entries,
)

from pressarchive.demo import generic as room_module
from pressarchive.demo.corpus import ORGANISATION, DemoRelease, releases_for
from pressarchive.demo.server import ask
from pressarchive.extract import extract_page
from pressarchive.extract.fallback import fallback_title, main_content
from pressarchive.extract.generic import kind_from_label, machine_datetime, split_party
from pressarchive.extract.page import Page
from pressarchive.items import Release
from pressarchive.refine.published import normalise_dates

BASE = "http://127.0.0.1:8125"
CHROME = (
    "kakor",
    "Senaste inläggen",
    "Prenumerera",
    "WordPress",
    "Presskontakter",
    "Till nyhetsrummet",
)


@pytest.fixture(scope="module")
def room() -> room_module.GenericRoom:
    return room_module.make_room()


def fetch(room: room_module.GenericRoom, path_and_query: str) -> tuple[int, bytes]:
    reply = ask(room, path_and_query)
    return reply.status, reply.body


def extract(room: room_module.GenericRoom, demo: DemoRelease) -> Release:
    path = room_module.release_path(demo)
    status, body = fetch(room, path)
    assert status == 200
    return extract_page(
        body, BASE + path, platform="generic", source_id="demo-generic", organisation=ORGANISATION
    )


def test_feeds_are_discovered_and_comment_feeds_left_out(room: room_module.GenericRoom) -> None:
    _, body = fetch(room, "/")
    assert declared_feeds(Selector(text=body.decode()), BASE + "/") == [BASE + "/feed/"]


def test_feed_entries_are_the_newest_posts(room: room_module.GenericRoom) -> None:
    _, body = fetch(room, "/feed/")
    assert is_feed(body) and not is_sitemap(body)
    entries, next_url = feed_entries(body, BASE + "/feed/")
    demos = releases_for("generic")[: room_module.FEED_SIZE]
    assert [e.url for e in entries] == [BASE + room_module.release_path(r) for r in demos]
    assert [e.title for e in entries] == [r.title for r in demos]
    assert all(e.published_raw for e in entries) and next_url is None


def test_atom_feed_with_a_next_page() -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom"><link rel="next" href="/atom?page=2"/>
    <entry><title>Ny bro</title><link rel="alternate" href="/nyheter/ny-bro"/><published>2024-03-01T09:00:00+01:00</published></entry>
    <entry><title>Ny skola</title><link href="https://example.se/nyheter/ny-skola"/><updated>2024-02-01T09:00:00Z</updated></entry>
    </feed>"""
    entries, next_url = feed_entries(atom, "https://example.se/atom")
    assert [e.url for e in entries] == [
        "https://example.se/nyheter/ny-bro",
        "https://example.se/nyheter/ny-skola",
    ]
    assert entries[0].published_raw == "2024-03-01T09:00:00+01:00"
    assert next_url == "https://example.se/atom?page=2"


def test_sitemaps_list_posts_and_skip_pages_and_categories(room: room_module.GenericRoom) -> None:
    _, index = fetch(room, "/sitemap.xml")
    pages, children = sitemap_entries(index, BASE + "/sitemap.xml")
    assert pages == [] and children == [BASE + "/post-sitemap.xml"]
    _, posts = fetch(room, "/post-sitemap.xml")
    pages, children = sitemap_entries(posts, BASE + "/post-sitemap.xml")
    assert children == []
    assert [p.url for p in pages] == [
        BASE + room_module.release_path(r) for r in releases_for("generic")
    ]


def test_only_articles_are_releases(room: room_module.GenericRoom) -> None:
    _, about = fetch(room, "/om-oss/")
    _, home = fetch(room, "/")
    _, post = fetch(room, room_module.release_path(releases_for("generic")[0]))
    assert not looks_like_article(Selector(text=about.decode()))
    assert not looks_like_article(Selector(text=home.decode()))
    assert looks_like_article(Selector(text=post.decode()))


def test_every_post_reads_back_from_metadata_and_fallback(room: room_module.GenericRoom) -> None:
    for demo in releases_for("generic"):
        release = normalise_dates(extract(room, demo))
        assert release.title == demo.title and release.layers["title"] == "metadata"
        assert release.lead == demo.lead
        assert (
            release.published_at == demo.published and release.layers["published_at"] == "metadata"
        )
        assert release.layers["body_html"] == "fallback"
        assert release.kind == demo.kind
        assert release.canonical_url == BASE + room_module.release_path(demo)
        for paragraph in demo.paragraphs:
            assert paragraph[:40] in release.body_html
        for chrome in CHROME:
            assert chrome not in release.body_html, (demo.key, chrome)
        assert not release.flags


def test_a_page_with_no_metadata_still_gives_title_and_body() -> None:
    html = """<html lang="sv"><body><nav><a href="/">Hem</a> <a href="/om">Om oss</a></nav>
    <div class="cookie">Vi använder kakor.</div>
    <article><h1>Nytt äldreboende i Eneby</h1>
    <p>Kommunen bygger ett nytt äldreboende med 60 platser i Eneby. Bygget startar i höst och beräknas vara klart om två år.</p>
    <p>– Det här är en efterlängtad satsning för äldre i norra Norrköping, säger ordföranden i vård- och omsorgsnämnden.</p>
    <p>Publicerad 12 mars 2024</p></article><footer>Norrköpings kommun</footer></body></html>"""
    release = extract_page(
        html, "https://example.se/nyheter/eneby", platform="generic", source_id="x"
    )
    assert release.title == "Nytt äldreboende i Eneby" and release.layers["title"] == "markup"
    assert "60 platser i Eneby" in release.body_html and "kakor" not in release.body_html
    assert not [f for f in release.flags if f.startswith("missing:")]


def test_a_page_with_only_a_document_title_gets_it_from_the_fallback() -> None:
    # no og:title, no JSON-LD, no heading: the title comes from trafilatura's
    # metadata, asked for only on such a page, and the tree stays whole
    html = """<html lang="sv"><head><title>Ny gång- och cykelväg i Svärtinge</title></head>
    <body><nav><a href="/">Hem</a></nav><article>
    <p>Kommunen bygger en ny gång- och cykelväg mellan Svärtinge och Vrinnevi. Arbetet börjar i april.</p>
    <p>Vägen blir tre kilometer lång och belyst hela vägen, och den ska vara klar till hösten.</p>
    </article></body></html>"""
    page = Page(html, "https://example.se/nyheter/svartinge")
    before = len(list(page.root.iter()))
    assert fallback_title(page) == "Ny gång- och cykelväg i Svärtinge"
    assert len(list(page.root.iter())) == before
    release = extract_page(
        html, "https://example.se/nyheter/svartinge", platform="generic", source_id="x"
    )
    assert release.title == "Ny gång- och cykelväg i Svärtinge"
    assert release.layers["title"] == "fallback"
    assert "tre kilometer" in release.body_html


def test_fallback_leaves_the_page_tree_intact() -> None:
    page = Page(
        "<html><body><nav>Meny</nav><article><p>"
        + "Text om kommunen. " * 20
        + "</p></article></body></html>",
        "https://x.se/a",
    )
    before = len(list(page.root.iter()))
    assert "Text om kommunen" in main_content(page).body_html
    assert len(list(page.root.iter())) == before


def test_helpers() -> None:
    assert kind_from_label("Pressinbjudningar", "nyhet") == "pressinbjudan"
    assert kind_from_label("Pressmeddelande", "nyhet") == "pressmeddelande"
    assert kind_from_label("Okänt", "nyhet") == "nyhet"
    assert machine_datetime("2024-03-01") is None
    assert machine_datetime("2024-03-01T09:00:00Z") is not None
    assert split_party("Olle Vikmång (S)") == ("Olle Vikmång", "S")
    assert split_party("Anna Thörn") == ("Anna Thörn", None)


def test_an_article_known_only_from_its_json_ld_is_an_article() -> None:
    """JSON-LD is read before remove_hidden drops the <script> blocks."""
    from pressarchive.extract.generic import is_article, json_ld_article

    html = (
        "<html><head><script type='application/ld+json'>"
        '{"@type": "NewsArticle", "headline": "Ny bro över Motala ström"}'
        "</script></head><body><p>Text.</p></body></html>"
    )
    page = Page(html, "https://example.org/nyheter/ny-bro")
    assert is_article(page)
    assert (json_ld_article(page) or {}).get("headline") == "Ny bro över Motala ström"
    web_page_only = html.replace("NewsArticle", "WebPage")
    assert json_ld_article(Page(web_page_only, "https://example.org/om")) is None
