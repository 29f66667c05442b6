"""The writer against a real redis-server: batches through the store, a killed
writer's batch taken up again without duplicates, the Redis indexes it fills."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from test_crawl_status import CASES as STATUS_CASES

from pressarchive.distributed import messages
from pressarchive.distributed.ingest import Writer
from pressarchive.distributed.keys import (
    INGEST_PROCESSING,
    INGEST_QUEUE,
    WARC_DIGESTS,
    FrontierKeys,
)
from pressarchive.distributed.queue import ReliableQueue
from pressarchive.distributed.seen_redis import RedisSeenIndex
from pressarchive.distributed.writer_lease import WriterBusy, WriterLease
from pressarchive.items import Release
from pressarchive.sources import Source
from pressarchive.storage.connection import ArchiveError

SOURCE = Source("room-viatt", "Norrköpings kommun", "viatt", ("https://via.tt.se/publisher/1/x",))


def release(n: int, title: str | None = None) -> Release:
    url = f"https://via.tt.se/pressmeddelande/{4000 + n}/meddelande-{n}?publisherId=1"
    r = Release(
        source=SOURCE.id,
        platform="viatt",
        url=url,
        title=title or f"Meddelande nummer {n}",
        canonical_url=f"https://via.tt.se/pressmeddelande/{4000 + n}/meddelande-{n}",
        platform_id=str(4000 + n),
        body_text=f"Brödtext för meddelande {n}.",
        body_html=f"<p>Brödtext för meddelande {n}.</p>",
    )
    r.extracted = r.to_json_dict()
    return r


def crawl_messages(token: str, run: str, releases: list[Release]) -> list[bytes]:
    out = [
        messages.encode(
            "crawl_begin",
            crawl=token,
            spider="viatt",
            source=SOURCE.to_json_dict(),
            run=run,
        )
    ]
    out += [messages.release_message(r, crawl=token, run=run) for r in releases]
    out.append(
        messages.encode(
            "warc",
            crawl=token,
            row={
                "url": releases[0].url,
                "fetched_at": "2026-01-01T00:00:00+00:00",
                "status": 200,
                "digest": "sha1:ABC",
                "record_type": "response",
                "offset": 0,
                "length": 10,
                "refers_to": None,
                "warc_file": "pressarchive-x-host-1-abc-00001.warc.gz",
            },
        )
    )
    out.append(
        messages.encode(
            "crawl_end", crawl=token, reason="finished", errors=[], stats={}, listing_pages=2
        )
    )
    return out


def push_all(server: Any, batch: list[bytes]) -> None:
    for message in batch:
        server.lpush(INGEST_QUEUE, message)


def table(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_the_writer_stores_a_crawl_and_fills_the_redis_indexes(server: Any, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    push_all(server, crawl_messages("t1", "run-1", [release(n) for n in range(3)]))
    writer = Writer(server, db, batch_size=50)
    writer.start()
    stats = writer.run(idle_exit=0)
    writer.close()
    assert stats.outcomes["stored"] == 3
    assert table(db, "SELECT COUNT(*) FROM releases") == [(3,)]
    assert table(db, "SELECT status, stored FROM crawls") == [("finished", 3)]
    assert table(db, "SELECT COUNT(*) FROM warc_records") == [(1,)]
    assert server.hget(WARC_DIGESTS, "sha1:ABC") is not None
    assert server.llen(INGEST_QUEUE) == 0 and server.llen(INGEST_PROCESSING) == 0

    seen = RedisSeenIndex(server)
    url = release(1).url
    server.hset("pressarchive:source-platforms", SOURCE.id, "viatt")
    server.set(FrontierKeys(SOURCE.id).run, "run-1")
    # stored during the run that is still going on: not "archived before this crawl"
    assert not seen.is_archived(SOURCE.id, url, "Meddelande nummer 1")
    later = RedisSeenIndex(server)
    server.set(FrontierKeys(SOURCE.id).run, "run-2")
    assert later.is_archived(SOURCE.id, url, "Meddelande nummer 1")
    assert later.is_archived(SOURCE.id, url, "  MEDDELANDE nummer 1 ")
    assert not later.is_archived(SOURCE.id, url, "Ett ändrat meddelande")  # edited: fetch again
    assert not later.is_archived(SOURCE.id, release(9).url, None)


def test_a_writer_killed_before_its_ack_loses_and_duplicates_nothing(
    server: Any, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    push_all(server, crawl_messages("t1", "run-1", [release(n) for n in range(4)]))
    dying = Writer(server, db, batch_size=50)
    dying.start()
    batch = dying.queue.claim(50, wait=0)
    dying.apply(batch)  # committed... and killed before queue.ack()
    dying.close()
    assert server.llen(INGEST_PROCESSING) == len(batch)

    writer = Writer(server, db, batch_size=3)  # a restart, with smaller batches
    recovered, seeded = writer.start()
    assert recovered == len(batch) and seeded == 4
    stats = writer.run(idle_exit=0)
    writer.close()
    assert stats.outcomes == {"unchanged": 4}
    assert table(db, "SELECT COUNT(*), COUNT(DISTINCT platform_id) FROM releases") == [(4, 4)]
    assert table(db, "SELECT COUNT(*) FROM crawls") == [(1,)]
    assert table(db, "SELECT COUNT(*) FROM warc_records") == [(1,)]
    assert table(db, "PRAGMA integrity_check") == [("ok",)]


def test_a_full_disk_stops_the_writer_before_its_ack(server: Any, tmp_path: Path) -> None:
    """A full disk is not a bad record: nothing is counted dropped and acknowledged."""
    import sqlite3

    db = tmp_path / "archive.db"
    push_all(server, crawl_messages("t1", "run-1", [release(n) for n in range(3)]))
    writer = Writer(server, db, batch_size=50)
    writer.start()

    def full(*args: Any, **kwargs: Any) -> Any:
        raise sqlite3.OperationalError("database or disk is full")

    writer.archive.store = full  # type: ignore[method-assign]
    with pytest.raises(ArchiveError, match="the disk is full"):
        writer.run(idle_exit=0)
    writer.close()
    assert writer.stats.outcomes["dropped"] == 0
    assert server.llen(INGEST_PROCESSING) > 0  # unacknowledged: the next writer takes it back

    again = Writer(server, db, batch_size=50)
    recovered, _ = again.start()
    again.run(idle_exit=0)
    again.close()
    assert recovered > 0
    assert table(db, "SELECT COUNT(*) FROM releases") == [(3,)]


def warc_message(token: str, n: int, offset: int) -> bytes:
    return messages.encode(
        "warc",
        crawl=token,
        row={
            "url": release(n).url,
            "fetched_at": "2026-01-01T00:00:00+00:00",
            "status": 200,
            "digest": f"sha1:PAGE{n}",
            "record_type": "response",
            "offset": offset,
            "length": 10,
            "refers_to": None,
            "warc_file": "pressarchive-x-host-1-abc-00001.warc.gz",
        },
    )


def test_a_batchs_warc_rows_and_releases_commit_together_not_one_by_one(
    server: Any, tmp_path: Path
) -> None:
    """A crawl's messages alternate (a page's WARC row, its release): each kind
    waits for the next message of another kind, then goes in one transaction."""
    begin, *_ = crawl_messages("t1", "run-1", [release(0)])
    pages = [m for n in range(6) for m in (warc_message("t1", n, 100 * n), release_message(n))]
    replayed = warc_message("t1", 2, 200)  # a row sent again (its crawler died before its ack)
    writer = Writer(server, tmp_path / "archive.db", batch_size=50)
    writer.start()
    writer.apply([begin])
    commits: list[str] = []
    writer.archive.conn.set_trace_callback(
        lambda sql: commits.append(sql) if sql.strip().upper() == "COMMIT" else None
    )
    writer.apply([*pages, replayed])
    writer.archive.conn.set_trace_callback(None)
    writer.close()
    # the rows', the releases', the crawl's counts (one per message before: 13 and more)
    assert len(commits) == 3
    assert writer.stats.warc_records == 6 and writer.stats.outcomes["stored"] == 6
    db = tmp_path / "archive.db"
    assert table(db, "SELECT COUNT(*), COUNT(DISTINCT offset) FROM warc_records") == [(6, 6)]
    assert table(db, "SELECT COUNT(*) FROM releases") == [(6,)]
    assert server.hget(WARC_DIGESTS, "sha1:PAGE5") is not None


def test_two_crawls_interleaved_in_a_batch_are_stored_a_transaction_each(
    server: Any, tmp_path: Path
) -> None:
    """Two crawls at once (two sources, or two processes) interleave their
    messages; each crawl's releases go to the store together, in their order."""
    begin_a, *_ = crawl_messages("a", "run-a", [release(0)])
    begin_b, *_ = crawl_messages("b", "run-b", [release(0)])
    a = [messages.release_message(release(n), crawl="a", run="run-a") for n in range(3)]
    b = [messages.release_message(release(n), crawl="b", run="run-b") for n in range(3, 6)]
    edited = messages.release_message(release(1, "Rättad rubrik"), crawl="a", run="run-a")
    writer = Writer(server, tmp_path / "archive.db", batch_size=50)
    writer.start()
    writer.apply([begin_a, begin_b])
    commits: list[str] = []
    writer.archive.conn.set_trace_callback(
        lambda sql: commits.append(sql) if sql.strip().upper() == "COMMIT" else None
    )
    writer.apply([a[0], b[0], a[1], b[1], a[2], b[2], edited])
    writer.archive.conn.set_trace_callback(None)
    writer.close()
    assert len(commits) == 3  # crawl a's releases, crawl b's, the counts (8 before)
    assert {t: dict(c) for t, c in writer._counts.items()} == {
        "a": {"stored": 3, "updated": 1},
        "b": {"stored": 3},
    }
    db = tmp_path / "archive.db"
    assert table(db, "SELECT title FROM releases WHERE platform_id = '4001'") == [
        ("Rättad rubrik",)
    ]


