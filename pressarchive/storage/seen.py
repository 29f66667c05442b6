"""The one question an incremental crawl asks: is this release already archived?

Spiders ask only through `SeenIndex`, so that a scaled-out crawl (many
processes, one Redis frontier) can answer it from a Redis set while a single
machine answers it from the archive itself.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path
from typing import Any, Protocol

from pressarchive.dedupe.urls import canonical_url, platform_release_id
from pressarchive.storage.connection import ArchiveError, check_readable, connect


class SeenIndex(Protocol):
    def is_archived(self, source_id: str, url: str, title: str | None = None) -> bool:
        """True when the release at `url` is stored and, if a listing `title` is
        given, is stored under that title (an edited title means: fetch again)."""
        ...


def _norm_title(title: str) -> str:
    return " ".join(unicodedata.normalize("NFC", title).casefold().split())


class EmptySeenIndex:
    """Nothing archived yet (no archive file): every release is new."""

    def is_archived(self, source_id: str, url: str, title: str | None = None) -> bool:
        return False


class ArchiveSeenIndex:
    """Answers from the SQLite archive through a read-only connection."""

    def __init__(self, path: Path | str) -> None:
        self.conn = connect(path, readonly=True)
        try:
            # an empty file, or an archive of another schema version, cannot answer
            check_readable(self.conn, path)
        except ArchiveError:
            self.conn.close()
            raise
        # Only releases archived before this crawl began count: one this crawl
        # stored a moment ago must not stop its own first walk (a year page
        # listing the start page's newest releases ended a first crawl at 5 of
        # 43). Release ids only grow (nothing deletes a release during a
        # crawl), so "before" is "at most the largest id now". A time would
        # not do: first_seen_at has whole seconds, and a crawl that began in
        # the second the previous one stored its last releases took them all
        # for new and walked the whole listing again.
        self.last_release_id = int(
            self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM releases").fetchone()[0]
        )

    def is_archived(self, source_id: str, url: str, title: str | None = None) -> bool:
        platform_row = self.conn.execute(
            "SELECT platform FROM sources WHERE id = ?", (source_id,)
        ).fetchone()
        row = None
        if platform_row is not None:
            release_id = platform_release_id(platform_row[0], url)
            if release_id:
                row = self.conn.execute(
                    "SELECT title FROM releases WHERE platform = ? AND platform_id = ? AND id <= ?",
                    (platform_row[0], release_id, self.last_release_id),
                ).fetchone()
        if row is None:
            row = self.conn.execute(
                "SELECT title FROM releases WHERE canonical_url = ? AND id <= ?",
                (canonical_url(url), self.last_release_id),
            ).fetchone()
        if row is None:
            return False
        return title is None or _norm_title(row[0]) == _norm_title(title)

    def close(self) -> None:
        self.conn.close()


def open_seen_index(settings: Any) -> SeenIndex:
    """The index for a crawl, from Scrapy settings (PRESSARCHIVE_DB)."""
    path = Path(settings.get("PRESSARCHIVE_DB") or "data/pressarchive.db")
    if not path.exists():
        return EmptySeenIndex()
    try:
        return ArchiveSeenIndex(path)
    except (ArchiveError, sqlite3.Error):
        return EmptySeenIndex()
