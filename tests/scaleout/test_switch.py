"""A single-machine crawl sees no change; `--redis` swaps in the shared parts;
bad input is a one-line error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from e2e.helpers import ROOT
from scrapy.settings import Settings

from pressarchive.crawl.child import project_settings
from pressarchive.distributed.addon import DistributedAddon


def configured(url: str | None, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv("PRESSARCHIVE_REDIS_URL", raising=False)
    settings = project_settings()
    if url:
        settings.set("PRESSARCHIVE_REDIS_URL", url, priority="cmdline")
    DistributedAddon().update_settings(settings)
    return settings


def test_without_redis_the_crawl_is_the_local_one(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = configured(None, monkeypatch)
    assert settings.get("SCHEDULER") == Settings().get("SCHEDULER")
    pipelines = settings.getdict("ITEM_PIPELINES")
    assert pipelines["pressarchive.pipelines.store.StorePipeline"] == 400
    assert "pressarchive.distributed.push.RedisPushPipeline" not in pipelines


def test_with_redis_the_frontier_writer_and_leases_come_in(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = configured("redis://127.0.0.1:6379/3", monkeypatch)
    assert settings.get("SCHEDULER") == "pressarchive.distributed.frontier.FrontierScheduler"
    assert settings.get("DUPEFILTER_CLASS") == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert settings.get("REDIS_URL") == "redis://127.0.0.1:6379/3"
    pipelines = settings.getdict("ITEM_PIPELINES")
    assert pipelines["pressarchive.pipelines.store.StorePipeline"] is None
    assert pipelines["pressarchive.distributed.push.RedisPushPipeline"] == 400
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["pressarchive.crawl.warc.WarcRecorderMiddleware"] is None
    assert middlewares["pressarchive.distributed.warc.RedisWarcRecorderMiddleware"] == 950
    assert "pressarchive.distributed.politeness.SitePolitenessMiddleware" in middlewares
    assert settings.get("PRESSARCHIVE_DB") == ""  # no archive on a crawler


@pytest.mark.parametrize(
    "command",
    [
        ["crawl", "--redis", "redis://127.0.0.1:1/0", "--all"],
        ["crawl", "--redis", "http://example.org", "--all"],
        ["ingest", "--redis", "redis://127.0.0.1:1/0", "--wait", "0"],
    ],
)
def test_an_unreachable_or_wrong_redis_is_one_line_and_exit_1(
    command: list[str], tmp_path: Path
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nid = "x"\norganisation = "X"\nplatform = "viatt"\n'
        'start_urls = ["http://127.0.0.1:1/publisher/1/x"]\nallow_private = true\n',
        encoding="utf-8",
    )
    extra = ["--sources", str(sources)] if command[0] == "crawl" else []
    done = subprocess.run(
        [sys.executable, "-m", "pressarchive", *command, *extra, "--db", str(tmp_path / "a.db")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert "redis" in done.stderr.lower()
    assert not (tmp_path / "a.db").exists()  # nothing written on the way out
