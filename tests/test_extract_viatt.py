"""Via TT: the extractor on real pages and damaged copies of them, the demo
room's markup and the spider's page readers.

No network and no Scrapy engine: real pages come from tests/real/viatt/,
demo pages straight from the room object.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from parsel import Selector
from pressarchive.spiders.viatt import (
    ViaTTSpider,
    feed_entries,
    feed_url,
    is_release_url,
    listing_entries,
    next_listing_url,
    publisher_id_of,
)
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from pressarchive.dedupe.urls import platform_release_id
from pressarchive.demo import viatt as room_module
from pressarchive.demo import viatt_markup
from pressarchive.demo.corpus import EDITED_KEY, MISSING_KEY, ORGANISATION, releases_for
from pressarchive.demo.server import ask
from pressarchive.extract import extract_page
from pressarchive.extract.titles import clean_title
from pressarchive.extract.viatt import (
    REQUIRED_FIELDS,
    kind_from_label,
)
from pressarchive.extract.viatt_article import parse_date_line
from pressarchive.extract.viatt_state import (
    StateError,
    decode_state,
    find_state,
    label_kind,
    release_state,
)
from pressarchive.items import Release
from pressarchive.refine.process import process
from pressarchive.sources import Source

BASE = "http://127.0.0.1:8123"
REAL = Path(__file__).parent / "real" / "viatt"
REAL_CASES = sorted(REAL.glob("*.expected.json"))
_STATE_SCRIPT = re.compile(r"<script>window\.__INITIAL_STATE__ = '[^']*'</script>")


def _squash(text: str) -> str:
    return " ".join(text.split())


# --- real pages and damaged copies of them ------------------------------------------------


def _case(path: Path) -> tuple[str, str, dict[str, Any]]:
    meta = json.loads(path.read_text(encoding="utf-8"))
    page = path.with_name(path.name.removesuffix(".expected.json") + ".html")
    return page.read_text(encoding="utf-8"), meta["origin_url"], meta["expect"]


def _read(html: str, url: str) -> Release:
    release = extract_page(html.encode("utf-8"), url, platform="viatt", source_id="real")
    process(release)
    return release


def _assert_reads_like_the_page(release: Release, expect: dict[str, Any]) -> None:
    """The fields written by reading the page (tests/real/README.md)."""
    assert release.title == expect["title"]
    assert release.published_at == datetime.fromisoformat(expect["published_at"])
    assert release.kind == expect["kind"]
    body = _squash(release.body_text)
    assert body.startswith(_squash(expect["body_starts"])), body[:120]
    assert body.endswith(_squash(expect["body_ends"])), body[-120:]
    for unwanted in expect["body_excludes"]:
        assert _squash(unwanted) not in body, unwanted
    assert _squash(expect["about_contains"]) in _squash(release.about_text)
    names = [c.name for c in release.contacts]
    assert names == [c["name"] for c in expect["contacts"]]
    for have, wanted in zip(release.contacts, expect["contacts"], strict=True):
        for name in ("title", "phone", "email"):
            if name in wanted:
                assert getattr(have, name) == wanted[name], (have.name, name)


@pytest.fixture(params=REAL_CASES, ids=lambda p: p.name.removesuffix(".expected.json"))
def real(request: pytest.FixtureRequest) -> tuple[str, str, dict[str, Any]]:
    return _case(request.param)


def test_there_are_real_pages_of_more_than_one_publisher() -> None:
    publishers = {publisher_id_of(_case(p)[1]) for p in REAL_CASES}
    assert len(REAL_CASES) >= 2 and len(publishers) >= 2


def test_real_page_reads_from_the_embedded_state(real: tuple[str, str, dict[str, Any]]) -> None:
    html, url, expect = real
    release = _read(html, url)
    _assert_reads_like_the_page(release, expect)
    assert release.platform_id == platform_release_id("viatt", url)
    for name in ("title", "published_at", "lead", "body_html", "kind", "contacts"):
        assert release.layers[name] == "state", name
    assert release.layers["published_raw"] == "markup"  # the date line, as shown
    assert not release.flags or set(release.flags) <= {"chrome_removed", "about_by_position"}


def test_saved_real_page_without_its_url_still_names_the_release(
    real: tuple[str, str, dict[str, Any]],
) -> None:
    html, url, expect = real
    release = _read(html, "file:///tmp/saved.html")
    _assert_reads_like_the_page(release, expect)
    assert release.platform_id == platform_release_id("viatt", url)
    assert release.layers["platform_id"] == "state"


def test_without_the_state_the_structure_serves_every_field(
    real: tuple[str, str, dict[str, Any]],
) -> None:
    html, url, expect = real
    stripped, count = _STATE_SCRIPT.subn("", html)
    assert count == 1
    release = _read(stripped, url)
    _assert_reads_like_the_page(release, expect)
    for name in ("title", "published_at", "lead", "body_html", "kind", "contacts", "about_text"):
        assert release.layers[name] == "markup", name
    assert not [f for f in release.flags if f.startswith(("missing:", "state_"))]


def test_an_undecodable_state_is_a_warning_and_a_flag_not_a_crash(
    real: tuple[str, str, dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    html, url, expect = real
    broken = html.replace("window.__INITIAL_STATE__ = 'JTdC", "window.__INITIAL_STATE__ = '%%!!", 1)
    assert broken != html
    with caplog.at_level(logging.WARNING, logger="pressarchive.extract.viatt"):
        release = _read(broken, url)
    assert "state_undecodable" in release.flags
    assert any("cannot be decoded" in r.getMessage() for r in caplog.records)
    _assert_reads_like_the_page(release, expect)
    assert release.layers["body_html"] == "markup"


def test_a_truncated_state_is_undecodable_too(real: tuple[str, str, dict[str, Any]]) -> None:
    html, url, _ = real
    raw = find_state(html)
    assert raw is not None
    with pytest.raises(StateError):
        decode_state(raw[: len(raw) // 2 + 1])
    release = _read(html.replace(raw, raw[: len(raw) // 2 + 1]), url)
    assert "state_undecodable" in release.flags
    assert release.body_html


def test_a_changed_layout_keeps_the_state_fields(real: tuple[str, str, dict[str, Any]]) -> None:
    """The visible markup renamed beyond recognition: the state still carries it all."""
    html, url, expect = real
    changed = re.sub(r"<(/?)(article|h1|h2|section)\b", r"<\1div", html)
    release = _read(changed, url)
    assert release.title == expect["title"]
    assert release.published_at == datetime.fromisoformat(expect["published_at"])
    assert _squash(release.body_text).startswith(_squash(expect["body_starts"]))
    assert release.published_raw  # the state's own date stands in for the date line
    assert not [f for f in release.flags if f.startswith("missing:")]


def test_state_gone_and_layout_changed_leaves_metadata_and_loud_flags(
    real: tuple[str, str, dict[str, Any]],
) -> None:
    html, url, expect = real
    changed = re.sub(r"<(/?)(article|h1)\b", r"<\1div", _STATE_SCRIPT.sub("", html))
    release = _read(changed, url)
    assert release.title == expect["title"]  # og:title without " | Publisher"
    assert release.layers["title"] == "metadata"
    assert _squash(release.lead).startswith(_squash(expect["lead_starts"]))
    assert release.layers["lead"] == "metadata"
    assert "missing:body_html" in release.flags
    assert "missing:published_raw" in release.flags
    assert "partial" in release.flags


def test_the_sidebar_of_a_real_page_reads_as_release_links(
    real: tuple[str, str, dict[str, Any]],
) -> None:
    """The room listing is unseen; the spider reads it like the sidebar, which is real."""
    html, url, _ = real
    entries = listing_entries(Selector(text=html), url)
    assert len(entries) == 5
    for entry in entries:
        assert is_release_url(entry.url)
        assert entry.title and not re.search(r"\d{4} \d", entry.title)
        assert entry.published_raw and parse_date_line(entry.published_raw)


# --- pure helpers --------------------------------------------------------------------------


def test_date_line_gives_utc_instant_publisher_and_kind() -> None:
    line = parse_date_line("1.4.2026 09:29:57 CEST | Moderaterna | Pressmeddelande")
    assert line is not None
    assert line.raw == "1.4.2026 09:29:57 CEST"
    assert line.instant == datetime(2026, 4, 1, 7, 29, 57, tzinfo=UTC)
    assert (line.publisher, line.kind_label) == ("Moderaterna", "Pressmeddelande")
    winter = parse_date_line("10.2.2025 14:24:42 CET")
    assert winter is not None and winter.instant == datetime(2025, 2, 10, 13, 24, 42, tzinfo=UTC)
    assert parse_date_line("ingen rad här") is None
    assert parse_date_line("31.2.2025 10:00:00 CET") is None


def test_kind_labels_and_localized_labels() -> None:
    assert kind_from_label("Pressmeddelande") == "pressmeddelande"
    assert kind_from_label(" Pressinbjudan ") == "pressinbjudan"
    assert kind_from_label("Blogginlägg") is None
    label = "sv__label__Pressmeddelande__lang__en__label__Press Release"
    assert label_kind(label) == "Pressmeddelande"
    assert label_kind("en__label__News") == "News"
    assert label_kind("") == ""


def test_title_suffix_is_the_publisher() -> None:
    # the real og:title (../shared/realpages/viatt), through the one title rule (extract/titles)
    real = "Pressträff med Ulf Kristersson och Jimmie Åkesson | Moderaterna"
    assert clean_title(real, ["Moderaterna"]) == (
        "Pressträff med Ulf Kristersson och Jimmie Åkesson"
    )
    assert clean_title("A | B | Org", [None]) == "A | B"
    assert clean_title("Ingen svans", ["Org"]) == "Ingen svans"
    # a publisher longer than a short tail is still the publisher
    long_name = "Statens beredning för medicinsk och social utvärdering"  # seven words
    assert clean_title(f"Övning i Norrköping | {long_name}", [long_name]) == "Övning i Norrköping"
    assert clean_title(f"Övning i Norrköping | {long_name}", []) == (
        f"Övning i Norrköping | {long_name}"
    )


def test_state_encoding_round_trips_with_swedish_text_and_quotes() -> None:
    state = {"release": {"7": {"id": 7, "versions": {"sv": {"title": "Å'\"(100 %)"}}}}}
    encoded = viatt_markup.encode_state(state)
    page = f"<script>window.__INITIAL_STATE__ = '{encoded}'</script>"
    raw = find_state(page)
    assert raw == encoded
    decoded = decode_state(raw)
    assert decoded == state
    found = release_state(decoded, None, "sv")
    assert found is not None and found.text("title") == "Å'\"(100 %)"
    assert release_state(decoded, "8", None) is None
    with pytest.raises(StateError):
        decode_state("bm90IGpzb24=")  # "not json"


def test_both_url_generations_name_the_release_by_its_id() -> None:
    new = "https://via.tt.se/pressmeddelande/4316145/x?publisherId=3235744&lang=sv"
    old = "https://via.tt.se/pressmeddelande/x?publisherId=3235664&releaseId=3273168"
    assert platform_release_id("viatt", new) == "4316145"
    assert platform_release_id("viatt", old) == "3273168"
    assert platform_release_id("viatt", "https://via.tt.se/pressrum/3235744/m?releaseId=1") is None
    assert is_release_url(new) and is_release_url(old)
    assert not is_release_url("https://via.tt.se/pressmeddelande/x?publisherId=1")
    assert publisher_id_of("https://via.tt.se/pressrum/3235744/moderaterna/m") == "3235744"
    assert publisher_id_of(old) == "3235664"
    assert feed_url("https://via.tt.se/pressrum/1/x", "1") == (
        "https://via.tt.se/rss/releases/latest?publisherId=1"
    )


def test_feed_items_as_the_real_feed_carries_them() -> None:
    feed = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
    <title>Elgiganten - senaste pressmeddelandena</title>
    <item><title>Nu &#246;ppnar vi</title>
    <link>https://via.tt.se/pressmeddelande/4500001/nu-oppnar-vi?publisherId=3236639</link>
    <pubDate>Tue, 06 Oct 2026 07:00:00 GMT</pubDate>
    <description>&lt;p&gt;Sammanfattning&lt;/p&gt;</description></item>
    <item><title>Rum</title><link>https://via.tt.se/pressrum/3236639/elgiganten</link></item>
    </channel></rss>"""
    (entry,) = feed_entries(feed, "https://via.tt.se/rss/releases/latest?publisherId=3236639")
    assert entry.title == "Nu öppnar vi"
    assert entry.url.endswith("/pressmeddelande/4500001/nu-oppnar-vi?publisherId=3236639")
    assert entry.published_raw == "Tue, 06 Oct 2026 07:00:00 GMT"


