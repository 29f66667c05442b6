"""Running crawls: the lock, the Scrapy process, and what the run achieved.

`run_crawl` runs the spiders in a child Python process: Twisted's reactor can
start only once per process, and a child keeps Scrapy's logging and signal
handling away from the caller (the CLI, a test, a scheduler). The parent holds
the archive's lock for the whole run and reads the outcome back from the
`crawls` table.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pressarchive.sources import Source
from pressarchive.storage.store import Archive

EXIT_NEW = 0  # finished, something new or changed was stored
EXIT_FAILED = 1  # at least one source failed or was interrupted
EXIT_NOTHING_NEW = 3  # finished, nothing new
EXIT_LOCKED = 75  # EX_TEMPFAIL: another crawl holds the archive; try later


class CrawlLocked(Exception):
    pass


@dataclass(frozen=True)
class CrawlResult:
    crawl_id: int
    source_id: str | None
    spider: str
    status: str
    stored: int
    updated: int
    unchanged: int
    dropped: int
    error_count: int
    errors: list[dict[str, Any]]
    stats: dict[str, Any]


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


@contextmanager
def archive_lock(db: Path) -> Iterator[None]:
    """An exclusive, non-blocking lock; released by the OS if the process dies."""
    path = lock_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise CrawlLocked(
                f"{db}: a crawl is already running ({holder}); try again when it has finished"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def job_dir(db: Path, source_id: str) -> Path:
    return db.parent / "jobs" / source_id


def run_crawl(
    sources: list[Source],
    *,
    db: Path,
    full: bool = False,
    since: date | None = None,
    resume: bool = False,
    cache: bool = False,
    settings_overrides: dict[str, Any] | None = None,
    quiet: bool = False,
) -> list[CrawlResult]:
    """Crawl `sources` into the archive at `db`; raises CrawlLocked if busy."""
    db = Path(db)
    with archive_lock(db):
        with Archive(db) as archive:  # creates or upgrades the archive before spiders read it
            archive.mark_stale_crawls_interrupted()
            for source in sources:
                archive.ensure_source(source)
            before = int(
                archive.conn.execute("SELECT COALESCE(MAX(id), 0) FROM crawls").fetchone()[0]
            )
        for source in sources:
            if not resume:
                shutil.rmtree(job_dir(db, source.id), ignore_errors=True)
        job = {
            "sources": [_source_json(s) for s in sources],
            "db": str(db),
            "full": full,
            "since": since.isoformat() if since else None,
            "cache": cache,
            "settings": settings_overrides or {},
        }
        returncode = _run_worker(job, quiet=quiet)
        with Archive(db) as archive:
            archive.mark_stale_crawls_interrupted()
            rows = archive.conn.execute(
                "SELECT * FROM crawls WHERE id > ? ORDER BY id", (before,)
            ).fetchall()
        results = [_result(row) for row in rows]
        if returncode != 0 and not results:
            raise RuntimeError(f"the crawl process failed (exit code {returncode})")
        for result in results:
            if result.status == "finished" and result.source_id:
                shutil.rmtree(job_dir(db, result.source_id), ignore_errors=True)
        return results


def _run_worker(job: dict[str, Any], *, quiet: bool) -> int:
    """Run the Scrapy child; SIGINT and SIGTERM sent to us reach it too, so a
    stopped crawl shuts down cleanly (its job directory lets --resume go on)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "pressarchive.crawl.child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL if quiet else None,
        text=True,
    )

    def forward(signum: int, frame: Any) -> None:
        if proc.poll() is None:
            proc.send_signal(signum)

    # signal handlers can only be set from the main thread
    in_main = threading.current_thread() is threading.main_thread()
    signals = (signal.SIGINT, signal.SIGTERM) if in_main else ()
    previous = {sig: signal.signal(sig, forward) for sig in signals}
    try:
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(job))
        proc.stdin.close()
        return proc.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def exit_code(results: list[CrawlResult]) -> int:
    if not results or any(r.status != "finished" for r in results):
        return EXIT_FAILED
    if any(r.stored or r.updated for r in results):
        return EXIT_NEW
    return EXIT_NOTHING_NEW


def _source_json(source: Source) -> dict[str, Any]:
    data = asdict(source)
    data["start_urls"] = list(source.start_urls)
    data["allowed_domains"] = list(source.allowed_domains)
    return data


def _result(row: Any) -> CrawlResult:
    return CrawlResult(
        crawl_id=row["id"],
        source_id=row["source_id"],
        spider=row["spider"],
        status=row["status"],
        stored=row["stored"],
        updated=row["updated"],
        unchanged=row["unchanged"],
        dropped=row["dropped"],
        error_count=row["error_count"],
        errors=json.loads(row["errors"] or "[]"),
        stats=json.loads(row["stats"] or "{}"),
    )
