"""End to end on the generic fixture newsroom (an organisation's own WordPress-like site).

The spider knows nothing of the site but its start URL: it discovers the feed
from the home page, and the sitemaps from robots.txt. One scenario, run once
per module: a first crawl (feed, then the sitemaps for the history), a second
with nothing new (home page and feed only), then "time passes" (edition 2: one
new post) and a third.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from pressarchive.spiders.generic import NOTHING_LISTED

from pressarchive.crawl.runner import EXIT_FAILED, CrawlResult, exit_code, run_crawl
from pressarchive.demo import generic as room_module
from pressarchive.demo.corpus import releases_for
from pressarchive.demo.server import DemoPressRooms
from pressarchive.sources import Source, parse_sources

from .helpers import (
    QUICK_SETTINGS,
    Scenario,
    Step,
    assert_nothing_new_was_fetched,
    assert_only_the_new_release_was_fetched,
    assert_stored_the_room,
    crawl_and_read,
    scrapy_check,
    three_crawls,
)

PLATFORM = "generic"
LISTINGS = ("/", "/feed/", "/sitemap.xml", "/post-sitemap.xml")


def listing_requests(step: Step) -> list[str]:
    """Start page, feeds and sitemaps: everything that lists posts."""
    return [p for p in step.requests if p.split("?")[0] in LISTINGS]


def post_requests(step: Step) -> list[str]:
    return [p for p in step.requests if p.startswith("/nyheter/")]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    yield from three_crawls(
        tmp_path_factory.mktemp(PLATFORM) / "archive.db", PLATFORM, crawl_and_read
    )


def test_full_crawl_stores_exactly_the_posts_with_titles_and_utc_dates(scenario: Scenario) -> None:
    for row, demo in assert_stored_the_room(scenario.first, PLATFORM):
        assert datetime.fromisoformat(row["published_at"]) == demo.published, row["title"]
        assert row["kind"] == demo.kind
        assert row["lead"] == demo.lead


def test_first_crawl_discovers_the_feed_and_the_post_sitemap_only(scenario: Scenario) -> None:
    requests = scenario.first.requests
    assert "/feed/" in requests and "/post-sitemap.xml" in requests
    assert "/comments/feed/" not in requests
    assert "/page-sitemap.xml" not in requests and "/category-sitemap.xml" not in requests
    assert not any(p.startswith(("/om-oss", "/kontakt", "/kategori")) for p in requests)
    assert len(post_requests(scenario.first)) == len(releases_for(PLATFORM))


def test_body_comes_from_the_fallback_without_the_theme(scenario: Scenario) -> None:
    for row in scenario.first.releases:
        layers = json.loads(row["layers"])
        assert layers["title"] == "metadata" and layers["body_html"] == "fallback"
        assert layers["published_at"] == "metadata"
        for chrome in ("Senaste inläggen", "Vi använder kakor", "Drivs med", "Prenumerera"):
            assert chrome not in row["body_text"], (row["title"], chrome)


def test_second_crawl_stores_nothing_and_costs_at_most_two_listing_requests(
    scenario: Scenario,
) -> None:
    step = scenario.second
    assert_nothing_new_was_fetched(step, listing_requests(step), post_requests(step))
    assert listing_requests(step) == ["/", "/feed/"]


def test_after_time_passes_only_the_new_post_is_fetched(scenario: Scenario) -> None:
    step = scenario.third
    assert_only_the_new_release_was_fetched(
        step, PLATFORM, post_requests(step), room_module.release_path
    )
    assert listing_requests(step) == ["/", "/feed/"]


@pytest.mark.parametrize("start_path", ["/sitemap.xml", "/feed/"])
def test_a_feed_or_sitemap_as_the_start_url_gives_the_whole_history(
    tmp_path: Path, start_path: str
) -> None:
    db = tmp_path / "archive.db"
    with DemoPressRooms([PLATFORM]) as rooms:
        (source,) = parse_sources(rooms.sources_toml())
        source = replace(source, start_urls=(rooms.base_url(PLATFORM) + start_path,))
        step = crawl_and_read(rooms, source, db)
    assert {row["title"] for row in step.releases} == {r.title for r in releases_for(PLATFORM)}
    assert "/" not in step.requests  # the home page was never needed


def test_scrapy_check_passes_against_the_live_room(tmp_path: Path) -> None:
    check = scrapy_check(PLATFORM, tmp_path)
    assert check.returncode == 0, check.output
    assert "FAILED" not in check.output and "Ran 3 contracts" in check.output
    assert any(p.startswith("/nyheter/") for p in check.served)


class _NoFeedSite(BaseHTTPRequestHandler):
    """A site with a news page but neither a feed nor a sitemap (nor robots.txt)."""

    served: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.served.append(self.path)
        if self.path != "/":
            self.send_error(404)
            return
        body = b"<html><head><title>Nyheter</title></head><body><a href='/nyhet/1'>Nyhet</a>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def no_feed_site() -> Iterator[str]:
    """The site served on 127.0.0.1 for the test; yields its base URL."""
    _NoFeedSite.served.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NoFeedSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def crawl_no_feed_site(tmp_path: Path, path: str) -> tuple[str, CrawlResult]:
    with no_feed_site() as base:
        start_url = base + path
        source = Source("no-feed", "Exempelkommunen", PLATFORM, (start_url,))
        (result,) = run_crawl(
            [source], db=tmp_path / "archive.db", settings_overrides=QUICK_SETTINGS, quiet=True
        )
    return start_url, result


def test_a_site_without_feed_or_sitemap_is_one_clear_error(tmp_path: Path) -> None:
    start_url, result = crawl_no_feed_site(tmp_path, "/")
    assert "/sitemap.xml" in _NoFeedSite.served  # looked for, answered 404: not an error itself
    assert result.status == "failed" and result.stored == 0  # exit code 1, not "nothing new"
    assert result.errors == [{"url": start_url, "reason": NOTHING_LISTED}]
    assert exit_code([result]) == EXIT_FAILED


def test_a_start_page_that_fails_fails_the_crawl(tmp_path: Path) -> None:
    start_url, result = crawl_no_feed_site(tmp_path, "/nyheter-som-flyttat")
    assert result.status == "failed"
    assert result.errors == [{"url": start_url, "reason": "HTTP 404"}]


def test_the_crawl_command_shows_warnings_and_errors_only(tmp_path: Path) -> None:
    registry = tmp_path / "sources.toml"
    command = [sys.executable, "-m", "pressarchive", "crawl", "no-feed", "--sources",
               str(registry), "--db", str(tmp_path / "archive.db"), "--set", "DOWNLOAD_DELAY=0"]  # fmt: skip
    with no_feed_site() as base:
        registry.write_text(
            '[[source]]\nid = "no-feed"\norganisation = "Exempelkommunen"\nplatform = "generic"\n'
            f'start_urls = ["{base}/"]\nallow_private = true\n',
            encoding="utf-8",
        )
        quiet = subprocess.run(command, capture_output=True, text=True, check=False)
        verbose = subprocess.run([*command, "-v"], capture_output=True, text=True, check=False)
    assert quiet.returncode == 1  # a source failed
    assert "no-feed: failed" in quiet.stdout and NOTHING_LISTED in quiet.stdout
    assert "INFO" not in quiet.stderr and "ERROR" in quiet.stderr
    assert "INFO: Spider opened" in verbose.stderr
