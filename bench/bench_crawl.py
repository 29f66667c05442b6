"""Crawl rate: the full pipeline against a bare spider on the same press room.

    .venv/bin/python bench/bench_crawl.py [--platform mynewsdesk] [--count 5000]

A generated copy of one platform's press room (`--count` releases) is served on
127.0.0.1. Politeness is off for both runs. The bare spider follows the same
listing and release links and yields only the title; the full run is
`pressarchive crawl --full` with extraction, cleaning, dates, clustering, WARC
recording and the store. Goal (issue 4): the full pipeline keeps at least 70%
of the bare spider's pages per second, and peak memory stays under 300 MB.

`--workers N` sets PRESSARCHIVE_WORKERS for the full run (0 reads pages in the
crawl process). The project sets CONCURRENT_ITEMS = 16 where Scrapy's default is
100; `--bare-concurrent-items 16` gives the bare spider the same, to see how
much of the ratio that setting makes.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from pressarchive.crawl.runner import run_crawl
from pressarchive.demo.server import DemoPressRooms
from pressarchive.sources import parse_sources

FAST: dict[str, object] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "LOG_LEVEL": "ERROR",
    "PRESSARCHIVE_RETRY_BACKOFF_BASE": 0,
    "PRESSARCHIVE_PROGRESS": False,
}

BARE_SPIDER = textwrap.dedent(
    """
    import json, sys, time
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from pressarchive.dedupe.fingerprint import platform_release_id

    START, PLATFORM, SETTINGS = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])

    class Bare(scrapy.Spider):
        name = "bare"
        start_urls = [START]

        def parse(self, response):
            if platform_release_id(PLATFORM, response.url):
                yield {"title": response.css("h1 ::text").get() or response.css("title::text").get()}
                return
            for href in response.css("a::attr(href), link[rel=next]::attr(href)").getall():
                url = response.urljoin(href)
                if not url.startswith(START.split("/", 3)[0] + "//" + START.split("/", 3)[2]):
                    continue
                if platform_release_id(PLATFORM, url) or "page" in url or "offset" in url:
                    yield response.follow(url, self.parse)

    process = CrawlerProcess(dict(SETTINGS, TWISTED_REACTOR="twisted.internet.asyncioreactor.AsyncioSelectorReactor"))
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    started = time.perf_counter()
    process.start()
    elapsed = time.perf_counter() - started
    stats = crawler.stats.get_stats()
    print(json.dumps({"pages": stats.get("response_received_count", 0),
                      "items": stats.get("item_scraped_count", 0), "seconds": elapsed}))
    """
)


def run_bare(
    start: str, platform: str, workdir: Path, settings: dict[str, object]
) -> dict[str, float]:
    # A file, not `python -c`: Scrapy reads the callbacks' source code.
    script = workdir / "bare_spider.py"
    script.write_text(BARE_SPIDER, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script), start, platform, json.dumps(settings)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_full(
    rooms: DemoPressRooms, platform: str, db: Path, settings: dict[str, object]
) -> dict[str, float]:
    (source,) = [s for s in parse_sources(rooms.sources_toml()) if s.platform == platform]
    started = time.perf_counter()
    (result,) = run_crawl([source], db=db, full=True, settings_overrides=settings, quiet=True)
    elapsed = time.perf_counter() - started
    return {
        "pages": float(result.stats.get("response_received_count", 0)),
        "items": float(result.stored + result.updated + result.unchanged),
        "seconds": elapsed,
        "status": result.status,  # type: ignore[dict-item]
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--platform", default="mynewsdesk")
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=None, help="PRESSARCHIVE_WORKERS")
    parser.add_argument("--bare-concurrent-items", type=int, default=None)
    args = parser.parse_args()
    bare_settings = dict(FAST)
    if args.bare_concurrent_items is not None:
        bare_settings["CONCURRENT_ITEMS"] = args.bare_concurrent_items
    full_settings = dict(FAST)
    if args.workers is not None:
        full_settings["PRESSARCHIVE_WORKERS"] = args.workers
    with (
        DemoPressRooms([args.platform], size=args.count) as rooms,
        tempfile.TemporaryDirectory() as tmp,
    ):
        start = rooms.url(args.platform)
        bare = run_bare(start, args.platform, Path(tmp), bare_settings)
        bare_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        full = run_full(rooms, args.platform, Path(tmp) / "bench.db", full_settings)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    bare_rate = bare["pages"] / bare["seconds"]
    full_rate = full["pages"] / full["seconds"]
    ratio = full_rate / bare_rate
    rate_ok = ratio >= 0.7
    memory_ok = peak_mb < 300
    print(
        f"## Crawl rate ({args.platform}, {args.count:,} releases on 127.0.0.1, politeness off)\n"
    )
    workers = "project default" if args.workers is None else str(args.workers)
    bare_items = args.bare_concurrent_items or "Scrapy default"
    print(f"PRESSARCHIVE_WORKERS: {workers}; bare spider CONCURRENT_ITEMS: {bare_items}\n")
    print("| run | pages | releases | seconds | pages/s |")
    print("|---|---|---|---|---|")
    print(
        f"| bare spider | {bare['pages']:.0f} | {bare['items']:.0f} | {bare['seconds']:.1f} | {bare_rate:.0f} |"
    )
    print(
        f"| pressarchive crawl --full | {full['pages']:.0f} | {full['items']:.0f} | {full['seconds']:.1f} | {full_rate:.0f} |"
    )
    print()
    print("| measure | value | goal | ok |")
    print("|---|---|---|---|")
    print(
        f"| full / bare pages per second | {ratio:.2f} | >= 0.70 | {'yes' if rate_ok else 'NO'} |"
    )
    print(
        f"| peak memory of a crawl process | {peak_mb:.0f} MB (bare {bare_peak_mb:.0f} MB) | < 300 MB | {'yes' if memory_ok else 'NO'} |"
    )
    return 0 if rate_ok and memory_ok else 1


if __name__ == "__main__":
    sys.exit(main())
