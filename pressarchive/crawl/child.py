"""The child process of `run_crawl`: reads a job (JSON) on stdin, runs Scrapy.

Not meant to be run by hand; `pressarchive crawl` and `scrapy crawl` are.
"""

# ruff: noqa: E402 -- the signal handler below must be in place before Scrapy is imported

from __future__ import annotations

import signal

# A SIGINT or SIGTERM that arrives while the child is still starting (importing
# Scrapy, building the crawlers) would otherwise be lost: Python's default
# KeyboardInterrupt kills the child with no archive state written ("exit code
# -2"), or Twisted's deferreds swallow it and the crawl runs to its end. Held
# here, it is sent again once Scrapy's own handlers are in place, so the crawl
# stops as an interrupted one (tests/e2e/test_researcher_path.py).
_held_signals: list[int] = []


def _hold(signum: int, frame: object) -> None:
    _held_signals.append(signum)


if __name__ == "__main__":
    for _signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(_signal, _hold)

import json
import os
import sys
import threading
from datetime import date
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from pressarchive.crawl.process_tree import die_with_parent
from pressarchive.crawl.runner import job_dir
from pressarchive.paths import under_archive
from pressarchive.sources import Source


def crawl_settings(job: dict[str, Any], source: Source) -> dict[str, Any]:
    db = Path(job["db"])
    settings: dict[str, Any] = {
        "PRESSARCHIVE_DB": str(db),
        "PRESSARCHIVE_WARC_DIR": str(under_archive(db, "warc")),
        "JOBDIR": str(job_dir(db, source.id)),
    }
    contact = source.option("contact_url")
    if contact:
        settings["USER_AGENT"] = f"pressarchive/0.1 (+{contact})"
    if job.get("cache"):
        settings["HTTPCACHE_ENABLED"] = True
        settings["HTTPCACHE_DIR"] = str(under_archive(db, "httpcache"))
    settings.update(job.get("settings") or {})
    return settings


def project_settings() -> Settings:
    """pressarchive's settings wherever the command runs: an installed
    `pressarchive crawl` has no scrapy.cfg to find them by."""
    settings = Settings()
    settings.setmodule("pressarchive.settings", priority="project")
    return settings


def main(job: dict[str, Any]) -> int:
    sources = [Source.from_json_dict(s) for s in job["sources"]]
    base = project_settings()
    base.setdict(job.get("settings") or {}, priority="cmdline")
    process = CrawlerProcess(base)
    since = job.get("since")
    if since:
        date.fromisoformat(since)  # validated by the CLI; fail early if not
    crawlers: list[Crawler] = []
    for index, source in enumerate(sources):
        settings = base.copy()
        settings.setdict(crawl_settings(job, source), priority="cmdline")
        # Each source gets its own settings (its JOBDIR); the first crawler
        # installs the reactor, as CrawlerProcess.create_crawler would.
        crawler = Crawler(
            process.spider_loader.load(source.platform), settings, init_reactor=index == 0
        )
        crawlers.append(crawler)
        process.crawl(
            crawler,
            source=source,
            full=job.get("full", False),
            since=since,
            deep=source.id in (job.get("deep") or ()),
        )
    deliver_held_signals_when_running()
    process.start()
    if job.get("stats_file"):  # a Redis crawl's summary: the archive is the writer's
        write_stats(Path(job["stats_file"]), crawlers)
    return 0


def deliver_held_signals_when_running() -> None:
    """Send a signal held during start-up again once the reactor runs: Scrapy
    installs its shutdown handlers after the reactor's start-up, and a call
    scheduled then runs after them."""
    from twisted.internet import reactor as installed

    reactor: Any = installed  # typed as the module, not as the reactor it becomes

    def deliver() -> None:
        if _held_signals:
            os.kill(os.getpid(), _held_signals[0])

    reactor.addSystemEventTrigger("after", "startup", reactor.callLater, 0, deliver)


def watch_parent(parent_pid: int | None) -> None:
    """The crawl child must not outlive `pressarchive crawl`: an orphan would
    crawl on without the lock. On Linux the kernel kills us when the parent
    dies; everywhere, a thread exits when the parent's end of stdin closes."""
    die_with_parent(parent_pid)

    def watch() -> None:
        while sys.stdin.readline():
            pass
        os._exit(1)  # end of file: the parent is gone

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def write_stats(path: Path, crawlers: list[Any]) -> None:
    """Each source's finish reason and counts, for the parent."""
    out = []
    for crawler in crawlers:
        stats = crawler.stats.get_stats() if crawler.stats is not None else {}
        spider = getattr(crawler, "spider", None)
        source = getattr(spider, "source", None)
        out.append(
            {
                "source_id": getattr(source, "id", None) or getattr(spider, "name", "?"),
                "status": str(stats.get("finish_reason") or "failed"),
                "pushed": int(stats.get("pressarchive/pushed", 0)),
                "pages": int(stats.get("response_received_count", 0)),
                "errors": int(stats.get("pressarchive/errors", 0)),
            }
        )
    path.write_text(json.dumps(out), encoding="utf-8")


def run() -> int:
    """main() on the job from stdin; an unexpected error is one line on stderr,
    unless Scrapy's log is on (`pressarchive crawl -v`), which gets the traceback."""
    job = json.loads(sys.stdin.readline())
    if job.get("watch_parent"):
        watch_parent(job.get("parent_pid"))
    try:
        return main(job)
    except Exception as exc:
        level = (job.get("settings") or {}).get("LOG_LEVEL") or project_settings()["LOG_LEVEL"]
        if str(level).upper() in ("DEBUG", "INFO"):
            raise
        print(f"pressarchive: crawl: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(run())
