"""A person in a real browser: headless Chromium (Debian's) searches the served
archive for a Swedish word, opens a release and reads it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from archive_factory import ABOUT, BRO_BODY, build_archive, served_archive

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium)"
    ),
]

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    options.add_argument(f"--user-data-dir={profile}")
    # The Debian driver, given explicitly: nothing downloads a browser of its own.
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def test_search_then_read_a_release(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    db = build_archive(tmp_path / "archive.db")
    with served_archive(db) as base:
        browser.get(f"{base}/archive/search")
        field = browser.find_element(By.NAME, "q")
        field.send_keys("bron")
        field.submit()

        rows = WebDriverWait(browser, 20).until(
            lambda b: b.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
        )
        titles = [r.find_element(By.CSS_SELECTOR, "td.col-title").text for r in rows]
        assert titles == ["Det blir en ny bro över Motala ström"] * 2
        marks = browser.find_elements(By.CSS_SELECTOR, "td.col-snippet mark")
        assert marks and all(m.text.lower().startswith("bro") for m in marks)
        browser.save_screenshot(str(tmp_path / "search.png"))

        rows[-1].find_element(By.CSS_SELECTOR, "td.col-release_id a").click()
        WebDriverWait(browser, 20).until(lambda b: "/archive/releases/" in b.current_url)
        WebDriverWait(browser, 20).until(
            lambda b: b.find_elements(By.CSS_SELECTOR, "td.col-body_text")
        )
        title = browser.find_element(By.CSS_SELECTOR, "td.col-title")
        assert title.text.endswith("Det blir en ny bro över Motala ström")
        body = browser.find_element(By.CSS_SELECTOR, "td.col-body_text")
        # Read like an article: headline, then the body, both on the first screen.
        assert title.location["y"] < body.location["y"] < 900
        assert body.location["x"] < 100
        paragraphs = [p.text for p in body.find_elements(By.TAG_NAME, "p")]
        assert paragraphs == BRO_BODY.split("\n\n")  # å ä ö and the dash intact
        assert "Åsa Öberg" in body.text
        assert ABOUT[:40] not in body.text  # the boilerplate is not in the body
        shot = tmp_path / "release.png"
        browser.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000


def test_the_fixture_crawl_in_a_browser(browser: Any, tmp_path: Path) -> None:
    """The same walk on an archive made by crawling the bundled press rooms."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from pressarchive.crawl.runner import run_crawl
    from pressarchive.demo.corpus import about_text, releases_for
    from pressarchive.demo.server import DemoPressRooms
    from pressarchive.sources import parse_sources

    db = tmp_path / "archive.db"
    with DemoPressRooms() as rooms:
        sources = parse_sources(rooms.sources_toml())
        settings = {
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
            "PRESSARCHIVE_RETRY_BACKOFF_BASE": 0,
            "LOG_LEVEL": "ERROR",
        }
        results = run_crawl(sources, db=db, full=True, settings_overrides=settings, quiet=True)
    assert all(r.status == "finished" for r in results)
    (release,) = [r for r in releases_for("mynewsdesk") if r.title.startswith("Det blir en ny bro")]

    with served_archive(db) as base:
        browser.get(f"{base}/archive/search")
        field = browser.find_element(By.NAME, "q")
        field.send_keys("bro")
        field.submit()
        rows = WebDriverWait(browser, 20).until(
            lambda b: b.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
        )
        titles = [r.find_element(By.CSS_SELECTOR, "td.col-title").text for r in rows]
        assert release.title in titles
        browser.save_screenshot(str(tmp_path / "fixture-search.png"))

        row = rows[titles.index(release.title)]
        row.find_element(By.CSS_SELECTOR, "td.col-release_id a").click()
        WebDriverWait(browser, 20).until(
            lambda b: b.find_elements(By.CSS_SELECTOR, "td.col-body_text")
        )
        assert browser.find_element(By.CSS_SELECTOR, "td.col-title").text.endswith(release.title)
        body = browser.find_element(By.CSS_SELECTOR, "td.col-body_text").text
        assert release.paragraphs[0] in body  # å ä ö intact, as the page had them
        standing_text = about_text("mynewsdesk", release.published)
        assert standing_text[:60] not in body  # no boilerplate in the body
        assert "Prenumerera" not in body and "Kontaktperson" not in body
        browser.save_screenshot(str(tmp_path / "fixture-release.png"))


def test_the_analyst_sees_the_monthly_chart_and_the_journalist_a_feed(
    browser: Any, tmp_path: Path
) -> None:
    """No SQL: the dashboard draws releases per month per press room and per
    kind; a saved search opens as an Atom feed."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    db = build_archive(tmp_path / "archive.db")
    with served_archive(db) as base:
        browser.get(f"{base}/-/dashboards")
        link = WebDriverWait(browser, 20).until(
            lambda b: b.find_element(By.PARTIAL_LINK_TEXT, "Releases per month")
        )
        link.click()
        WebDriverWait(browser, 20).until(lambda b: "/-/dashboards/releases" in b.current_url)
        # vega-lite draws each chart as SVG or canvas inside its card once the data is in.
        for card in ("per-source", "per-kind"):
            WebDriverWait(browser, 30).until(
                lambda b, card=card: b.find_elements(
                    By.CSS_SELECTOR, f"#card-{card} svg, #card-{card} canvas"
                )
            )
        total = WebDriverWait(browser, 20).until(
            lambda b: b.find_element(By.CSS_SELECTOR, "#card-total").text
        )
        assert "6" in total  # seven copies, six releases
        source_chart = browser.find_element(By.CSS_SELECTOR, "#card-per-source")
        assert "norrkoping-mynewsdesk" in source_chart.text  # the legend names the rooms
        shot = tmp_path / "dashboard.png"
        browser.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000

        browser.get(f"{base}/archive/search_feed.atom?q=bron")
        WebDriverWait(browser, 20).until(
            lambda b: b.page_source if "Motala ström" in b.page_source else None
        )
        # Chromium shows the feed's XML; the bridge is one entry, its first copy
        # (release 1 on Mynewsdesk), not also its Via TT copy (release 2).
        text = browser.find_element(By.TAG_NAME, "body").text
        assert "Det blir en ny bro över Motala ström" in text
        assert "tag:pressarchive,release:1<" in text.replace(" ", "").replace("\n", "")
        assert "tag:pressarchive,release:2<" not in text.replace(" ", "").replace("\n", "")
