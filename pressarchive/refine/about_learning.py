"""Learning each source's about-text from the archive, and applying it.

The model is learned from the extracted records the archive keeps (table
`extractions`), so it grows with the archive and a re-application needs no
re-fetch. During a crawl the refine stage also learns online from the pages
it sees, so that a new press room is cleaned on its first crawl.

What the model learns from a release (its document) is kept in the archive
once made (pressarchive.refine.learner_documents), so that re-learning after a
crawl parses only the releases the crawl brought, not every stored body again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, cast

from pressarchive.items import Release
from pressarchive.refine.about_model import AboutModel, KeyedParagraph, keyed, learn_about_keyed
from pressarchive.refine.cleaning import refine
from pressarchive.refine.learner_documents import KeyedDocument, iter_keyed_documents
from pressarchive.refine.process import reprocess
from pressarchive.storage.rows import ABOUT_MODEL_KEY, extraction_text
from pressarchive.storage.store import Archive

# Below this many releases a source has no model: too few to tell what recurs.
MIN_DOCUMENTS = 8
BATCH = 200


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


def extraction_digest(stored_record: str) -> str:
    """A stored extraction's identity (of the JSON text the archive keeps)."""
    return hashlib.blake2b(stored_record.encode("utf-8"), digest_size=16).hexdigest()


def _stale_digests(archive: Archive, source_id: str, key: str) -> dict[int, str]:
    """The source's releases cleaned with another model than `key`, with the
    digest of their stored extraction."""
    return {
        int(release_id): extraction_digest(record)
        for release_id, record in archive.conn.execute(
            """SELECT e.release_id, e.record FROM extractions e JOIN releases r ON r.id = e.release_id
               WHERE r.source_id = ? AND e.about_model IS NOT ?""",
            (source_id, key),
        )
    }


