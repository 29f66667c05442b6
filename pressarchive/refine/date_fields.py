"""From what a date pattern read to an instant: the fields (day, month,
year, clock, zone), the year when the page left it out (the weekday decides,
else the context's or the clock's year, flagged), and Swedish wall time to
UTC through daylight-saving gaps and overlaps (flagged, resolved the same way
every time). `refine.dates` scans text for the patterns; this module turns
what they matched into a `ParsedDate`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from pressarchive.refine.date_formats import (
    MONTHS,
    WEEKDAYS,
    ZONE_LABELS,
    Precision,
)
from pressarchive.times import STOCKHOLM

MIN_YEAR, MAX_YEAR = 1900, 2100


@dataclass(frozen=True, slots=True)
class ParsedDate:
    utc: datetime  # aware, UTC
    local: datetime  # aware, Europe/Stockholm
    precision: Precision
    year_inferred: bool
    raw: str
    flags: tuple[str, ...] = ()


# --- the fields a pattern read ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fields:
    day: int
    month: int
    year: int | None
    weekday: int | None
    clock: time | None  # wall time, seconds included when given
    precision: Precision
    offset: timedelta | None  # from the zone label or numeric offset
    zone_label: str | None


def clock_from(groups: dict[str, str | None]) -> tuple[time | None, Precision] | None:
    """The time part of a match; None when the time is impossible."""
    hour_text = groups.get("h") or groups.get("hh")
    if hour_text is None:
        return (None, "day")
    hour, minute = int(hour_text), int(groups.get("mi") or 0)
    second = int(groups.get("s") or 0)
    fraction = groups.get("fr")
    micro = int(fraction[:6].ljust(6, "0")) if fraction else 0
    ampm = groups.get("ampm")
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    precision: Precision = "second" if groups.get("s") else "minute"
    return (time(hour, minute, second, micro), precision)


_NAMED_OFFSET = re.compile(r"(?:gmt|utc)\s*([+-])(\d{1,2})(?::?(\d{2}))?")


def offset_from(zone: str | None) -> timedelta | None:
    if zone is None:
        return None
    if zone in ZONE_LABELS:
        return ZONE_LABELS[zone]
    named = _NAMED_OFFSET.fullmatch(zone)
    if named:
        sign = -1 if named.group(1) == "-" else 1
        hours, minutes = int(named.group(2)), int(named.group(3) or 0)
        if hours > 14 or minutes > 59:
            return None
        return sign * timedelta(hours=hours, minutes=minutes)
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        return None
    return sign * timedelta(hours=hours, minutes=minutes)


def _month_from(text: str) -> int:
    return int(text) if text.isdigit() else MONTHS[text]


def fields_from(groups: dict[str, str | None]) -> Fields | None:
    clock = clock_from(groups)
    if clock is None:
        return None
    zone = groups.get("zone")
    offset = offset_from(zone)
    if zone is not None and offset is None:
        return None
    wd = groups.get("wd")
    year = groups.get("y")
    return Fields(
        day=int(groups["d"] or 0),
        month=_month_from(groups["mon"] or "0"),
        year=int(year) if year else None,
        weekday=WEEKDAYS[wd] if wd else None,
        clock=clock[0],
        precision=clock[1],
        offset=offset,
        zone_label=zone if zone in ("cet", "cest") else None,
    )


# --- turning fields into instants -----------------------------------------------


def _valid_date(year: int, month: int, day: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def localize(wall: datetime) -> tuple[datetime, tuple[str, ...]]:
    """Stockholm wall time -> aware datetime, resolving DST gaps and folds."""
    first = wall.replace(tzinfo=STOCKHOLM, fold=0)
    second = wall.replace(tzinfo=STOCKHOLM, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first, ()
    round_trip = first.astimezone(UTC).astimezone(STOCKHOLM).replace(tzinfo=None)
    if round_trip != wall:
        # fold=0 in a gap uses the winter offset: 02:30 reads as 03:30 summer time.
        return first, ("dst_nonexistent",)
    # fold=0 in a fold is the first occurrence (still summer time).
    return first, ("dst_ambiguous",)


def instant(
    day: date, clock: time | None, offset: timedelta | None, zone_label: str | None
) -> tuple[datetime, tuple[str, ...]]:
    """(UTC instant, flags) of a calendar day and an optional wall time."""
    wall = datetime.combine(day, clock or time(0))
    if offset is None:
        aware, flags = localize(wall)
        return aware.astimezone(UTC), flags
    utc = wall.replace(tzinfo=timezone(offset)).astimezone(UTC)
    if zone_label is not None and utc.astimezone(STOCKHOLM).utcoffset() != offset:
        return utc, ("zone_label_mismatch",)
    return utc, ()


def context_day(context: date | datetime | None) -> date | None:
    if context is None:
        return None
    if isinstance(context, datetime):
        if context.tzinfo is None:
            return context.date()  # naive context is Stockholm wall time
        return context.astimezone(STOCKHOLM).date()
    return context


def aware_moment(now: datetime | None) -> datetime | None:
    if now is None:
        return None
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now


def _reference_day(
    context: date | datetime | None, now: datetime | None
) -> tuple[date, tuple[str, ...]]:
    """The day a yearless date is placed near, and how it was chosen."""
    day = context_day(context)
    if day is not None:
        return day, ()
    aware_now = aware_moment(now)
    if aware_now is not None:
        return aware_now.astimezone(STOCKHOLM).date(), ("year_from_now",)
    return datetime.now(STOCKHOLM).date(), ("year_from_clock",)


def _infer_year(
    month: int, day: int, weekday: int | None, reference: date
) -> tuple[date, tuple[str, ...]] | None:
    """The nearest valid date to `reference`, preferring a matching weekday."""
    candidates = [
        found
        for year in (reference.year - 1, reference.year, reference.year + 1)
        if (found := _valid_date(year, month, day)) is not None
    ]
    if not candidates:
        return None
    by_distance = sorted(candidates, key=lambda c: abs((c - reference).days))
    if weekday is None:
        return by_distance[0], ()
    for candidate in by_distance:
        if candidate.weekday() == weekday:
            return candidate, ()
    return by_distance[0], ("weekday_mismatch",)


def resolve(
    fields: Fields,
    raw: str,
    context: date | datetime | None,
    now: datetime | None,
    year_hint: int | None = None,
) -> ParsedDate | None:
    flags: tuple[str, ...] = ()
    year = fields.year if fields.year is not None else year_hint
    if year is not None:
        day = _valid_date(year, fields.month, fields.day)
        if day is None:
            return None
        if fields.weekday is not None and day.weekday() != fields.weekday:
            flags += ("weekday_mismatch",)
    else:
        reference, how = _reference_day(context, now)
        inferred = _infer_year(fields.month, fields.day, fields.weekday, reference)
        if inferred is None:
            return None
        day, mismatch = inferred
        flags += how + mismatch
    utc, zone_flags = instant(day, fields.clock, fields.offset, fields.zone_label)
    return ParsedDate(
        utc=utc,
        local=utc.astimezone(STOCKHOLM),
        precision=fields.precision,
        year_inferred=fields.year is None,
        raw=raw,
        flags=flags + zone_flags,
    )
