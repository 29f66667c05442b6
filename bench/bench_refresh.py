"""End-of-crawl about-text re-learning: what a crawl that brought one release costs.

    .venv/bin/python bench/bench_refresh.py [--counts 3000 10000] [--rounds 5] [--db-dir DIR]

An archive of `count` releases of one source is built from the demo rooms'
generator: a generated Mynewsdesk room's release pages are read and refined as
a crawl reads them (extraction, the refine stages with the online learner) and
stored through `Archive.store`, then the end-of-crawl `refresh_source` runs
once, as at the end of that first crawl. One more release of the same room is
held back: each round stores it (a crawl that brought one new release) into a
fresh copy of the archive and times, in CPU seconds (`time.process_time`):

- `refresh_source` (re-learn the source's model, re-clean what needs it),
- `load_about_model` (what a crawl's learner pays at its start),

for the old path (every stored body parsed again and every paragraph tokenised
again: `source_documents` and `learn` as they were before schema v3, kept below
as the baseline) and the new one (keyed learner documents read from the
archive), interleaved and alternating in order, median and spread,
and the new over the old paired by round. Also, once, the new path on an
archive that holds no learner documents yet (an archive made before v3: the
first read makes and keeps them all).

Goal: after a crawl that brought one release, `refresh_source` on the new path
costs at most half the old path's CPU at every size.

Memory: peak traced (tracemalloc) allocations of one more `refresh_source` on
each path (a pass of its own, not timed).

Left out: the crawl itself, clustering (bench_incremental.py), a model that
changed (then every release of the source is cleaned again, on both paths), the
page cache (the archive was just written, so it is warm), the process's RSS.
`--db-dir` keeps the built archives there and reuses them (10,000 releases take
about two CPU minutes to build).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

# `learn` before keyed documents (commit 203ce45), kept verbatim where the tests hold
# the keyed learner to it
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_learner_documents import reference_learn

from pressarchive.crawl.pool import LearningCleaning
from pressarchive.demo import mynewsdesk
from pressarchive.demo.server import ask
from pressarchive.extract import extract_page
from pressarchive.items import Release
from pressarchive.refine import about_learning
from pressarchive.refine.about_learning import (
    CleaningLog,
    OnlineAboutLearner,
    load_about_model,
    refresh_source,
)
from pressarchive.refine.about_model import AboutModel
from pressarchive.refine.learner_documents import document
from pressarchive.refine.process import process
from pressarchive.sources import Source
from pressarchive.storage.store import ABOUT_MODEL_KEY, Archive

GOAL_RATIO = 0.5
SOURCE = Source(
    "bench-mynewsdesk",
    "Norrköpings kommun",
    "mynewsdesk",
    ("http://127.0.0.1/se/norrkopings_kommun",),
)
BATCH = 200


def old_source_documents(archive: Archive, source_id: str) -> list[list[str]]:
    """`source_documents` before schema v3 (commit 203ce45), verbatim: the baseline."""
    rows = archive.conn.execute(
        """SELECT json_extract(e.record, '$.body_html'), json_extract(e.record, '$.about_text')
           FROM extractions e JOIN releases r ON r.id = e.release_id
           WHERE r.source_id = ? ORDER BY e.release_id""",
        (source_id,),
    )
    return [document({"body_html": body, "about_text": about}) for body, about in rows]


@contextmanager
def old_path() -> Iterator[None]:
    """refresh_source and load_about_model as they were: every body parsed again,
    every paragraph tokenised again."""
    new = about_learning.iter_keyed_documents, about_learning.learn_keyed
    about_learning.iter_keyed_documents = old_source_documents  # type: ignore[assignment]
    about_learning.learn_keyed = reference_learn  # type: ignore[assignment]
    try:
        yield
    finally:
        about_learning.iter_keyed_documents, about_learning.learn_keyed = new


def read_pages(count: int, *, newest_only: bool = False) -> list[Release]:
    """The generated room's release pages extracted (not yet refined), oldest
    first as a first crawl's store would see them; or only the newest."""
    room = mynewsdesk.make_room(size=count)
    _, by_path = room.releases(1)
    paths = list(by_path)  # newest first
    fetched = datetime.now(UTC)
    return [
        extract_page(
            ask(room, path).body,
            "http://127.0.0.1" + path,
            platform=SOURCE.platform,
            source_id=SOURCE.id,
            organisation=SOURCE.organisation,
            fetched_at=fetched,
        )
        for path in (paths[:1] if newest_only else reversed(paths))
    ]


def build(path: Path, count: int) -> tuple[Release, float]:
    """The archive of `count` releases at `path` (reused when there), and the
    newest release of the room, held back from it; returns that with the
    build's CPU seconds (0 when reused)."""
    started = time.process_time()
    if path.exists():
        return read_pages(count + 1, newest_only=True)[0], 0.0
    pages = read_pages(count + 1)
    held_back = pages.pop()
    building = path.with_suffix(".building")
    for leftover in building.parent.glob(building.name + "*"):
        leftover.unlink()
    learner, log = OnlineAboutLearner([]), CleaningLog()
    with Archive(building) as archive:
        archive.ensure_source(SOURCE)
        for start in range(0, len(pages), BATCH):
            cleaning = LearningCleaning(learner, log)
            archive.store([process(r, cleaning=cleaning) for r in pages[start : start + BATCH]])
        refresh_source(archive, SOURCE.id, unchanged=log.unchanged)
    building.rename(path)
    return held_back, time.process_time() - started


