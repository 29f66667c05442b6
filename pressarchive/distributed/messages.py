"""What crawl processes send the writer: one JSON object per message.

    crawl_begin  a crawl process opened a source (becomes a `crawls` row)
    release      a finished release: the record as cleaned and as extracted
    warc         a WARC index row (the file is the crawler's own)
    crawl_end    that process closed the source: its close reason, errors, listing pages read, Scrapy's stats
    run_end      the last process left the source's run: time for the end-of-crawl work

Every message names its crawl by a token the crawler made up (a uuid): the
writer maps it to the `crawls` row it created, in the archive itself, so a
replayed message finds the same row.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pressarchive.items import Release

KINDS = ("crawl_begin", "release", "warc", "crawl_end", "run_end")


class BadMessage(ValueError):
    pass


def encode(kind: str, *, default: Callable[[Any], Any] = str, **fields: Any) -> bytes:
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    return json.dumps({"kind": kind, **fields}, ensure_ascii=False, default=default).encode("utf-8")


def _iso(value: Any) -> Any:
    """A release's datetimes as `Release.to_json_dict` writes them."""
    return value.isoformat() if isinstance(value, datetime) else str(value)


def decode(raw: bytes) -> dict[str, Any]:
    try:
        message = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadMessage(f"not JSON: {exc}") from None
    if not isinstance(message, dict) or message.get("kind") not in KINDS:
        raise BadMessage(f"not a pressarchive message: {raw[:80]!s}")
    return message


def release_message(
    release: Release, *, crawl: str, run: str | None, cleaning: Any = None
) -> bytes:
    """`cleaning`: the about-model's decisions for the release
    (refine.about_learning.CleaningLog.decisions_json), so that the writer's
    end-of-run re-cleaning can skip the releases the final model would clean
    alike, as a local crawl does; None when the crawler kept none."""
    # `to_dict`, not `to_json_dict`: json.dumps turns its datetimes into the same
    # text (`_iso`) without a walk over the record of its own
    return encode(
        "release",
        default=_iso,
        crawl=crawl,
        run=run,
        record=release.to_dict(),
        extracted=release.extracted,
        cleaning=cleaning,
    )


def release_from(message: dict[str, Any]) -> Release:
    release = Release.from_json_dict(message["record"])
    release.extracted = message.get("extracted")
    return release
