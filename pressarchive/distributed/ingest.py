"""The one process that writes the SQLite archive of a scaled-out crawl.

`pressarchive ingest --redis URL --db PATH` drains the reliable queue the
crawlers push to (`queue.py`), in batches, through the same `Archive.store`
as a local crawl. It holds the archive's lock (a local crawl of the same file
waits its turn) and a lease in Redis (a second writer waits). On start it puts
back the batch a killed writer left unacknowledged and fills the Redis
"already archived?" index from the archive.

Replays are harmless: a release stored twice is stored once (the store's
upsert: the second is "unchanged"); a WARC index row is inserted only if its
(file, offset) is new; a crawl token maps to its `crawls` row through the
`ingest_crawls` table, in the archive itself. The per-crawl counts are kept
there too and written after each batch's releases: a writer killed between
the two commits counts that batch's releases again as "unchanged" (the
releases themselves are right; only the count is off).

When the last crawler leaves a source's run (`run_end`), the writer runs the
end-of-crawl work that a local crawl runs at close: the source's about-text is
learned again over the whole archive and re-applied, and new releases are
clustered. As in a local crawl, a run that stored and updated nothing does
not re-learn (nothing the model learns from changed); clustering then costs
one query when nothing is pending.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pressarchive.crawl.stopping import crawl_status
from pressarchive.dedupe.clusters import cluster_pending
from pressarchive.distributed import messages, warc_index
from pressarchive.distributed.queue import ReliableQueue
from pressarchive.distributed.seen_redis import record_seen
from pressarchive.distributed.writer_lease import (
    LEASE_SECONDS,
    IngestStats,
    WriterLease,
    seed_from_archive,
)
from pressarchive.items import Release
from pressarchive.refine.about_learning import CleaningLog, refresh_source
from pressarchive.sources import Source
from pressarchive.storage.batches import BatchHalted, store_batch
from pressarchive.storage.connection import ArchiveError, iso
from pressarchive.storage.store import Archive, StoreResult
from pressarchive.times import utc_now

log = logging.getLogger(__name__)

DEFAULT_BATCH = 200
# Seconds a claim waits for more when fewer than a batch are queued: a release
# reaches the archive that much later, and the writer pays its per-batch work
# (Redis round trips, commits that rewrite the same index pages) per 0.5 s rather
# than per message: 1.52 -> 1.42 ms of the writer's CPU a page against 0.1 s
# (one-off, bench_distributed's x1 crawl, 2 rounds each, load ~2).
LINGER_SECONDS = 0.5

_TABLES = """
CREATE TABLE IF NOT EXISTS ingest_crawls (
    token TEXT PRIMARY KEY,          -- the crawl process's own id for its crawl
    crawl_id INTEGER NOT NULL REFERENCES crawls(id),
    run TEXT,                        -- the frontier run it worked on
    counts TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS warc_records_file_offset ON warc_records(warc_file, offset);
"""


class Writer:
    def __init__(self, server: Any, db: Path | str, *, batch_size: int = DEFAULT_BATCH) -> None:
        self.server = server
        self.db = Path(db)
        self.batch_size = batch_size
        self.queue = ReliableQueue(server)
        self.archive = Archive(self.db)
        self.archive.conn.executescript(_TABLES)
        self.stats = IngestStats()
        self._crawl_ids: dict[str, int] = {}
        self._counts: dict[str, Counter[str]] = {}
        # per source, the about-model decisions the crawlers sent with the run's releases
        self._cleaning: dict[str, CleaningLog] = {}
        # Sources this writer re-learned and has stored or updated nothing of since.
        # Kept in memory only: a restarted writer knows none, so the first run end
        # of each source re-learns (a writer killed after a batch but before its
        # run end, or a local crawl in between, may have changed the source).
        self._learned: set[str] = set()
        self.stopping = False

    def close(self) -> None:
        self.archive.close()

    def start(self) -> tuple[int, int]:
        """Recover a dead writer's batch and seed the seen index: (recovered, seeded)."""
        recovered = self.queue.recover()
        seeded = seed_from_archive(self.server, self.archive)
        return recovered, seeded

    # -- the loop -------------------------------------------------------------------

    def run(
        self, *, idle_exit: float | None = None, on_batch: Callable[[int], None] | None = None
    ) -> IngestStats:
        """Drain the queue until stopped (SIGTERM/SIGINT between batches) or, with
        `idle_exit`, until nothing has arrived for that many seconds."""
        last_message = time.monotonic()
        while not self.stopping:
            batch = self.queue.claim(self.batch_size, wait=0.5, linger=LINGER_SECONDS)
            if not batch:
                if idle_exit is not None and time.monotonic() - last_message >= idle_exit:
                    break
                continue
            last_message = time.monotonic()
            self.apply(batch)
            self.queue.ack()
            if on_batch is not None:
                on_batch(len(batch))
        return self.stats

    def apply(self, batch: list[bytes]) -> None:
        """Write one claimed batch; returns when it is committed (and the Redis
        indexes updated), so that the caller may acknowledge it.

        Releases and WARC rows wait for the next message of another kind (or
        the batch's end), then go in one transaction each (`warc_index`), not
        one per message. Rows before releases is safe: the two tables do not
        refer to each other, and the batch is acknowledged after both commits."""
        pending: list[tuple[str | None, str | None, Release]] = []  # (crawl, run, release)
        warc_rows: list[tuple[Any, ...]] = []
        seen_pipe = self.server.pipeline(transaction=False)
        touched: set[str] = set()

        def flush() -> None:
            if warc_rows:
                new = warc_index.index_rows(self.archive.conn, warc_rows, seen_pipe)
                self.stats.warc_records += new
                warc_rows.clear()
            if pending:
                self._store(pending, seen_pipe, touched)
                pending.clear()

        for raw in batch:
            self.stats.messages += 1
            try:
                message = messages.decode(raw)
                kind = message["kind"]
                if kind == "release":
                    release = messages.release_from(message)
                    if release.extracted is not None:
                        self._cleaning.setdefault(release.source, CleaningLog()).remember(
                            release, message.get("cleaning")
                        )
                    pending.append((message.get("crawl"), message.get("run"), release))
                    continue
                if kind == "warc":
                    crawl_id = self._crawl_id(message.get("crawl"))
                    warc_rows.append(warc_index.row_values(message, crawl_id))
                    continue
                flush()
                if kind == "crawl_begin":
                    self._crawl_begin(message)
                elif kind == "crawl_end":
                    self._save_counts(touched)
                    touched.clear()
                    self._crawl_end(message)
                elif kind == "run_end":
                    self._save_counts(touched)
                    touched.clear()
                    self._run_end(message)
            except (messages.BadMessage, KeyError, TypeError, ValueError) as exc:
                self.stats.bad += 1
                log.error("skipping a message the writer cannot read: %s", exc)
        flush()
        self._save_counts(touched)
        seen_pipe.execute()
        self.stats.batches += 1

    # -- crawls ----------------------------------------------------------------------

    def _crawl_id(self, token: str | None) -> int | None:
        if not token:
            return None
        if token not in self._crawl_ids:
            row = self.archive.conn.execute(
                "SELECT crawl_id, counts FROM ingest_crawls WHERE token = ?", (token,)
            ).fetchone()
            if row is None:
                return None
            self._crawl_ids[token] = int(row[0])
            self._counts[token] = Counter(json.loads(row[1] or "{}"))
        return self._crawl_ids[token]

    def _crawl_begin(self, message: dict[str, Any]) -> None:
        token = message["crawl"]
        if self._crawl_id(token) is not None:
            return  # a replay
        source_fields = message.get("source")
        source = Source.from_json_dict(source_fields) if source_fields else None
        if source is not None:
            self.archive.ensure_source(source)
        crawl_id = self.archive.begin_crawl(
            message.get("spider") or "?", source.id if source else None
        )
        with self.archive.conn:
            self.archive.conn.execute(
                "INSERT INTO ingest_crawls (token, crawl_id, run) VALUES (?, ?, ?)",
                (token, crawl_id, message.get("run")),
            )
        self._crawl_ids[token] = crawl_id
        self._counts[token] = Counter()

    def _save_counts(self, tokens: set[str]) -> None:
        if not tokens:
            return
        with self.archive.conn:
            self.archive.conn.executemany(
                "UPDATE ingest_crawls SET counts = ? WHERE token = ?",
                [(json.dumps(dict(self._counts[t])), t) for t in tokens if t in self._counts],
            )

    def _crawl_end(self, message: dict[str, Any]) -> None:
        token = message["crawl"]
        crawl_id = self._crawl_id(token)
        if crawl_id is None:
            log.error("end of an unknown crawl %s", token)
            return
        errors = list(message.get("errors") or [])
        status = crawl_status(
            str(message.get("reason") or "?"),
            errors=bool(errors),
            listing_pages=int(message.get("listing_pages") or 0),
        )
        self.archive.finish_crawl(
            crawl_id,
            status=status,
            counts=dict(self._counts.get(token) or {}),
            errors=errors,
            stats=dict(message.get("stats") or {}),
        )

    def _run_end(self, message: dict[str, Any]) -> None:
        source_id = message["source"]
        started = time.perf_counter()
        with self.archive.conn:
            # a crawler killed for good never sends its crawl_end; one that still
            # does (it left just before the last one) overwrites this
            self.archive.conn.execute(
                """UPDATE crawls SET status = 'interrupted', finished_at = ?
                   WHERE status = 'running' AND id IN
                       (SELECT crawl_id FROM ingest_crawls WHERE run = ?)""",
                (iso(utc_now()), message.get("run")),
            )
        # The crawlers' decisions spare the releases the final model cleans alike;
        # a writer restarted mid-run lacks the earlier ones and re-cleans those.
        cleaning = self._cleaning.pop(source_id, None)
        recleaned = 0
        if source_id not in self._learned:
            recleaned = refresh_source(
                self.archive, source_id, unchanged=cleaning.unchanged if cleaning else None
            )
            self._learned.add(source_id)
        clustered = cluster_pending(self.archive)
        self.stats.runs_finished += 1
        log.info(
            "run %s of %s over: %d releases re-cleaned, %d clustered in %.1f s",
            message.get("run"),
            source_id,
            recleaned,
            clustered,
            time.perf_counter() - started,
        )

    # -- releases and WARC rows ----------------------------------------------------------

    def _store(
        self,
        pending: list[tuple[str | None, str | None, Release]],
        seen_pipe: Any,
        touched: set[str],
    ) -> None:
        # A crawl's releases go to the store as one batch, in the crawl's order.
        # Crawls that run at once interleave their messages as their timing has
        # it: taking each crawl's releases together is one of those orders, and a
        # transaction per crawl rather than per run of one crawl's messages.
        groups: dict[str | None, list[tuple[str | None, Release]]] = {}
        for token, run, release in pending:
            groups.setdefault(token, []).append((run, release))
        for token, items in groups.items():
            crawl_id = self._crawl_id(token)
            releases = [release for _, release in items]
            results = self._store_batch(releases, crawl_id)
            if any(result.outcome != "unchanged" for result in results):
                self._learned.difference_update(release.source for release in releases)
            for result in results:
                self.stats.outcomes[result.outcome] += 1
                if token and token in self._counts:
                    self._counts[token][result.outcome] += 1
            if token:
                touched.add(token)
            self.stats.releases += len(releases)
            for run, release in items:
                record_seen(
                    seen_pipe,
                    [
                        (
                            release.platform,
                            release.platform_id,
                            release.canonical_url or release.url,
                            release.title,
                        )
                    ],
                    run,
                )

    def _store_batch(self, releases: list[Release], crawl_id: int | None) -> list[StoreResult]:
        """Store a batch; one bad record costs only itself (`store_batch`). A
        full disk is no bad record: it raises, so the batch is never
        acknowledged and the next writer takes it back from the processing list."""
        try:
            stored = store_batch(self.archive, releases, crawl_id=crawl_id)
        except BatchHalted as halted:
            raise ArchiveError(
                f"{self.archive.path}: the disk is full ({halted.cause})"
            ) from halted.cause
        if stored.dropped:
            self.stats.outcomes["dropped"] += len(stored.dropped)
        return stored.results


def stop_on_signals(writer: Writer) -> None:
    """SIGTERM/SIGINT: finish the batch in hand, then stop."""

    def stop(signum: int, frame: Any) -> None:
        writer.stopping = True

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)


def run_writer(
    url: str,
    db: Path | str,
    *,
    batch_size: int = DEFAULT_BATCH,
    idle_exit: float | None = None,
    wait: float = 60.0,
    lease_seconds: float = LEASE_SECONDS,
) -> IngestStats:
    """`pressarchive ingest`: the archive's lock, the Redis lease, then the loop."""
    from pressarchive.crawl.runner import archive_lock
    from pressarchive.distributed.connection import connect

    server = connect(url)
    db = Path(db)
    with archive_lock(db):
        lease = WriterLease(server, lease_seconds)
        lease.acquire(wait)
        try:
            writer = Writer(server, db, batch_size=batch_size)
            try:
                if threading.current_thread() is threading.main_thread():
                    stop_on_signals(writer)
                recovered, seeded = writer.start()
                log.info(
                    "writer started: %d messages recovered, %d releases seeded", recovered, seeded
                )
                return writer.run(idle_exit=idle_exit)
            finally:
                writer.close()
        finally:
            lease.release()