def release_message(n: int) -> bytes:
    return messages.release_message(release(n), crawl="t1", run="run-1")


def test_a_message_the_writer_cannot_read_is_skipped_not_fatal(server: Any, tmp_path: Path) -> None:
    push_all(server, [b"not json", *crawl_messages("t1", "run-1", [release(1)])])
    writer = Writer(server, tmp_path / "archive.db")
    writer.start()
    stats = writer.run(idle_exit=0)
    writer.close()
    assert stats.bad == 1 and stats.outcomes["stored"] == 1


def test_one_writer_at_a_time(server: Any) -> None:
    first = WriterLease(server, seconds=5)
    first.acquire(wait=0)
    try:
        with pytest.raises(WriterBusy, match="another writer"):
            WriterLease(server, seconds=5).acquire(wait=0.2)
    finally:
        first.release()
    second = WriterLease(server, seconds=5)
    second.acquire(wait=0)
    second.release()


def test_the_reliable_queue_hands_back_an_unacknowledged_batch_oldest_first(server: Any) -> None:
    queue = ReliableQueue(server)
    for n in range(5):
        queue.push(f"m{n}".encode())
    assert queue.claim(3, wait=0) == [b"m0", b"m1", b"m2"]
    assert queue.recover() == 3
    assert queue.claim(10, wait=0) == [b"m0", b"m1", b"m2", b"m3", b"m4"]
    queue.ack()
    assert len(queue) == 0 and queue.claim(1, wait=0.1) == []


