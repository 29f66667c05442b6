"""A release as the row the `releases` table stores, the hash that tells an
unchanged record from a changed one, and the text kept of its extraction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pressarchive.items import Release
from pressarchive.storage.connection import digest, iso, utc_iso
from pressarchive.times import STOCKHOLM

# Set in a release's `extracted` record by the refine stage: which about-text
# model cleaned it (pressarchive.refine.about_learning.model_key). Stored in its own column.
ABOUT_MODEL_KEY = "_about_model"
# [version, document] in an extraction on its way, kept apart in `learner_documents`:
# the crawl made it while cleaning, so the end-of-crawl re-learning need not.
LEARNER_DOCUMENT_KEY = "_learner_document"
KEPT_APART = (ABOUT_MODEL_KEY, LEARNER_DOCUMENT_KEY)


def extraction_record_text(extracted: dict[str, Any]) -> str:
    """The JSON text the archive keeps of an extracted record: without the keys
    kept apart, in the record's own key order."""
    record = {name: value for name, value in extracted.items() if name not in KEPT_APART}
    return json.dumps(record, ensure_ascii=False)


def extraction_text(release: Release) -> str:
    """`extraction_record_text` of the release's extraction, made once and kept
    on the release (`Release.extracted_text`)."""
    if release.extracted_text is None:
        if release.extracted is None:
            raise ValueError("the release has no extraction kept")
        release.extracted_text = extraction_record_text(release.extracted)
    return release.extracted_text


def _local_time(r: Release) -> datetime | None:
    # published_local is what date filters and per-month counts read: a release
    # stored with only its UTC time gets the Stockholm view of it.
    if r.published_local is not None or r.published_at is None:
        return r.published_local
    return r.published_at.astimezone(STOCKHOLM)


def _release_row(r: Release, canonical: str) -> dict[str, Any]:
    return {
        "source_id": r.source,
        "platform": r.platform,
        "platform_id": r.platform_id,
        "url": r.url,
        "canonical_url": canonical,
        "title": r.title,
        "kind": r.kind,
        "organisation": r.organisation,
        "lead": r.lead,
        "body_text": r.body_text,
        "body_html": r.body_html,
        "about_text": r.about_text,
        "language": r.language,
        "published_at": utc_iso(r.published_at),
        "published_local": iso(_local_time(r)),
        "published_raw": r.published_raw,
        "layers": json.dumps(r.layers, sort_keys=True, ensure_ascii=False),
        "flags": json.dumps(sorted(r.flags), ensure_ascii=False),
    }


def _record_hash(row: dict[str, Any], r: Release) -> str:
    parts = {
        "row": {k: v for k, v in row.items() if k not in ("url", "canonical_url")},
        "contacts": [vars(c) for c in r.contacts],
        "tags": [vars(t) for t in r.tags],
        "images": [vars(i) for i in r.images],
        "attachments": [vars(a) for a in r.attachments],
        "events": [(utc_iso(e.starts_at), utc_iso(e.ends_at), e.place, e.raw) for e in r.events],
    }
    return digest(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str))


def keep_learner_documents(
    conn: sqlite3.Connection, documents: Iterable[tuple[int, int, Any]]
) -> None:
    """Keep (release id, version, keyed paragraphs) in `learner_documents`, in
    the caller's transaction: the store's, or the re-learning's cache."""
    conn.executemany(
        "INSERT OR REPLACE INTO learner_documents (release_id, version, document) VALUES (?, ?, ?)",
        (
            (release_id, version, json.dumps(paragraphs, ensure_ascii=False))
            for release_id, version, paragraphs in documents
        ),
    )
