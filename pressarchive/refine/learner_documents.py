"""Each release's learner document, kept in the archive beside its extraction.

A release's document is what the about-text model learns from it: the
paragraphs of its extracted body and about-text, each with its key
(pressarchive.refine.about_model.paragraph_key). Making it parses the stored
body HTML, which dominated re-learning a source after every crawl; so once made
it is kept in `learner_documents` (schema v3). The table is a cache: a release
without a document (new, or stored before v3) or with one made by other code
(`DOCUMENT_VERSION`) has it made from its extraction on first read and saved;
the schema's trigger drops it when the extraction changes.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from typing import Any

from pressarchive.refine.about_model import KeyedParagraph, keyed
from pressarchive.refine.html import html_blocks
from pressarchive.storage.rows import keep_learner_documents
from pressarchive.storage.store import Archive

log = logging.getLogger(__name__)

_IDS_PER_QUERY = 500

KeyedDocument = list[KeyedParagraph]


def document(record: dict[str, Any]) -> list[str]:
    """A release as the list of paragraphs the model learns from."""
    blocks = html_blocks(str(record.get("body_html") or ""))
    about = str(record.get("about_text") or "")
    return blocks + [p.strip() for p in about.split("\n\n") if p.strip()]


# The code that makes a learner document: change it whenever `document` (or
# html_blocks under it) would give other paragraphs for a stored extraction, or
# about_model.paragraph_key other keys, and every stored document is made again
# from its extraction when next read. 1: paragraphs; 2: keyed paragraphs.
DOCUMENT_VERSION = 2


def source_documents(archive: Archive, source_id: str) -> list[list[str]]:
    """The source's documents in release order, as `document` makes them from
    each stored extraction."""
    return [
        [paragraph for paragraph, _ in doc] for doc in source_keyed_documents(archive, source_id)
    ]


def source_keyed_documents(archive: Archive, source_id: str) -> list[KeyedDocument]:
    return list(iter_keyed_documents(archive, source_id))


def iter_keyed_documents(archive: Archive, source_id: str) -> Iterator[KeyedDocument]:
    """The source's documents in release order, each paragraph with its key, one
    at a time (a large source is never all in memory). Read from
    `learner_documents` (schema v3), where a release's document is kept once
    made: the missing or outdated ones are made from their extractions first and
    saved (unless the archive is open read-only)."""
    missing = [
        int(release_id)
        for (release_id,) in archive.conn.execute(
            """SELECT e.release_id FROM extractions e
               JOIN releases r ON r.id = e.release_id
               LEFT JOIN learner_documents d ON d.release_id = e.release_id
               WHERE r.source_id = ? AND d.version IS NOT ?""",
            (source_id, DOCUMENT_VERSION),
        )
    ]
    # held until read, not read back: they are the releases new since the
    # last read, as many as the crawl brought
    held = _make_documents(archive, missing)
    _save_documents(archive, held)
    rows = archive.conn.execute(
        """SELECT e.release_id, d.version, d.document FROM extractions e
           JOIN releases r ON r.id = e.release_id
           LEFT JOIN learner_documents d ON d.release_id = e.release_id
           WHERE r.source_id = ? ORDER BY e.release_id""",
        (source_id,),
    )
    for release_id, version, stored in rows:
        if release_id in held:
            yield held.pop(release_id)
        elif version == DOCUMENT_VERSION:
            yield json.loads(stored)
        else:  # stored by another writer since the first query: made now
            yield _make_documents(archive, [release_id])[release_id]


def _make_documents(archive: Archive, release_ids: list[int]) -> dict[int, KeyedDocument]:
    # Only the body and the about-text make a document: SQLite picks them out of
    # the stored JSON, which is cheaper than parsing every record in Python.
    made: dict[int, KeyedDocument] = {}
    for start in range(0, len(release_ids), _IDS_PER_QUERY):
        chunk = release_ids[start : start + _IDS_PER_QUERY]
        marks = ",".join("?" * len(chunk))
        for release_id, body, about in archive.conn.execute(
            f"""SELECT release_id, json_extract(record, '$.body_html'),
                       json_extract(record, '$.about_text')
                FROM extractions WHERE release_id IN ({marks})""",
            chunk,
        ):
            made[int(release_id)] = keyed(document({"body_html": body, "about_text": about}))
    return made


def _save_documents(archive: Archive, made: dict[int, KeyedDocument]) -> bool:
    """Keep the documents made (True: kept). They are a cache, so an archive
    open read-only or busy with another writer (a crawl's worker priming its
    learner while the crawl stores) simply makes them again next time."""
    if not made:
        return True
    if archive.readonly:
        return False
    try:
        with archive.conn:
            keep_learner_documents(
                archive.conn,
                ((release_id, DOCUMENT_VERSION, p) for release_id, p in made.items()),
            )
    except sqlite3.OperationalError as exc:  # "database is locked"
        log.info("learner documents not kept this time: %s", exc)
        return False
    return True
