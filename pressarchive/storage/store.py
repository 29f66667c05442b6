"""The SQLite archive: opening (with migrations), idempotent writes, crawl rows.

One writer at a time (SQLite has one): the crawl's store pipeline, `reextract`,
or the scale-out queue drainer. Every batch of releases is one transaction, so
a process killed at any moment leaves each release either wholly stored or not
at all.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pressarchive.items import Contact, Release
from pressarchive.sources import Source
from pressarchive.storage.connection import (
    ArchiveError,
    CrawlSuperseded,
    check_integrity,
    check_readable,
    connect,
    content_hash,
    iso,
    migrate,
    person_key,
    utc_iso,
)
from pressarchive.storage.rows import (
    ABOUT_MODEL_KEY,
    LEARNER_DOCUMENT_KEY,
    _record_hash,
    _release_row,
    extraction_text,
    keep_learner_documents,
)
from pressarchive.times import utc_now

Outcome = Literal["stored", "updated", "unchanged"]
OUTCOMES: tuple[Outcome, ...] = ("stored", "updated", "unchanged")


@dataclass(frozen=True)
class StoreResult:
    release_id: int
    outcome: Outcome
    revision_id: int | None = None


class Archive:
    """The archive opened for writing (or, with readonly=True, for reading)."""

    def __init__(self, path: Path | str, *, readonly: bool = False, check: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.conn = connect(self.path, readonly=readonly)
        try:
            if check:
                check_integrity(self.conn, self.path)
            if readonly:
                check_readable(self.conn, self.path)
            else:
                migrate(self.conn)
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise ArchiveError(f"{self.path}: not a pressarchive archive ({exc})") from None
        except ArchiveError:
            self.conn.close()
            raise

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sources and crawls -------------------------------------------------

    def ensure_source(self, source: Source) -> None:
        with self.conn:
            self.conn.execute(
                """INSERT INTO sources (id, organisation, platform, start_urls, added_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT(id) DO UPDATE SET organisation = excluded.organisation,
                       platform = excluded.platform, start_urls = excluded.start_urls""",
                (
                    source.id,
                    source.organisation,
                    source.platform,
                    json.dumps(list(source.start_urls)),
                    iso(utc_now()),
                ),
            )

    def begin_crawl(self, spider: str, source_id: str | None) -> int:
        with self.conn:
            cur = self.conn.execute(
                "INSERT INTO crawls (spider, source_id, started_at) VALUES (?, ?, ?)",
                (spider, source_id, iso(utc_now())),
            )
        return int(cur.lastrowid or 0)

    def finish_crawl(
        self,
        crawl_id: int,
        *,
        status: str,
        counts: dict[str, int],
        errors: Sequence[dict[str, Any]],
        stats: dict[str, Any],
        only_if_running: bool = False,
    ) -> None:
        """Record the end of a crawl; `only_if_running` (the crawl's own
        process): never over a row a later crawl has marked interrupted."""
        guard = " AND status = 'running'" if only_if_running else ""
        with self.conn:
            self.conn.execute(
                f"""UPDATE crawls SET finished_at = ?, status = ?, stored = ?, updated = ?,
                       unchanged = ?, dropped = ?, error_count = ?, errors = ?, stats = ?
                   WHERE id = ?{guard}""",
                (
                    iso(utc_now()),
                    status,
                    counts.get("stored", 0),
                    counts.get("updated", 0),
                    counts.get("unchanged", 0),
                    counts.get("dropped", 0),
                    len(errors),
                    json.dumps(list(errors), ensure_ascii=False, default=str),
                    json.dumps(stats, ensure_ascii=False, default=str, sort_keys=True),
                    crawl_id,
                ),
            )

    def mark_stale_crawls_interrupted(self) -> int:
        """Crawls still 'running' belong to a process that was killed."""
        with self.conn:
            cur = self.conn.execute(
                "UPDATE crawls SET status = 'interrupted', finished_at = COALESCE(finished_at, ?) "
                "WHERE status = 'running'",
                (iso(utc_now()),),
            )
        return cur.rowcount

    # -- lookups -------------------------------------------------------------

    def find_release_id(
        self, *, platform: str, platform_id: str | None, canonical_url: str
    ) -> int | None:
        if platform_id:
            row = self.conn.execute(
                "SELECT id FROM releases WHERE platform = ? AND platform_id = ?",
                (platform, platform_id),
            ).fetchone()
            if row:
                return int(row[0])
        row = self.conn.execute(
            "SELECT id FROM releases WHERE canonical_url = ?", (canonical_url,)
        ).fetchone()
        return int(row[0]) if row else None

    def release_ids(self, source_id: str | None = None) -> list[int]:
        if source_id is None:
            rows = self.conn.execute("SELECT id FROM releases ORDER BY id")
        else:
            rows = self.conn.execute(
                "SELECT id FROM releases WHERE source_id = ? ORDER BY id", (source_id,)
            )
        return [int(r[0]) for r in rows]

    # -- writes --------------------------------------------------------------

    def store(
        self,
        releases: Iterable[Release],
        *,
        crawl_id: int | None = None,
        seen_at: datetime | None = None,
        revise: bool = True,
        touch: bool = True,
        own_run: bool = False,
    ) -> list[StoreResult]:
        """Store a batch in one transaction; idempotent per release.

        `revise=False` is for re-cleaning what is already archived (a better
        extraction is not a new version of the release); `touch=False` leaves
        `last_seen_at` alone because nothing was fetched. `own_run=True` is for
        the process running crawl `crawl_id` itself (the store pipeline): the
        batch counts in the crawl's row, and is refused if that row is no
        longer running (CrawlSuperseded). The scale-out ingest, which may
        store a crawl's last pages after its run was closed, leaves it off.
        """
        now = iso(seen_at or utc_now())
        assert now is not None
        results: list[StoreResult] = []
        with self.conn:
            for release in releases:
                results.append(self._store_one(release, now, crawl_id, revise, touch))
            if crawl_id is not None and own_run:
                self._count_in_crawl(crawl_id, results)
        return results

    def _count_in_crawl(self, crawl_id: int, results: list[StoreResult]) -> None:
        """The crawl row's counts grow in the batch's own transaction, so a
        crawl killed at any moment says truly what it stored; and a crawl whose
        row was marked interrupted (an orphan) has its batch rolled back."""
        counts = {key: sum(r.outcome == key for r in results) for key in OUTCOMES}
        cur = self.conn.execute(
            """UPDATE crawls SET stored = stored + ?, updated = updated + ?,
                   unchanged = unchanged + ?
               WHERE id = ? AND status = 'running'""",
            (counts["stored"], counts["updated"], counts["unchanged"], crawl_id),
        )
        if cur.rowcount == 0:
            raise CrawlSuperseded(f"crawl {crawl_id} is no longer running; its batch is not stored")

    def _store_one(
        self, r: Release, now: str, crawl_id: int | None, revise: bool, touch: bool
    ) -> StoreResult:
        canonical = r.canonical_url or r.url
        row = _release_row(r, canonical)
        chash = content_hash(r.title, r.lead, r.body_text)
        rhash = _record_hash(row, r)
        existing_id = self.find_release_id(
            platform=r.platform, platform_id=r.platform_id, canonical_url=canonical
        )
        if existing_id is None:
            cur = self.conn.execute(
                f"""INSERT INTO releases ({", ".join(row)}, first_seen_at, last_seen_at,
                        content_hash, record_hash, crawl_id, cluster_id)
                    VALUES ({", ".join("?" * len(row))}, ?, ?, ?, ?, ?, NULL)""",
                (*row.values(), now, now, chash, rhash, crawl_id),
            )
            release_id = int(cur.lastrowid or 0)
            self.conn.execute(
                "UPDATE releases SET cluster_id = ? WHERE id = ?", (release_id, release_id)
            )
            self._write_parts(release_id, r)
            return StoreResult(release_id, "stored")

        old = self.conn.execute(
            """SELECT title, lead, body_text, body_html, content_hash, record_hash,
                      first_seen_at, last_seen_at, updated_at FROM releases WHERE id = ?""",
            (existing_id,),
        ).fetchone()
        if old["record_hash"] == rhash:
            if touch:
                self.conn.execute(
                    "UPDATE releases SET last_seen_at = ? WHERE id = ?", (now, existing_id)
                )
            return StoreResult(existing_id, "unchanged")

        revision_id: int | None = None
        updated_at = old["updated_at"]
        last_seen = now if touch else old["last_seen_at"]
        if revise and old["content_hash"] != chash:
            cur = self.conn.execute(
                """INSERT INTO revisions (release_id, seen_from, replaced_at, title, lead,
                       body_text, body_html, content_hash)
                   VALUES (?, COALESCE(?, ?), ?, ?, ?, ?, ?, ?)""",
                (
                    existing_id,
                    old["updated_at"],
                    old["first_seen_at"],
                    now,
                    old["title"],
                    old["lead"],
                    old["body_text"],
                    old["body_html"],
                    old["content_hash"],
                ),
            )
            revision_id = int(cur.lastrowid or 0)
            updated_at = utc_iso(r.updated_at) or now
        # The row keeps the canonical URL it was first stored under: a variant
        # URL found by platform id must not move it (nor collide with another row).
        changes = {k: v for k, v in row.items() if k != "canonical_url"}
        assignments = ", ".join(f"{col} = ?" for col in changes)
        self.conn.execute(
            f"""UPDATE releases SET {assignments}, last_seen_at = ?, content_hash = ?,
                    record_hash = ?, updated_at = ?, crawl_id = COALESCE(?, crawl_id)
                WHERE id = ?""",
            (*changes.values(), last_seen, chash, rhash, updated_at, crawl_id, existing_id),
        )
        if old["content_hash"] != chash:
            # the body changed: its near-duplicate signature is computed again
            self.conn.execute("DELETE FROM release_signatures WHERE release_id = ?", (existing_id,))
        for table in ("release_contacts", "release_tags", "images", "attachments", "events"):
            self.conn.execute(f"DELETE FROM {table} WHERE release_id = ?", (existing_id,))
        self._write_parts(existing_id, r)
        return StoreResult(existing_id, "updated", revision_id)

    def _write_parts(self, release_id: int, r: Release) -> None:
        if r.extracted is not None:
            about_model = r.extracted.get(ABOUT_MODEL_KEY)
            learner_document = r.extracted.get(LEARNER_DOCUMENT_KEY)
            # An upsert, not INSERT OR REPLACE: the update fires the trigger
            # that drops the learner document of a changed extraction (schema v3).
            self.conn.execute(
                """INSERT INTO extractions (release_id, record, about_model) VALUES (?, ?, ?)
                   ON CONFLICT(release_id) DO UPDATE SET
                       record = excluded.record, about_model = excluded.about_model""",
                (release_id, extraction_text(r), about_model),
            )
            if learner_document is not None:  # after the upsert, whose trigger would drop it
                version, paragraphs = learner_document
                keep_learner_documents(self.conn, [(release_id, version, paragraphs)])
        seen_roles: set[tuple[int, str]] = set()
        for position, contact in enumerate(r.contacts):
            contact_id = self._upsert_contact(contact, r.organisation)
            if (contact_id, contact.role) in seen_roles:
                continue
            seen_roles.add((contact_id, contact.role))
            self.conn.execute(
                """INSERT INTO release_contacts (release_id, contact_id, role, title, position)
                   VALUES (?, ?, ?, ?, ?)""",
                (release_id, contact_id, contact.role, contact.title, position),
            )
        tag_ids: set[int] = set()
        for tag in r.tags:
            tag_id = self._tag_id(tag.kind, tag.name)
            if tag_id not in tag_ids:
                tag_ids.add(tag_id)
                self.conn.execute(
                    "INSERT INTO release_tags (release_id, tag_id) VALUES (?, ?)",
                    (release_id, tag_id),
                )
        self.conn.executemany(
            "INSERT INTO images (release_id, position, url, caption) VALUES (?, ?, ?, ?)",
            [(release_id, i, im.url, im.caption) for i, im in enumerate(r.images)],
        )
        self.conn.executemany(
            "INSERT INTO attachments (release_id, position, url, title) VALUES (?, ?, ?, ?)",
            [(release_id, i, a.url, a.title) for i, a in enumerate(r.attachments)],
        )
        self.conn.executemany(
            "INSERT INTO events (release_id, starts_at, ends_at, place, raw) VALUES (?, ?, ?, ?, ?)",
            [
                (release_id, utc_iso(e.starts_at), utc_iso(e.ends_at), e.place, e.raw)
                for e in r.events
            ],
        )

    def _upsert_contact(self, contact: Contact, organisation: str | None) -> int:
        key = person_key(contact, organisation)
        org = contact.organisation or organisation
        # The newest non-empty value of each field wins; an empty field never erases one.
        # RETURNING gives the id whether the row was inserted or updated (SQLite >= 3.35).
        row = self.conn.execute(
            """INSERT INTO contacts (person_key, name, organisation, title, party, phone, email)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(person_key) DO UPDATE SET
                   title = COALESCE(excluded.title, title),
                   party = COALESCE(excluded.party, party),
                   phone = COALESCE(excluded.phone, phone),
                   email = COALESCE(excluded.email, email)
               RETURNING id""",
            (key, contact.name, org, contact.title, contact.party, contact.phone, contact.email),
        ).fetchall()[0]  # fetchall: the statement runs to its end and is reset
        return int(row[0])

    def _tag_id(self, kind: str, name: str) -> int:
        # Almost every tag is already known, so the look-up comes first: one
        # statement for a known tag instead of an insert that is ignored and a select.
        row = self.conn.execute(
            "SELECT id FROM tags WHERE kind = ? AND name = ?", (kind, name)
        ).fetchone()
        if row is None:
            row = self.conn.execute(
                "INSERT INTO tags (kind, name) VALUES (?, ?) RETURNING id", (kind, name)
            ).fetchall()[0]
        return int(row[0])

    def set_cluster(self, release_id: int, cluster_id: int) -> None:
        self.conn.execute(
            "UPDATE releases SET cluster_id = ? WHERE id = ?", (cluster_id, release_id)
        )

    def delete_release(self, release_id: int) -> None:
        with self.conn:
            self.conn.execute("DELETE FROM releases WHERE id = ?", (release_id,))

    # -- reading back --------------------------------------------------------

    def iter_releases(self, source_id: str | None = None) -> Iterator[sqlite3.Row]:
        sql = "SELECT * FROM releases"
        params: tuple[Any, ...] = ()
        if source_id:
            sql += " WHERE source_id = ?"
            params = (source_id,)
        yield from self.conn.execute(sql + " ORDER BY id", params)
