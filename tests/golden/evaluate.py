"""Run the golden set through the crawl's own path and compare with the expectations.

Shared by tests/test_golden.py (asserts per page) and bench/bench_golden.py
(figures per platform). The path is the crawl's: `extract_page`, then
`process` (dates, refine, keys) with the about-text model learned per source
from the extracted records of all golden pages of that source, exactly the
documents the refine pipeline feeds its learner (`about.document` of the
record after date normalisation).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pressarchive.extract import extract_page
from pressarchive.items import Contact, Release
from pressarchive.refine.about_learning import learn
from pressarchive.refine.about_model import AboutModel
from pressarchive.refine.learner_documents import document
from pressarchive.refine.process import process
from pressarchive.refine.published import normalise_dates

GOLDEN_DIR = Path(__file__).parent
ORGANISATION = "Norrköpings kommun"
# A fixed "now" so that year inference and relative dates never depend on the clock.
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
F1_GOAL = 0.98
CONTACT_FIELDS: tuple[str, ...] = ("name", "role", "title", "party", "phone", "email")
# An about-text sentence this long found in the body means the about leaked into it.
ABOUT_SENTENCE_WORDS = 6

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class GoldenPage:
    name: str
    platform: str
    source_id: str
    url: str
    html: bytes
    expected: dict[str, Any]


@dataclass(frozen=True)
class Mismatch:
    page: str
    field: str
    expected: Any
    got: Any

    def __str__(self) -> str:
        return f"{self.page}: {self.field}: expected {self.expected!r}, got {self.got!r}"


def load_pages(directory: Path = GOLDEN_DIR) -> list[GoldenPage]:
    pages = []
    for path in sorted(directory.glob("*.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        html_path = directory / expected["page"]
        pages.append(
            GoldenPage(
                name=path.stem,
                platform=expected["platform"],
                source_id=expected["source_id"],
                url=expected["url"],
                html=html_path.read_bytes(),
                expected=expected,
            )
        )
    return pages


# --- metrics -------------------------------------------------------------------------


def squash(text: str | None) -> str:
    return " ".join((text or "").split())


def tokens(text: str | None) -> Counter[str]:
    """Lower-cased `\\w+` tokens as a multiset."""
    return Counter(_WORD.findall((text or "").lower()))


def token_f1(expected: str | None, got: str | None) -> float:
    want, have = tokens(expected), tokens(got)
    if not want and not have:
        return 1.0
    overlap = sum((want & have).values())
    if overlap == 0:
        return 0.0
    precision = overlap / sum(have.values())
    recall = overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def about_sentences(about: str) -> list[str]:
    """The about-text's sentences long enough that finding one in a body is no accident."""
    sentences = _SENTENCE_END.split(squash(about))
    return [s for s in sentences if len(_WORD.findall(s)) >= ABOUT_SENTENCE_WORDS]


def about_in_body(body: str, abouts: Iterable[str]) -> str | None:
    """The first about-text sentence found in the body, if any."""
    flat = squash(body)
    for about in abouts:
        for sentence in about_sentences(about):
            if sentence in flat:
                return sentence
    return None


# --- running the crawl's path --------------------------------------------------------


def extract(page: GoldenPage) -> Release:
    return extract_page(
        page.html,
        page.url,
        platform=page.platform,
        source_id=page.source_id,
        organisation=ORGANISATION,
    )


def learn_models(pages: Sequence[GoldenPage]) -> dict[str, AboutModel | None]:
    """Per source, the about model learned from all golden pages of that source."""
    documents: dict[str, list[list[str]]] = defaultdict(list)
    for page in pages:
        release = extract(page)
        normalise_dates(release, now=NOW)
        documents[page.source_id].append(document(release.to_json_dict()))
    return {source: learn(docs) for source, docs in documents.items()}


def run_pressarchive(pages: Sequence[GoldenPage]) -> dict[str, Release]:
    models = learn_models(pages)
    return {
        page.name: process(extract(page), about=models.get(page.source_id), now=NOW)
        for page in pages
    }