def test_a_claim_short_of_a_batch_lingers_for_the_messages_about_to_arrive(server: Any) -> None:
    """A writer that keeps up takes what arrives within its linger in one batch."""
    queue = ReliableQueue(server)
    queue.push(b"m0")
    later = threading.Timer(0.05, lambda: [queue.push(f"m{n}".encode()) for n in (1, 2)])
    later.start()
    try:
        assert queue.claim(10, wait=0, linger=0.5) == [b"m0", b"m1", b"m2"]
    finally:
        later.join()
    queue.ack()
    # a full batch queued already: no lingering
    for n in range(3):
        queue.push(f"n{n}".encode())
    started = time.monotonic()
    assert queue.claim(3, wait=0, linger=5) == [b"n0", b"n1", b"n2"]
    assert time.monotonic() - started < 1


def test_a_bad_release_costs_the_writer_only_itself(server: Any, tmp_path: Path) -> None:
    """As in a local crawl (tests/test_store_batches.py): the rest of the batch is stored."""
    db = tmp_path / "archive.db"
    releases = [release(n) for n in range(3)]
    push_all(server, crawl_messages("t1", "run-1", releases))
    writer = Writer(server, db, batch_size=50)
    writer.start()
    refuse = releases[1].url
    store = writer.archive.store

    def store_refusing_one(batch: list[Release], **options: Any) -> Any:
        # the writer's releases come through JSON, so a bad one is made at the store
        if any(r.url == refuse for r in batch):
            raise sqlite3.IntegrityError("CHECK constraint failed")
        return store(batch, **options)

    writer.archive.store = store_refusing_one  # type: ignore[method-assign]
    stats = writer.run(idle_exit=0)
    writer.close()
    assert stats.outcomes["dropped"] == 1 and stats.outcomes["stored"] == 2
    assert table(db, "SELECT COUNT(*) FROM releases") == [(2,)]


