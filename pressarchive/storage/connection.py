"""Opening the archive: the connection (WAL, foreign keys), migrations, the
integrity check that refuses a damaged file, and the helpers every writer shares
(timestamps as stored, content hashes, person keys)."""

from __future__ import annotations

import hashlib
import sqlite3
import unicodedata
from datetime import datetime
from pathlib import Path

from pressarchive.items import Contact
from pressarchive.storage.schema import MIGRATIONS, SCHEMA_VERSION
from pressarchive.times import iso_utc


class ArchiveError(Exception):
    """The archive cannot be opened or used; the message is for the user."""


class CrawlSuperseded(Exception):
    """The crawl's row is no longer 'running': a later crawl marked it
    interrupted, so this process is an orphan and must not write."""


def storage_full(exc: BaseException) -> bool:
    """The disk (or the file system's quota) is full: SQLite's or the OS's word for it."""
    if isinstance(exc, OSError) and exc.errno in (28, 122):  # ENOSPC, EDQUOT
        return True
    return isinstance(exc, sqlite3.OperationalError) and (
        "disk is full" in str(exc) or "disk I/O error" in str(exc)
    )


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime reached the store: {value!r}")
    return value.isoformat(timespec="seconds")


def utc_iso(value: datetime | None) -> str | None:
    """`times.iso_utc`, for a column that may be empty."""
    return iso_utc(value) if value is not None else None


def digest(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


def content_hash(title: str, lead: str, body_text: str) -> str:
    """A hash of what a reader would call the release's content.

    Whitespace is folded so that a re-wrapped page is not a new version.
    """
    return digest(
        *(" ".join(unicodedata.normalize("NFC", s).split()) for s in (title, lead, body_text))
    )


def person_key(contact: Contact, organisation: str | None) -> str:
    name = " ".join(unicodedata.normalize("NFC", contact.name).casefold().split())
    org = " ".join((contact.organisation or organisation or "").casefold().split())
    return f"{name}|{org}"


# The store's upserts return their row's id with RETURNING (SQLite 3.35, 2021).
MIN_SQLITE = (3, 35, 0)


def connect(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        raise ArchiveError(
            f"this Python's SQLite is {sqlite3.sqlite_version}; pressarchive needs "
            f"{'.'.join(map(str, MIN_SQLITE))} or newer"
        )
    path = Path(path)
    if readonly:
        if not path.exists():
            raise ArchiveError(f"{path}: no archive here (run a crawl first, or pass --db)")
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA busy_timeout = 30000")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise ArchiveError(f"{path}: not a pressarchive archive ({exc})") from None
    return conn


def check_integrity(conn: sqlite3.Connection, path: Path | str) -> None:
    """PRAGMA quick_check, for the commands that read or write everything (crawl,
    reextract, export): about a second on an archive of 100,000 releases, too
    slow to pay on every search, which a damaged page still fails cleanly."""
    try:
        verdict = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
    except sqlite3.DatabaseError as exc:
        verdict = [str(exc)]
    if verdict != ["ok"]:
        said = [line for line in verdict[0].splitlines() if not line.startswith("***")]
        first = (said or ["?"])[0]
        raise ArchiveError(
            f"{path}: the archive is damaged ({first}); nothing was changed. "
            f"Restore a backup, or recover what is readable with `sqlite3 {path} .recover`"
        )


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, *, target: int = SCHEMA_VERSION) -> int:
    """Bring the archive to `target`; returns the version it had before."""
    before = schema_version(conn)
    if before > SCHEMA_VERSION:
        raise ArchiveError(
            f"this archive has schema version {before}, newer than this pressarchive "
            f"understands ({SCHEMA_VERSION}); upgrade pressarchive to open it"
        )
    for version in range(before, target):
        # executescript commits first; the migration and its version bump are one transaction.
        conn.executescript(
            f"BEGIN;\n{MIGRATIONS[version]}\nPRAGMA user_version = {version + 1};\nCOMMIT;"
        )
    return before


def check_readable(conn: sqlite3.Connection, path: Path | str) -> None:
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise ArchiveError(
            f"{path}: schema version {version} is newer than this pressarchive "
            f"understands ({SCHEMA_VERSION}); upgrade pressarchive to read it"
        )
    if version < SCHEMA_VERSION:
        raise ArchiveError(
            f"{path}: schema version {version} is older than this pressarchive's "
            f"({SCHEMA_VERSION}); run any write command (e.g. `pressarchive stats`) to upgrade it"
        )
