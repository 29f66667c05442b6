"""Clustering after a crawl of a large archive: what each new or changed release costs.

    .venv/bin/python bench/bench_incremental.py [--count 100000] [--new 20] [--db PATH]

An archive of `count` signed releases (bench/synthetic.py, one every two hours
from 2015 on) receives, as a crawl would:

1. one new release, a correction to a release of 2015 and an undated release
   (the case where a date window spans the archive, or an undated release loads
   all of it);
2. `new` new releases.

`cluster_pending` finds each one's candidates by its LSH band keys
(`release_bands`) whatever its date. The baseline, in the same run, is loading
every signature (what an undated release cost before). Figures are CPU seconds
(`time.process_time`, little affected by a busy machine) and peak traced
memory (tracemalloc, a second pass). Goal (issue 12): at most 0.1 s per new or
changed release. `--db` keeps the archive there and reuses it when it already
holds `count` releases (building 100,000 takes minutes).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import count as count_from
from itertools import islice
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import BATCH, new_archive
from synthetic import releases

from pressarchive.dedupe.clusters import cluster_pending, load_index
from pressarchive.items import Release
from pressarchive.storage.store import Archive

GOAL_SECONDS_PER_RELEASE = 0.1


def measured(step: Callable[[], Any], reset: Callable[[], Any]) -> tuple[float, float]:
    """CPU seconds (without tracing) and peak traced memory in MB of `step`;
    `reset` puts the archive back between the two passes."""
    reset()
    started = time.process_time()
    step()
    seconds = time.process_time() - started
    reset()
    tracemalloc.start()
    step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 1e6


def build(path: Path, count: int) -> float:
    """Store and cluster `count` releases at `path` unless already there; CPU seconds
    of the first clustering (0 when reused)."""
    if path.exists():
        with Archive(path) as archive:
            held = archive.conn.execute("SELECT COUNT(*) FROM releases").fetchone()[0]
        if held >= count:
            with Archive(path) as archive:
                started = time.process_time()
                cluster_pending(archive)
                return time.process_time() - started
        path.unlink()
    archive = new_archive(path)
    stream = releases(count)
    while chunk := list(islice(stream, BATCH)):
        archive.store(chunk)
    started = time.process_time()
    cluster_pending(archive)
    first = time.process_time() - started
    archive.close()
    return first


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=20)
    parser.add_argument("--db", type=Path, help="keep (and reuse) the archive here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "archive.db"
        first = build(path, args.count)
        archive = Archive(path)
        conn = archive.conn
        newest = conn.execute("SELECT MAX(published_at) FROM releases").fetchone()[0]
        last_id = conn.execute("SELECT MAX(id) FROM releases").fetchone()[0]
        old = conn.execute(
            "SELECT id, platform_id FROM releases WHERE published_at LIKE '2015-03%' LIMIT 1"
        ).fetchone()
        extra = list(releases(args.new + 2, seed=99))
        after = datetime.fromisoformat(newest) + timedelta(hours=1)
        fresh = [
            replace(r, platform_id=f"new-{i}", url=f"{r.url}-new-{i}",
                    canonical_url=f"{r.canonical_url}-new-{i}",
                    published_at=after + timedelta(minutes=i))
            for i, r in enumerate(extra)
        ]  # fmt: skip
        undated = replace(fresh[1], published_at=None)
        row = conn.execute(
            "SELECT source_id, platform, platform_id, url, canonical_url, title, lead, body_text, "
            "published_at, organisation FROM releases WHERE id = ?",
            (old[0],),
        ).fetchone()
        corrections = count_from()

        def correction() -> Release:
            # the same release, its text corrected: a new revision, signed again
            return Release(
                source=row[0], platform=row[1], platform_id=row[2], url=row[3],
                canonical_url=row[4], title=row[5], lead=row[6],
                body_text=f"{row[7]} Rättelse {next(corrections)}: tiden är ändrad.",
                published_at=datetime.fromisoformat(row[8]), organisation=row[9],
            )  # fmt: skip

        def forget_new() -> None:
            with conn:
                conn.execute("DELETE FROM releases WHERE id > ?", (last_id,))
                conn.execute("DELETE FROM release_signatures WHERE release_id > ?", (last_id,))

        def crawl_of_three() -> None:
            forget_new()
            archive.store([fresh[0], undated, correction()])

        def crawl_of_new() -> None:
            forget_new()
            archive.store(fresh[2 : 2 + args.new])

        load = os.getloadavg()[0]
        full_s, full_mb = measured(lambda: load_index(archive), lambda: None)
        three_s, three_mb = measured(lambda: cluster_pending(archive), crawl_of_three)
        new_s, new_mb = measured(lambda: cluster_pending(archive), crawl_of_new)
        signed = conn.execute("SELECT COUNT(*) FROM release_signatures").fetchone()[0]
        forget_new()
        archive.close()
    per_three, per_new = three_s / 3, new_s / args.new
    ok = per_three <= GOAL_SECONDS_PER_RELEASE and per_new <= GOAL_SECONDS_PER_RELEASE
    print(f"## Clustering after a crawl, archive of {args.count:,} releases\n")
    print(
        f"Signing and clustering the whole archive once: {first:.1f} CPU s "
        f"(0: reused); {signed:,} signed. Load average (1 min): {load:.1f}.\n"
    )
    print("| step | CPU seconds | per release | peak traced memory |")
    print("|---|---:|---:|---:|")
    print(f"| load every signature (baseline) | {full_s:.2f} | | {full_mb:.0f} MB |")
    print(
        "| `cluster_pending`: 1 new + a correction to a 2015 release + 1 undated "
        f"| {three_s:.3f} | {per_three:.3f} | {three_mb:.1f} MB |"
    )
    print(f"| `cluster_pending`: {args.new} new | {new_s:.3f} | {per_new:.3f} | {new_mb:.1f} MB |")
    print("\n| measure | value | goal | ok |")
    print("|---|---|---|---|")
    worst = max(per_three, per_new)
    print(
        f"| CPU s per new or changed release (worst) | {worst:.3f} | "
        f"<= {GOAL_SECONDS_PER_RELEASE} | {'yes' if ok else 'NO'} |"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
