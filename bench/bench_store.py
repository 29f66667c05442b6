"""Storing and searching: pressarchive's store against raw sqlite3 executemany.

    .venv/bin/python bench/bench_store.py [--count 100000]

Goals (issue 2): storing at least half the raw speed; FTS search p95 under 20 ms.
Both writers fill the same schema (releases with their FTS index, contacts and
tags) in the same run, so the ratio does not depend on the machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import SOURCES, releases

from pressarchive.sources import Source
from pressarchive.storage.search import search
from pressarchive.storage.store import Archive, iso

BATCH = 1000
QUERIES = (
    "bro", "trygghet", "skolan", "kommunstyrelsen", "cykelvägar", "får", "hamnen",
    "budget investeringar", '"öppnar parken"', "klimatet OR energin", "biblioteket",
    "äldreomsorgen", "demokratin", "polisen NOT trafiken", "utställningen", "strömmen",
    "bostäder", "idrott", "ungdomar", "integration",
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


def bench_search(path: Path, order: str) -> tuple[float, float]:
    archive = Archive(path, readonly=True)
    timings = []
    for _ in range(3):  # the first round warms the page cache
        for query in QUERIES:
            started = time.perf_counter()
            search(archive.conn, query, limit=20, order=order)
            timings.append((time.perf_counter() - started) * 1000)
    archive.close()
    timings = timings[len(QUERIES) :]
    p50 = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[18]
    return p50, p95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        raw = bench_raw(Path(tmp) / "raw.db", args.count)
        ours = bench_pressarchive(Path(tmp) / "ours.db", args.count)
        p50, p95 = bench_search(Path(tmp) / "ours.db", "newest")
        rel50, rel95 = bench_search(Path(tmp) / "ours.db", "relevance")
    ratio = ours / raw
    store_ok = ratio >= 0.5
    search_ok = p95 < 20
    print(f"## Store and search ({args.count:,} releases, ~2 KB bodies, FTS on)\n")
    print("| measure | value | goal | ok |")
    print("|---|---|---|---|")
    print(f"| raw sqlite3 executemany | {raw:,.0f} releases/s | | |")
    print(f"| pressarchive store | {ours:,.0f} releases/s | | |")
    print(f"| ratio | {ratio:.2f} | >= 0.50 | {'yes' if store_ok else 'NO'} |")
    print(f"| search p50 (default, newest first) | {p50:.1f} ms | | |")
    print(
        f"| search p95 (default, newest first) | {p95:.1f} ms | < 20 ms | {'yes' if search_ok else 'NO'} |"
    )
    print(f"| search p50 (--order relevance) | {rel50:.1f} ms | | |")
    print(f"| search p95 (--order relevance) | {rel95:.1f} ms | | |")
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