# --- comparing -----------------------------------------------------------------------


def contact_dict(contact: Contact) -> dict[str, Any]:
    return {name: getattr(contact, name) for name in CONTACT_FIELDS}


def _contact_keys(
    contacts: list[dict[str, Any]], shared: Counter[str]
) -> dict[str, dict[str, Any]]:
    """Contacts by name; a name listed twice on the page (a sender who is also a
    press contact) is told apart by its role."""
    keyed = {}
    for contact in contacts:
        name = squash(contact.get("name"))
        key = f"{contact.get('role')} {name}" if shared[name] > 1 else name
        keyed[key] = contact
    return keyed


def compare_contacts(
    page: str, expected: list[dict[str, Any]], got: list[Contact]
) -> list[Mismatch]:
    """Contacts matched by name (and role where a name recurs), then every field
    compared, role included; order is free."""
    shared = Counter(squash(c.get("name")) for c in expected)
    want = _contact_keys(expected, shared)
    have_list = [contact_dict(c) for c in got]
    have = _contact_keys(have_list, shared)
    problems = []
    for key in sorted(want.keys() - have.keys()):
        problems.append(Mismatch(page, f"contacts[{key}] missing", want[key], None))
    for key in sorted(have.keys() - want.keys()):
        problems.append(Mismatch(page, f"contacts[{key}] unexpected", None, have[key]))
    for key in sorted(want.keys() & have.keys()):
        for name in CONTACT_FIELDS:
            if want[key].get(name) != have[key].get(name):
                field = f"contacts[{key}].{name}"
                problems.append(Mismatch(page, field, want[key].get(name), have[key].get(name)))
    if len(have_list) != len(have):
        problems.append(Mismatch(page, "contacts duplicated", len(have), len(have_list)))
    return problems


def compare_event(page: str, expected: dict[str, Any] | None, got: Release) -> list[Mismatch]:
    if expected is None:
        if got.events:
            return [Mismatch(page, "events", [], [e.raw for e in got.events])]
        return []
    if not got.events:
        return [Mismatch(page, "events", expected, [])]
    event = got.events[0]
    problems = []
    starts = event.starts_at.astimezone(UTC).isoformat() if event.starts_at else None
    want_starts = datetime.fromisoformat(expected["starts_at"]).astimezone(UTC).isoformat()
    if starts != want_starts:
        problems.append(Mismatch(page, "event.starts_at", want_starts, starts))
    if squash(event.place) != squash(expected["place"]):
        problems.append(Mismatch(page, "event.place", expected["place"], event.place))
    return problems


def compare(page: GoldenPage, got: Release) -> list[Mismatch]:
    want = page.expected
    name = page.name
    problems = []
    for field in ("title", "lead"):
        if squash(want[field]) != squash(getattr(got, field)):
            problems.append(Mismatch(name, field, want[field], getattr(got, field)))
    if want.get("kind") and want["kind"] != got.kind:
        problems.append(Mismatch(name, "kind", want["kind"], got.kind))
    f1 = token_f1(want["body"], got.body_text)
    if f1 < F1_GOAL:
        problems.append(
            Mismatch(name, f"body_text (token F1 {f1:.3f})", want["body"], got.body_text)
        )
    elif want.get("body_exact") and squash(want["body"]) != squash(got.body_text):
        problems.append(Mismatch(name, "body_text (exact)", want["body"], got.body_text))
    if squash(want["about_text"]) != squash(got.about_text):
        problems.append(Mismatch(name, "about_text", want["about_text"], got.about_text))
    leaked = about_in_body(got.body_text, (want["about_text"], got.about_text))
    if leaked:
        problems.append(Mismatch(name, "body_text contains about-text", "", leaked))
    problems.extend(compare_contacts(name, want["contacts"], got.contacts))
    problems.extend(compare_event(name, want.get("event"), got))
    return problems
