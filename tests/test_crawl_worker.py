"""The crawl process: an unexpected failure is one line, or a traceback when asked for."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run_job(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    job = {
        "sources": [
            {
                "id": "x",
                "organisation": "Exempel",
                "platform": "no-such-platform",  # the registry would refuse it; the worker must cope
                "start_urls": ["http://127.0.0.1:9/"],
                "allowed_domains": ["127.0.0.1"],
            }
        ],
        "db": str(tmp_path / "archive.db"),
        "settings": settings,
    }
    return subprocess.run(
        [sys.executable, "-m", "pressarchive.crawl.child"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )


def test_an_unexpected_failure_is_one_line(tmp_path: Path) -> None:
    proc = run_job(tmp_path, LOG_LEVEL="WARNING")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "pressarchive: crawl: KeyError: 'Spider not found: no-such-platform'"
    ]


def test_with_scrapys_log_on_the_traceback_is_shown(tmp_path: Path) -> None:
    proc = run_job(tmp_path, LOG_LEVEL="INFO")
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr
