"""The date formats seen on press-room pages, as words and patterns
(`refine.dates` reads them): Swedish and English month and weekday names,
zone labels, relative words, and one regular expression per layout, e.g.
`Publicerad 2024-05-14 kl. 13:37`, `13:45, 3 februari 2025`,
`Pressmeddelande • 3 feb 2025 • 13:45`, `3 Feb 2025 13:45 GMT+1`,
`1.4.2026 09:29:57 CEST` (tests/test_dates.py has every one seen).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Literal

Precision = Literal["day", "minute", "second"]

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
