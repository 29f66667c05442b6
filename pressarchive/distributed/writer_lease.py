"""The writer's lease (one writer per archive, across machines), what it counts,
and the Redis seen index seeded from the archive when the writer starts."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pressarchive.distributed.keys import INGEST_WRITER, SEEN, WARC_DIGESTS
from pressarchive.distributed.seen_redis import ARCHIVE_RUN, seen_fields, seen_value
from pressarchive.storage.store import Archive

log = logging.getLogger(__name__)

LEASE_SECONDS = 30.0


class WriterBusy(Exception):
    """Another writer holds the lease."""


@dataclass
class IngestStats:
    batches: int = 0
    messages: int = 0
    releases: int = 0
    warc_records: int = 0
    runs_finished: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    bad: int = 0


class WriterLease:
    """A Redis key naming the one writer, renewed by a thread while it lives."""

    def __init__(self, server: Any, seconds: float = LEASE_SECONDS) -> None:
        self.server = server
        self.seconds = seconds
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self, wait: float) -> None:
        deadline = time.monotonic() + wait
        while not self.server.set(INGEST_WRITER, self.name, nx=True, px=int(self.seconds * 1000)):
            if time.monotonic() >= deadline:
                holder = self.server.get(INGEST_WRITER)
                raise WriterBusy(
                    f"another writer ({(holder or b'?').decode()}) is draining this Redis"
                )
            time.sleep(min(0.5, self.seconds / 4))
        self._thread = threading.Thread(target=self._renew, name="writer-lease", daemon=True)
        self._thread.start()

    def _renew(self) -> None:
        while not self._stop.wait(self.seconds / 3):
            if self.server.get(INGEST_WRITER) == self.name.encode():
                self.server.pexpire(INGEST_WRITER, int(self.seconds * 1000))
            else:
                log.error("the writer lease was lost (this writer was stalled too long)")
                return

    def release(self) -> None:
        self._stop.set()
        if self.server.get(INGEST_WRITER) == self.name.encode():
            self.server.delete(INGEST_WRITER)


def seed_from_archive(server: Any, archive: Archive, chunk: int = 5000) -> int:
    """Enter every archived release in the Redis seen index (without overwriting
    what the writer already entered for a run), and every archived WARC payload
    in the digest index; returns how many releases."""
    count = 0
    pipe = server.pipeline(transaction=False)
    rows = archive.conn.execute(
        "SELECT platform, platform_id, canonical_url, title FROM releases ORDER BY id"
    )
    for platform, platform_id, canonical, title in rows:
        value = seen_value(ARCHIVE_RUN, title)
        for name in seen_fields(platform, platform_id, canonical):
            pipe.hsetnx(SEEN, name, value)
        count += 1
        if count % chunk == 0:
            pipe.execute()
    records = archive.conn.execute(
        """SELECT payload_digest, MIN(id), url, fetched_at FROM warc_records
           WHERE record_type = 'response' AND payload_digest IS NOT NULL
           GROUP BY payload_digest"""
    )
    for n, (digest, row_id, url, fetched_at) in enumerate(records, 1):
        pipe.hsetnx(WARC_DIGESTS, digest, f"{row_id}|{fetched_at}|{url}")
        if n % chunk == 0:
            pipe.execute()
    pipe.execute()
    return count
