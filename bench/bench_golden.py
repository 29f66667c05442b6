"""Extraction quality on the golden set (tests/golden/): pressarchive vs trafilatura.

    .venv/bin/python bench/bench_golden.py

Body-text token F1 (lower-cased `\\w+`, multiset overlap) per platform and
overall, for pressarchive (the crawl's path: extract_page + process, about
model learned per source from the golden pages) and for
`trafilatura.extract(html, include_comments=False, include_tables=False)` on
the same pages. Trafilatura has no lead field, so it is scored against lead +
body (the fairer reading for it); pressarchive's body against the body.
Also: bodies containing about-text, and contact fields exactly right.
Prints a markdown table; exits 1 if F1 < 0.98, any about-text is in a body or
any contact field is wrong.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from golden.evaluate import (
    CONTACT_FIELDS,
    F1_GOAL,
    GoldenPage,
    Mismatch,
    about_in_body,
    compare_contacts,
    load_pages,
    run_pressarchive,
    token_f1,
)

from pressarchive.items import Release


@dataclass
class Tally:
    pages: int = 0
    ours: list[float] = field(default_factory=list)
    theirs: list[float] = field(default_factory=list)
    about_leaks: int = 0
    theirs_about_leaks: int = 0
    contact_fields: int = 0
    contact_fields_wrong: int = 0
    extra_contacts: int = 0

    def mean(self, values: list[float]) -> float:
        return sum(values) / len(values) if values else 0.0


def trafilatura_text(page: GoldenPage) -> str:
    html = page.html.decode(_charset(page.html), errors="replace")
    return trafilatura.extract(html, include_comments=False, include_tables=False) or ""


def _charset(raw: bytes) -> str:
    # One golden page is Latin-1 declared only in a meta tag; decode it as a browser would.
    head = raw[:2048].lower()
    return "iso-8859-1" if b"charset=iso-8859-1" in head else "utf-8"


def contact_field_count(page: GoldenPage) -> int:
    return sum(len(c) for c in page.expected["contacts"])


def score(pages: list[GoldenPage], ours: dict[str, Release]) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for page in pages:
        got = ours[page.name]
        want = page.expected
        theirs = trafilatura_text(page)
        abouts = (want["about_text"], got.about_text)
        wrong = compare_contacts(page.name, want["contacts"], got.contacts)
        for key in (page.platform, "all"):
            tally = tallies[key]
            tally.pages += 1
            tally.ours.append(token_f1(want["body"], got.body_text))
            tally.theirs.append(token_f1(f"{want['lead']}\n\n{want['body']}", theirs))
            tally.about_leaks += about_in_body(got.body_text, abouts) is not None
            tally.theirs_about_leaks += about_in_body(theirs, abouts) is not None
            tally.contact_fields += contact_field_count(page)
            tally.contact_fields_wrong += _wrong_fields(wrong)
            tally.extra_contacts += _extra_contacts(wrong)
    return tallies


def _wrong_fields(problems: list[Mismatch]) -> int:
    """Expected contact fields not read right: a field that differs counts one,
    a contact not found all six. (Unexpected extra contacts are counted apart.)"""
    count = 0
    for problem in problems:
        if problem.field.endswith("missing"):
            count += len(CONTACT_FIELDS)
        elif "]." in problem.field:
            count += 1
    return count


def _extra_contacts(problems: list[Mismatch]) -> int:
    return sum(1 for p in problems if p.field.endswith("unexpected"))


def table(tallies: dict[str, Tally]) -> str:
    rows = [
        "| platform | pages | F1 pressarchive (mean) | min | F1 trafilatura (mean) | min "
        "| bodies with about-text (pa / traf.) | contact fields exact | extra contacts |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    order = ["mynewsdesk", "viatt", "sitevision", "cision", "generic", "all"]
    for key in [k for k in order if k in tallies]:
        t = tallies[key]
        exact = t.contact_fields - t.contact_fields_wrong
        rows.append(
            f"| {'**all**' if key == 'all' else key} | {t.pages} "
            f"| {t.mean(t.ours):.4f} | {min(t.ours):.3f} "
            f"| {t.mean(t.theirs):.4f} | {min(t.theirs):.3f} "
            f"| {t.about_leaks} / {t.theirs_about_leaks} "
            f"| {exact}/{t.contact_fields} | {t.extra_contacts} |"
        )
    return "\n".join(rows)


def main() -> int:
    pages = load_pages()
    started = time.perf_counter()
    ours = run_pressarchive(pages)
    elapsed = time.perf_counter() - started
    tallies = score(pages, ours)
    print(table(tallies))
    total = tallies["all"]
    print(
        f"\n{len(pages)} pages; pressarchive path (learn + extract + process) "
        f"{elapsed:.2f} s, {1000 * elapsed / len(pages):.1f} ms/page"
    )
    failing = [
        p.name for p in pages if token_f1(p.expected["body"], ours[p.name].body_text) < F1_GOAL
    ]
    if failing:
        print(f"pages below F1 {F1_GOAL}: {', '.join(failing)}")
    contacts_ok = total.contact_fields_wrong == 0 and total.extra_contacts == 0
    ok = not failing and total.about_leaks == 0 and contacts_ok
    print("PASS" if ok else "FAIL: goal is F1 >= 0.98 on every page, no about-text, contacts exact")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
