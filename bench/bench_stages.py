"""Where a crawl's CPU goes, stage by stage, on release pages of real weight.

    .venv/bin/python bench/bench_stages.py [--count 300] [--rounds 5] [--page-weight real]

`bench_crawl.py` measures what a user pays for a whole crawl; this one says
which stage pays it, without Scrapy in between, so that a change to one stage
can be measured alone. The pages are demo Mynewsdesk releases fetched from a
generated room on 127.0.0.1 (padded to a real page's weight by default,
page_weight.py), then each stage runs over all of them in this process, the
stages interleaved round by round (median and spread of CPU ms a page,
`time.process_time`):

- bare parse: what the bare spider of bench_crawl does with a release page
  (parsel's parse and one CSS query), the baseline;
- Page(): decoding, parsing, the hidden text removed (extract/page.py);
- extraction: the rest of `extract_page`, the same round's Page() taken off;
- refine: the stages of refine/process.py with the crawl's learning cleaner,
  on releases extracted before the clock starts;
- WARC: `WarcArchive.record` with its own index connection, as in a crawl;
- store: `Archive.store` in batches of 50 into a fresh archive, of releases
  extracted and refined before the clock starts.

`--page-weight real-pages` runs the stages over copies of the real pages of
tests/real instead (Via TT, Sitevision, generic: no real Mynewsdesk page is
held), each with its own URL and a copy number written into its body (in Via
TT's encoded state too), so that no cache keyed on a body or URL serves a
copy twice. The padded demo pages weigh what real ones weigh but parse ~3
times as fast, and extraction on them runs a platform's selectors, never
the generic layer's trafilatura. Each copy's body words are shuffled, so
that the about-text learner does not take a copy's body for boilerplate it
has seen before (real_copies.py says what that still gets wrong).

Left out: Scrapy and Twisted (the same in both crawls of bench_crawl), the
end-of-crawl work (re-learning, clustering), imports. The stages' sum over
the bare parse is not bench_crawl's ratio, whose bare spider also pays for
Scrapy.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urljoin

from page_weight import pad_release_page
from parsel import Selector
from real_copies import copy_page, copy_url, originals

from pressarchive.crawl.pool import LearningCleaning
from pressarchive.dedupe.urls import platform_release_id
from pressarchive.demo.server import DemoPressRooms
from pressarchive.extract import extract_page
from pressarchive.extract.page import Page
from pressarchive.items import Release
from pressarchive.refine.about_learning import CleaningLog, OnlineAboutLearner
from pressarchive.refine.process import STAGES, Context, run_stages
from pressarchive.sources import Source
from pressarchive.storage.store import Archive
from pressarchive.storage.warc import WarcArchive, open_index

PLATFORM = "mynewsdesk"
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Server", "demo")]


class ReleasePage(NamedTuple):
    url: str
    body: bytes
    platform: str


def real_release_pages(count: int) -> list[ReleasePage]:
    """`count` copies, in turn, of the real release pages of tests/real
    (real_copies.py: each its own URL and a copy number in its body)."""
    pages = []
    for n in range(count):
        original = originals()[n % len(originals())]
        url = copy_url(original, n + 1)
        pages.append(ReleasePage(url, copy_page(original, url, n + 1), original.platform))
    return pages


def fetch_release_pages(count: int, weight: str) -> list[ReleasePage]:
    if weight == "real-pages":
        return real_release_pages(count)
    pages: list[ReleasePage] = []
    with DemoPressRooms(
        [PLATFORM],
        size=count,
        reply_filter=pad_release_page if weight == "real" else None,
    ) as rooms:
        start = rooms.url(PLATFORM)
        todo, seen = [start], set()
        while todo and len(pages) < count:
            url = todo.pop(0)
            if url in seen:
                continue
            seen.add(url)
            with urllib.request.urlopen(url) as reply:
                body = reply.read()
            if platform_release_id(PLATFORM, url):
                pages.append(ReleasePage(url, body, PLATFORM))
                continue
            for href in re.findall(rb'href="([^"]+)"', body):
                link = urljoin(url, href.decode())
                if link.startswith(start) and (
                    platform_release_id(PLATFORM, link) or "page" in link
                ):
                    todo.append(link)
    return pages


def extracted(pages: list[ReleasePage]) -> list[Release]:
    return [
        extract_page(body, url, platform=platform, source_id=platform, organisation="Org")
        for url, body, platform in pages
    ]


Timed = Callable[[], object]


def stage_functions(pages: list[ReleasePage]) -> dict[str, Callable[[], Timed]]:
    """Each stage as a preparation, untimed, that returns the timed work: the
    refine and store stages get their input made before the clock starts,
    since taking one median from another's left the store stage's figure at
    the mercy of the refine stage's noise (1 ms a page either way)."""

    def bare() -> Timed:
        def run() -> None:
            for page in pages:
                Selector(text=page.body.decode("utf-8")).css("h1 ::text").get()

        return run

    def page() -> Timed:
        def run() -> None:
            for page in pages:
                Page(page.body, page.url)

        return run

    def extraction() -> Timed:
        return lambda: extracted(pages)

    def refine() -> Timed:
        cleaning = LearningCleaning(OnlineAboutLearner([]), CleaningLog())
        releases = extracted(pages)  # fresh each round: the stages change a release

        def run() -> None:
            for release in releases:
                run_stages(release, STAGES, Context(cleaning))

        return run

    def warc() -> Timed:
        def run() -> None:
            with tempfile.TemporaryDirectory() as folder:
                Archive(Path(folder) / "a.db").close()
                index = open_index(Path(folder) / "a.db")
                with WarcArchive(Path(folder) / "warc", index) as warcs:
                    for url, body, _ in pages:
                        warcs.record(url, 200, HEADERS, body, request_headers=[("User-Agent", "b")])

        return run

    def store() -> Timed:
        cleaning = LearningCleaning(OnlineAboutLearner([]), CleaningLog())
        releases = [run_stages(r, STAGES, Context(cleaning)) for r in extracted(pages)]

        def run() -> None:
            # a fresh archive each round, made inside the timing as a crawl's
            # first batch would find it; ~1% of the stage
            with tempfile.TemporaryDirectory() as folder:
                archive = Archive(Path(folder) / "a.db")
                for platform in {page.platform for page in pages}:
                    archive.ensure_source(
                        Source(platform, "Org", platform, start_urls=("http://x/",))
                    )
                for start in range(0, len(releases), 50):
                    archive.store(releases[start : start + 50])
                archive.close()

        return run

    return {
        "bare parse (baseline)": bare,
        "Page()": page,
        "extraction": extraction,
        "refine": refine,
        "WARC record": warc,
        "store": store,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--page-weight",
        choices=("real", "demo", "real-pages"),
        default="real",
        help="real: demo Mynewsdesk pages padded to a real page's weight; demo: as generated; "
        "real-pages: copies of the real pages of tests/real (Via TT, Sitevision, generic)",
    )
    args = parser.parse_args()
    pages = fetch_release_pages(args.count, args.page_weight)
    functions = stage_functions(pages)
    times: dict[str, list[float]] = {name: [] for name in functions}
    for round_ in range(args.rounds):
        names = list(functions) if round_ % 2 == 0 else list(reversed(functions))
        for name in names:
            run = functions[name]()
            started = time.process_time()
            run()
            times[name].append((time.process_time() - started) * 1000 / len(pages))
    # extract_page makes its own Page(): the Page() of the same round is taken off
    own_times = dict(times)
    own_times["extraction"] = [
        e - p for e, p in zip(times["extraction"], times["Page()"], strict=True)
    ]
    own = {name: statistics.median(values) for name, values in own_times.items()}
    size = statistics.mean(len(page.body) for page in pages) / 1024
    what = (
        "copies of the real pages of tests/real"
        if args.page_weight == "real-pages"
        else f"demo {PLATFORM} releases, {args.page_weight} weight"
    )
    print(
        f"## Crawl stages ({len(pages)} {what}, {size:.0f} KB a page; "
        f"{args.rounds} interleaved rounds)\n"
    )
    print("| stage | CPU ms a page (median) | spread | × bare parse |")
    print("|---|---:|---|---:|")
    for name, values in own_times.items():
        spread = f"{min(values):.3f}–{max(values):.3f}"
        print(
            f"| {name} | {own[name]:.3f} | {spread} | {own[name] / own['bare parse (baseline)']:.2f} |"
        )
    ours = sum(v for k, v in own.items() if k != "bare parse (baseline)")
    print(
        f"\nAll stages: {ours:.3f} ms a page, {ours / own['bare parse (baseline)']:.1f} × the bare parse."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
