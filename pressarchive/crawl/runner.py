"""Running crawls: the lock, the Scrapy process, and what the run achieved.

`run_crawl` runs the spiders in a child Python process: Twisted's reactor can
start only once per process, and a child keeps Scrapy's logging and signal
handling away from the caller (the CLI, a test, a scheduler). The parent holds
the archive's lock for the whole run and reads the outcome back from the
`crawls` table.

Parent and child are one unit. The child inherits the locked file (an flock
belongs to the open file, so the lock is held while either of them lives), it
is killed by the kernel when the parent dies (PR_SET_PDEATHSIG on Linux), and
it exits when its stdin, a pipe the parent keeps open, reaches end of file. A
lock file left by a dead tree holds no flock, so the next crawl simply takes it.

A run that did not finish leaves a gap: releases below the listing pages it
walked. The next run of that source walks its listings to the end ("deep"),
fetching only what the archive lacks, until a run finishes its walk.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from pressarchive.crawl.gaps import WALK_CUT_STAT, open_gap
from pressarchive.paths import UnsafePath, is_safe_id, remove_tree, under_archive
from pressarchive.sources import Source
from pressarchive.storage.connection import ArchiveError, storage_full
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
    return under_archive(db, Path(db).name + ".lock")


@contextmanager
def archive_lock(db: Path) -> Iterator[IO[str]]:
    """An exclusive, non-blocking lock; released by the OS when every process
    holding the file (this one, and the crawl child it is passed to) has died."""
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
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def job_dir(db: Path, source_id: str) -> Path:
    if not is_safe_id(source_id):
        raise UnsafePath(f"source id {source_id!r} is not a slug; it cannot name a job directory")
    return under_archive(db, "jobs", source_id)


def remove_job_dir(db: Path, source_id: str) -> None:
    if not is_safe_id(source_id):
        raise UnsafePath(f"source id {source_id!r} is not a slug; it cannot name a job directory")
    remove_tree(db, "jobs", source_id)


def job_dir_is_resumable(path: Path) -> bool:
    """Scrapy saves the request queue's state on a clean stop only; a job
    directory without it is from a killed crawl, and its list of requests seen
    would filter out requests that were queued and lost."""
    return (path / "requests.queue" / "active.json").is_file()


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
    try:
        for source in sources:
            job_dir(db, source.id)
    except UnsafePath as exc:
        raise ArchiveError(str(exc)) from None
    try:
        with archive_lock(db) as lock:
            return _locked_run(
                sources,
                db,
                lock,
                full=full,
                since=since,
                resume=resume,
                cache=cache,
                settings_overrides=settings_overrides,
                quiet=quiet,
            )
    except sqlite3.OperationalError as exc:
        if storage_full(exc):
            raise ArchiveError(
                f"{db}: the disk is full ({exc}); free space and run again"
            ) from None
        raise ArchiveError(f"{db}: {exc}") from None


def _locked_run(
    sources: list[Source],
    db: Path,
    lock: IO[str],
    *,
    full: bool,
    since: date | None,
    resume: bool,
    cache: bool,
    settings_overrides: dict[str, Any] | None,
    quiet: bool,
) -> list[CrawlResult]:
    # creates or upgrades the archive before spiders read it; a damaged one is refused
    with Archive(db, check=db.exists()) as archive:
        archive.mark_stale_crawls_interrupted()
        for source in sources:
            archive.ensure_source(source)
        before = int(archive.conn.execute("SELECT COALESCE(MAX(id), 0) FROM crawls").fetchone()[0])
        deep = [s.id for s in sources if open_gap(archive.conn, s.id) is not None]
    for source in sources:
        if not resume or not job_dir_is_resumable(job_dir(db, source.id)):
            remove_job_dir(db, source.id)
    job = {
        "sources": [s.to_json_dict() for s in sources],
        "db": str(db),
        "full": full,
        "deep": deep,
        "since": since.isoformat() if since else None,
        "cache": cache,
        "settings": settings_overrides or {},
        "parent_pid": os.getpid(),
        "watch_parent": True,
    }
    returncode = _run_worker(job, quiet=quiet, lock=lock)
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
            remove_job_dir(db, result.source_id)
    return results


def _run_worker(job: dict[str, Any], *, quiet: bool, lock: IO[str] | None = None) -> int:
    """Run the Scrapy child; SIGINT and SIGTERM sent to us reach it too, so a
    stopped crawl shuts down cleanly (its job directory lets --resume go on).
    The child gets the locked file and a stdin we keep open until it ends."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "pressarchive.crawl.child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL if quiet else None,
        text=True,
        pass_fds=(lock.fileno(),) if lock is not None else (),
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
        try:
            proc.stdin.write(json.dumps(job) + "\n")
            proc.stdin.flush()
        except BrokenPipeError:
            pass  # the child died at once; its exit code says so
        return proc.wait()
    finally:
        if proc.poll() is None:  # we are unwinding on an exception: the child goes too
            proc.kill()
            proc.wait()
        if proc.stdin is not None:
            with suppress(BrokenPipeError):
                proc.stdin.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def exit_code(results: list[CrawlResult]) -> int:
    if not results or any(r.status != "finished" for r in results):
        return EXIT_FAILED
    if any(r.stats.get(WALK_CUT_STAT) for r in results):
        return EXIT_FAILED  # a cap cut the walk short: the archive has a gap
    if any(r.stored or r.updated for r in results):
        return EXIT_NEW
    return EXIT_NOTHING_NEW


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