def saved_model(archive: Archive) -> AboutModel:
    row = archive.conn.execute(
        "SELECT model FROM about_models WHERE source_id = ?", (SOURCE.id,)
    ).fetchone()
    return AboutModel.from_json(row[0])


def crawl_of_one(base: Path, work: Path, release: Release) -> Archive:
    """A fresh copy of the archive that a crawl has just added `release` to
    (cleaned, as the crawl's learner would, with the archive's model)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(base, work)
    archive = Archive(work)
    model = saved_model(archive)
    fresh = process(Release.from_json_dict(release.to_json_dict()), about=model)
    assert fresh.extracted is not None
    fresh.extracted[ABOUT_MODEL_KEY] = about_learning.model_key(model)
    archive.store([fresh])
    return archive


def cpu(step: Callable[[], Any]) -> float:
    started = time.process_time()
    step()
    return time.process_time() - started


def traced_peak(step: Callable[[], Any]) -> float:
    """Peak memory (MB) that Python allocated during `step` (tracemalloc)."""
    tracemalloc.start()
    step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def spread(values: list[float], digits: int = 3) -> str:
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def bench_size(count: int, rounds: int, db_dir: Path, work: Path) -> dict[str, Any]:
    base = db_dir / f"refresh-{count}.db"
    held_back, built = build(base, count)
    times: dict[str, list[float]] = {
        f"{step} {path}": [] for step in ("refresh", "load") for path in ("old", "new")
    }
    steps: dict[str, Callable[[Archive], Any]] = {
        "refresh": lambda archive: refresh_source(archive, SOURCE.id),
        "load": lambda archive: load_about_model(archive, SOURCE.id),
    }
    for r in range(rounds):
        for path in ("old", "new") if r % 2 == 0 else ("new", "old"):
            for step, run in steps.items():
                archive = crawl_of_one(base, work, held_back)
                try:
                    with old_path() if path == "old" else nullcontext():
                        times[f"{step} {path}"].append(cpu(partial(run, archive)))
                finally:
                    archive.close()
    peaks = {}
    for path in ("old", "new"):  # one more pass each, traced (slower: not timed)
        archive = crawl_of_one(base, work, held_back)
        with old_path() if path == "old" else nullcontext():
            peaks[path] = traced_peak(partial(steps["refresh"], archive))
        archive.close()
    archive = crawl_of_one(base, work, held_back)
    with archive.conn:
        archive.conn.execute("DELETE FROM learner_documents")
    first = cpu(lambda: refresh_source(archive, SOURCE.id))
    archive.close()
    return {"count": count, "built": built, "times": times, "first": first, "peaks": peaks}


def report(results: list[dict[str, Any]], rounds: int) -> bool:
    ok = True
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nCPU seconds, median (min–max) of {rounds} interleaved rounds; load average {load}\n")
    print("| releases | step | old path | new path | new / old, paired by round |")
    print("|---:|---|---:|---:|---:|")
    for result in results:
        times = result["times"]
        for step, name in (("refresh", "`refresh_source`"), ("load", "`load_about_model`")):
            old, new = times[f"{step} old"], times[f"{step} new"]
            ratios = [n / o for n, o in zip(new, old, strict=True)]
            print(
                f"| {result['count']:,} | {name} | {spread(old)} | {spread(new)} | "
                f"{spread(ratios, 2)} |"
            )
            if step == "refresh" and statistics.median(ratios) > GOAL_RATIO:
                ok = False
    print(
        "\n| releases | first `refresh_source` on an archive without learner documents "
        "(CPU s) | peak traced memory of `refresh_source`, old / new path |"
    )
    print("|---:|---:|---:|")
    for result in results:
        peaks = result["peaks"]
        print(
            f"| {result['count']:,} | {result['first']:.3f} | "
            f"{peaks['old']:.1f} MB / {peaks['new']:.1f} MB |"
        )
    print(
        f"\nGoal: `refresh_source` new / old ≤ {GOAL_RATIO} at every size: {'met' if ok else 'MISSED'}"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--counts", type=int, nargs="+", default=[3000, 10000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db-dir", type=Path, help="keep (and reuse) the built archives here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_dir = args.db_dir or Path(tmp)
        db_dir.mkdir(parents=True, exist_ok=True)
        results = []
        for count in args.counts:
            results.append(bench_size(count, args.rounds, db_dir, Path(tmp) / "work.db"))
            print(f"{count}: built in {results[-1]['built']:.1f} CPU s", file=sys.stderr)
        return 0 if report(results, args.rounds) else 1


if __name__ == "__main__":
    raise SystemExit(main())
