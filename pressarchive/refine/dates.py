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
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

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

Precision = Literal["day", "minute", "second"]

# dateparser is slow and creative; longer strings are prose, not a date.
DATEPARSER_MAX_CHARS = 80
MIN_YEAR, MAX_YEAR = 1900, 2100


@dataclass(frozen=True, slots=True)
class ParsedDate:
    utc: datetime  # aware, UTC
    local: datetime  # aware, Europe/Stockholm
    precision: Precision
    year_inferred: bool
    raw: str
    flags: tuple[str, ...] = ()


# --- vocabulary --------------------------------------------------------------

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "januari january jan",
        "februari february feb",
        "mars march mar",
        "april apr",
        "maj may",
        "juni june jun",
        "juli july jul",
        "augusti august aug",
        "september sept sep",
        "oktober october okt oct",
        "november nov",
        "december dec",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "måndag måndagen mån monday mon",
        "tisdag tisdagen tis tuesday tues tue",
        "onsdag onsdagen ons wednesday wed",
        "torsdag torsdagen tors tor thursday thurs thur thu",
        "fredag fredagen fre friday fri",
        "lördag lördagen lör saturday sat",
        "söndag söndagen sön sunday sun",
    )
):
    for _name in _names.split():
        WEEKDAYS[_name] = _number

# Fixed offsets of zone labels; CET/CEST are what Swedish platforms print.
ZONE_LABELS: dict[str, timedelta] = {
    "cet": timedelta(hours=1),
    "cest": timedelta(hours=2),
    "utc": timedelta(0),
    "gmt": timedelta(0),
    "z": timedelta(0),
}

NUMBER_WORDS: dict[str, int] = {
    "en": 1,
    "ett": 1,
    "a": 1,
    "an": 1,
    "one": 1,
    "två": 2,
    "two": 2,
    "tre": 3,
    "three": 3,
    "fyra": 4,
    "four": 4,
    "fem": 5,
    "five": 5,
}

# unit -> (timedelta per unit, precision); day units count calendar days.
RELATIVE_UNITS: dict[str, tuple[timedelta, Precision]] = {}
for _names, _delta, _precision in (
    ("sekund sekunder second seconds", timedelta(seconds=1), "second"),
    ("minut minuter minute minutes", timedelta(minutes=1), "minute"),
    ("timme timmar hour hours", timedelta(hours=1), "minute"),
    ("dag dagar day days", timedelta(days=1), "day"),
    ("vecka veckor week weeks", timedelta(weeks=1), "day"),
):
    for _name in _names.split():
        RELATIVE_UNITS[_name] = (_delta, _precision)  # type: ignore[assignment]


def _alternation(words: dict[str, int] | dict[str, Any]) -> str:
    # Longest first so that "mars" wins over "mar" and "måndagen" over "måndag".
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_MONTH = rf"(?P<mon>{_alternation(MONTHS)})\.?(?![a-zåäö])"
_WEEKDAY = rf"(?:(?P<wd>{_alternation(WEEKDAYS)})\.?,?\s+)?"
# Numeric offsets need their minutes: "18.30-21" is a time range, not -21:00.
# "GMT+1" (Mynewsdesk-style "3 Feb 2025 13:45 GMT+1") is an offset, not GMT.
_ZONE = (
    r"(?P<zone>(?:gmt|utc)\s*[+-]\d{1,2}(?::?\d{2})?|cest|cet|utc|gmt|z|[+-]\d{2}:?\d{2})"
    r"(?![a-z\d])"
)
_TIME = (
    # "3 feb 2025 • 13:45" (a listing's bullets) joins a date and its time too.
    r"(?:\s*[,•·]?\s*(?:(?:kl\.?|klockan|at|@)\s*)?"
    r"(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<s>\d{2})(?:[.,](?P<fr>\d{1,9}))?)?(?![\d])"
    r"|\s*[,•·]?\s*(?:kl\.?|klockan)\s*(?P<hh>\d{1,2})(?![\d:.]))"
    r"(?:\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)(?![a-z]))?"
    rf"(?:\s*{_ZONE})?"
)
_TIME_OPT = rf"(?:{_TIME})?"
_DAY_FIRST_BODY = (
    r"(?:den\s+)?(?P<d>\d{1,2})(?::?[ae]|st|nd|rd|th)?(?![\d])\.?\s*"
    rf"{_MONTH}(?:,?\s+(?P<y>\d{{4}})(?!\d))?"
)

