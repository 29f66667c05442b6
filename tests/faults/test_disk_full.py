"""A full disk ends the crawl with exit 1 and one clear line, never a hang;
after space is freed, an ordinary re-run completes the archive."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from pressarchive.demo.server import DemoPressRooms

SIZE = 60


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A 1 MiB tmpfs (needs root and mount(8)); skipped, saying why, elsewhere."""
    mountpoint = Path(tempfile.mkdtemp(prefix="pressarchive-full-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mountpoint)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if mounted.returncode != 0:
        mountpoint.rmdir()
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip() or 'not root'}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)
        mountpoint.rmdir()


def crawl(db: Path, sources: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable, "-m", "pressarchive", "crawl", "demo-mynewsdesk",
            "--db", str(db), "--sources", str(sources),
            "--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False",
            "--set", "PRESSARCHIVE_PROGRESS=False",
        ],
        capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_a_full_disk_fails_clearly_and_a_rerun_after_freeing_space_completes(
    small_disk: Path, tmp_path: Path
) -> None:
    db, sources = small_disk / "archive" / "a.db", tmp_path / "sources.toml"
    with DemoPressRooms(["mynewsdesk"], size=SIZE) as rooms:
        sources.write_text(rooms.sources_toml(), encoding="utf-8")
        full = crawl(db, sources)
        assert full.returncode == 1, full.stdout + full.stderr
        said = full.stdout + full.stderr
        assert "disk is full" in said or "disk full" in said, said
        assert "Traceback" not in full.stderr, full.stderr

        subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
        again = crawl(db, sources)
        assert again.returncode == 0, again.stdout + again.stderr
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count, distinct = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT platform_id) FROM releases"
        ).fetchone()
    finally:
        conn.close()
    assert count == distinct == SIZE
