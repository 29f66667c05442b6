"""Cross-platform duplicates in the archive: one cluster per release.

After each crawl the releases without a near-duplicate signature (new ones,
or ones whose text changed) are signed and matched against the archive
(pressarchive.dedupe.index: MinHash LSH, guarded by the publication dates,
the titles and the figures). Candidates are found by their LSH band keys, kept in
SQLite (`release_bands`), rather than by date: each pending release loads
only the few releases that share a band with it, whatever its date, so a
correction to a release of 2015 costs what a new one does and an undated
release does not load the archive. The clusters those candidates belong to
keep their whole date span, so a join is judged exactly as with everything
loaded.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TypeVar

from pressarchive.dedupe.index import DuplicateIndex, MatchRule
from pressarchive.dedupe.minhash import Signature, signature
from pressarchive.storage.store import Archive

RULE = MatchRule()
# SQLite's default limit on host parameters is 32766 (999 before 3.32): stay well under.
_CHUNK = 900
T = TypeVar("T")

# Not a migration: band keys are computed from the stored signatures, which
# SQL cannot do, so the table is made and filled by the first clustering that
# needs it. Rows of a signature replaced after a correction stay behind: they
# only add a candidate that the similarity check then turns down.
BANDS_TABLE = """
CREATE TABLE IF NOT EXISTS release_bands (
    band_key INTEGER NOT NULL,
    release_id INTEGER NOT NULL,
    PRIMARY KEY (band_key, release_id)
) WITHOUT ROWID"""


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _chunks(items: list[T], size: int = _CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def cluster_text(lead: str, body_text: str) -> str:
    """What two copies of a release share: the cleaned lead and body."""
    return f"{lead}\n\n{body_text}".strip()


def _band_rows(rows: Iterable[tuple[int, Signature]]) -> Iterator[tuple[int, int]]:
    for release_id, sig in rows:
        for key in sig.stored_band_keys():
            yield key, release_id


def ensure_bands(conn: sqlite3.Connection) -> None:
    """The band table, filled from the stored signatures the first time."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'release_bands'").fetchone():
        return
    with conn:
        conn.execute(BANDS_TABLE)
        stored = conn.execute("SELECT release_id, signature FROM release_signatures")
        conn.executemany(
            "INSERT OR IGNORE INTO release_bands (band_key, release_id) VALUES (?, ?)",
            _band_rows((int(r[0]), Signature.from_bytes(bytes(r[1]))) for r in stored),
        )


_INDEX_SQL = """
    SELECT r.id, s.signature, r.title, r.published_at, r.cluster_id
    FROM releases r JOIN release_signatures s ON s.release_id = r.id"""


def load_index(archive: Archive) -> DuplicateIndex:
    """Every signed release (what clustering loaded before band look-ups)."""
    rows = archive.conn.execute(_INDEX_SQL)
    return DuplicateIndex.from_rows(
        ((int(row[0]), bytes(row[1]), row[2], _when(row[3]), row[4]) for row in rows), rule=RULE
    )


def candidates(conn: sqlite3.Connection, signatures: Iterable[Signature]) -> set[int]:
    """Signed releases sharing at least one LSH band with one of `signatures`."""
    keys = sorted({key for sig in signatures for key in sig.stored_band_keys()})
    found: set[int] = set()
    for chunk in _chunks(keys):
        found.update(
            int(row[0])
            for row in conn.execute(
                "SELECT release_id FROM release_bands "
                f"WHERE band_key IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
        )
    return found


def load_candidates(conn: sqlite3.Connection, ids: set[int]) -> DuplicateIndex:
    """The index of releases `ids`, their clusters' date spans widened by the
    members that were not loaded."""
    index = DuplicateIndex(rule=RULE)
    clusters: set[int] = set()
    for chunk in _chunks(sorted(ids)):
        marks = ", ".join("?" * len(chunk))
        for key, blob, title, published_at, cluster in conn.execute(
            f"{_INDEX_SQL} WHERE r.id IN ({marks})", chunk
        ):
            sig = Signature.from_bytes(bytes(blob))
            if cluster is None:
                index.add(int(key), sig, title=title, published_at=_when(published_at))
            else:
                index.load(
                    int(key), sig, title=title, published_at=_when(published_at), cluster=cluster
                )
                clusters.add(int(cluster))
    for chunk in _chunks(sorted(clusters)):
        marks = ", ".join("?" * len(chunk))
        for cluster, earliest, latest in conn.execute(
            f"""SELECT r.cluster_id, MIN(r.published_at), MAX(r.published_at)
                FROM releases r JOIN release_signatures s ON s.release_id = r.id
                WHERE r.published_at IS NOT NULL AND r.cluster_id IN ({marks})
                GROUP BY r.cluster_id""",
            chunk,
        ):
            index.widen_span(
                int(cluster), datetime.fromisoformat(earliest), datetime.fromisoformat(latest)
            )
    return index


def cluster_pending(archive: Archive) -> int:
    """Sign and cluster every release that has no signature yet, in order of
    publication (so a cluster's first member is its earliest). Returns how
    many releases joined another release's cluster."""
    conn = archive.conn
    pending = conn.execute(
        """SELECT r.id, r.title, r.lead, r.body_text, r.published_at
           FROM releases r LEFT JOIN release_signatures s ON s.release_id = r.id
           WHERE s.release_id IS NULL
           ORDER BY r.published_at IS NULL, r.published_at, r.id"""
    ).fetchall()
    if not pending:
        return 0
    ensure_bands(conn)
    signed = [
        (int(release_id), signature(cluster_text(lead, body_text)), title, _when(published_at))
        for release_id, title, lead, body_text, published_at in pending
    ]
    index = load_candidates(conn, candidates(conn, (sig for _, sig, _, _ in signed)))
    updates: list[tuple[int, int]] = []
    joined = 0
    for release_id, sig, title, published_at in signed:
        cluster = index.add(release_id, sig, title=title, published_at=published_at)
        joined += cluster != release_id
        updates.append((cluster, release_id))
    with conn:
        conn.executemany("UPDATE releases SET cluster_id = ? WHERE id = ?", updates)
        conn.executemany(
            "INSERT OR REPLACE INTO release_signatures (release_id, signature) VALUES (?, ?)",
            ((release_id, sig.to_bytes()) for release_id, sig, _, _ in signed),
        )
        conn.executemany(
            "INSERT OR IGNORE INTO release_bands (band_key, release_id) VALUES (?, ?)",
            _band_rows((release_id, sig) for release_id, sig, _, _ in signed),
        )
    return joined
