"""Exports: `pressarchive export` to CSV, JSON Lines and XLSX, against a raw dump.

    .venv/bin/python bench/bench_export.py [--counts 10000 100000]

Each export runs as the journalist runs it (the installed `pressarchive export`
command, in a process of its own, so its peak memory is its own). The baseline,
in the same run, is a bare Python process that streams `SELECT * FROM releases`
through `csv.writer`: no contacts or tags joined, no flattening, no formula
neutralising. Goals: CSV export at least 0.3 x the raw dump's rows per second,
and streaming: no export's peak memory grows by more than half from the
smallest archive to the largest.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import BATCH, new_archive
from synthetic import releases

CLI = Path(sys.executable).with_name("pressarchive")
FORMATS = ("csv", "jsonl", "xlsx")
RAW_DUMP = """
import csv, sqlite3, sys
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
with open(sys.argv[2], "w", encoding="utf-8-sig", newline="") as out:
    writer = csv.writer(out)
    cursor = conn.execute("SELECT * FROM releases ORDER BY published_at, id")
    writer.writerow([d[0] for d in cursor.description])
    while rows := cursor.fetchmany(1000):
        writer.writerows(rows)
"""


def build_archive(path: Path, count: int) -> None:
    archive = new_archive(path)
    data = list(releases(count))
    for i in range(0, count, BATCH):
        archive.store(data[i : i + BATCH])
    archive.close()


def _high_water_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def timed(command: list[str]) -> tuple[float, float]:
    """Seconds and peak resident memory (MB) of one child process.

    The peak is the child's own VmHWM, read from /proc while it runs: the
    rusage of a child also counts the memory of the parent it was forked from."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    while True:
        peak = max(peak, _high_water_mb(proc.pid) or 0.0)
        try:
            proc.wait(timeout=0.02)
            break
        except subprocess.TimeoutExpired:
            continue
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        stderr = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(command)} failed: {stderr.strip()[-500:]}")
    return seconds, peak


def measure(count: int, tmp: Path) -> dict[str, tuple[float, float, float]]:
    """format -> (rows per second, peak MB, file MB) for an archive of `count` releases."""
    db = tmp / f"archive-{count}.db"
    build_archive(db, count)
    results: dict[str, tuple[float, float, float]] = {}
    raw_out = tmp / f"raw-{count}.csv"
    seconds, peak = timed([sys.executable, "-c", RAW_DUMP, str(db), str(raw_out)])
    results["raw dump (baseline)"] = (count / seconds, peak, raw_out.stat().st_size / 1e6)
    for fmt in FORMATS:
        out = tmp / f"export-{count}.{fmt}"
        command = [str(CLI), "export", "--db", str(db), "--format", fmt, "-o", str(out)]
        seconds, peak = timed(command)
        results[fmt] = (count / seconds, peak, out.stat().st_size / 1e6)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--counts", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    counts = sorted(args.counts)
    with tempfile.TemporaryDirectory() as tmp:
        by_count = {count: measure(count, Path(tmp)) for count in counts}
    print(f"## Exports ({', '.join(f'{c:,}' for c in counts)} releases)\n")
    print("| releases | format | rows/s | seconds | peak memory | file |")
    print("|---:|---|---:|---:|---:|---:|")
    for count, results in by_count.items():
        for name, (rate, peak, size) in results.items():
            print(
                f"| {count:,} | {name} | {rate:,.0f} | {count / rate:.1f} | "
                f"{peak:.0f} MB | {size:.0f} MB |"
            )
    largest, smallest = by_count[counts[-1]], by_count[counts[0]]
    ratio = largest["csv"][0] / largest["raw dump (baseline)"][0]
    growth = max(largest[fmt][1] / smallest[fmt][1] for fmt in FORMATS)
    speed_ok = ratio >= 0.3
    streaming_ok = len(counts) < 2 or growth <= 1.5
    print("\n| measure | value | goal | ok |")
    print("|---|---|---|---|")
    print(
        f"| CSV export / raw dump, rows per second | {ratio:.2f} | >= 0.30 | {'yes' if speed_ok else 'NO'} |"
    )
    print(
        f"| peak memory, largest / smallest archive (worst format) | {growth:.2f} | <= 1.50 | "
        f"{'yes' if streaming_ok else 'NO'} |"
    )
    return 0 if speed_ok and streaming_ok else 1


if __name__ == "__main__":
    sys.exit(main())
