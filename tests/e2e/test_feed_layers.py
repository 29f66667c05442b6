"""The feed layers of the Mynewsdesk and Cision spiders when they cannot carry
the crawl, end to end on the demo rooms (127.0.0.1): a feed that fails or is no
feed is a warning and a stat, and the HTML walk carries the crawl. And Cision's
NewsFeed service (`options.feed_id`): whole releases without a page request, or
the listings when it answers nothing.

Feed first, an all-new feed walking the listing to the oldest release, and a
re-crawl with nothing new fetching no release page are asserted on the
platforms' own three-crawl scenarios (test_mynewsdesk.py, test_cision.py).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from pressarchive.spiders.cision_newsfeed import NO_RELEASES_STAT
from pressarchive.spiders.feeds import FEED_UNREAD_STAT

from pressarchive.dedupe.urls import platform_release_id
from pressarchive.demo import cision as cision_room
from pressarchive.demo import mynewsdesk as mynewsdesk_room
from pressarchive.demo.corpus import releases_for
from pressarchive.demo.server import DemoPressRooms
from pressarchive.sources import Source, parse_sources

from .helpers import QUICK_RETRY_SETTINGS, Step, crawl_and_read, finished

# A room of generated releases, larger than a listing page: enough for a fallback.
SMALL = 25


def source_of(rooms: DemoPressRooms, **options: Any) -> Source:
    (source,) = parse_sources(rooms.sources_toml())
    return replace(source, options={**source.options, **options})


def crawl(rooms: DemoPressRooms, source: Source, db: Path) -> Step:
    return crawl_and_read(rooms, source, db, settings=QUICK_RETRY_SETTINGS)


def stat(step: Step, name: str) -> Any:
    (result,) = step.results
    return result.stats.get(name)


def paths(step: Step) -> list[str]:
    """The paths the room served, in order (robots.txt, which Scrapy asks first, left out)."""
    return [p.split("?")[0] for p in step.requests if p != "/robots.txt"]


# -- Mynewsdesk: the room's pressreleases.rss, then its listing ----------------------


def mynewsdesk_listings(step: Step) -> list[str]:
    return [p for p in step.requests if p.split("?")[0] == mynewsdesk_room.START_PATH]


def mynewsdesk_releases(step: Step) -> list[str]:
    return [p for p in paths(step) if platform_release_id("mynewsdesk", p)]


def test_mynewsdesk_feed_404_is_loud_and_the_html_walk_carries_the_crawl(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with DemoPressRooms(["mynewsdesk"], size=SMALL) as rooms:
        missing = rooms.url("mynewsdesk") + "/no-such-feed.rss"
        step = crawl(rooms, source_of(rooms, feed_url=missing), db)
    result = finished(step)
    assert stat(step, FEED_UNREAD_STAT) == 1
    assert result.stored == len(releases_for("mynewsdesk", size=SMALL))
    assert paths(step)[:2] == [
        "/se/norrkopings_kommun/no-such-feed.rss",
        mynewsdesk_room.START_PATH,
    ]


def test_mynewsdesk_feed_that_is_no_feed_is_loud_too(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with DemoPressRooms(["mynewsdesk"], size=SMALL) as rooms:
        html_page = rooms.url("mynewsdesk")  # answers 200, but with HTML
        step = crawl(rooms, source_of(rooms, feed_url=html_page), db)
    assert stat(step, FEED_UNREAD_STAT) == 1
    assert finished(step).stored == len(releases_for("mynewsdesk", size=SMALL))


# -- Cision: ListItems?format=rss alone when it can carry the crawl ------------------


CISION_FEED = f"{cision_room.START_PATH}/ListItems"


def cision_listings(step: Step) -> list[str]:
    return [p for p in paths(step) if p == cision_room.START_PATH]


def cision_releases(step: Step) -> list[str]:
    return [p for p in paths(step) if "/r/" in p]


def test_cision_feed_404_is_loud_and_the_html_walk_carries_the_crawl(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with DemoPressRooms(["cision"], size=SMALL) as rooms:
        missing = rooms.url("cision") + "/ListItems-gone?format=rss"
        step = crawl(rooms, source_of(rooms, feed_url=missing), db)
    assert stat(step, FEED_UNREAD_STAT) == 1
    assert finished(step).stored == len(releases_for("cision", size=SMALL))
    assert cision_listings(step)


# -- Cision's NewsFeed service ---------------------------------------------------------


def test_cision_newsfeed_gives_whole_releases_without_a_page_request(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    room = releases_for("cision")
    with DemoPressRooms(["cision"]) as rooms:
        source = source_of(rooms, feed_id=cision_room.FEED_ID, feed_base=rooms.base_url("cision"))
        first = crawl(rooms, source, db)
        second = crawl(rooms, source, db)
    newsfeed = f"{cision_room.NEWSFEED_PATH}{cision_room.FEED_ID}"
    assert paths(first) == [newsfeed]  # 42 releases: one page of 100
    assert finished(first).stored == len(room)
    expected = {r.title: r for r in room}
    for row in first.releases:
        demo = expected[row["title"]]
        assert datetime.fromisoformat(row["published_at"]) == demo.published
        assert row["url"] == cision_room.WIRE_HOST + cision_room.release_path(demo)
        assert json.loads(row["layers"])["body_html"] == "api"
        assert demo.paragraphs[0][:40] in row["body_text"]
    assert paths(second) == [newsfeed] and finished(second).stored == 0


def test_cision_newsfeed_with_a_wrong_id_falls_back_to_the_listings_loudly(
    tmp_path: Path,
) -> None:
    db = tmp_path / "archive.db"
    with DemoPressRooms(["cision"], size=SMALL) as rooms:
        source = source_of(rooms, feed_id="WRONG", feed_base=rooms.base_url("cision"))
        step = crawl(rooms, source, db)
    assert stat(step, NO_RELEASES_STAT) == 1
    assert paths(step)[:2] == [f"{cision_room.NEWSFEED_PATH}WRONG", CISION_FEED]
    assert finished(step).stored == len(releases_for("cision", size=SMALL))