def test_required_fields_are_the_ones_every_page_has() -> None:
    assert set(REQUIRED_FIELDS) == {"title", "published_raw", "body_html"}


# --- the demo room --------------------------------------------------------------------------


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


def test_release_numbers_are_unique_and_stable() -> None:
    keys = [r.key for r in releases_for("viatt")] + [f"b{i:06d}" for i in range(100_000, 105_000)]
    numbers = [room_module.release_number(k) for k in keys]
    assert len(set(numbers)) == len(keys)


def test_shown_date_is_via_tt_format_in_stockholm_time() -> None:
    winter = datetime(2025, 2, 10, 13, 24, 42, tzinfo=UTC)
    summer = datetime(2024, 7, 6, 8, 5, 0, tzinfo=UTC)
    assert viatt_markup.shown_date(winter) == "10.2.2025 14:24:42 CET"
    assert viatt_markup.shown_date(summer) == "6.7.2024 10:05:00 CEST"


def test_room_pages_cover_the_corpus_newest_first(room: room_module.ViaTTRoom) -> None:
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


def test_the_feed_lists_the_newest_in_the_seen_shape(room: room_module.ViaTTRoom) -> None:
    url = feed_url(BASE + room_module.START_PATH, room_module.PUBLISHER_ID)
    status, body = fetch(room, url.removeprefix(BASE))
    assert status == 200
    assert b"<title>Norrk\xc3\xb6pings kommun - senaste pressmeddelandena</title>" in body
    entries = feed_entries(body, url)
    corpus = releases_for("viatt")
    assert [e.title for e in entries] == [r.title for r in corpus[: room_module.FEED_SIZE]]
    assert entries[0].published_raw and entries[0].published_raw.endswith("GMT")


