"""A crawl writes only inside its own folders: nothing under the user's home
(Scrapy's remote-control extension would leave a job file with a token there),
and it opens no console."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from scrapy.utils.conf import build_component_list

from pressarchive.crawl.child import project_settings
from pressarchive.demo.server import DemoPressRooms

ROOT = Path(__file__).resolve().parents[2]


def test_a_crawl_writes_nothing_under_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("XDG_") and key != "PRESSARCHIVE_REDIS_URL"
    }
    env["HOME"] = str(home)
    with DemoPressRooms(["mynewsdesk"], size=12) as rooms:
        sources = tmp_path / "sources.toml"
        sources.write_text(rooms.sources_toml(), encoding="utf-8")
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pressarchive",
                "crawl",
                "--sources",
                str(sources),
                "--db",
                str(tmp_path / "archive" / "x.db"),
                "--full",
                "--set",
                "DOWNLOAD_DELAY=0",
                "--set",
                "AUTOTHROTTLE_ENABLED=False",
                "demo-mynewsdesk",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "archive" / "x.db").exists()
    written = [str(path.relative_to(home)) for path in home.rglob("*")]
    assert written == [], written


def test_the_crawl_process_starts_no_console_and_no_remote_control() -> None:
    """What the crawl child runs with, Scrapy's defaults merged in: neither
    the remote-control server nor the telnet console is started."""
    settings = project_settings()
    extensions = build_component_list(settings.getwithbase("EXTENSIONS"))
    assert "scrapy.extensions.remote_control.RemoteControl" not in extensions
    assert "pressarchive.crawl.progress.CrawlProgress" in extensions  # ours still there
    assert not settings.getbool("TELNETCONSOLE_ENABLED")


def test_the_crawl_process_does_not_import_the_remote_control() -> None:
    """Scrapy imports every key of EXTENSIONS to normalise it, so the extension
    set to None there was still imported, aiohttp with it (~0.2 s of CPU at
    every crawl's start): it is left out of EXTENSIONS_BASE instead."""
    probe = (
        "import sys\n"
        "from scrapy.utils.conf import build_component_list\n"
        "from pressarchive.crawl.child import project_settings\n"
        "settings = project_settings()\n"
        "build_component_list(settings.get_component_priority_dict_with_base('EXTENSIONS'))\n"
        "print(sorted(m for m in ('aiohttp', 'scrapy.extensions.remote_control') if m in sys.modules))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert proc.stdout.strip() == "[]", proc.stdout
