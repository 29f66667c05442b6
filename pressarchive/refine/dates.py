"""Swedish/English press-room dates -> aware datetimes in UTC and Stockholm time.

    parse_date("25.11.2022 14:00:06 CET")            # Via TT
    parse_date("Pressmeddelanden • Jan 18, 2018 16:32 CET")   # Mynewsdesk listing
    parse_date("fredag den 1 december", context=published)     # prose, no year
    parse_date_range("9 mars–8 september 2024")                # (start, end)

How a string is read:

1. Known forms by regular expression (fast path): ISO 8601, day.month.year
   (Via TT), day-first month names (Swedish prose, RFC 822), month-first
   (Mynewsdesk, Cision), relative words (idag, igår, "3 timmar sedan"), and
   "klockan 11.30" on the context's day. Surrounding words are tolerated: the
   earliest date in the text wins, absolute dates before relative words
   ("Idag, fredag den 1 december" is 1 December).
2. dateparser only for short strings with a digit that no pattern touched, and
   only when it finds day, month and year (it would otherwise invent them).

Rules:

- A wall time without an offset is Europe/Stockholm time. A nonexistent time
  (spring forward, 02:30 on the last Sunday in March) is read with the winter
  offset, so it lands one hour later in summer time (flag `dst_nonexistent`);
  an ambiguous one (autumn, 02:30 twice) is the first occurrence, summer time
  (flag `dst_ambiguous`). `CET`/`CEST` labels are honoured as +01:00/+02:00;
  a label that disagrees with the calendar is flagged `zone_label_mismatch`.
- Day precision stores local midnight and says `precision="day"`.
- A yearless date takes the year nearest to `context` (else `now`, else the
  system clock, flagged `year_from_now` / `year_from_clock`); with a weekday the
  nearest year in which the weekday matches is preferred, and a weekday that
  matches in no candidate year (or contradicts an explicit year) is flagged
  `weekday_mismatch`. `year_inferred` is then True.
- A time alone ("klockan 11.30") needs `context`; without it the answer is None.
- Relative words ("idag", "3 timmar sedan") need `now` (else a datetime
  `context`); they are flagged `relative`. "imorgon" is not read: a future
  relative date on a release page is more often noise than a date.
- Naive datetimes: a naive `context` is Stockholm wall time (it comes from page
  metadata), a naive `now` is UTC (it comes from the crawler's clock).
- Nothing raises; None means unreadable. An impossible date ("31.2.2024") is
  None, never handed to dateparser.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from pressarchive.refine.date_fields import (
    MAX_YEAR,
    MIN_YEAR,
    Fields,
    ParsedDate,
    aware_moment,
    clock_from,
    context_day,
    fields_from,
    instant,
    localize,
    offset_from,
    resolve,
)
from pressarchive.refine.date_formats import (
    ABSOLUTE_PATTERNS,
    BARE_TIME,
    DAY_RANGE_PATTERN,
    END_TIME_PATTERN,
    NUMBER_WORDS,
    RANGE_SEPARATOR,
    RELATIVE_AGO_PATTERN,
    RELATIVE_DAY_OFFSETS,
    RELATIVE_DAY_PATTERN,
    RELATIVE_UNITS,
    RELATIVE_WORDS,
    TIME_ONLY_KEYWORD,
    TIME_ONLY_PATTERN,
    WHITESPACE,
    Precision,
)
from pressarchive.times import STOCKHOLM

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

__all__ = [
    "ParsedDate",
    "Precision",
    "find_date",
    "parse_date",
    "parse_date_range",
]

# dateparser is slow and creative; longer strings are prose, not a date.
DATEPARSER_MAX_CHARS = 80


# --- scanning -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    fields: Fields | None  # None: looked like a date but is impossible
    range_start_day: int | None = None  # "9–11 mars": the 9


def _normalise(text: str) -> str:
    return WHITESPACE.sub(" ", text).strip().lower()


def _first_absolute(text: str, pos: int = 0) -> _Found | None:
    """The earliest (then longest) absolute date in text from pos."""
    best: _Found | None = None
    for pattern in (*ABSOLUTE_PATTERNS.values(), DAY_RANGE_PATTERN):
        match = pattern.search(text, pos)
        if match is None:
            continue
        if best is not None and (
            match.start() > best.start or (match.start() == best.start and match.end() <= best.end)
        ):
            continue
        groups = match.groupdict()
        d0 = groups.get("d0")
        best = _Found(match.start(), match.end(), fields_from(groups), int(d0) if d0 else None)
    return best


def _absolute_at(text: str, pos: int) -> _Found | None:
    """An absolute date starting exactly at pos (the end of a range)."""
    for pattern in ABSOLUTE_PATTERNS.values():
        match = pattern.match(text, pos)
        if match is not None:
            return _Found(match.start(), match.end(), fields_from(match.groupdict()))
    return None


def _relative(
    text: str, raw: str, context: date | datetime | None, now: datetime | None
) -> ParsedDate | None:
    aware_now = aware_moment(now)
    if aware_now is None and isinstance(context, datetime):
        aware_now = aware_moment(context) if context.tzinfo else context.replace(tzinfo=STOCKHOLM)
    if aware_now is None:
        return None
    day_match = RELATIVE_DAY_PATTERN.search(text)
    ago_match = RELATIVE_AGO_PATTERN.search(text)
    if ago_match and (day_match is None or ago_match.start() < day_match.start()):
        return _relative_ago(ago_match, raw, aware_now)
    if day_match is None:
        return None
    word = day_match.group("word").replace(" ", "")
    key = next(k for k in RELATIVE_DAY_OFFSETS if word.endswith(k))
    day = aware_now.astimezone(STOCKHOLM).date() - timedelta(days=RELATIVE_DAY_OFFSETS[key])
    fields = fields_from({**day_match.groupdict(), "d": str(day.day), "mon": str(day.month)})
    if fields is None:
        return None
    utc, zone_flags = instant(day, fields.clock, fields.offset, fields.zone_label)
    return ParsedDate(
        utc, utc.astimezone(STOCKHOLM), fields.precision, False, raw, ("relative", *zone_flags)
    )


def _relative_ago(match: re.Match[str], raw: str, now: datetime) -> ParsedDate:
    count_text = match.group("n")
    count = int(count_text) if count_text.isdigit() else NUMBER_WORDS[count_text]
    step, precision = RELATIVE_UNITS[match.group("unit")]
    if precision == "day":
        day = now.astimezone(STOCKHOLM).date() - step * count
        utc, flags = instant(day, None, None, None)
    else:
        utc = (now - step * count).astimezone(UTC)
        utc = (
            utc.replace(microsecond=0)
            if precision == "second"
            else utc.replace(second=0, microsecond=0)
        )
        flags = ()
    return ParsedDate(utc, utc.astimezone(STOCKHOLM), precision, False, raw, ("relative", *flags))


def _time_only(
    text: str, raw: str, context: date | datetime | None
) -> tuple[ParsedDate, ParsedDate | None] | None:
    """ "klockan 11.30" (or a bare "11:30") on the context's day; "kl 11-18" as a range."""
    day = context_day(context)
    if day is None:
        return None
    keyword = TIME_ONLY_KEYWORD.search(text)
    if keyword is not None:
        match = TIME_ONLY_PATTERN.search(text, keyword.start())
    elif BARE_TIME.fullmatch(text):
        match = TIME_ONLY_PATTERN.match(text)
    else:
        return None
    if match is None:
        return None
    fields = fields_from({**match.groupdict(), "d": str(day.day), "mon": str(day.month)})
    if fields is None or fields.clock is None:
        return None
    utc, flags = instant(day, fields.clock, fields.offset, fields.zone_label)
    start = ParsedDate(utc, utc.astimezone(STOCKHOLM), fields.precision, False, raw, flags)
    separator = RANGE_SEPARATOR.match(text, match.end())
    return start, _end_time(text, separator.end(), start, raw) if separator else None


