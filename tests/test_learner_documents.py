"""Learner documents kept in the archive (schema v3) give exactly what parsing
every stored extraction again gives: the same documents, the same model.

The reference is the old path, kept here: `document()` of every stored
extraction, in release order. Compared on the demo rooms of every platform
and the real pages of tests/real/.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from pressarchive.crawl.pool import LearningCleaning
from pressarchive.dedupe.urls import platform_release_id
from pressarchive.demo.corpus import releases_for
from pressarchive.demo.server import ask, room_module, room_start_path
from pressarchive.extract import extract_page
from pressarchive.items import Release
from pressarchive.refine import about_learning
from pressarchive.refine.about_learning import (
    DOCUMENT_VERSION,
    OnlineAboutLearner,
    document,
    learn,
    load_about_model,
    model_key,
    reapply_about,
    refresh_source,
    source_documents,
)
from pressarchive.refine.process import process
from pressarchive.sources import Source
from pressarchive.storage.schema import MIGRATIONS
from pressarchive.storage.store import Archive

REAL = Path(__file__).parent / "real"
PLATFORMS = ("mynewsdesk", "viatt", "sitevision", "cision", "generic")


def reference_documents(archive: Archive, source_id: str) -> list[list[str]]:
    """The old path: every stored extraction parsed again."""
    rows = archive.conn.execute(
        """SELECT e.record FROM extractions e JOIN releases r ON r.id = e.release_id
           WHERE r.source_id = ? ORDER BY e.release_id""",
        (source_id,),
    )
    return [document(json.loads(record)) for (record,) in rows]


def _pages(platform: str) -> list[tuple[str, bytes]]:
    """Every release page of a generated room of 14 releases."""
    module = room_module(platform)
    room = module.make_room(size=14)
    if platform == "viatt":  # its release_path is not one of a DemoRelease: follow the listing
        listing = ask(room, room_start_path(module, room)).body
        found = [href.decode() for href in re.findall(rb'href="(/[^"]+)"', listing)]
        paths = [p for p in found if platform_release_id(platform, "http://127.0.0.1" + p)]
    else:
        paths = [module.release_path(release) for release in releases_for(platform, size=14)]
    return [("http://127.0.0.1" + path, ask(room, path).body) for path in dict.fromkeys(paths)]


def _real_pages() -> list[tuple[str, str, bytes]]:
    pages = []
    for case in sorted(REAL.glob("*/*.expected.json")):
        meta = json.loads(case.read_text(encoding="utf-8"))
        html = case.with_name(case.name.removesuffix(".expected.json") + ".html").read_bytes()
        pages.append((case.parent.name, meta["origin_url"], html))
    return pages


def _store(archive: Archive, source: Source, pages: list[tuple[str, str, bytes]]) -> None:
    archive.ensure_source(source)
    cleaning = LearningCleaning(OnlineAboutLearner([]))
    releases = [
        process(
            extract_page(body, url, platform=platform, source_id=source.id),
            cleaning=cleaning,
        )
        for platform, url, body in pages
    ]
    archive.store(releases)


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One source per demo room; the real pages join the generic room's source
    (too few on their own for a model)."""
    path = tmp_path_factory.mktemp("learner") / "archive.db"
    with Archive(path) as archive:
        for platform in PLATFORMS:
            source = Source(f"demo-{platform}", "Norrköpings kommun", platform, ("http://x/",))
            pages = [(platform, url, body) for url, body in _pages(platform)]
            if platform == "generic":
                pages += _real_pages()
            _store(archive, source, pages)
    return path


@pytest.fixture
def archive(archive_path: Path, tmp_path: Path) -> Any:
    copy = tmp_path / "archive.db"
    copy.write_bytes(archive_path.read_bytes())
    with Archive(copy) as opened:
        yield opened


def _stored(archive: Archive) -> int:
    return int(archive.conn.execute("SELECT COUNT(*) FROM learner_documents").fetchone()[0])


