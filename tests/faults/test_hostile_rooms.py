"""Hostile rooms: every lost page is an error with its reason, nothing runs past
its caps, and Retry-After delays only the site that asked."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from pressarchive.crawl.gaps import open_gap
from pressarchive.crawl.runner import EXIT_FAILED, exit_code, run_crawl
from pressarchive.sources import parse_sources

from .conftest import FAULT_SETTINGS
from .rooms import GOOD, MANY_GOOD, STORED_HOSTILE, FaultRoom

EXPECTED_REASONS = {
    "/loop-self": "redirect loop",
    "/loop-a": "redirect loop",
    "/offsite": "off-site redirect",
    "/to-metadata": "169.254.169.254 is a link-local address",
    "/bomb": "decompression bomb",
    "/huge": "too large",
}


def releases(db: Path) -> dict[str, sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return {row["url"].split(":", 2)[2].split("/", 1)[1]: row for row in conn.execute(
            "SELECT url, title, body_text, flags FROM releases")}  # fmt: skip
    finally:
        conn.close()


@pytest.mark.slow
def test_every_lost_page_is_an_error_with_its_reason(
    fault_room: Callable[..., FaultRoom], tmp_path: Path
) -> None:
    room = fault_room()
    (source,) = parse_sources(room.sources_toml())
    db = tmp_path / "a.db"
    (result,) = run_crawl([source], db=db, settings_overrides=FAULT_SETTINGS, quiet=True)

    assert result.status == "finished"
    stored = releases(db)
    assert sorted(stored) == sorted(p.lstrip("/") for p in GOOD + STORED_HOSTILE)
    reasons = {e["url"].removeprefix(room.base): e["reason"] for e in result.errors}
    for path, expected in EXPECTED_REASONS.items():
        assert expected in reasons.get(path, ""), (path, reasons)
    assert len(result.errors) == len(EXPECTED_REASONS), reasons

    latin1 = stored["latin1"]
    assert latin1["title"] == "Växjö får ny bro"
    assert "charset_guessed" in json.loads(latin1["flags"])
    controls = stored["controls"]
    for text in (controls["title"], controls["body_text"]):
        assert not any(ord(c) < 32 and c not in "\t\n\r" for c in text), repr(text)


@pytest.mark.slow
def test_an_endless_listing_stops_at_the_page_cap_and_leaves_a_gap(
    fault_room: Callable[..., FaultRoom], tmp_path: Path
) -> None:
    room = fault_room(endless=True)
    (source,) = parse_sources(room.sources_toml())
    db = tmp_path / "a.db"
    settings = {**FAULT_SETTINGS, "PRESSARCHIVE_MAX_LISTING_PAGES": 4}
    (result,) = run_crawl([source], db=db, settings_overrides=settings, quiet=True)
    feed_pages = [p for _, p in room.requests if p.startswith("/feed?page=")]
    assert len(feed_pages) == 4
    assert any("listing page cap of 4" in e["reason"] for e in result.errors)
    assert exit_code([result]) == EXIT_FAILED
    assert open_gap(sqlite3.connect(db), "faults") is not None

    # the wall-clock cap ends a walk no page cap stops
    settings = {**FAULT_SETTINGS, "PRESSARCHIVE_MAX_LISTING_PAGES": 0, "CLOSESPIDER_TIMEOUT": 3}
    (timed,) = run_crawl([source], db=db, settings_overrides=settings, quiet=True)
    assert timed.status == "interrupted"
    assert any("wall-clock cap of 3 s" in e["reason"] for e in timed.errors), timed.errors
    assert timed.stored + timed.unchanged > 0  # what it read before the cap is counted


@pytest.mark.slow
def test_retry_after_waits_in_the_sites_slot_not_for_everyone(
    fault_room: Callable[..., FaultRoom], tmp_path: Path
) -> None:
    """One download at a time (CONCURRENT_REQUESTS=1): a wait that held the
    download (a sleep in a middleware) would stop every site with it."""
    wait = 6
    busy = fault_room(retry_after=wait, listing=["/busy", *MANY_GOOD], good_host="localhost")
    calm = fault_room()
    sources = [
        *parse_sources(busy.sources_toml("busy-room")),
        *parse_sources(calm.sources_toml("calm-room")),
    ]
    settings = {**FAULT_SETTINGS, "CONCURRENT_REQUESTS": 1}
    results = run_crawl(sources, db=tmp_path / "a.db", settings_overrides=settings, quiet=True)
    assert {r.source_id: (r.status, r.stored) for r in results} == {
        "busy-room": ("finished", 1 + len(MANY_GOOD)),
        "calm-room": ("finished", len(GOOD) + len(STORED_HOSTILE)),
    }
    first, retry = busy.served("/busy")
    assert retry - first >= wait - 0.1  # Retry-After honoured
    # the same press room's other site went on while 127.0.0.1 waited
    during = [t for t, p in busy.requests if p.startswith("/ok/") and first < t < first + wait - 1]
    assert during, sorted((round(t - first, 1), p) for t, p in busy.requests)
    # and the other press room, crawled in the same run, did not wait for it
    calm_done = max(t for t, p in calm.requests if p.startswith("/ok/"))
    assert calm_done < first + wait
