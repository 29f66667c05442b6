"""Run every benchmark under bench/ and report which goals were met.

    .venv/bin/python bench/run.py [--quick]

Each bench_*.py prints a markdown table and exits non-zero when it misses its
goal. Results go to stdout, and for a full run of every benchmark to
bench/results/latest.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# script -> (full arguments, quick arguments)
BENCHES: dict[str, tuple[list[str], list[str]]] = {
    "bench_store.py": (["--count", "100000"], ["--count", "10000"]),
    "bench_dates.py": ([], []),
    "bench_cluster.py": ([], ["--sizes", "10000"]),
    "bench_incremental.py": ([], ["--count", "10000"]),
    "bench_refresh.py": ([], ["--counts", "1000", "--rounds", "3"]),
    "bench_crawl.py": ([], ["--count", "500"]),
    "bench_stages.py": ([], ["--count", "100", "--rounds", "2"]),
    "bench_golden.py": ([], []),
    "bench_fidelity.py": ([], []),
    "bench_export.py": ([], ["--counts", "1000", "5000"]),
    "bench_hostile.py": ([], ["--bomb-mb", "256", "--sitemap-mb", "256", "--huge-mb", "20"]),
    "bench_distributed.py": (
        ["--count", "400", "--rounds", "2"],
        ["--count", "100", "--rounds", "1"],
    ),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("only", nargs="*", help="run only these benchmarks (e.g. bench_store.py)")
    args = parser.parse_args()
    report: list[str] = []
    failed: list[str] = []
    for script, (full, quick) in BENCHES.items():
        if args.only and script not in args.only:
            continue
        path = HERE / script
        if not path.exists():
            report.append(f"\n## {script}\n\nmissing\n")
            failed.append(script)
            continue
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(path), *(quick if args.quick else full)],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        status = "goal met" if proc.returncode == 0 else f"GOAL MISSED (exit {proc.returncode})"
        section = f"\n<!-- {script}: {status}, {seconds:.0f} s -->\n{proc.stdout.strip()}\n"
        if proc.returncode != 0 and proc.stderr.strip():
            section += "\n```\n" + proc.stderr.strip()[-2000:] + "\n```\n"
        print(section, flush=True)
        report.append(section)
        if proc.returncode != 0:
            failed.append(script)
    if not args.quick and not args.only:  # a smoke or partial run must not replace the record
        out = HERE / "results" / "latest.md"
        out.parent.mkdir(exist_ok=True)
        out.write_text("# Latest benchmark run\n" + "".join(report), encoding="utf-8")
    if failed:
        print(f"\nGoals missed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print("\nAll benchmark goals met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