def test_older_releases_are_linked_in_the_older_url_generation(
    room: room_module.ViaTTRoom,
) -> None:
    old = [i for i in listed(room) if "releaseId=" in i.path]
    assert old and all(i.release.published.year == 2020 for i in old)
    release = extract(room, old[0].path)
    assert release.platform_id == str(old[0].number)
    assert release.title == old[0].release.title


def test_missing_release_is_listed_but_404(room: room_module.ViaTTRoom) -> None:
    item = next(i for i in listed(room) if i.release.key == MISSING_KEY)
    assert fetch(room, item.path)[0] == 404
    assert fetch(room, "/pressmeddelande/999/none?publisherId=1347718")[0] == 404
    assert fetch(room, room_module.START_PATH + "?page=99")[0] == 404


def test_edition_two_changes_the_edited_title_but_not_its_url(
    room: room_module.ViaTTRoom,
) -> None:
    before = {i.release.key: i for i in listed(room, 1)}
    after = {i.release.key: i for i in listed(room, 2)}
    assert set(after) - set(before), "edition 2 adds a release"
    assert after[EDITED_KEY].path == before[EDITED_KEY].path
    old = extract(room, before[EDITED_KEY].path, 1)
    new = extract(room, before[EDITED_KEY].path, 2)
    assert new.title == after[EDITED_KEY].release.title != old.title
    assert new.body_html != old.body_html


