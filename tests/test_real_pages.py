"""Extraction on real pages as the sites served them (tests/real/, see its README).

Every page is read through the command a user runs, `pressarchive extract`,
once with its real URL and once as a bare file whose platform must be
recognised from the page itself.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pressarchive.cli.main import main

REAL = Path(__file__).parent / "real"
CASES = sorted(REAL.glob("*/*.expected.json"))


def _case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name.removesuffix('.expected.json')}"


def _extract(page: Path, url: str | None) -> dict[str, Any]:
    args = ["extract", str(page)] + (["--url", url] if url else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    record: dict[str, Any] = json.loads(result.output)
    return record


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_copy_is_the_recorded_file(case: Path) -> None:
    meta = json.loads(case.read_text(encoding="utf-8"))
    page = case.with_name(case.name.removesuffix(".expected.json") + ".html")
    assert hashlib.sha256(page.read_bytes()).hexdigest() == meta["sha256"]


@pytest.mark.parametrize("with_url", [True, False], ids=["with-url", "bare-file"])
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_real_page(case: Path, with_url: bool) -> None:
    meta = json.loads(case.read_text(encoding="utf-8"))
    expect: dict[str, Any] = meta["expect"]
    page = case.with_name(case.name.removesuffix(".expected.json") + ".html")
    record = _extract(page, meta["origin_url"] if with_url else None)

    assert record["platform"] == meta["platform"]
    assert record["title"] == expect["title"]
    assert _instant(record["published_at"]) == _instant(expect["published_at"])
    if "updated_at" in expect:
        assert _instant(record["updated_at"]) == _instant(expect["updated_at"])
    if "kind" in expect:
        assert record["kind"] == expect["kind"]
    if "lead" in expect:
        assert _squash(record["lead"]) == _squash(expect["lead"])
    if "lead_starts" in expect:
        assert _squash(record["lead"]).startswith(_squash(expect["lead_starts"]))

    body = _squash(record["body_text"])
    assert body.startswith(_squash(expect["body_starts"])), body[:200]
    assert body.endswith(_squash(expect["body_ends"])), body[-200:]
    for unwanted in expect.get("body_excludes", []):
        assert _squash(unwanted) not in body, unwanted

    about = expect.get("about_contains")
    if about is None:
        assert not record["about_text"].strip()
    else:
        assert _squash(about) in _squash(record["about_text"])
        assert _squash(about) not in body

    if "events" in expect:
        have_events = [(_instant(e["starts_at"]), e["place"]) for e in record["events"]]
        assert have_events == [(_instant(e["starts_at"]), e["place"]) for e in expect["events"]]

    want = expect.get("contacts", [])
    assert [c["name"] for c in record["contacts"]] == [c["name"] for c in want]
    for have, wanted in zip(record["contacts"], want, strict=True):
        for field in ("title", "phone", "email"):
            if field in wanted:
                assert have[field] == wanted[field], (wanted["name"], field)
