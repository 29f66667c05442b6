"""Dates on the record: the page's raw string -> UTC and Stockholm time.

Never drops a release and never raises into the crawl: a date that cannot be
read leaves `published_at` empty, keeps `published_raw` and flags the record.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pressarchive.items import Release
from pressarchive.refine.dates import parse_date
from pressarchive.times import STOCKHOLM


def normalise_dates(release: Release, *, now: datetime | None = None) -> Release:
    now = now or release.fetched_at or datetime.now(UTC)
    if release.published_at is not None:
        if release.published_at.tzinfo is None:
            # A naive machine date from metadata is local time on a Swedish site.
            release.published_at = release.published_at.replace(tzinfo=STOCKHOLM)
        release.published_at = release.published_at.astimezone(UTC)
    elif release.published_raw:
        parsed = parse_date(release.published_raw, now=now)
        if parsed is None:
            release.flag("date_unparsed")
        else:
            release.published_at = parsed.utc
            for flag in parsed.flags:
                release.flag(f"date_{flag}")
            if parsed.year_inferred:
                release.flag("date_year_inferred")
    else:
        release.flag("no_date")
    if release.published_at is not None:
        release.published_local = release.published_at.astimezone(STOCKHOLM)
    if release.updated_at is not None:
        if release.updated_at.tzinfo is None:
            release.updated_at = release.updated_at.replace(tzinfo=STOCKHOLM)
        release.updated_at = release.updated_at.astimezone(UTC)
    if release.updated_raw and release.updated_at is None:
        context = release.published_at or now
        updated = parse_date(release.updated_raw, context=context, now=now)
        if updated is None:
            release.flag("updated_unparsed")
        else:
            release.updated_at = updated.utc
    return release
