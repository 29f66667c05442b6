"""Clustering after an hourly crawl of a large archive: the date window against loading everything.

    .venv/bin/python bench/bench_incremental.py [--count 100000] [--new 20]

An archive of `count` signed releases (bench/synthetic.py, one every two
hours over two decades) receives `new` releases, as an hourly crawl would.
`cluster_pending` loads only the releases those could match (within the
match rule's `max_days`); the baseline, in the same run, is what it did
before: load every signature. Goal: the crawl's clustering step takes at
most a tenth of the time and memory of the full load.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import BATCH, new_archive
from synthetic import releases

from pressarchive.dedupe.clusters import cluster_pending, load_index
from pressarchive.storage.store import Archive


def measured(step: Callable[[], Any]) -> tuple[float, float]:
    """Seconds (without tracing) and peak traced memory in MB of `step`."""
    started = time.perf_counter()
    step()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "archive.db"
        archive = new_archive(path)
        data = list(releases(args.count + args.new))
        for i in range(0, args.count, BATCH):
            archive.store(data[i : min(i + BATCH, args.count)])
        started = time.perf_counter()
        cluster_pending(archive)
        first = time.perf_counter() - started
        archive.store(data[args.count :])
        full_s, full_mb = measured(lambda: load_index(archive))

        def crawl_step() -> None:
            # Each pass starts from the same state: the new releases unsigned.
            with archive.conn:
                archive.conn.execute(
                    "DELETE FROM release_signatures WHERE release_id > ?", (args.count,)
                )
            cluster_pending(archive)

        window_s, window_mb = measured(crawl_step)
        loaded = Archive(path, readonly=True)
        signed = loaded.conn.execute("SELECT COUNT(*) FROM release_signatures").fetchone()[0]
        loaded.close()
        archive.close()
    time_ratio, memory_ratio = window_s / full_s, window_mb / full_mb
    ok = time_ratio <= 0.1 and memory_ratio <= 0.1
    print(f"## Clustering after a crawl of {args.new} new releases into {args.count:,}\n")
    print(f"Signing and clustering the whole archive once: {first:.1f} s; {signed:,} signed.\n")
    print("| step | seconds | peak traced memory |")
    print("|---|---:|---:|")
    print(f"| load every signature (before) | {full_s:.2f} | {full_mb:.0f} MB |")
    print(f"| cluster_pending with the date window | {window_s:.3f} | {window_mb:.1f} MB |")
    print("\n| measure | value | goal | ok |")
    print("|---|---|---|---|")
    print(
        f"| time, window / full load | {time_ratio:.3f} | <= 0.1 | {'yes' if time_ratio <= 0.1 else 'NO'} |"
    )
    print(
        f"| memory, window / full load | {memory_ratio:.3f} | <= 0.1 | "
        f"{'yes' if memory_ratio <= 0.1 else 'NO'} |"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