def _extractions(
    archive: Archive, source_id: str, only: set[int] | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The source's extracted records in release order (only those in `only`,
    when given: read by id, so a few releases of a large source cost little)."""
    if only is None:
        rows = archive.conn.execute(
            """SELECT e.release_id, e.record FROM extractions e
               JOIN releases r ON r.id = e.release_id
               WHERE r.source_id = ? ORDER BY e.release_id""",
            (source_id,),
        ).fetchall()
        for release_id, record in rows:
            yield int(release_id), json.loads(record)
        return
    wanted = sorted(only)
    rows = []
    for start in range(0, len(wanted), _IDS_PER_QUERY):
        chunk = wanted[start : start + _IDS_PER_QUERY]
        marks = ",".join("?" * len(chunk))
        rows += archive.conn.execute(
            f"""SELECT e.release_id, e.record FROM extractions e
                JOIN releases r ON r.id = e.release_id
                WHERE r.source_id = ? AND e.release_id IN ({marks}) ORDER BY e.release_id""",
            (source_id, *chunk),
        ).fetchall()
    # All read before the caller writes (its writes touch these rows).
    for release_id, record in rows:
        yield int(release_id), json.loads(record)


_IDS_PER_QUERY = 500


def learn(documents: Sequence[Sequence[str]]) -> AboutModel | None:
    return learn_keyed([keyed(doc) for doc in documents])


def learn_keyed(documents: Iterable[Sequence[KeyedParagraph]]) -> AboutModel | None:
    """The model, or None from too few documents (read once, so they may stream)."""
    model = learn_about_keyed(documents)
    return model if model.documents >= MIN_DOCUMENTS else None


def load_about_model(archive: Archive, source_id: str) -> AboutModel | None:
    return learn_keyed(iter_keyed_documents(archive, source_id))


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


# (model, {release id: digest of its stored extraction}) -> the release ids
# whose cleaning the model would leave exactly as it is (see CleaningLog).
UnchangedCleanings = Callable[[AboutModel, dict[int, str]], set[int]]


def refresh_source(
    archive: Archive,
    source_id: str,
    *,
    crawl_id: int | None = None,
    unchanged: UnchangedCleanings | None = None,
) -> int:
    """After a crawl: re-learn the source's model from the whole archive. If it
    changed, re-clean every release of the source; otherwise only those the
    crawl stored (they were cleaned while the model was still being learned).
    `unchanged` (the crawl's CleaningLog) spares the releases the new model
    would clean exactly as before. Returns how many releases changed."""
    model = learn_keyed(iter_keyed_documents(archive, source_id))
    if model is None:
        return 0
    key = model_key(model)
    stale = _stale_digests(archive, source_id, key)
    only = set(stale)
    if unchanged is not None and only:
        only -= unchanged(model, stale)
    changed = reapply_about(archive, source_id, model=model, only=only) if only else 0
    with archive.conn:
        # releases the new model left as they were are cleaned with it too
        archive.conn.executemany(
            "UPDATE extractions SET about_model = ? WHERE release_id = ?",
            [(key, release_id) for release_id in stale],
        )
    save_model(archive, source_id, model, model.documents)
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
    for _, record in _extractions(archive, source_id, only):
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

    def __init__(self, archive_documents: list[KeyedDocument]) -> None:
        self.documents = archive_documents
        self._learn()
        self.next_refresh = max(MIN_DOCUMENTS, len(self.documents) * 2)

    def _learn(self) -> None:
        self.model = learn_keyed(self.documents)
        # kept with every release the model cleans: made once per model, not per release
        self.model_key = model_key(self.model)

    def add(self, document_: KeyedDocument) -> AboutModel | None:
        self.documents.append(document_)
        if len(self.documents) >= self.next_refresh:
            self._learn()
            self.next_refresh = len(self.documents) * 2
        return self.model


# What refine asked the about-model: the paragraphs it classified and the kinds.
Decisions = tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]


class _RecordingModel:
    """Stands in for an AboutModel in refine, noting each classification."""

    def __init__(self, model: AboutModel) -> None:
        self.model = model
        self.calls: list[tuple[tuple[str, ...], tuple[str, ...]]] = []

    def classify(self, paragraphs: Sequence[str]) -> list[str]:
        kinds = self.model.classify(paragraphs)
        self.calls.append((tuple(paragraphs), tuple(kinds)))
        return kinds


class CleaningLog:
    """What the about-model decided for each release a crawl cleaned, by the
    digest of its extraction.

    The model reaches refine only through `classify` (whether there is a model
    at all aside), so a newer model that classifies the same paragraphs the same
    way cleans the release byte for byte as before: at the end of a crawl,
    `unchanged` finds those releases and the re-cleaning skips them."""

    def __init__(self) -> None:
        # None: cleaned without a model (a model would change what refine does)
        self._decisions: dict[str, Decisions | None] = {}

    def refine(self, release: Release, model: AboutModel | None) -> Release:
        """refine(release, about=model), noting the model's decisions."""
        digest = extraction_digest(extraction_text(release))
        if model is None:
            self._decisions[digest] = None
            return refine(release, about=None)
        recorder = _RecordingModel(model)
        # refine only calls classify on the model; the recorder passes it through.
        refine(release, about=cast(AboutModel, recorder))
        self._decisions[digest] = tuple(recorder.calls)
        return release

    def decisions_json(self, release: Release) -> list[list[list[str]]] | None:
        """What the model decided for the release with this extraction, as JSON
        (for the scale-out writer, which re-cleans at the end of a run); None
        when it was cleaned without a model or not by this log."""
        decisions = self._decisions.get(extraction_digest(extraction_text(release)))
        if decisions is None:
            return None
        return [[list(paragraphs), list(kinds)] for paragraphs, kinds in decisions]

    def remember(self, release: Release, decisions: Any) -> None:
        """Take over a crawler's decisions for a release (`decisions_json`'s
        form); anything else is ignored, and the release is re-cleaned."""
        if not isinstance(decisions, list):
            return
        try:
            recorded = tuple(
                (tuple(str(p) for p in paragraphs), tuple(str(k) for k in kinds))
                for paragraphs, kinds in decisions
            )
        except (TypeError, ValueError):
            return
        self._decisions[extraction_digest(extraction_text(release))] = recorded

    def unchanged(self, model: AboutModel, digests: dict[int, str]) -> set[int]:
        """The release ids (of `digests`) that `model` would clean as they were."""
        same: set[int] = set()
        for release_id, digest in digests.items():
            decisions = self._decisions.get(digest)
            if decisions is None:
                continue
            if all(tuple(model.classify(paragraphs)) == kinds for paragraphs, kinds in decisions):
                same.add(release_id)
        return same

    def __len__(self) -> int:
        return len(self._decisions)
