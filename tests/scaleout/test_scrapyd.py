"""The project deployed to a real Scrapyd on 127.0.0.1 with `scrapyd-deploy`
(the egg built from a copy of the checkout), a job scheduled through
`schedule.json` for one source, with the Redis crawl on and a writer running:
the archive gets the releases."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from e2e.helpers import ROOT

from pressarchive.demo.server import DemoPressRooms
from pressarchive.sources import parse_sources
from scaleout.processes import start_writer, stop
from scaleout.redis_server import free_port
from scaleout.test_kills import count, wait_for

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
SCRAPYD = BIN / "scrapyd"
SCRAPYD_DEPLOY = BIN / "scrapyd-deploy"
PROJECT_FILES = ("pyproject.toml", "setup.py", "scrapy.cfg", "README.md")
PROJECT_DIRS = ("pressarchive", "spiders", "pipelines")


def get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return dict(json.load(response))


def post(url: str, fields: list[tuple[str, str]]) -> dict[str, Any]:
    body = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(url, data=body, timeout=10) as response:
        return dict(json.load(response))


@contextmanager
def running_scrapyd(home: Path) -> Iterator[str]:
    port = free_port()
    home.mkdir(parents=True)
    (home / "scrapyd.conf").write_text(
        "\n".join(
            [
                "[scrapyd]",
                "bind_address = 127.0.0.1",
                f"http_port = {port}",
                f"eggs_dir = {home / 'eggs'}",
                f"logs_dir = {home / 'logs'}",
                f"dbs_dir = {home / 'dbs'}",
                "items_dir =",
                "max_proc = 2",
                "poll_interval = 0.5",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [str(SCRAPYD)], cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: _answers(url), 60, "scrapyd to listen")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _answers(url: str) -> bool:
    try:
        return get(url + "daemonstatus.json").get("status") == "ok"
    except OSError:
        return False


def deploy(project_copy: Path, scrapyd_url: str) -> None:
    """`scrapyd-deploy` from a copy of the checkout (the build writes beside the sources)."""
    project_copy.mkdir()
    for name in PROJECT_FILES:
        shutil.copy(ROOT / name, project_copy / name)
    for name in PROJECT_DIRS:
        shutil.copytree(
            ROOT / name, project_copy / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    cfg = (project_copy / "scrapy.cfg").read_text(encoding="utf-8")
    cfg += f"\n[deploy:test]\nurl = {scrapyd_url}\nproject = pressarchive\n"
    (project_copy / "scrapy.cfg").write_text(cfg, encoding="utf-8")
    done = subprocess.run(
        [str(SCRAPYD_DEPLOY), "test", "-p", "pressarchive", "--version", "r1"],
        cwd=project_copy,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"status": "ok"' in done.stdout, done.stdout + done.stderr


@pytest.mark.skipif(
    not SCRAPYD.exists(), reason="scrapyd is not installed (pip install '.[scrapyd]')"
)
def test_a_scrapyd_job_scheduled_through_schedule_json_fills_the_archive(
    redis_url: str, tmp_path: Path
) -> None:
    with DemoPressRooms(["viatt"], size=12) as rooms, running_scrapyd(tmp_path / "scrapyd") as url:
        (source,) = parse_sources(rooms.sources_toml())
        sources_file = tmp_path / "sources.toml"
        sources_file.write_text(rooms.sources_toml(), encoding="utf-8")
        deploy(tmp_path / "project", url)
        assert "viatt" in get(url + "listspiders.json?project=pressarchive")["spiders"]

        db = tmp_path / "archive.db"
        writer = start_writer(redis_url, db)
        settings = {
            "PRESSARCHIVE_REDIS_URL": redis_url,
            "PRESSARCHIVE_SOURCES": sources_file,
            "PRESSARCHIVE_WARC_DIR": tmp_path / "warc",
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
        }
        fields = [("project", "pressarchive"), ("spider", "viatt"), ("source", source.id)]
        fields += [("setting", f"{name}={value}") for name, value in settings.items()]
        job = post(url + "schedule.json", fields)
        assert job["status"] == "ok", job

        def finished() -> bool:
            jobs = get(url + "listjobs.json?project=pressarchive")
            return any(j["id"] == job["jobid"] for j in jobs["finished"])

        wait_for(finished, 240, "the Scrapyd job")
        wait_for(lambda: count(db, "SELECT COUNT(*) FROM releases") >= 12, 60, "the writer")
        time.sleep(1)
        stop(writer)
    log = next((tmp_path / "scrapyd" / "logs").rglob("*.log")).read_text(errors="replace")
    assert "'finish_reason': 'finished'" in log, log[-3000:]
    assert count(db, "SELECT COUNT(*) FROM releases WHERE source_id = 'demo-viatt'") == 12, log[
        -3000:
    ]
    assert count(db, "SELECT COUNT(*) FROM crawls WHERE status = 'finished'") == 1
