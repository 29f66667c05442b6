"""Crawl processes and the writer as the user starts them: `pressarchive crawl
--redis` and `pressarchive ingest`, each in its own process group so that a
test can SIGKILL one with everything it started (its Scrapy child, workers)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from e2e.helpers import QUICK_SETTINGS, ROOT

# Quick death notices, so a killed crawler's work is taken up within seconds.
FRONTIER_SETTINGS: dict[str, Any] = {
    **QUICK_SETTINGS,
    "PRESSARCHIVE_REDIS_HEARTBEAT": 0.5,
    "PRESSARCHIVE_REDIS_DEAD_AFTER": 2.0,
}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PRESSARCHIVE_REDIS_URL", None)
    return env


def start_crawler(
    redis_url: str,
    sources_file: Path,
    source_ids: list[str],
    warc_db: Path,
    *,
    settings: dict[str, Any] = FRONTIER_SETTINGS,
    full: bool = False,
    log: Path | None = None,
) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "pressarchive", "crawl", "--redis", redis_url]
    args += ["--sources", str(sources_file), "--db", str(warc_db), "-q", *source_ids]
    if full:
        args.append("--full")
    for name, value in settings.items():
        args += ["--set", f"{name}={value}"]
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(
        args, cwd=ROOT, env=_env(), start_new_session=True, stdout=out, stderr=out
    )


def start_writer(
    redis_url: str, db: Path, *, idle_exit: float | None = None, log: Path | None = None
) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "pressarchive", "ingest", "--redis", redis_url, "--db", str(db)]
    args += ["--wait", "30", "-q"]
    if idle_exit is not None:
        args += ["--idle-exit", str(idle_exit)]
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(
        args, cwd=ROOT, env=_env(), start_new_session=True, stdout=out, stderr=out
    )


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process and everything in its group (what a crash does)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def stop(proc: subprocess.Popen[bytes], timeout: float = 60) -> int:
    """SIGTERM, wait; SIGKILL the group if it does not stop."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        return -9
