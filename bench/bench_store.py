"""Storing and searching: pressarchive's store against raw sqlite3 executemany.

    .venv/bin/python bench/bench_store.py [--count 100000]

Goals: storing at least half the raw speed (issue 2); search p95 under 20 ms
newest first and under 60 ms by relevance (issue 12), for queries that include
the commonest Swedish words and phrases (`och`, `att`, `det är`, `"i
Norrköping"`), which match most of the archive. Both writers fill the same
schema (releases with their FTS index, contacts and tags) in the same run, so
the ratio does not depend on the machine. Search times are CPU milliseconds
(`time.process_time`) of `pressarchive.search.search` (query, rows and
snippets), the page cache warmed by a first round; the machine's load average
is printed beside them.

`--search-only PATH` skips the store comparison and times search on the
archive at PATH, built there first if it does not exist (100,000 releases take
minutes to store).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import SOURCES, releases

from pressarchive.sources import Source
from pressarchive.storage.connection import iso
from pressarchive.storage.search import search
from pressarchive.storage.store import Archive

BATCH = 1000
SEARCH_GOAL_MS = 20.0
RELEVANCE_GOAL_MS = 60.0
QUERIES = (
    "bro", "trygghet", "skolan", "kommunstyrelsen", "cykelvägar", "får", "hamnen",
    "budget investeringar", '"öppnar parken"', "klimatet OR energin", "biblioteket",
    "äldreomsorgen", "demokratin", "polisen NOT trafiken", "utställningen", "strömmen",
    "bostäder", "idrott", "ungdomar", "integration",
    # the commonest words and phrases: they match most releases
    "och", "att", "det är", '"det är"', '"i Norrköping"', "i Norrköping", "och det",
)  # fmt: skip


def new_archive(path: Path) -> Archive:
    archive = Archive(path)
    for source in SOURCES:
        archive.ensure_source(Source(source, "Norrköpings kommun", "viatt", ("https://x/",)))
    return archive


def bench_pressarchive(path: Path, count: int) -> float:
    archive = new_archive(path)
    data = list(releases(count))
    started = time.perf_counter()
    for i in range(0, count, BATCH):
        archive.store(data[i : i + BATCH])
    elapsed = time.perf_counter() - started
    archive.close()
    return count / elapsed


def bench_raw(path: Path, count: int) -> float:
    """The same rows with plain executemany: no lookups, no idempotence, no revisions."""
    archive = new_archive(path)
    conn = archive.conn
    data = list(releases(count))
    started = time.perf_counter()
    for i in range(0, count, BATCH):
        chunk = data[i : i + BATCH]
        with conn:
            conn.executemany(
                """INSERT INTO releases (source_id, platform, platform_id, url, canonical_url,
                       title, kind, organisation, lead, body_text, body_html, about_text,
                       published_at, first_seen_at, last_seen_at, content_hash, record_hash,
                       layers, flags)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, ?, ?, ?, ?, '{}', '[]')""",
                [
                    (
                        r.source, r.platform, r.platform_id, r.url, r.canonical_url, r.title,
                        r.kind, r.organisation, r.lead, r.body_text, iso(r.published_at),
                        "2025-01-01", "2025-01-01",
                        hashlib.blake2b(r.body_text.encode(), digest_size=16).hexdigest(), "",
                    )
                    for r in chunk
                ],
            )  # fmt: skip
            conn.executemany(
                "INSERT OR IGNORE INTO contacts (person_key, name, title, phone) VALUES (?, ?, ?, ?)",
                [(c.name, c.name, c.title, c.phone) for r in chunk for c in r.contacts],
            )
            conn.executemany(
                "INSERT INTO release_contacts (release_id, contact_id, role, position) "
                "SELECT r.id, c.id, ?, ? FROM releases r, contacts c "
                "WHERE r.canonical_url = ? AND c.person_key = ?",
                [
                    (c.role, pos, r.canonical_url, c.name)
                    for r in chunk
                    for pos, c in enumerate(r.contacts)
                ],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO tags (kind, name) VALUES (?, ?)",
                [(t.kind, t.name) for r in chunk for t in r.tags],
            )
    elapsed = time.perf_counter() - started
    archive.close()
    return count / elapsed


def canned_search(conn: sqlite3.Connection) -> Callable[[str], object]:
    """The Datasette canned search (200 results with snippets), as `serve` runs it."""
    from pressarchive.datasette import METADATA_PATH
    from pressarchive.datasette.plugin import prepare_connection

    prepare_connection(conn)
    metadata = json.loads(METADATA_PATH.read_text(encoding="utf-8"))
    sql = next(iter(metadata["databases"].values()))["queries"]["search"]["sql"]
    return lambda query: conn.execute(sql, {"q": query}).fetchall()


def bench_search(path: Path, order: str) -> tuple[float, float, str]:
    """p50 and p95 CPU milliseconds, and the slowest query with its median
    (`order` "datasette": the canned search of `pressarchive serve`)."""
    archive = Archive(path, readonly=True)
    if order == "datasette":
        run = canned_search(archive.conn)
    else:

        def run(query: str) -> object:
            return search(archive.conn, query, limit=20, order=order)

    timings: list[float] = []
    by_query: dict[str, list[float]] = {q: [] for q in QUERIES}
    for round_ in range(4):  # the first round warms the page cache
        for query in QUERIES:
            started = time.process_time()
            run(query)
            elapsed = (time.process_time() - started) * 1000
            if round_:
                timings.append(elapsed)
                by_query[query].append(elapsed)
    archive.close()
    p50 = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[18]
    worst = max(by_query, key=lambda q: statistics.median(by_query[q]))
    return p50, p95, f"{worst} ({statistics.median(by_query[worst]):.1f} ms)"


def search_only(path: Path, count: int) -> int:
    if not path.exists():
        bench_pressarchive(path, count)
    load = os.getloadavg()[0]
    with Archive(path, readonly=True) as archive:
        held = archive.conn.execute("SELECT COUNT(*) FROM releases").fetchone()[0]
    results = {order: bench_search(path, order) for order in ("newest", "relevance", "datasette")}
    print(f"## Search ({held:,} releases, {len(QUERIES)} queries, load {load:.1f})\n")
    print("| order | p50 | p95 | goal | slowest query (median) | ok |")
    print("|---|---:|---:|---|---|---|")
    ok = True
    for order, goal in (("newest", SEARCH_GOAL_MS), ("relevance", RELEVANCE_GOAL_MS)):
        p50, p95, worst = results[order]
        ok = ok and p95 < goal
        print(
            f"| {order} | {p50:.1f} ms | {p95:.1f} ms | < {goal:.0f} ms | {worst} "
            f"| {'yes' if p95 < goal else 'NO'} |"
        )
    p50, p95, worst = results["datasette"]
    print(
        f"| Datasette canned search, newest first, 200 results with snippets | {p50:.1f} ms "
        f"| {p95:.1f} ms | | {worst} | |"
    )
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--search-only", type=Path, metavar="PATH")
    args = parser.parse_args()
    if args.search_only:
        return search_only(args.search_only, args.count)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        raw = bench_raw(Path(tmp) / "raw.db", args.count)
        ours = bench_pressarchive(Path(tmp) / "ours.db", args.count)
        p50, p95, worst = bench_search(Path(tmp) / "ours.db", "newest")
        rel50, rel95, rel_worst = bench_search(Path(tmp) / "ours.db", "relevance")
    ratio = ours / raw
    store_ok = ratio >= 0.5
    search_ok = p95 < SEARCH_GOAL_MS and rel95 < RELEVANCE_GOAL_MS
    print(f"## Store and search ({args.count:,} releases, ~2 KB bodies, FTS on, load {load:.1f})\n")
    print("| measure | value | goal | ok |")
    print("|---|---|---|---|")
    print(f"| raw sqlite3 executemany | {raw:,.0f} releases/s | | |")
    print(f"| pressarchive store | {ours:,.0f} releases/s | | |")
    print(f"| ratio | {ratio:.2f} | >= 0.50 | {'yes' if store_ok else 'NO'} |")
    print(f"| search p50 (default, newest first), CPU | {p50:.1f} ms | | |")
    print(
        f"| search p95 (default, newest first), CPU | {p95:.1f} ms | < {SEARCH_GOAL_MS:.0f} ms "
        f"| {'yes' if p95 < SEARCH_GOAL_MS else 'NO'} |"
    )
    print(f"| slowest query, newest first (median) | {worst} | | |")
    print(f"| search p50 (--order relevance), CPU | {rel50:.1f} ms | | |")
    print(
        f"| search p95 (--order relevance), CPU | {rel95:.1f} ms | < {RELEVANCE_GOAL_MS:.0f} ms "
        f"| {'yes' if rel95 < RELEVANCE_GOAL_MS else 'NO'} |"
    )
    print(f"| slowest query, relevance (median) | {rel_worst} | | |")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "raw": raw,
                    "ours": ours,
                    "ratio": ratio,
                    "p50_ms": p50,
                    "p95_ms": p95,
                    "relevance_p50_ms": rel50,
                    "relevance_p95_ms": rel95,
                }
            )
        )
    return 0 if store_ok and search_ok else 1


if __name__ == "__main__":
    sys.exit(main())
