"""Via TT: the fixture room's markup, the extractor and the spider's page readers.

No network and no Scrapy engine: pages come straight from the room object.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest
from parsel import Selector
from pressarchive.spiders.viatt import (
    declared_feed_url,
    feed_entries,
    listing_entries,
    next_listing_url,
)

from pressarchive.demo import viatt as room_module
from pressarchive.demo.corpus import EDITED_KEY, MISSING_KEY, ORGANISATION, releases_for
from pressarchive.demo.server import ask
from pressarchive.extract import extract_page
from pressarchive.extract.viatt import REQUIRED_FIELDS, kind_from_label, parse_date_line
from pressarchive.items import Release

BASE = "http://127.0.0.1:8123"


@pytest.fixture(scope="module")
def room() -> room_module.ViaTTRoom:
    return room_module.make_room()


def fetch(room: room_module.ViaTTRoom, path_and_query: str, edition: int = 1) -> tuple[int, bytes]:
    reply = ask(room, path_and_query, edition=edition)
    return reply.status, reply.body


def extract(room: room_module.ViaTTRoom, path: str, edition: int = 1) -> Release:
    status, body = fetch(room, path, edition)
    assert status == 200, path
    return extract_page(
        body, BASE + path, platform="viatt", source_id="demo-viatt", organisation=ORGANISATION
    )


def listed(room: room_module.ViaTTRoom, edition: int = 1) -> list[room_module._Listed]:
    return room.edition_state(edition).listed


# --- pure helpers -----------------------------------------------------------------


def test_shown_date_is_via_tt_format_in_stockholm_time() -> None:
    winter = datetime(2025, 2, 10, 13, 24, 42, tzinfo=UTC)
    summer = datetime(2024, 7, 6, 8, 5, 0, tzinfo=UTC)
    assert room_module.shown_date(winter) == "10.2.2025 14:24:42 CET"
    assert room_module.shown_date(summer) == "6.7.2024 10:05:00 CEST"


def test_date_line_splits_date_organisation_and_kind() -> None:
    line = "10.2.2025 14:24:42 CET | Norrköpings kommun | Pressinbjudan"
    assert parse_date_line(line) == (
        "10.2.2025 14:24:42 CET",
        "Norrköpings kommun",
        "Pressinbjudan",
    )
    assert parse_date_line("ingen rad här") == (None, None, None)
    assert kind_from_label("Pressmeddelande") == "pressmeddelande"
    assert kind_from_label(" Nyhet ") == "nyhet"
    assert kind_from_label("Blogginlägg") is None


def test_release_numbers_are_unique_and_stable() -> None:
    keys = [r.key for r in releases_for("viatt")] + [f"b{i:06d}" for i in range(100_000, 105_000)]
    numbers = [room_module.release_number(k) for k in keys]
    assert len(set(numbers)) == len(keys)
    assert room_module.release_number("r017") == room_module.release_number("r017")


# --- the room ---------------------------------------------------------------------


def test_listing_pages_cover_the_corpus_newest_first(room: room_module.ViaTTRoom) -> None:
    url = BASE + room_module.START_PATH
    seen: list[str] = []
    pages = 0
    while url:
        status, body = fetch(room, url.removeprefix(BASE))
        assert status == 200
        sel = Selector(text=body.decode())
        seen.extend(entry.title or "" for entry in listing_entries(sel, url))
        pages += 1
        url = next_listing_url(sel, url) or ""
    assert pages >= 3
    assert seen == [r.title for r in releases_for("viatt")]


def test_listing_declares_the_feed_and_feed_lists_newest(room: room_module.ViaTTRoom) -> None:
    url = BASE + room_module.START_PATH
    sel = Selector(text=fetch(room, room_module.START_PATH)[1].decode())
    feed_url = declared_feed_url(sel, url)
    assert feed_url == f"{BASE}/rss/releases/latest?publisherId=1347718"
    status, body = fetch(room, feed_url.removeprefix(BASE))
    assert status == 200
    entries = feed_entries(body, feed_url)
    corpus = releases_for("viatt")
    assert [e.title for e in entries] == [r.title for r in corpus[: room_module.FEED_SIZE]]
    assert all(e.url.startswith(BASE + "/pressmeddelande/") for e in entries)
    assert entries[0].published_raw and entries[0].published_raw.endswith("GMT")
    listing_urls = [e.url for e in listing_entries(sel, url)]
    assert listing_urls == [e.url for e in entries[: len(listing_urls)]]


def test_missing_release_is_listed_but_404(room: room_module.ViaTTRoom) -> None:
    item = next(i for i in listed(room) if i.release.key == MISSING_KEY)
    assert fetch(room, item.path)[0] == 404
    assert fetch(room, "/pressmeddelande/999/none?publisherId=1347718")[0] == 404
    assert fetch(room, room_module.START_PATH + "?page=99")[0] == 404
    assert fetch(room, "/robots.txt")[0] == 200


def test_edition_two_changes_the_edited_title_but_not_its_url(
    room: room_module.ViaTTRoom,
) -> None:
    before = {i.release.key: i for i in listed(room, 1)}
    after = {i.release.key: i for i in listed(room, 2)}
    assert set(after) - set(before), "edition 2 adds a release"
    assert after[EDITED_KEY].path == before[EDITED_KEY].path
    assert after[EDITED_KEY].release.title != before[EDITED_KEY].release.title
    page = fetch(room, room_module.START_PATH, edition=2)[1].decode()
    assert after[EDITED_KEY].release.title in page
    old = extract(room, before[EDITED_KEY].path, 1)
    new = extract(room, before[EDITED_KEY].path, 2)
    assert new.title == after[EDITED_KEY].release.title
    assert new.body_html != old.body_html


# --- the extractor ----------------------------------------------------------------


def test_every_release_page_extracts_its_fields(room: room_module.ViaTTRoom) -> None:
    for item in listed(room):
        if item.release.key == MISSING_KEY:
            continue
        demo = item.release
        release = extract(room, item.path)
        assert release.title == demo.title
        assert release.published_raw == room_module.shown_date(demo.published)
        assert release.kind == demo.kind
        assert release.organisation == ORGANISATION
        assert release.lead == demo.lead
        assert release.platform_id == str(item.number)
        assert release.canonical_url == (
            f"{BASE}/pressmeddelande/{item.number}/{item.slug}?publisherId=1347718"
        )
        assert not [f for f in release.flags if f.startswith("missing:")], item.path
        for paragraph in demo.paragraphs:
            assert paragraph.split()[0] in release.body_html
        if room_module.has_json_ld(item.number):
            assert release.published_at == demo.published
            assert release.layers["published_at"] == "metadata"
        else:
            assert release.published_at is None  # the pipeline parses published_raw
        assert release.layers["published_raw"] == "markup"
        assert release.layers["body_html"] == "markup"
        assert release.language == "sv"


def test_json_ld_date_becomes_published_at(room: room_module.ViaTTRoom) -> None:
    item = next(i for i in listed(room) if room_module.has_json_ld(i.number))
    release = extract(room, item.path)
    assert release.published_at == item.release.published
    assert release.layers["published_at"] == "metadata"


def test_body_is_the_release_container_not_the_page_chrome(room: room_module.ViaTTRoom) -> None:
    item = next(i for i in listed(room) if i.release.contacts and i.release.sender)
    release = extract(room, item.path)
    assert "Kontakt:" in release.body_html
    assert "Avsändare:" in release.body_html
    for chrome in (
        "Senaste pressmeddelandena",
        "Abonnera på våra pressmeddelanden",
        "Besök vårt pressrum",
        "Orion Icon Library",
        "Godkänn alla",
        "share__link",
    ):
        assert chrome not in release.body_html
    assert item.release.lead not in release.body_html


def test_about_block_kept_apart_on_older_pages(room: room_module.ViaTTRoom) -> None:
    older = next(i for i in listed(room) if i.release.published < room_module.ABOUT_SECTION_BEFORE)
    newer = next(i for i in listed(room) if i.release.published >= room_module.ABOUT_SECTION_BEFORE)
    old = extract(room, older.path)
    assert old.about_text.startswith("Norrköpings kommun har omkring")
    assert old.about_text not in old.body_html
    new = extract(room, newer.path)
    assert new.about_text == ""  # typed into the body: the refine stage cuts it out
    assert "Norrköpings kommun har omkring" in new.body_html


def test_image_caption_and_kind_labels(room: room_module.ViaTTRoom) -> None:
    with_image = next(i for i in listed(room) if i.release.image_caption)
    release = extract(room, with_image.path)
    assert release.images[0].caption == with_image.release.image_caption
    assert release.images[0].url.startswith(BASE + "/images/")
    without_image = next(i for i in listed(room) if not i.release.image_caption)
    assert extract(room, without_image.path).images == []  # og:image is only the logo
    with_file = next(i for i in listed(room) if room_module.has_attachment(i.number))
    (attachment,) = extract(room, with_file.path).attachments
    assert attachment.url == f"{BASE}/files/{with_file.number}/underlag.pdf"
    assert attachment.title == "Underlag (PDF)"
    kinds = {extract(room, i.path).kind for i in listed(room)[:20] if i.release.key != MISSING_KEY}
    assert kinds == {"pressmeddelande", "pressinbjudan", "nyhet"}


def test_layout_change_is_flagged_not_silent(room: room_module.ViaTTRoom) -> None:
    item = listed(room)[0]
    body = fetch(room, item.path)[1].decode()
    changed = re.sub(r'class="release__(body|date|meta)"', 'class="x-\\1"', body)
    changed = re.sub(r'<meta property="og:title"[^>]*>', "", changed)
    changed = re.sub(r'<script type="application/ld\+json">.*?</script>', "", changed, flags=re.S)
    release = extract_page(changed, BASE + item.path, platform="viatt", source_id="demo-viatt")
    assert "missing:body_html" in release.flags
    assert "missing:published_raw" in release.flags
    assert release.title == item.release.title  # the <h1> still serves
    assert release.layers["title"] == "markup"
    assert set(REQUIRED_FIELDS) == {"title", "published_raw", "body_html"}


def test_extraction_is_fast_enough_for_every_page(room: room_module.ViaTTRoom) -> None:
    pages = [
        (fetch(room, i.path)[1], BASE + i.path)
        for i in listed(room)
        if i.release.key != MISSING_KEY
    ]
    started = time.perf_counter()
    for body, url in pages * 5:
        extract_page(body, url, platform="viatt", source_id="demo-viatt")
    per_page = (time.perf_counter() - started) / (len(pages) * 5)
    assert per_page < 0.02, f"{per_page * 1000:.1f} ms per page"


def test_an_older_markup_with_a_plain_text_date_line_still_reads() -> None:
    """The meta line as plain text (no spans), as the seeds show it."""
    page = """<html lang="sv"><body><main><article>
      <h1>Klockaretorpet klassas inte längre som utsatt område på nationell lista</h1>
      <div class="meta">10.2.2025 14:24:42 CET | Norrköpings kommun | Pressinbjudan</div>
      <div class="lead"><p>Stadsdelen Klockaretorpet tas nu bort från listan.</p></div>
      <div class="body"><p>Ett utsatt område är enligt polisen ett område.</p></div>
    </article></main></body></html>"""
    url = f"{BASE}/pressmeddelande/3190422/klockaretorpet?publisherId=1347718&lang=sv"
    release = extract_page(page, url, platform="viatt", source_id="demo-viatt")
    assert release.title.startswith("Klockaretorpet klassas")
    assert release.layers["title"] == "markup"
    assert release.published_raw == "10.2.2025 14:24:42 CET"
    assert release.kind == "pressinbjudan"
    assert release.organisation == "Norrköpings kommun"
    assert release.lead == "Stadsdelen Klockaretorpet tas nu bort från listan."
    assert "Ett utsatt område" in release.body_html
    assert release.platform_id == "3190422"
    assert release.published_at is None
    assert not release.flags
