"""The README's kill-loop figure: random SIGKILLs, then ordinary re-runs.

    .venv/bin/python bench/bench_kill_loop.py [CYCLES KILLS SIZE]   (default 5 4 150)

Each cycle is `tests/faults/test_kill_loop.run_kill_loop` on a fresh archive:
KILLS SIGKILLs (parent, child, whole tree in turn) at random moments of a
crawl of the demo Mynewsdesk room with SIZE releases, then plain re-runs.
One JSON line per cycle; exits 1 unless every cycle ends with every release
once, integrity ok, the runs' counts adding up, no gap, and a last exit 3.

Left out: kills of a crawl of several sources at once, and kills during the
end-of-crawl re-cleaning of a large archive (the room is small).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from faults.test_kill_loop import run_kill_loop


def main() -> int:
    cycles, kills, size = (int(a) for a in (sys.argv[1:4] if len(sys.argv) > 3 else (5, 4, 150)))
    results = []
    for cycle in range(cycles):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.monotonic()
            out = run_kill_loop(Path(tmp), kills=kills, seed=1000 + cycle, size=size)
            out["seconds"] = round(time.monotonic() - started, 1)
            out["gap_after"] = json.loads(str(out.pop("stats")))[0]["gap"]
            statuses = out.pop("statuses")
            assert isinstance(statuses, list)
            out["interrupted_runs"] = statuses.count("interrupted")
            results.append(out)
            print(json.dumps(out), flush=True)
    ok = all(
        r["total"] == r["distinct"] == r["counted"] == size
        and r["integrity"] == "ok"
        and r["gap_after"] is None
        and r["codes"][-1] == 3  # type: ignore[index]
        for r in results
    )
    print("every cycle complete" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