@pytest.mark.parametrize("platform", PLATFORMS)
def test_kept_documents_and_model_are_those_of_parsing_every_body(
    archive: Archive, platform: str
) -> None:
    source_id = f"demo-{platform}"
    reference = reference_documents(archive, source_id)
    assert len(reference) >= 8, "too few releases for a model"
    assert _stored(archive) == 0  # nothing kept before the first read
    made = source_documents(archive, source_id)  # made from the extractions, and kept
    assert _stored(archive) == len(reference)
    kept = source_documents(archive, source_id)  # read back
    assert made == reference and kept == reference
    model, expected = learn(kept), learn(reference)
    assert model is not None and expected is not None
    assert model.to_json() == expected.to_json()
    assert model_key(load_about_model(archive, source_id)) == model_key(expected)


def test_the_real_pages_are_in_the_compared_documents(archive: Archive) -> None:
    documents = source_documents(archive, "demo-generic")
    flat = "\n".join(p for d in documents for p in d)
    assert len(_real_pages()) == 5
    assert "Liberalerna" in flat and "Moderaterna" in flat


def test_a_changed_extraction_drops_its_document_and_a_recleaning_keeps_it(
    archive: Archive,
) -> None:
    source_id = "demo-mynewsdesk"
    source_documents(archive, source_id)
    kept = _stored(archive)
    # re-cleaning stores the same extractions: every document stays
    assert reapply_about(archive, source_id) >= 0
    refresh_source(archive, source_id)
    assert _stored(archive) == kept
    # a re-extraction that changed one release's body drops that one document
    (record,) = archive.conn.execute(
        "SELECT record FROM extractions ORDER BY release_id LIMIT 1"
    ).fetchone()
    changed = json.loads(record)
    changed["body_html"] = "<p>Ett helt nytt stycke.</p>" + changed["body_html"]
    release = Release.from_json_dict(dict(changed))
    release.extracted = changed
    archive.store([process(release)])
    assert _stored(archive) == kept - 1
    documents = source_documents(archive, source_id)
    assert documents[0][0] == "Ett helt nytt stycke."
    assert documents == reference_documents(archive, source_id)
    assert _stored(archive) == kept


def test_documents_of_another_version_are_made_again(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    source_id = "demo-viatt"
    expected = source_documents(archive, source_id)
    with archive.conn:  # as if the code that made them had changed them
        archive.conn.execute("UPDATE learner_documents SET document = '[]'")
    monkeypatch.setattr(about_learning, "DOCUMENT_VERSION", DOCUMENT_VERSION + 1)
    assert source_documents(archive, source_id) == expected
    versions = archive.conn.execute("SELECT DISTINCT version FROM learner_documents")
    assert [tuple(row) for row in versions] == [(DOCUMENT_VERSION + 1,)]


def test_a_read_only_archive_makes_documents_without_writing(archive: Archive) -> None:
    path = archive.path
    archive.close()
    with Archive(path, readonly=True) as readonly:
        documents = source_documents(readonly, "demo-cision")
        assert documents == reference_documents(readonly, "demo-cision")
        assert _stored(readonly) == 0


def test_an_archive_made_before_version_3_keeps_everything_and_learns_alike(
    archive: Archive, tmp_path: Path
) -> None:
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old)
    conn.executescript(MIGRATIONS[0] + MIGRATIONS[1] + "\nPRAGMA user_version = 2;")
    conn.close()
    with Archive(old) as upgraded:
        for platform in ("mynewsdesk", "viatt"):
            source = Source(f"demo-{platform}", "Norrköpings kommun", platform, ("http://x/",))
            _store(upgraded, source, [(platform, url, body) for url, body in _pages(platform)])
    conn = sqlite3.connect(old)  # back to version 2, as an older pressarchive left it
    conn.executescript(
        "DROP TRIGGER learner_documents_stale; DROP TRIGGER learner_documents_gone;"
        "DROP TABLE learner_documents; PRAGMA user_version = 2;"
    )
    before = conn.execute("SELECT release_id, record FROM extractions").fetchall()
    conn.close()
    with Archive(old) as upgraded:
        after = upgraded.conn.execute("SELECT release_id, record FROM extractions").fetchall()
        assert [tuple(row) for row in after] == before
        documents = source_documents(upgraded, "demo-viatt")
        assert documents == reference_documents(upgraded, "demo-viatt")
        assert _stored(upgraded) == len(documents)