def test_every_demo_page_reads_from_its_state(room: room_module.ViaTTRoom) -> None:
    for item in listed(room):
        if item.release.key == MISSING_KEY:
            continue
        demo = item.release
        release = extract(room, item.path)
        assert release.title == demo.title
        assert release.published_at == demo.published
        assert release.published_raw == viatt_markup.shown_date(demo.published)
        assert release.kind == demo.kind
        assert release.organisation == ORGANISATION
        assert release.lead == demo.lead
        assert release.platform_id == str(item.number)
        assert not [f for f in release.flags if f.startswith("missing:")], item.path
        for paragraph in demo.paragraphs:
            assert paragraph.split()[0] in release.body_html
        assert release.layers["body_html"] == release.layers["title"] == "state"
        assert release.language == "sv"


def test_demo_pages_carry_the_real_handles(room: room_module.ViaTTRoom) -> None:
    item = next(i for i in listed(room) if room_module.has_cards(i.number) and i.release.contacts)
    html = fetch(room, item.path)[1].decode()
    for handle in (
        'data-cypress="subscribe"',
        "Senaste pressmeddelandena från",
        "Vill du skicka ett pressmeddelande genom Via TT?",
        'class="sc-',
        "window.__INITIAL_STATE__ = '",
    ):
        assert handle in html, handle
    assert 'class="release__' not in html  # the invented class names are gone
    release = extract(room, item.path)
    cards = [c.name for c in release.contacts]
    assert cards == [c.name for c in item.release.contacts]
    assert release.layers["contacts"] == "state"