@lru_cache(maxsize=1)
def _dateparser() -> DateDataParser:
    # Imported and built once, on first need: the fast path never pays for it.
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=["sv", "en"],
        settings={
            "REQUIRE_PARTS": ["day", "month", "year"],
            "DATE_ORDER": "DMY",
            "PREFER_DAY_OF_MONTH": "first",
        },
    )


def _with_dateparser(text: str, raw: str) -> ParsedDate | None:
    if len(text) > DATEPARSER_MAX_CHARS or not any(c.isdigit() for c in text):
        return None
    if RELATIVE_WORDS.search(text):
        return None
    try:
        data = _dateparser().get_date_data(text)
    except Exception:  # dateparser raises assorted errors on odd input; None is the contract
        return None
    found = data.date_obj
    if found is None or not MIN_YEAR <= found.year <= MAX_YEAR:
        return None
    precision: Precision = "day" if data.period == "day" else "minute"
    if precision == "minute" and found.second:
        precision = "second"
    flags: tuple[str, ...] = ("dateparser",)
    if found.tzinfo is None:
        wall = found if precision != "day" else datetime.combine(found.date(), time(0))
        aware, dst_flags = localize(wall)
        utc = aware.astimezone(UTC)
        flags += dst_flags
    else:
        utc = found.astimezone(UTC)
    return ParsedDate(utc, utc.astimezone(STOCKHOLM), precision, False, raw, flags)


# --- public API -------------------------------------------------------------------


