"""What crawl processes send the writer: one JSON object per message.

    crawl_begin  a crawl process opened a source (becomes a `crawls` row)
    release      a finished release: the record as cleaned and as extracted
    warc         a WARC index row (the file is the crawler's own)
    crawl_end    that process closed the source: its close reason, errors, listing pages read, Scrapy's stats
    run_end      the last process left the source's run: time for the end-of-crawl work

Every message names its crawl by a token the crawler made up (a uuid): the
writer maps it to the `crawls` row it created, in the archive itself, so a
replayed message finds the same row.

A release message is two lines: the JSON object, then the text the archive
keeps of the release's extraction (storage.rows.extraction_text) as it is.
The crawl made that text once already, for its cleaning log; the writer
stores it and keys the crawler's cleaning decisions by it without making it
again. (A JSON object as orjson writes it holds no line break: one in a
string is written as an escape.) A release message of one line, with the
extraction inside the object, is read too: a queue may still hold those.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson

from pressarchive.items import Release
from pressarchive.storage.rows import KEPT_APART, extraction_text

KINDS = ("crawl_begin", "release", "warc", "crawl_end", "run_end")


class BadMessage(ValueError):
    pass


# orjson, not json: making a release message took 93 µs with json and 36 with
# orjson, reading one back 70 and 47 (one-off, 2,000 real-weight releases).
# What it writes reads back as what json wrote (more tersely): datetimes,
# dates and dataclasses go to `default` as they did, and keys that are not
# strings become strings.
_ORJSON_OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
)


def encode(kind: str, *, default: Callable[[Any], Any] = str, **fields: Any) -> bytes:
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    return orjson.dumps({"kind": kind, **fields}, default=default, option=_ORJSON_OPTIONS)


def _iso(value: Any) -> Any:
    """A release's datetimes as `Release.to_json_dict` writes them."""
    return value.isoformat() if isinstance(value, datetime) else str(value)


def decode(raw: bytes) -> dict[str, Any]:
    head, newline, extraction = raw.partition(b"\n")
    try:
        message = orjson.loads(head)
        if newline and isinstance(message, dict):
            message["extracted_text"] = extraction.decode("utf-8")
    except (UnicodeDecodeError, orjson.JSONDecodeError) as exc:
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
    extracted = release.extracted
    # `to_dict`, not `to_json_dict`: the encoder turns its datetimes into the same
    # text (`_iso`) without a walk over the record of its own
    head = encode(
        "release",
        default=_iso,
        crawl=crawl,
        run=run,
        record=release.to_dict(),
        # the keys the archive keeps apart from the extraction's text
        extracted_apart=(
            None if extracted is None else {k: extracted[k] for k in KEPT_APART if k in extracted}
        ),
        cleaning=cleaning,
    )
    if extracted is None:
        return head
    return head + b"\n" + extraction_text(release).encode("utf-8")


def release_from(message: dict[str, Any]) -> Release:
    release = Release.from_json_dict(message["record"])
    text = message.get("extracted_text")
    if text is None:  # one line: the extraction inside the object, or none
        release.extracted = message.get("extracted")
        return release
    try:
        extracted = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise BadMessage(f"the extraction is not JSON: {exc}") from None
    if not isinstance(extracted, dict):
        raise BadMessage("the extraction is not a JSON object")
    extracted.update(message.get("extracted_apart") or {})
    release.extracted = extracted
    release.extracted_text = text
    return release
