"""Cross-platform duplicates in the archive: one cluster per release.

After each crawl the releases without a near-duplicate signature (new ones,
or ones whose text changed) are signed and matched against the archive
(pressarchive.dedupe.fingerprint: MinHash LSH, guarded by title similarity and
publication-date proximity). Two dated releases further apart than the
rule's `max_days` never match, so only the releases published within that
margin of the pending ones (and the undated) are loaded: an hourly crawl of
a large archive loads days, not years. The clusters those releases belong to
keep their whole date span, so a join is judged exactly as with everything
loaded.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pressarchive.dedupe.fingerprint import DuplicateIndex, MatchRule, Signature, signature
from pressarchive.storage.store import Archive, iso

# (earliest, latest) publication that a pending release could match
Window = tuple[datetime, datetime]
RULE = MatchRule()


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def cluster_text(lead: str, body_text: str) -> str:
    """What two copies of a release share: the cleaned lead and body."""
    return f"{lead}\n\n{body_text}".strip()


_INDEX_SQL = """
    SELECT r.id, s.signature, r.title, r.published_at, r.cluster_id
    FROM releases r JOIN release_signatures s ON s.release_id = r.id"""
_IN_WINDOW = " WHERE r.published_at IS NULL OR r.published_at BETWEEN ? AND ?"
_SPANS_SQL = """
    SELECT r.cluster_id, MIN(r.published_at), MAX(r.published_at)
    FROM releases r JOIN release_signatures s ON s.release_id = r.id
    WHERE r.published_at IS NOT NULL AND r.cluster_id IN (
        SELECT cluster_id FROM releases
        WHERE published_at IS NULL OR published_at BETWEEN ? AND ?)
    GROUP BY r.cluster_id"""


def load_index(archive: Archive, window: Window | None = None) -> DuplicateIndex:
    """The signed releases, all of them or those a release in `window` could match."""
    bounds = tuple(iso(moment.astimezone(UTC)) for moment in window) if window else ()
    rows = archive.conn.execute(_INDEX_SQL + (_IN_WINDOW if window else ""), bounds)
    index = DuplicateIndex.from_rows(
        ((int(row[0]), bytes(row[1]), row[2], _when(row[3]), row[4]) for row in rows), rule=RULE
    )
    if window:
        for cluster, earliest, latest in archive.conn.execute(_SPANS_SQL, bounds):
            index.widen_span(
                int(cluster), datetime.fromisoformat(earliest), datetime.fromisoformat(latest)
            )
    return index


def match_window(published: list[datetime | None], rule: MatchRule = RULE) -> Window | None:
    """The dates a release among `published` could match; None (load everything)
    when one is undated, since an undated release may match any date."""
    if not published or any(p is None for p in published):
        return None
    dated = [p for p in published if p is not None]
    margin = timedelta(days=rule.max_days)
    return min(dated) - margin, max(dated) + margin


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
    window = match_window([_when(row[4]) for row in pending])
    index = load_index(archive, window)
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
