"""Memory of a crawl against hostile pages: does DOWNLOAD_MAXSIZE bound it?

    .venv/bin/python bench/bench_hostile.py [--bomb-mb 1024] [--sitemap-mb 2048] [--huge-mb 50]

Each case crawls a small room of the fault suite (tests/faults/rooms.py, five
ordinary releases) plus one hostile page, with the shipped settings (no
overrides but the politeness delays), as `pressarchive crawl` in a process of
its own; the figure is the peak RSS of the largest process of the crawl tree
(getrusage of the waited-for children: the crawl child, or a page-reading
worker). The baseline is the same room without the hostile page, in the same
run. Goal: no hostile case above the baseline plus 2 x DOWNLOAD_MAXSIZE.

Left out: the time the server takes to send a page; a hostile page that is
not large (slow drip, endless listing: see tests/faults); memory of the
test's own server.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from faults.rooms import GOOD, FaultRoom  # noqa: E402

from pressarchive.settings import DOWNLOAD_MAXSIZE  # noqa: E402

MEASURE = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(proc.returncode, peak, repr(proc.stdout[-400:]))
"""


def crawl_peak(room: FaultRoom, tmp: Path, name: str) -> tuple[float, int, str]:
    registry = tmp / f"{name}.toml"
    registry.write_text(room.sources_toml(), encoding="utf-8")
    command = [
        sys.executable, "-m", "pressarchive", "crawl", "faults",
        "--db", str(tmp / name / "a.db"), "--sources", str(registry),
        "--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False",
    ]  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True
    ).stdout.split(" ", 2)
    return int(out[1]) / 1024, int(out[0]), out[2].strip()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bomb-mb", type=int, default=1024)
    parser.add_argument("--sitemap-mb", type=int, default=2048)
    parser.add_argument("--huge-mb", type=int, default=50)
    args = parser.parse_args()
    mb = 1024 * 1024
    cases = {
        "baseline (5 releases)": {"listing": GOOD},
        f"gzip bomb, {args.bomb_mb} MB unpacked": {
            "listing": [*GOOD, "/bomb"],
            "bomb_bytes": args.bomb_mb * mb,
        },
        f"sitemap.xml.gz, {args.sitemap_mb} MB unpacked": {
            "listing": GOOD,
            "sitemap_bomb_bytes": args.sitemap_mb * mb,
        },
        f"page of {args.huge_mb} MB": {
            "listing": [*GOOD, "/huge"],
            "huge_bytes": args.huge_mb * mb,
        },
    }
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for number, (name, options) in enumerate(cases.items()):
            with FaultRoom(**options) as room:  # type: ignore[arg-type]
                peak, code, said = crawl_peak(room, Path(tmp), f"case{number}")
            rows.append((name, peak, code, said))
    baseline = rows[0][1]
    limit = baseline + 2 * DOWNLOAD_MAXSIZE / mb
    print(f"DOWNLOAD_MAXSIZE = {DOWNLOAD_MAXSIZE / mb:.0f} MB; goal: peak <= {limit:.0f} MB\n")
    print("| case | peak RSS (MB) | exit | summary |\n|---|---|---|---|")
    for name, peak, code, said in rows:
        print(f"| {name} | {peak:.0f} | {code} | {json.dumps(said)[:160]} |")
    return 0 if all(peak <= limit for _, peak, _, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