# name -> pattern; every pattern yields some of: y, mon, d, wd, time groups.
ABSOLUTE_PATTERNS: dict[str, re.Pattern[str]] = {
    "iso": re.compile(
        r"(?<![\d.])(?P<y>\d{4})-(?P<mon>\d{1,2})-(?P<d>\d{1,2})(?!\d)"
        # "2025-02-03 kl. 13:45" and "Publicerad 2024-05-14 kl. 13:37" (Sitevision).
        r"(?:(?:t|\s+(?:(?:kl\.?|klockan)\s*)?)(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?!\d)"
        r"(?::(?P<s>\d{2})(?:[.,](?P<fr>\d{1,9}))?)?"
        rf"(?:\s*{_ZONE})?)?"
    ),
    "dotted": re.compile(
        r"(?<![\d.])(?P<d>\d{1,2})\.(?P<mon>\d{1,2})\.(?P<y>\d{4})(?!\d)" + _TIME_OPT
    ),
    "day_first": re.compile(r"(?<![\d.:])" + _WEEKDAY + _DAY_FIRST_BODY + _TIME_OPT),
    # The time first: "13:45, 3 februari 2025".
    "time_first": re.compile(
        r"(?<![\d.:])(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:\s*"
        + _ZONE
        + r")?\s*,\s*"
        + _WEEKDAY
        + _DAY_FIRST_BODY
    ),
    "month_first": re.compile(
        _WEEKDAY
        + r"(?<![a-zåäö])"
        + _MONTH
        + r"\s*(?P<d>\d{1,2})(?:st|nd|rd|th)?(?![\d.:])(?:,?\s+(?P<y>\d{4})(?!\d))?"
        + _TIME_OPT
    ),
}
# "9–11 mars 2024": a day range sharing one month.
DAY_RANGE_PATTERN = re.compile(
    r"(?<![\d.:])" + _WEEKDAY + r"(?P<d0>\d{1,2})\.?\s*(?:-|–|—)\s*" + _DAY_FIRST_BODY + _TIME_OPT
)
RANGE_SEPARATOR = re.compile(r"\s*(?:-|–|—|till|to|until)\s*")
END_TIME_PATTERN = re.compile(
    r"(?:kl\.?\s*|klockan\s*)?(?P<h>\d{1,2})(?:[:.](?P<mi>\d{2})(?::(?P<s>\d{2}))?)?(?![\d])"
    rf"(?:\s*{_ZONE})?"
)
TIME_ONLY_PATTERN = re.compile(r"(?<![\d.:])" + _TIME.replace(r"\s*[,•·]?\s*", "", 1))
TIME_ONLY_KEYWORD = re.compile(r"(?:^|(?<=\s)|(?<=,))(?:kl\.?|klockan)\s*\d")
BARE_TIME = re.compile(r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*" + _ZONE + ")?")

RELATIVE_DAY_PATTERN = re.compile(
    r"(?<![a-zåäö])(?P<word>i\s*förrgår|förrgår|i\s*går|igår|yesterday|i\s*dag|idag|today)"
    r"(?![a-zåäö])" + _TIME_OPT
)
RELATIVE_DAY_OFFSETS = {"förrgår": 2, "går": 1, "yesterday": 1, "dag": 0, "today": 0}
RELATIVE_AGO_PATTERN = re.compile(
    rf"(?<![a-zåäö\d])(?:för\s+)?(?P<n>\d+|{_alternation(NUMBER_WORDS)})\s+"
    rf"(?P<unit>{_alternation(RELATIVE_UNITS)})\s+(?:sedan|ago)(?![a-zåäö])"
)
WHITESPACE = re.compile(r"\s+")
# Words that make dateparser count from the system clock; such strings are
# either read by the relative patterns above (against `now`) or not at all.
RELATIVE_WORDS = re.compile(
    r"(?<![a-zåäö])(?:i\s*dag|i\s*går|förrgår|i\s*morgon|övermorgon|sedan|nästa|förra|"
    r"today|yesterday|tomorrow|ago|next|last|now|nu)(?![a-zåäö])"
)


# --- the fields a pattern read ------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Fields:
    day: int
    month: int
    year: int | None
    weekday: int | None
    clock: time | None  # wall time, seconds included when given
    precision: Precision
    offset: timedelta | None  # from the zone label or numeric offset
    zone_label: str | None


def _clock_from(groups: dict[str, str | None]) -> tuple[time | None, Precision] | None:
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


def _offset_from(zone: str | None) -> timedelta | None:
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


