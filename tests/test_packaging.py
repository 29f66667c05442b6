"""The wheel carries everything: spiders and pipelines as subpackages, the demo
press rooms, the Datasette configuration; the CLI and `scrapy list` work from it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(wheel, target dir) with the wheel installed into target, deps from this venv."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    (wheel,) = out.glob("pressarchive-*.whl")
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
         str(wheel)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return wheel, target


def run_installed(target: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(target), SCRAPY_SETTINGS_MODULE="pressarchive.settings")
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_wheel_holds_the_subpackages(installed: tuple[Path, Path]) -> None:
    wheel, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    for expected in (
        "pressarchive/cli/main.py",
        "pressarchive/spiders/__init__.py",
        "pressarchive/spiders/base.py",
        "pressarchive/pipelines/store.py",
        "pressarchive/demo/server.py",
        "pressarchive/extract/__init__.py",
        "pressarchive/datasette/plugin.py",
        "pressarchive/datasette/metadata.json",
    ):
        assert expected in names, expected


def test_cli_and_scrapy_list_work_from_the_wheel(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    _, target = installed
    where = run_installed(
        target, tmp_path, "-c", "import pressarchive; print(pressarchive.__file__)"
    )
    assert where.stdout.strip().startswith(str(target))
    cli = run_installed(target, tmp_path, "-m", "pressarchive", "--help")
    assert cli.returncode == 0 and "crawl" in cli.stdout
    spiders = run_installed(target, tmp_path, "-m", "scrapy", "list")
    assert spiders.returncode == 0, spiders.stderr
    assert set(spiders.stdout.split()) >= {"mynewsdesk", "viatt", "sitevision", "cision", "generic"}


def test_scrapy_list_works_from_the_checkout() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert set(proc.stdout.split()) >= {"mynewsdesk", "viatt", "sitevision", "cision", "generic"}


def test_crawl_from_the_wheel_outside_the_checkout(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    """No scrapy.cfg and no SCRAPY_SETTINGS_MODULE: the crawl still finds its
    settings and spiders (the demo crawls all five rooms)."""
    _, target = installed
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(target)
    proc = subprocess.run(
        # Any free ports: the default fixed ones may be in use by a demo on this machine.
        [
            sys.executable,
            "-m",
            "pressarchive",
            "demo",
            "--port-base",
            "0",
            "--db",
            str(tmp_path / "demo.db"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    from pressarchive.demo.corpus import PLATFORMS, releases_for

    listed = sum(len(releases_for(p)) for p in PLATFORMS)
    # Every listed release but the deliberate 404 is stored.
    assert f"{listed - 1} releases in the archive" in proc.stdout
    assert "deliberate" in proc.stdout
