"""The one path from an extracted record to the record the archive stores.

The crawl's pipelines call these steps one by one; `reextract`, the about-text
re-application and `pressarchive extract` call `process` — so every way in
gives the same rows.
"""

from __future__ import annotations

from datetime import datetime

from pressarchive.dedupe.urls import canonical_url, platform_release_id
from pressarchive.items import Release
from pressarchive.refine.about_model import AboutModel
from pressarchive.refine.cleaning import refine
from pressarchive.refine.published import normalise_dates


def assign_keys(release: Release) -> Release:
    """The keys that make one release one row: canonical URL and platform id."""
    release.canonical_url = canonical_url(release.url, canonical_link=release.canonical_url)
    if not release.platform_id:
        release.platform_id = platform_release_id(
            release.platform, release.url
        ) or platform_release_id(release.platform, release.canonical_url)
    return release


def clean_and_key(release: Release, *, about: AboutModel | None) -> Release:
    """Steps after the dates: keep the extracted record, clean it, key it."""
    release.extracted = release.to_json_dict()
    refine(release, about=about)
    return assign_keys(release)


def process(
    release: Release, *, about: AboutModel | None = None, now: datetime | None = None
) -> Release:
    """Everything the pipelines do to an extracted record, in their order."""
    normalise_dates(release, now=now)
    return clean_and_key(release, about=about)


def reprocess(extracted: dict[str, object], *, about: AboutModel | None) -> Release:
    """Clean a stored extraction again (its dates are already normalised)."""
    release = Release.from_json_dict(dict(extracted))
    release.extracted = dict(extracted)
    refine(release, about=about)
    return assign_keys(release)
