"""Learning each source's about-text from the archive, and applying it.

The model is learned from the extracted records the archive keeps (table
`extractions`), so it grows with the archive and a re-application needs no
re-fetch. During a crawl the refine stage also learns online from the pages
it sees, so that a new press room is cleaned on its first crawl.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import Any

from pressarchive.boilerplate import AboutModel, learn_about
from pressarchive.clean import html_blocks
from pressarchive.process import reprocess
from pressarchive.store import ABOUT_MODEL_KEY, Archive

# Below this many releases a source has no model: too few to tell what recurs.
MIN_DOCUMENTS = 8
BATCH = 200


def document(record: dict[str, Any]) -> list[str]:
    """A release as the list of paragraphs the model learns from."""
    blocks = html_blocks(str(record.get("body_html") or ""))
    about = str(record.get("about_text") or "")
    return blocks + [p.strip() for p in about.split("\n\n") if p.strip()]


def model_key(model: AboutModel | None) -> str:
    """What the model does (the chrome and about-text it recognises), not how
    many documents it has seen: two models with one key clean alike."""
    if model is None:
        return ""
    behaviour = json.dumps(
        {"chrome": sorted(model.chrome), "about": sorted(sorted(s) for s in model.about)},
        separators=(",", ":"),
    )
    return hashlib.blake2b(behaviour.encode("utf-8"), digest_size=12).hexdigest()


def _extractions(archive: Archive, source_id: str) -> Iterator[tuple[int, dict[str, Any]]]:
    rows = archive.conn.execute(
        """SELECT e.release_id, e.record FROM extractions e
           JOIN releases r ON r.id = e.release_id
           WHERE r.source_id = ? ORDER BY e.release_id""",
        (source_id,),
    ).fetchall()
    for release_id, record in rows:
        yield int(release_id), json.loads(record)


def source_documents(archive: Archive, source_id: str) -> list[list[str]]:
    return [document(record) for _, record in _extractions(archive, source_id)]


def learn(documents: Sequence[Sequence[str]]) -> AboutModel | None:
    if len(documents) < MIN_DOCUMENTS:
        return None
    return learn_about(documents)


def load_about_model(archive: Archive, source_id: str) -> AboutModel | None:
    return learn(source_documents(archive, source_id))


def saved_model_key(archive: Archive, source_id: str) -> str:
    row = archive.conn.execute(
        "SELECT model_key FROM about_models WHERE source_id = ?", (source_id,)
    ).fetchone()
    return str(row[0]) if row else ""


def save_model(archive: Archive, source_id: str, model: AboutModel, documents: int) -> None:
    with archive.conn:
        archive.conn.execute(
            """INSERT OR REPLACE INTO about_models
                   (source_id, model_key, model, documents, learned_at)
               VALUES (?, ?, ?, ?, datetime('now'))""",
            (source_id, model_key(model), model.to_json(), documents),
        )


def refresh_source(archive: Archive, source_id: str, *, crawl_id: int | None = None) -> int:
    """After a crawl: re-learn the source's model from the whole archive. If it
    changed, re-clean every release of the source; otherwise only those the
    crawl stored (they were cleaned while the model was still being learned).
    Returns how many releases changed."""
    documents = source_documents(archive, source_id)
    model = learn(documents)
    if model is None:
        return 0
    key = model_key(model)
    only = {
        int(row[0])
        for row in archive.conn.execute(
            """SELECT e.release_id FROM extractions e JOIN releases r ON r.id = e.release_id
               WHERE r.source_id = ? AND e.about_model IS NOT ?""",
            (source_id, key),
        )
    }
    changed = reapply_about(archive, source_id, model=model, only=only) if only else 0
    with archive.conn:
        # releases the new model left as they were are cleaned with it too
        archive.conn.executemany(
            "UPDATE extractions SET about_model = ? WHERE release_id = ?",
            [(key, release_id) for release_id in only],
        )
    save_model(archive, source_id, model, len(documents))
    return changed


def reapply_about(
    archive: Archive,
    source_id: str,
    *,
    model: AboutModel | None = None,
    only: set[int] | None = None,
) -> int:
    """Re-clean the source's releases (or those in `only`) with `model` (by
    default the one learned from the archive now). Changes are made in place:
    a better cleaning is not a new version of the release. Returns how many
    releases changed."""
    model = model or load_about_model(archive, source_id)
    if model is None:
        return 0
    changed = 0
    batch = []
    key = model_key(model)
    for release_id, record in _extractions(archive, source_id):
        if only is not None and release_id not in only:
            continue
        release = reprocess(record, about=model)
        assert release.extracted is not None
        release.extracted[ABOUT_MODEL_KEY] = key
        batch.append(release)
        if len(batch) >= BATCH:
            changed += _store(archive, batch)
            batch = []
    changed += _store(archive, batch)
    return changed


def _store(archive: Archive, batch: list[Any]) -> int:
    if not batch:
        return 0
    results = archive.store(batch, revise=False, touch=False)
    return sum(1 for r in results if r.outcome == "updated")


class OnlineAboutLearner:
    """Per source, during a crawl: the archive's documents plus the new ones,
    with the model re-learned each time the count doubles (so the cost stays
    linear in the number of releases)."""

    def __init__(self, archive_documents: list[list[str]]) -> None:
        self.documents = archive_documents
        self.model = learn(self.documents)
        self.next_refresh = max(MIN_DOCUMENTS, len(self.documents) * 2)

    def add(self, document_: list[str]) -> AboutModel | None:
        self.documents.append(document_)
        if len(self.documents) >= self.next_refresh:
            self.model = learn(self.documents)
            self.next_refresh = len(self.documents) * 2
        return self.model
