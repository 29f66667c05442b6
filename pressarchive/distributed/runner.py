"""`pressarchive crawl --redis URL`: the same crawl child process as a local
crawl, with the Redis add-on on and no archive on this machine.

The archive's lock, the `crawls` rows and the counts of stored releases are the
writer's (`pressarchive ingest`); what this process can report is what it
fetched and handed over, read back from the stats the child leaves in a file.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pressarchive.crawl.runner import _run_worker
from pressarchive.distributed.connection import REDIS_URL_SETTING, connect
from pressarchive.sources import Source

EXIT_PUSHED = 0
EXIT_FAILED = 1
EXIT_NOTHING_NEW = 3


@dataclass(frozen=True)
class RedisCrawlResult:
    source_id: str
    status: str  # Scrapy's finish reason
    pushed: int  # releases handed to the writer
    pages: int
    errors: int


def run_redis_crawl(
    sources: list[Source],
    *,
    redis_url: str,
    warc_dir: Path,
    full: bool = False,
    since: date | None = None,
    settings_overrides: dict[str, Any] | None = None,
    quiet: bool = False,
) -> list[RedisCrawlResult]:
    """Work on `sources` with every other process of the same Redis; raises
    RedisUnavailable if it cannot be reached."""
    connect(redis_url).close()  # one clear error now rather than one per source
    with tempfile.TemporaryDirectory(prefix="pressarchive-crawl-") as tmp:
        stats_file = Path(tmp) / "stats.json"
        job = {
            "sources": [s.to_json_dict() for s in sources],
            # the child derives the WARC directory from the archive's path
            "db": str(Path(warc_dir).parent / "redis-crawl.db"),
            "full": full,
            "since": since.isoformat() if since else None,
            "cache": False,
            "settings": {
                **(settings_overrides or {}),
                REDIS_URL_SETTING: redis_url,
                "PRESSARCHIVE_WARC_DIR": str(warc_dir),
            },
            "stats_file": str(stats_file),
        }
        returncode = _run_worker(job, quiet=quiet)
        if not stats_file.exists():
            raise RuntimeError(f"the crawl process failed (exit code {returncode})")
        rows = json.loads(stats_file.read_text(encoding="utf-8"))
    return [RedisCrawlResult(**row) for row in rows]


def redis_exit_code(results: list[RedisCrawlResult]) -> int:
    if not results or any(r.status != "finished" for r in results):
        return EXIT_FAILED
    return EXIT_PUSHED if any(r.pushed for r in results) else EXIT_NOTHING_NEW
