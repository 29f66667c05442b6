"""Learner documents kept in the archive (schema v3) give exactly what parsing
every stored extraction again gives: the same documents, the same model.

The reference is the old path, kept here: `document()` of every stored
extraction, in release order. Compared on the demo rooms of every platform
and the real pages of tests/real/.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pressarchive.crawl.pool import LearningCleaning
from pressarchive.dedupe.minhash import minhash
from pressarchive.dedupe.urls import platform_release_id
from pressarchive.demo.corpus import releases_for
from pressarchive.demo.server import ask, room_module, room_start_path
from pressarchive.extract import extract_page
from pressarchive.items import Release
from pressarchive.refine import learner_documents
from pressarchive.refine.about_learning import (
    MIN_DOCUMENTS,
    OnlineAboutLearner,
    learn,
    learn_keyed,
    load_about_model,
    model_key,
    reapply_about,
    refresh_source,
)
from pressarchive.refine.about_model import (
    _LSH_BANDS,
    _LSH_ROWS,
    ABOUT_WORDS,
    MAX_VARIANTS,
    MIN_TRAILING_SHARE,
    SHORT_WORDS,
    SIMILARITY,
    AboutModel,
    _key,
    _sentence,
    _trailing_shares,
    _UnionFind,
    shingles,
    tokens,
)
from pressarchive.refine.chrome import is_chrome
from pressarchive.refine.learner_documents import (
    DOCUMENT_VERSION,
    document,
    source_documents,
    source_keyed_documents,
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


def _stored(archive: Archive, source_id: str | None = None) -> int:
    sql = "SELECT COUNT(*) FROM learner_documents d JOIN releases r ON r.id = d.release_id"
    if source_id is None:
        return int(archive.conn.execute(sql).fetchone()[0])
    return int(archive.conn.execute(sql + " WHERE r.source_id = ?", (source_id,)).fetchone()[0])


@pytest.mark.parametrize("platform", PLATFORMS)
def test_kept_documents_and_model_are_those_of_parsing_every_body(
    archive: Archive, platform: str
) -> None:
    source_id = f"demo-{platform}"
    reference = reference_documents(archive, source_id)
    assert len(reference) >= 8, "too few releases for a model"
    # the crawl's cleaning made each release's document and the store kept it
    assert _stored(archive, source_id) == len(reference)
    assert source_documents(archive, source_id) == reference
    with archive.conn:  # an archive whose documents were never kept (or dropped)
        archive.conn.execute("DELETE FROM learner_documents")
    made = source_documents(archive, source_id)  # made from the extractions, and kept
    assert _stored(archive, source_id) == len(reference)
    kept = source_documents(archive, source_id)  # read back
    assert made == reference and kept == reference
    model, expected = (
        learn_keyed(source_keyed_documents(archive, source_id)),
        reference_learn(reference),
    )
    assert model is not None and expected is not None
    assert model.to_json() == expected.to_json()
    assert model.examples and (model.chrome or model.about)  # a model that found something
    assert learn(reference).to_json() == expected.to_json()  # type: ignore[union-attr]
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
    monkeypatch.setattr(learner_documents, "DOCUMENT_VERSION", DOCUMENT_VERSION + 1)
    assert source_documents(archive, source_id) == expected
    versions = archive.conn.execute(
        """SELECT DISTINCT d.version FROM learner_documents d
           JOIN releases r ON r.id = d.release_id WHERE r.source_id = ?""",
        (source_id,),
    )
    assert [tuple(row) for row in versions] == [(DOCUMENT_VERSION + 1,)]


def test_a_read_only_archive_makes_documents_without_writing(archive: Archive) -> None:
    with archive.conn:  # none kept yet (an archive made before they were)
        archive.conn.execute("DELETE FROM learner_documents")
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


def test_an_archive_busy_with_another_writer_still_gives_its_documents(archive: Archive) -> None:
    """A crawl's worker priming its learner while the crawl stores: the documents
    made cannot be kept this time, and are given all the same."""
    with archive.conn:  # none kept yet, so they must be made and saved
        archive.conn.execute("DELETE FROM learner_documents")
    archive.conn.execute("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(archive.path)
    other.execute("BEGIN IMMEDIATE")  # holds the write lock
    try:
        documents = source_documents(archive, "demo-sitevision")
    finally:
        other.rollback()
        other.close()
    assert documents == reference_documents(archive, "demo-sitevision")
    assert _stored(archive) == 0
    assert source_documents(archive, "demo-sitevision") == documents
    assert _stored(archive) == len(documents)


# -- the old learner, verbatim: the reference the keyed one is held to ---------------


def _jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def reference_learn_about(
    docs: Iterable[Sequence[str]], *, min_docs: int = 3, min_share: float = 0.2
) -> AboutModel:
    """`learn_about` before keyed documents (commit 203ce45), verbatim but for its name."""
    short_docs: dict[str, set[int]] = defaultdict(set)
    variant_docs: dict[str, set[int]] = defaultdict(set)
    variant_text: dict[str, str] = {}
    short_text: dict[str, str] = {}
    # per release, its long paragraphs' keys in order (for the trailing test)
    long_keys: list[list[str]] = []
    n = 0
    for n_doc, paragraphs in enumerate(docs):
        n = n_doc + 1
        long_keys.append([])
        for paragraph in paragraphs:
            words = tokens(paragraph)
            if not words:
                continue
            key = _key(words)
            if len(words) < SHORT_WORDS:
                short_docs[key].add(n_doc)
                short_text.setdefault(key, paragraph)
            else:
                variant_docs[key].add(n_doc)
                variant_text.setdefault(key, paragraph)
                if len(words) >= ABOUT_WORDS:
                    long_keys[-1].append(key)
    need = max(min_docs, math.ceil(min_share * n))
    model = AboutModel(documents=n)
    model.chrome = {
        key
        for key, where in short_docs.items()
        if len(where) >= need and not _sentence(short_text[key])
    }

    keys = list(variant_docs)
    signatures = [shingles(k.split()) for k in keys]
    finder = _UnionFind(len(keys))
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, signature in enumerate(signatures):
        sketch = minhash(np.fromiter(signature, dtype=np.uint64, count=len(signature)))
        near: set[int] = set()
        for band, band_key in enumerate(sketch.band_keys(_LSH_BANDS, _LSH_ROWS)):
            bucket = buckets[(band, band_key)]
            near.update(bucket)
            bucket.append(i)
        for j in near:
            if _jaccard(signature, signatures[j]) >= SIMILARITY:
                finder.union(i, j)

    clusters: dict[int, list[int]] = defaultdict(list)
    for i in range(len(keys)):
        clusters[finder.find(i)].append(i)
    candidates: list[list[int]] = []
    for members in clusters.values():
        where = set().union(*(variant_docs[keys[i]] for i in members))
        if len(where) < need:
            continue
        members.sort(key=lambda i: -len(variant_docs[keys[i]]))
        example = variant_text[keys[members[0]]]
        if len(keys[members[0]].split()) < ABOUT_WORDS or is_chrome(example):
            if not _sentence(example):
                model.chrome.update(keys[i] for i in members)
        else:
            candidates.append(members)
    trailing = _trailing_shares([{keys[i] for i in m} for m in candidates], long_keys)
    for members, share in zip(candidates, trailing, strict=True):
        if share < MIN_TRAILING_SHARE:
            continue  # a recurring quote or phrase inside the text: body, not boilerplate
        model.about.extend(signatures[i] for i in members[:MAX_VARIANTS])
        model.examples.append(variant_text[keys[members[0]]])
    model._build_index()
    return model


def reference_learn(documents: list[list[str]]) -> AboutModel | None:
    """`about_learning.learn` before keyed documents."""
    if len(documents) < MIN_DOCUMENTS:
        return None
    return reference_learn_about(documents)
