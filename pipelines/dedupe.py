"""Pipeline stage 3: the keys that make one release one row (canonical URL,
platform id). Cross-platform clustering runs when the crawl closes, in the
store stage, over everything stored (pressarchive.clusters)."""

from __future__ import annotations

from typing import Any

from pressarchive.fingerprint import canonical_url, platform_release_id

from pressarchive.items import Release


def assign_keys(release: Release) -> Release:
    release.canonical_url = canonical_url(release.url, canonical_link=release.canonical_url)
    if not release.platform_id:
        release.platform_id = platform_release_id(
            release.platform, release.url
        ) or platform_release_id(release.platform, release.canonical_url)
    return release


class DedupePipeline:
    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, Release):
            assign_keys(item)
        return item
