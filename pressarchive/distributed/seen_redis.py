"""`SeenIndex` answered from Redis, for crawl processes that have no archive.

The writer fills one hash as it stores (and from the whole archive when it
starts): a release is entered under its platform id and under its canonical
URL, as `ArchiveSeenIndex` looks it up, with the run that stored it and a
digest of its title.

A release stored *during the current run* of its source does not count as
archived: the incremental rule ("a listing page of only archived releases
ends the walk") is about what the archive held before this crawl. That also
keeps a listing page that is fetched again after its crawler died from ending
the walk because the first fetch's releases have meanwhile been stored; the
run's dupefilter still keeps those releases from being fetched twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from pressarchive.dedupe.urls import canonical_url, platform_release_id
from pressarchive.distributed.keys import SEEN, SOURCE_PLATFORMS, FrontierKeys
from pressarchive.storage.seen import _norm_title

ARCHIVE_RUN = ""  # entries seeded from the archive belong to no run


def title_digest(title: str | None) -> str:
    return hashlib.blake2b(_norm_title(title or "").encode("utf-8"), digest_size=8).hexdigest()


def seen_fields(platform: str, platform_id: str | None, canonical: str) -> list[str]:
    fields = [f"p|{platform}|{platform_id}"] if platform_id else []
    return [*fields, f"u|{canonical}"]


def seen_value(run: str | None, title: str | None) -> str:
    return f"{run or ARCHIVE_RUN}|{title_digest(title)}"


def record_seen(
    pipe: Any,
    releases: Iterable[tuple[str, str | None, str, str | None]],
    run: str | None,
) -> None:
    """Queue HSETs on `pipe` for (platform, platform id, canonical URL, title) tuples."""
    mapping: dict[str, str] = {}
    for platform, platform_id, canonical, title in releases:
        value = seen_value(run, title)
        for field in seen_fields(platform, platform_id, canonical):
            mapping[field] = value
    if mapping:
        pipe.hset(SEEN, mapping=mapping)


class RedisSeenIndex:
    def __init__(self, server: Any) -> None:
        self.server = server
        self._platforms: dict[str, str | None] = {}
        self._runs: dict[str, str] = {}
        # field -> the index's value, for the listing page asked about last
        # (`look_ahead`): its entries cost one round trip, not one each
        self._ahead: dict[str, bytes | None] = {}

    def look_ahead(self, source_id: str, urls: list[str]) -> None:
        """Ask for every entry of a listing page at once; `is_archived` then
        answers them without a round trip each."""
        platform = self._platform(source_id)
        fields = [
            field
            for url in urls
            for field in seen_fields(
                platform or "",
                platform_release_id(platform, url) if platform else None,
                canonical_url(url),
            )
        ]
        self._ahead = (
            dict(zip(fields, self.server.hmget(SEEN, fields), strict=True)) if fields else {}
        )

    def _platform(self, source_id: str) -> str | None:
        if source_id not in self._platforms:
            raw = self.server.hget(SOURCE_PLATFORMS, source_id)
            self._platforms[source_id] = raw.decode() if raw else None
        return self._platforms[source_id]

    def _run(self, source_id: str) -> str:
        if source_id not in self._runs:
            raw = self.server.get(FrontierKeys(source_id).run)
            if raw is None:
                return ""  # no run yet: ask again next time
            self._runs[source_id] = raw.decode()
        return self._runs[source_id]

    def is_archived(self, source_id: str, url: str, title: str | None = None) -> bool:
        platform = self._platform(source_id)
        release_id = platform_release_id(platform, url) if platform else None
        fields = seen_fields(platform or "", release_id, canonical_url(url))
        if all(field in self._ahead for field in fields):
            values = [self._ahead[field] for field in fields]
        else:
            values = self.server.hmget(SEEN, fields)
        found = next((v for v in values if v is not None), None)
        if found is None:
            return False
        run, _, digest = found.decode().partition("|")
        current = self._run(source_id)
        if run and run == current:
            return False
        return title is None or digest == title_digest(title)
