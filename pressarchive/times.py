"""Time zones and timestamps: the archive stores UTC and shows Swedish time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# Every press room this archive serves publishes in Swedish time.
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC to the second, as the archive writes its timestamps
    (a naive datetime is taken to be UTC already)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")