def _scan(
    raw: str, context: date | datetime | None, now: datetime | None, *, fallback: bool
) -> tuple[ParsedDate, ParsedDate | None] | None:
    if not raw:
        return None
    text = _normalise(raw)
    if not text:
        return None
    if any(c.isdigit() for c in text):
        found = _first_absolute(text)
        if found is not None:
            return _with_range(found, text, raw, context, now)
    relative = _relative(text, raw, context, now)
    if relative is not None:
        return relative, None
    only_time = _time_only(text, raw, context)
    if only_time is not None:
        return only_time
    if fallback:
        parsed = _with_dateparser(text, raw)
        if parsed is not None:
            return parsed, None
    return None


def _with_range(
    found: _Found, text: str, raw: str, context: date | datetime | None, now: datetime | None
) -> tuple[ParsedDate, ParsedDate | None] | None:
    fields = found.fields
    if fields is None:
        return None  # an impossible date is not a date, and not dateparser's to guess
    if found.range_start_day is not None:
        start_fields = _replace_day(fields, found.range_start_day)
        end = resolve(fields, raw, context, now)
        if end is None:
            return None
        start = resolve(start_fields, raw, context, now, year_hint=end.local.year)
        return (start, end) if start is not None else None
    separator = RANGE_SEPARATOR.match(text, found.end)
    end_found = _absolute_at(text, separator.end()) if separator else None
    if end_found is not None and end_found.fields is not None:
        end = resolve(end_found.fields, raw, context, now)
        if end is None:
            return None
        hint = end.local.year
        if fields.year is None and (fields.month, fields.day) > (end.local.month, end.local.day):
            hint -= 1  # "december–januari 2025" starts the year before
        start = resolve(fields, raw, context, now, year_hint=hint if fields.year is None else None)
        if start is None:
            return None
        if end_found.fields.year is None:
            end = resolve(end_found.fields, raw, start.local, now)
        return (start, end) if end is not None else None
    start = resolve(fields, raw, context, now)
    if start is None:
        return None
    if separator is not None and fields.clock is not None:
        return start, _end_time(text, separator.end(), start, raw)
    return start, None


def _replace_day(fields: Fields, day: int) -> Fields:
    return Fields(
        day,
        fields.month,
        fields.year,
        None,
        fields.clock,
        fields.precision,
        fields.offset,
        fields.zone_label,
    )


def _end_time(text: str, pos: int, start: ParsedDate, raw: str) -> ParsedDate | None:
    """ "10.00–11.30": the end on the start's day (the next day if it is earlier)."""
    match = END_TIME_PATTERN.match(text, pos)
    if match is None:
        return None
    groups = match.groupdict()
    clock = clock_from(groups)
    if clock is None or clock[0] is None:
        return None
    offset = offset_from(groups.get("zone"))
    day = start.local.date()
    utc, flags = instant(day, clock[0], offset, groups.get("zone"))
    if utc < start.utc:
        utc, flags = instant(day + timedelta(days=1), clock[0], offset, groups.get("zone"))
        flags += ("end_next_day",)
    return ParsedDate(utc, utc.astimezone(STOCKHOLM), clock[1], start.year_inferred, raw, flags)


# A bare yyyymmdd, as some feeds and URLs give a day.
_COMPACT_DAY = re.compile(r"\s*((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\s*")


def parse_date(
    raw: str, *, context: date | datetime | None = None, now: datetime | None = None
) -> ParsedDate | None:
    """The first date in `raw` (surrounding words tolerated), or None. Never raises."""
    compact = _COMPACT_DAY.fullmatch(raw or "")
    # "20250203": only when it is the whole string, never inside a text.
    text = "-".join(compact.groups()) if compact else raw
    try:
        found = _scan(text, context, now, fallback=True)
    except (ValueError, OverflowError, TypeError):
        return None
    if not found:
        return None
    return dataclasses.replace(found[0], raw=raw) if compact else found[0]


def find_date(
    text: str, *, context: date | datetime | None = None, now: datetime | None = None
) -> ParsedDate | None:
    """The first date inside a longer text, by the fast patterns only (no dateparser)."""
    try:
        found = _scan(text, context, now, fallback=False)
    except (ValueError, OverflowError, TypeError):
        return None
    return found[0] if found else None


def parse_date_range(
    raw: str, *, context: date | datetime | None = None, now: datetime | None = None
) -> tuple[ParsedDate, ParsedDate | None] | None:
    """(start, end) of "2018-02-09 - 2018-02-10", "9 mars–8 september 2024",
    "17 mars 2025 kl. 10.00–11.30"; end is None for a single date."""
    try:
        return _scan(raw, context, now, fallback=True)
    except (ValueError, OverflowError, TypeError):
        return None