def test_about_text_on_older_pages_leaves_out_the_address(room: room_module.ViaTTRoom) -> None:
    older = next(i for i in listed(room) if i.release.published < room_module.ABOUT_SECTION_BEFORE)
    stripped = _STATE_SCRIPT.sub("", fetch(room, older.path)[1].decode())
    release = extract_page(stripped, BASE + older.path, platform="viatt", source_id="demo-viatt")
    assert release.about_text.startswith("Norrköpings kommun har omkring")
    assert "Rådhuset" not in release.about_text
    assert release.layers["about_text"] == "markup"


def test_documents_and_pictures(room: room_module.ViaTTRoom) -> None:
    with_image = next(i for i in listed(room) if i.release.image_caption)
    release = extract(room, with_image.path)
    assert release.images[0].caption == with_image.release.image_caption
    with_file = next(i for i in listed(room) if room_module.has_attachment(i.number))
    (attachment,) = extract(room, with_file.path).attachments
    assert "/data/attachments/" in attachment.url and attachment.title == "Underlag.pdf"


def test_a_date_line_in_another_block_still_reads() -> None:
    """The same order of things, other tags: a renamed element is not a lost date."""
    page = """<html lang="sv"><body><article><div>
      <h1>Klockaretorpet klassas inte längre som utsatt område</h1>
      <div>10.2.2025 14:24:42 CET | Norrköpings kommun | Pressinbjudan</div>
      <div><strong>Stadsdelen Klockaretorpet tas nu bort från listan.</strong></div>
      <div><p>Ett utsatt område är enligt polisen ett område.</p></div>
    </div></article></body></html>"""
    url = f"{BASE}/pressmeddelande/3190422/klockaretorpet?publisherId=1347718&lang=sv"
    release = extract_page(page, url, platform="viatt", source_id="demo-viatt")
    assert release.published_raw == "10.2.2025 14:24:42 CET"
    assert release.published_at == datetime(2025, 2, 10, 13, 24, 42, tzinfo=UTC)
    assert release.kind == "pressinbjudan"
    assert release.organisation == "Norrköpings kommun"
    assert release.lead == "Stadsdelen Klockaretorpet tas nu bort från listan."
    assert "Ett utsatt område" in release.body_html
    assert release.platform_id == "3190422"


# --- the spider on the (unseen) room ----------------------------------------------------------


def _spider(options: dict[str, Any] | None = None) -> ViaTTSpider:
    source = Source(
        "demo-viatt",
        ORGANISATION,
        "viatt",
        (BASE + room_module.START_PATH,),
        ("127.0.0.1",),
        options=options or {},
    )
    return ViaTTSpider.from_crawler(get_crawler(ViaTTSpider), source=source)


def test_a_room_without_release_links_is_loud_and_the_feed_carries_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    spider = _spider()
    response = HtmlResponse(
        BASE + room_module.START_PATH,
        body=b"<html><body><p>Nytt utseende</p></body></html>",
        request=Request(BASE + room_module.START_PATH),
    )
    with caplog.at_level(logging.WARNING):
        (request,) = list(spider.parse(response))
    assert request.url == f"{BASE}/rss/releases/latest?publisherId={room_module.PUBLISHER_ID}"
    assert any("no release links" in r.getMessage() for r in caplog.records)
    assert spider.crawler.stats.get_value("pressarchive/viatt/room_unread") == 1


def test_the_configured_publisher_id_names_the_feed() -> None:
    spider = _spider({"publisher_id": "3235744"})
    response = HtmlResponse(
        BASE + "/pressrum/1/x", body=b"<html></html>", request=Request(BASE + "/pressrum/1/x")
    )
    (request,) = list(spider.parse(response))
    assert request.url.endswith("/rss/releases/latest?publisherId=3235744")
