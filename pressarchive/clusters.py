"""Cross-platform duplicates in the archive: one cluster per release.

After each crawl the releases without a near-duplicate signature (new ones,
or ones whose text changed) are signed and matched against everything the
archive holds (pressarchive.fingerprint: MinHash LSH, guarded by title
similarity and publication-date proximity). The index is loaded from the
stored signatures, so the cost grows linearly with the archive.
"""

from __future__ import annotations

from datetime import datetime

from pressarchive.fingerprint import DuplicateIndex, Signature, signature
from pressarchive.store import Archive


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def cluster_text(lead: str, body_text: str) -> str:
    """What two copies of a release share: the cleaned lead and body."""
    return f"{lead}\n\n{body_text}".strip()


def load_index(archive: Archive) -> DuplicateIndex:
    rows = archive.conn.execute(
        """SELECT r.id, s.signature, r.title, r.published_at, r.cluster_id
           FROM releases r JOIN release_signatures s ON s.release_id = r.id"""
    )
    return DuplicateIndex.from_rows(
        (int(row[0]), bytes(row[1]), row[2], _when(row[3]), row[4]) for row in rows
    )


def cluster_pending(archive: Archive) -> int:
    """Sign and cluster every release that has no signature yet, in order of
    publication (so a cluster's first member is its earliest). Returns how
    many releases joined another release's cluster."""
    pending = archive.conn.execute(
        """SELECT r.id, r.title, r.lead, r.body_text, r.published_at
           FROM releases r LEFT JOIN release_signatures s ON s.release_id = r.id
           WHERE s.release_id IS NULL
           ORDER BY r.published_at IS NULL, r.published_at, r.id"""
    ).fetchall()
    if not pending:
        return 0
    index = load_index(archive)
    updates: list[tuple[int, int]] = []
    signatures: list[tuple[int, bytes]] = []
    joined = 0
    for release_id, title, lead, body_text, published_at in pending:
        sig: Signature = signature(cluster_text(lead, body_text))
        cluster = index.add(int(release_id), sig, title=title, published_at=_when(published_at))
        joined += cluster != release_id
        updates.append((cluster, int(release_id)))
        signatures.append((int(release_id), sig.to_bytes()))
    with archive.conn:
        archive.conn.executemany("UPDATE releases SET cluster_id = ? WHERE id = ?", updates)
        archive.conn.executemany(
            "INSERT OR REPLACE INTO release_signatures (release_id, signature) VALUES (?, ?)",
            signatures,
        )
    return joined