@pytest.mark.parametrize(("reason", "errors", "listing_pages", "status"), STATUS_CASES)
def test_the_writer_records_the_status_a_local_crawl_would(
    server: Any, tmp_path: Path, reason: str, errors: bool, listing_pages: int, status: str
) -> None:
    db = tmp_path / "archive.db"
    begin, *_ = crawl_messages("t1", "run-1", [release(1)])
    crawl_errors = [{"url": "http://127.0.0.1/", "reason": "HTTP 500"}] if errors else []
    end = messages.encode(
        "crawl_end",
        crawl="t1",
        reason=reason,
        errors=crawl_errors,
        stats={},
        listing_pages=listing_pages,
    )
    push_all(server, [begin, end])
    writer = Writer(server, db, batch_size=50)
    writer.start()
    writer.run(idle_exit=0)
    writer.close()
    assert table(db, "SELECT status FROM crawls") == [(status,)]


def test_the_run_end_recleaning_uses_the_crawlers_decisions(
    server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pressarchive.distributed import ingest
    from pressarchive.refine.about_learning import extraction_digest
    from pressarchive.storage.rows import extraction_record_text

    sent = [release(n) for n in range(3)]
    decisions = [[["Brödtext för meddelande 0."], ["body"]]]
    batch = crawl_messages("t1", "run-1", sent)
    batch[1] = messages.release_message(sent[0], crawl="t1", run="run-1", cleaning=decisions)
    batch.append(messages.encode("run_end", source=SOURCE.id, run="run-1"))
    push_all(server, batch)
    asked: list[Any] = []

    def refresh(archive: Any, source_id: str, *, unchanged: Any = None, **_: Any) -> int:
        asked.append(unchanged)
        return 0

    monkeypatch.setattr(ingest, "refresh_source", refresh)
    writer = Writer(server, tmp_path / "archive.db", batch_size=50)
    writer.start()
    writer.run(idle_exit=0)
    writer.close()
    (unchanged,) = asked
    assert unchanged is not None

    class Model:  # classifies as the crawler's model did
        def classify(self, paragraphs: Any) -> list[str]:
            return ["body" for _ in paragraphs]

    digests = {
        n: extraction_digest(extraction_record_text(r.extracted or {})) for n, r in enumerate(sent)
    }
    # only the release whose decisions came with it is spared
    assert unchanged(Model(), digests) == {0}
    assert writer._cleaning == {}  # the run's decisions are let go with the run


def test_a_run_that_stored_nothing_new_is_not_learned_again(
    server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pressarchive.dedupe import clusters
    from pressarchive.distributed import ingest

    db = tmp_path / "archive.db"
    learned: list[str] = []
    clustered: list[int] = []
    real_refresh, real_cluster = ingest.refresh_source, clusters.cluster_pending

    def refresh(archive: Any, source_id: str, **options: Any) -> int:
        learned.append(source_id)
        return real_refresh(archive, source_id, **options)

    def cluster(archive: Any) -> int:
        clustered.append(1)
        return real_cluster(archive)

    monkeypatch.setattr(ingest, "refresh_source", refresh)
    monkeypatch.setattr(ingest, "cluster_pending", cluster)

    def run(writer: Writer, name: str, releases: list[Release]) -> None:
        batch = crawl_messages(f"t-{name}", name, releases)
        push_all(server, [*batch, messages.encode("run_end", source=SOURCE.id, run=name)])
        writer.run(idle_exit=0)

    writer = Writer(server, db, batch_size=50)
    writer.start()
    run(writer, "run-1", [release(n) for n in range(10)])
    assert learned == [SOURCE.id]
    run(writer, "run-2", [release(n) for n in range(10)])  # every release unchanged
    assert learned == [SOURCE.id]
    assert len(clustered) == 2  # clustering still asked (it returns at once: nothing pending)
    run(writer, "run-3", [release(n) for n in range(9)] + [release(9, "Rättad rubrik")])
    assert learned == [SOURCE.id] * 2
    writer.close()
    # A restarted writer cannot know what its predecessor left unlearned: it learns.
    writer = Writer(server, db, batch_size=50)
    writer.start()
    run(writer, "run-4", [release(n) for n in range(9)] + [release(9, "Rättad rubrik")])
    assert learned == [SOURCE.id] * 3
    writer.close()
    assert table(db, "SELECT COUNT(*) FROM about_models") == [(1,)]
