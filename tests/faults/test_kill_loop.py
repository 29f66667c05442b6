"""Kills at random moments, then ordinary re-runs: nothing lost, nothing twice.

Each round starts `pressarchive crawl` in its own process group, lets it run a
random while, and SIGKILLs the parent, the crawl child, or the whole tree.
The crawl tree must be gone at once (the child dies with its parent), and
plain re-runs (what cron does) must end with every release of the room
archived once, the archive intact and the exit codes true.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pressarchive.demo.server import DemoPressRooms

SIZE = 60
KILLS = ("parent", "child", "tree")


def crawl_command(db: Path, sources: Path) -> list[str]:
    return [
        sys.executable, "-m", "pressarchive", "crawl", "demo-mynewsdesk", "-q",
        "--db", str(db), "--sources", str(sources),
        "--set", "DOWNLOAD_DELAY=0.02", "--set", "AUTOTHROTTLE_ENABLED=False",
        "--set", "LOG_LEVEL=ERROR", "--set", "PRESSARCHIVE_PROGRESS=False",
    ]  # fmt: skip


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) == pgid:
                stat = (entry / "stat").read_text()
                if stat.rsplit(")", 1)[1].split()[0] != "Z":
                    members.append(int(entry.name))
        except (OSError, IndexError):
            pass
    return members


def wait_gone(pgid: int, timeout: float = 15.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = group_members(pgid)
        if not alive:
            return []
        time.sleep(0.05)
    return group_members(pgid)


def kill_at_random(
    db: Path, sources: Path, how: str, rng: random.Random, rooms: DemoPressRooms, size: int
) -> None:
    """Start a crawl and SIGKILL it at a random moment, whatever the machine's
    speed: once the room has served a random number of pages (during the walk),
    or once the archive holds a random number more releases (while storing)."""
    served_before, stored_before = len(rooms.requests), stored_releases(db)
    by_pages = rng.random() < 0.5
    moment = rng.randint(1, size + 10) if by_pages else rng.randint(0, size - stored_before)
    proc = subprocess.Popen(
        crawl_command(db, sources),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120

    def due() -> bool:
        if by_pages:
            return len(rooms.requests) - served_before >= moment
        return stored_releases(db) - stored_before >= moment

    while not due() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(rng.uniform(0, 0.05))
    try:
        if how == "parent":
            os.kill(proc.pid, signal.SIGKILL)
        elif how == "child":
            for child in children(proc.pid):
                os.kill(child, signal.SIGKILL)
        else:
            os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # it had finished already
    proc.wait(timeout=60)
    left = wait_gone(proc.pid)
    for pid in left:  # clean up before failing
        os.kill(pid, signal.SIGKILL)
    assert left == [], f"after killing the {how}: {left} still running"


def rerun(db: Path, sources: Path) -> int:
    return subprocess.run(crawl_command(db, sources), timeout=300, check=False).returncode


def stored_releases(db: Path) -> int:
    """Releases in the archive; 0 when a kill came before the archive was made."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    except sqlite3.OperationalError:
        return 0
    try:
        return int(conn.execute("SELECT COUNT(*) FROM releases").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def archive_state(db: Path) -> tuple[int, int, str, list[str], int]:
    conn = sqlite3.connect(db)
    try:
        total = conn.execute("SELECT COUNT(*) FROM releases").fetchone()[0]
        distinct = conn.execute("SELECT COUNT(DISTINCT platform_id) FROM releases").fetchone()[0]
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        statuses = [r[0] for r in conn.execute("SELECT status FROM crawls ORDER BY id")]
        # every release was new exactly once: the runs' counts, killed ones
        # included, add up to what the archive holds
        counted = conn.execute("SELECT COALESCE(SUM(stored), 0) FROM crawls").fetchone()[0]
    finally:
        conn.close()
    return total, distinct, integrity, statuses, counted


def run_kill_loop(tmp_path: Path, kills: int, seed: int, size: int = SIZE) -> dict[str, object]:
    db, sources = tmp_path / "archive" / "a.db", tmp_path / "sources.toml"
    rng = random.Random(seed)
    with DemoPressRooms(["mynewsdesk"], size=size) as rooms:
        sources.write_text(rooms.sources_toml(), encoding="utf-8")
        stored_after_kills = []
        for number in range(kills):
            kill_at_random(db, sources, KILLS[number % len(KILLS)], rng, rooms, size)
            stored_after_kills.append(stored_releases(db))
        codes = [rerun(db, sources)]
        while codes[-1] == 1 and len(codes) < 3:
            codes.append(rerun(db, sources))
        codes.append(rerun(db, sources))  # the archive is complete: nothing new
        gap = subprocess.run(
            [sys.executable, "-m", "pressarchive", "stats", "--json", "--db", str(db)],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    total, distinct, integrity, statuses, counted = archive_state(db)
    return {
        "counted": counted,
        "codes": codes,
        "total": total,
        "distinct": distinct,
        "integrity": integrity,
        "statuses": statuses,
        "stats": gap,
        "stored_after_kills": stored_after_kills,
    }


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_random_kills_then_cron_reruns_lose_nothing(tmp_path: Path) -> None:
    outcome = run_kill_loop(tmp_path, kills=3, seed=11)
    assert outcome["integrity"] == "ok"
    assert outcome["total"] == SIZE and outcome["distinct"] == SIZE, outcome
    assert outcome["counted"] == SIZE, outcome  # an interrupted run's counts are true
    codes = outcome["codes"]
    assert outcome["statuses"][-1] == "finished", outcome
    assert codes[-2] in (0, 3) and codes[-1] == 3, outcome  # true: finished; then nothing new
    assert '"gap": null' in str(outcome["stats"])
