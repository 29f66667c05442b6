"""Dates: pressarchive.refine.dates.parse_date against dateparser alone, in one run.

    .venv/bin/python bench/bench_dates.py [--rounds 200]

Speed: microseconds per call on a realistic mix (mostly platform date lines,
some Swedish prose and relative dates). dateparser is measured twice: the
plain `dateparser.parse(raw, languages=["sv", "en"], settings=...)` call and a
`DateDataParser` built once and reused (its best case); the goal is judged
against the faster of the two.
Accuracy: both on the table of tests/test_dates.py (exact UTC instant, or None
where None is right). dateparser gets the context or crawl time as its
RELATIVE_BASE, which is the nearest thing it has to a context.

Goal (issue): parse_date at least 20x faster than dateparser and more accurate.
Prints a markdown table; exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import dateparser  # noqa: E402
from dateparser.date import DateDataParser  # noqa: E402

from pressarchive.refine.dates import parse_date  # noqa: E402
from pressarchive.times import STOCKHOLM  # noqa: E402
from tests.test_dates import CASES, Case  # noqa: E402

SPEEDUP_GOAL = 20.0
LANGUAGES = ["sv", "en"]
SETTINGS: dict[str, Any] = {"TIMEZONE": "Europe/Stockholm", "RETURN_AS_TIMEZONE_AWARE": True}
NOW = datetime(2025, 4, 23, 10, 0, tzinfo=UTC)
CONTEXT = date(2025, 4, 20)

# What a crawl meets, roughly in proportion: Via TT and Mynewsdesk date lines
# dominate, then feed and metadata dates, then Sitevision/Cision/NewsMachine
# lines and a little prose.
MIX: list[str] = [
    # Via TT (listing and release pages)
    "25.11.2022 14:00:06 CET",
    "29.2.2024 13:45:45 CET",
    "23.4.2025 10:02:58 CEST",
    "10.2.2025 14:24:42 CET | Norrköpings kommun | Pressinbjudan",
    "Norrköpings kommun välkomnar JO:s granskning25.11.2022 14:00:06 CET | Pressmeddelande",
    "3.3.2025 08:30:00 CET | Pressmeddelande",
    "14.6.2023 11:15:41 CEST",
    "1.12.2023 09:00:00 CET | Nyhet",
    # Mynewsdesk
    "Jan 18, 2018 16:32 CET",
    "Pressmeddelanden   •   Jan 18, 2018 16:32 CET",
    "Pressmeddelanden   •   Dec 29, 2017 10:24 CET",
    "Nyheter   •   Jun 05, 2019 09:00 CEST",
    "Jan 09, 2018 08:00 CET",
    "Sep 12, 2022 13:45 CEST",
    # feeds and metadata
    "Mon, 10 Feb 2025 14:24:42 +0100",
    "Tue, 01 Jul 2025 06:00:00 GMT",
    "2025-02-10T13:24:42Z",
    "2018-02-09T10:00:00+01:00",
    "2024-05-16T07:30:00.000+02:00",
    # Sitevision, Cision, NewsMachine
    "Publicerad 19 april 2022",
    "Uppdaterad: 2022-04-20 08:15",
    "tis, nov 25, 2025 08:00 CET",
    "Publicerad: 2020-11-11 14:39 CET",
    "2018-02-09",
    # prose and relative
    "fredag den 1 december",
    "Den 16 januari",
    "17 mars 2025 kl. 10.00",
    "måndag 17 mars 2025",
    "idag 09:15",
    "3 timmar sedan",
]


def _relative_base(case: Case) -> datetime:
    """dateparser's stand-in for a context: naive Stockholm wall time."""
    base = case.context or case.now or NOW
    if isinstance(base, datetime):
        aware = base if base.tzinfo else base.replace(tzinfo=STOCKHOLM)
        return aware.astimezone(STOCKHOLM).replace(tzinfo=None)
    return datetime(base.year, base.month, base.day, 12, 0)


def _dateparser_utc(case: Case) -> datetime | None:
    settings = {**SETTINGS, "RELATIVE_BASE": _relative_base(case)}
    try:
        found = dateparser.parse(case.raw, languages=LANGUAGES, settings=settings)
    except Exception:  # counts as a miss, as it would in a crawl
        return None
    return found.astimezone(UTC) if found is not None else None


def _ours_utc(case: Case) -> datetime | None:
    found = parse_date(case.raw, context=case.context, now=case.now)
    return found.utc if found is not None else None


def accuracy(read: Callable[[Case], datetime | None]) -> tuple[int, list[str]]:
    """(right answers, raws of the wrong ones) over the test table."""
    wrong = [case.raw for case in CASES if read(case) != case.expected]
    return len(CASES) - len(wrong), wrong


def microseconds_per_call(call: Callable[[str], object], rounds: int) -> float:
    for raw in MIX:  # warm-up: imports, language data, regex caches
        call(raw)
    started = time.perf_counter()
    for _ in range(rounds):
        for raw in MIX:
            call(raw)
    return (time.perf_counter() - started) / (rounds * len(MIX)) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--rounds", type=int, default=200, help="passes over the mix for parse_date"
    )
    args = parser.parse_args()
    # dateparser is slower by orders of magnitude; fewer passes give the same precision.
    slow_rounds = max(1, args.rounds // 40)

    reused = DateDataParser(languages=LANGUAGES, settings={**SETTINGS, "RELATIVE_BASE": NOW})
    ours_us = microseconds_per_call(
        lambda raw: parse_date(raw, context=CONTEXT, now=NOW), args.rounds
    )
    plain_us = microseconds_per_call(
        lambda raw: dateparser.parse(
            raw, languages=LANGUAGES, settings={**SETTINGS, "RELATIVE_BASE": NOW}
        ),
        slow_rounds,
    )
    reused_us = microseconds_per_call(lambda raw: reused.get_date_data(raw).date_obj, slow_rounds)
    ours_right, ours_wrong = accuracy(_ours_utc)
    theirs_right, theirs_wrong = accuracy(_dateparser_utc)

    speedup = min(plain_us, reused_us) / ours_us
    speed_ok = speedup >= SPEEDUP_GOAL
    accuracy_ok = ours_right > theirs_right
    total = len(CASES)
    print(f"Mix of {len(MIX)} date strings; accuracy on {total} cases of tests/test_dates.py.\n")
    print("| parser | µs per call | accuracy |")
    print("|---|---:|---:|")
    print(f"| pressarchive.refine.dates.parse_date | {ours_us:.1f} | {ours_right}/{total} |")
    print(f"| dateparser.parse | {plain_us:.1f} | {theirs_right}/{total} |")
    print(f"| dateparser DateDataParser, reused | {reused_us:.1f} | (same parser) |")
    print()
    print(
        f"Speed-up over the faster dateparser: {speedup:.0f}x "
        f"(goal {SPEEDUP_GOAL:.0f}x): {'met' if speed_ok else 'MISSED'}."
    )
    print(f"Accuracy {ours_right} vs {theirs_right}: {'met' if accuracy_ok else 'MISSED'}.")
    if ours_wrong:
        print(f"\nparse_date wrong on: {', '.join(repr(r) for r in ours_wrong)}")
    print(f"\ndateparser wrong on {len(theirs_wrong)}: {', '.join(repr(r) for r in theirs_wrong)}")
    return 0 if speed_ok and accuracy_ok else 1


if __name__ == "__main__":
    sys.exit(main())