def _fields_from(groups: dict[str, str | None]) -> _Fields | None:
    clock = _clock_from(groups)
    if clock is None:
        return None
    zone = groups.get("zone")
    offset = _offset_from(zone)
    if zone is not None and offset is None:
        return None
    wd = groups.get("wd")
    year = groups.get("y")
    return _Fields(
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


def _localize(wall: datetime) -> tuple[datetime, tuple[str, ...]]:
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


def _instant(
    day: date, clock: time | None, offset: timedelta | None, zone_label: str | None
) -> tuple[datetime, tuple[str, ...]]:
    """(UTC instant, flags) of a calendar day and an optional wall time."""
    wall = datetime.combine(day, clock or time(0))
    if offset is None:
        aware, flags = _localize(wall)
        return aware.astimezone(UTC), flags
    utc = wall.replace(tzinfo=timezone(offset)).astimezone(UTC)
    if zone_label is not None and utc.astimezone(STOCKHOLM).utcoffset() != offset:
        return utc, ("zone_label_mismatch",)
    return utc, ()


def _context_day(context: date | datetime | None) -> date | None:
    if context is None:
        return None
    if isinstance(context, datetime):
        if context.tzinfo is None:
            return context.date()  # naive context is Stockholm wall time
        return context.astimezone(STOCKHOLM).date()
    return context


def _aware_now(now: datetime | None) -> datetime | None:
    if now is None:
        return None
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now


def _reference_day(
    context: date | datetime | None, now: datetime | None
) -> tuple[date, tuple[str, ...]]:
    """The day a yearless date is placed near, and how it was chosen."""
    day = _context_day(context)
    if day is not None:
        return day, ()
    aware_now = _aware_now(now)
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


def _resolve(
    fields: _Fields,
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
    utc, zone_flags = _instant(day, fields.clock, fields.offset, fields.zone_label)
    return ParsedDate(
        utc=utc,
        local=utc.astimezone(STOCKHOLM),
        precision=fields.precision,
        year_inferred=fields.year is None,
        raw=raw,
        flags=flags + zone_flags,
    )


# --- scanning -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    fields: _Fields | None  # None: looked like a date but is impossible
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
        best = _Found(match.start(), match.end(), _fields_from(groups), int(d0) if d0 else None)
    return best


def _absolute_at(text: str, pos: int) -> _Found | None:
    """An absolute date starting exactly at pos (the end of a range)."""
    for pattern in ABSOLUTE_PATTERNS.values():
        match = pattern.match(text, pos)
        if match is not None:
            return _Found(match.start(), match.end(), _fields_from(match.groupdict()))
    return None


def _relative(
    text: str, raw: str, context: date | datetime | None, now: datetime | None
) -> ParsedDate | None:
    aware_now = _aware_now(now)
    if aware_now is None and isinstance(context, datetime):
        aware_now = _aware_now(context) if context.tzinfo else context.replace(tzinfo=STOCKHOLM)
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
    fields = _fields_from({**day_match.groupdict(), "d": str(day.day), "mon": str(day.month)})
    if fields is None:
        return None
    utc, zone_flags = _instant(day, fields.clock, fields.offset, fields.zone_label)
    return ParsedDate(
        utc, utc.astimezone(STOCKHOLM), fields.precision, False, raw, ("relative", *zone_flags)
    )


def _relative_ago(match: re.Match[str], raw: str, now: datetime) -> ParsedDate:
    count_text = match.group("n")
    count = int(count_text) if count_text.isdigit() else NUMBER_WORDS[count_text]
    step, precision = RELATIVE_UNITS[match.group("unit")]
    if precision == "day":
        day = now.astimezone(STOCKHOLM).date() - step * count
        utc, flags = _instant(day, None, None, None)
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
    day = _context_day(context)
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
    fields = _fields_from({**match.groupdict(), "d": str(day.day), "mon": str(day.month)})
    if fields is None or fields.clock is None:
        return None
    utc, flags = _instant(day, fields.clock, fields.offset, fields.zone_label)
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
        aware, dst_flags = _localize(wall)
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
        end = _resolve(fields, raw, context, now)
        if end is None:
            return None
        start = _resolve(start_fields, raw, context, now, year_hint=end.local.year)
        return (start, end) if start is not None else None
    separator = RANGE_SEPARATOR.match(text, found.end)
    end_found = _absolute_at(text, separator.end()) if separator else None
    if end_found is not None and end_found.fields is not None:
        end = _resolve(end_found.fields, raw, context, now)
        if end is None:
            return None
        hint = end.local.year
        if fields.year is None and (fields.month, fields.day) > (end.local.month, end.local.day):
            hint -= 1  # "december–januari 2025" starts the year before
        start = _resolve(fields, raw, context, now, year_hint=hint if fields.year is None else None)
        if start is None:
            return None
        if end_found.fields.year is None:
            end = _resolve(end_found.fields, raw, start.local, now)
        return (start, end) if end is not None else None
    start = _resolve(fields, raw, context, now)
    if start is None:
        return None
    if separator is not None and fields.clock is not None:
        return start, _end_time(text, separator.end(), start, raw)
    return start, None


def _replace_day(fields: _Fields, day: int) -> _Fields:
    return _Fields(
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
    clock = _clock_from(groups)
    if clock is None or clock[0] is None:
        return None
    offset = _offset_from(groups.get("zone"))
    day = start.local.date()
    utc, flags = _instant(day, clock[0], offset, groups.get("zone"))
    if utc < start.utc:
        utc, flags = _instant(day + timedelta(days=1), clock[0], offset, groups.get("zone"))
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
