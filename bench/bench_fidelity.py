"""Fidelity on real pages (tests/real/*/*.expected.json): pressarchive vs trafilatura.

    .venv/bin/python bench/bench_fidelity.py [--pages tests/real] [--verbose]

Every page under tests/real is read three ways: `pressarchive extract` given
the page's real URL, `pressarchive extract` on the bare saved file (the
platform must be recognised from the page), and trafilatura
(`bare_extraction(..., with_metadata=True)`, the floor to beat). Each reading
is checked against the expectations written by reading the page
(tests/real/README.md):

- the platform recognised (pressarchive only);
- title exact; date exact (the publication instant; a bare day never equals
  an instant, so trafilatura, which gives days, cannot score here: the
  "date day" column is its fair comparison);
- body start and body end (whitespace squashed);
- boilerplate left: how many of the page's `body_excludes` are in the body;
- about kept apart: the about-text is in `about_text` and not in the body,
  or, for a page without one, `about_text` is empty;
- contacts: the names, in order.

trafilatura names no platform and extracts neither an about-text nor
contacts: those cells are "–" (not applicable) and out of its totals, never
passes it did not earn (an empty field "matching" a page without one).

What this leaves out: body text between start and end (tests/golden and
bench_golden.py score whole bodies, on our own demo pages), images, tags,
attachments, and pages we have not seen (a held-out set is kept outside the
repository). Few pages per platform: read the counts, not only the ratios.

Prints a markdown table per platform and reading; exits 1 when pressarchive
(with URL) fails any check on any page.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import trafilatura
from click.testing import CliRunner

from pressarchive.cli.main import main as cli_main

ROOT = Path(__file__).resolve().parent.parent
CHECKS = (
    "platform",
    "title",
    "date",
    "date day",
    "body start",
    "body end",
    "about apart",
    "contacts",
)


def squash(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


@dataclass
class Reading:
    """What one extractor gave for one page, in the fields the checks compare."""

    platform: str | None = None  # None: the reader does not name one
    title: str = ""
    published: str | None = None
    body: str = ""
    about: str = ""
    contacts: list[str] = field(default_factory=list)


@dataclass
class Score:
    passed: dict[str, bool] = field(default_factory=dict)
    leaks: list[str] = field(default_factory=list)


def _instant(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _day(value: str | None, *, local: bool) -> str | None:
    moment = _instant(value)
    if moment is None:
        return None
    if moment.tzinfo is not None and local:
        from zoneinfo import ZoneInfo

        moment = moment.astimezone(ZoneInfo("Europe/Stockholm"))
    return moment.date().isoformat()


def score(reading: Reading, platform: str, expect: dict[str, Any]) -> Score:
    body = squash(reading.body)
    about = expect.get("about_contains")
    wanted_instant = _instant(expect["published_at"])
    result = Score()
    result.passed["platform"] = reading.platform in (None, platform)
    result.passed["title"] = reading.title == expect["title"]
    have = _instant(reading.published)
    result.passed["date"] = (
        have is not None and have.tzinfo is not None and have == wanted_instant
    ) or (have is None and wanted_instant is None)
    result.passed["date day"] = _day(reading.published, local=True) == _day(
        expect["published_at"], local=True
    )
    result.passed["body start"] = body.startswith(squash(expect["body_starts"]))
    result.passed["body end"] = body.endswith(squash(expect["body_ends"]))
    result.leaks = [u for u in expect.get("body_excludes", []) if squash(u) in body]
    if about is None:
        result.passed["about apart"] = not reading.about.strip()
    else:
        result.passed["about apart"] = squash(about) in squash(reading.about) and (
            squash(about) not in body
        )
    wanted = [c["name"] for c in expect.get("contacts", [])]
    result.passed["contacts"] = reading.contacts == wanted
    return result


def read_pressarchive(page: Path, url: str | None) -> Reading:
    args = ["extract", str(page)] + (["--url", url] if url else [])
    result = CliRunner().invoke(cli_main, args)
    if result.exit_code != 0:
        return Reading(platform="(error)")
    record = json.loads(result.output)
    return Reading(
        platform=record["platform"],
        title=record["title"],
        published=record["published_at"],
        body=record["body_text"],
        about=record["about_text"],
        contacts=[c["name"] for c in record["contacts"]],
    )


def read_trafilatura(page: Path, url: str) -> Reading:
    html = page.read_bytes().decode("utf-8", errors="replace")
    document = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if document is None:
        return Reading()
    data = document if isinstance(document, dict) else document.as_dict()
    return Reading(
        title=data.get("title") or "",
        published=data.get("date"),
        body=data.get("text") or "",
    )


def load_cases(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    cases = []
    for meta_path in sorted(folder.glob("*/*.expected.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        page = meta_path.with_name(meta_path.name.removesuffix(".expected.json") + ".html")
        cases.append((page, meta))
    return cases


READERS = ("pressarchive (URL)", "pressarchive (bare file)", "trafilatura")
# Checks of fields a reader does not extract at all: shown "–", never counted.
NOT_APPLICABLE: dict[str, frozenset[str]] = {
    "trafilatura": frozenset(("platform", "about apart", "contacts")),
}
# Shown but counted for no reader (the fair comparison of dates for trafilatura).
UNCOUNTED = frozenset(("date day",))


def applies(reader: str, check: str) -> bool:
    return check not in NOT_APPLICABLE.get(reader, frozenset())


def counted_checks(reader: str) -> list[str]:
    return [c for c in CHECKS if applies(reader, c) and c not in UNCOUNTED]


def run(folder: Path, verbose: bool) -> int:
    cases = load_cases(folder)
    if not cases:
        print(f"no pages under {folder}", file=sys.stderr)
        return 1
    # (platform, reader) -> check -> [passes], plus leak counts
    table: dict[tuple[str, str], dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    leaks: dict[tuple[str, str], list[int]] = defaultdict(list)
    failures: list[str] = []
    for page, meta in cases:
        platform, expect, url = meta["platform"], meta["expect"], meta["origin_url"]
        readings = {
            READERS[0]: read_pressarchive(page, url),
            READERS[1]: read_pressarchive(page, None),
            READERS[2]: read_trafilatura(page, url),
        }
        for reader, reading in readings.items():
            result = score(reading, platform, expect)
            key = (platform, reader)
            for check in CHECKS:
                if applies(reader, check):
                    table[key][check].append(result.passed[check])
            leaks[key].append(len(result.leaks))
            missed = [c for c in counted_checks(reader) if not result.passed[c]]
            if verbose:
                state = "ok" if not missed and not result.leaks else f"missed {missed}"
                leak = f", boilerplate left {result.leaks}" if result.leaks else ""
                print(f"- {page.parent.name}/{page.name} [{reader}]: {state}{leak}")
            if reader == READERS[0] and (missed or result.leaks):
                failures.append(f"{page.parent.name}/{page.name}: {missed} {result.leaks}")

    print("\n## Fidelity on real pages (tests/real)\n")
    print("| platform | reader | pages | " + " | ".join(CHECKS) + " | boilerplate left |")
    print("|---|---|---|" + "---|" * len(CHECKS) + "---|")
    for (platform, reader), checks in sorted(
        table.items(), key=lambda kv: (kv[0][0], READERS.index(kv[0][1]))
    ):
        pages = len(checks["title"])
        cells = [f"{sum(checks[c])}/{pages}" if applies(reader, c) else "–" for c in CHECKS]
        left = leaks[(platform, reader)]
        print(
            f"| {platform} | {reader} | {pages} | "
            + " | ".join(cells)
            + f" | {sum(left)} on {sum(1 for n in left if n)} pages |"
        )
    print()
    for reader in READERS:
        counted = counted_checks(reader)
        passed = sum(
            sum(checks[c]) for (_, r), checks in table.items() if r == reader for c in counted
        )
        left_out = sorted(NOT_APPLICABLE.get(reader, frozenset()) | UNCOUNTED, key=CHECKS.index)
        print(
            f"- {reader}: {passed}/{len(cases) * len(counted)} checks"
            f" ({', '.join(left_out)} not counted)"
        )
    if failures:
        print("\npressarchive (URL) misses:")
        for line in failures:
            print(f"- {line}")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=Path, default=ROOT / "tests" / "real")
    parser.add_argument("--verbose", action="store_true", help="one line per page and reader")
    args = parser.parse_args()
    return run(args.pages, args.verbose)


if __name__ == "__main__":
    raise SystemExit(main())
