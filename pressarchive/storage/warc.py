"""Raw responses -> gzipped WARC files plus an index in SQLite; replay.

Every response is written as a `response` record with its `request` record
beside it, into `<directory>/pressarchive-<UTC time>-<pid>-<serial>.warc.gz`,
a new file when the current one passes `max_file_bytes` (and for every new
`WarcArchive`: files are never appended to by a second writer). A payload
already archived (same WARC-Payload-Digest) is written as a `revisit` record
(profile identical-payload-digest) referring to the first one.

Crash safety: the WARC record is written and flushed to the operating system
*before* its index row is inserted, and the row is inserted inside a
SAVEPOINT on the caller's connection. If the caller has no transaction open,
the RELEASE commits the row at once; if the caller (the store) has one open,
the row commits with it. Either way no committed row can point at bytes that
were not yet handed to the OS. (A power cut can still lose OS buffers: the
rows would then point past the end of a file, which `latest` reports as
missing rather than returning garbage.)
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pressarchive.storage.warc_gzip import DEFAULT_GZIP_LEVEL, LeveledWARCWriter
from pressarchive.times import iso_utc

Headers = list[tuple[str, str]]

_FILE_SERIALS = itertools.count(1)

# Hop-by-hop framing that Scrapy has already undone: the body we get is
# de-chunked, so a recorded "Transfer-Encoding: chunked" would make the WARC
# record unreadable.
_FRAMING_HEADERS = frozenset({"transfer-encoding", "content-length"})

_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    304: "Not Modified",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def payload_digest(body: bytes) -> str:
    """As warcio writes WARC-Payload-Digest: `sha1:` + base32 of the SHA-1."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def _warc_date(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _response_headers(status: int, headers: Headers, body: bytes) -> StatusAndHeaders:
    kept = [(k, v) for k, v in headers if k.lower() not in _FRAMING_HEADERS]
    kept.append(("Content-Length", str(len(body))))
    reason = _REASONS.get(status, "Status")
    return StatusAndHeaders(f"{status} {reason}", kept, protocol="HTTP/1.1")


def _request_headers(url: str, method: str, headers: Headers) -> StatusAndHeaders:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    kept = list(headers)
    if not any(k.lower() == "host" for k, _ in kept):
        kept.insert(0, ("Host", parts.netloc))
    return StatusAndHeaders(
        f"{method} {target} HTTP/1.1", kept, protocol="HTTP/1.1", is_http_request=True
    )


@dataclass(frozen=True)
class ArchivedResponse:
    url: str
    fetched_at: str
    status: int
    headers: Headers
    body: bytes


class WarcArchive:
    """Writes responses to WARC files and indexes them in `warc_records`."""

    def __init__(
        self,
        directory: Path,
        conn: sqlite3.Connection,
        *,
        max_file_bytes: int = 100_000_000,
        crawl_id: int | None = None,
        gzip_level: int = DEFAULT_GZIP_LEVEL,
    ) -> None:
        if not 1 <= gzip_level <= 9:
            raise ValueError(f"WARC gzip level {gzip_level} is not 1-9")
        self.gzip_level = gzip_level
        self.directory = Path(directory)
        self.conn = conn
        self.max_file_bytes = max_file_bytes
        self.crawl_id = crawl_id
        self._file: BinaryIO | None = None
        self._writer: WARCWriter | None = None
        self._file_name = ""
        self._opened_at = datetime.now(UTC).strftime("%Y%m%d%H%M%S")

    # ------------------------------------------------------------ writing

    def _current_writer(self) -> tuple[BinaryIO, WARCWriter]:
        if self._file is not None and self._file.tell() >= self.max_file_bytes:
            self._close_file()
        if self._file is None or self._writer is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._file_name, self._file = self._new_file()
            self._writer = LeveledWARCWriter(self._file, gzip=True, level=self.gzip_level)
            info = self._writer.create_warcinfo_record(
                self._file_name, {"software": "pressarchive", "format": "WARC File Format 1.0"}
            )
            self._writer.write_record(info)
        return self._file, self._writer

    def _new_file(self) -> tuple[str, BinaryIO]:
        # The serial is per process, not per writer: one crawl process runs a
        # writer per spider, all opened in the same second under the same pid.
        while True:
            serial = next(_FILE_SERIALS)
            name = f"pressarchive-{self._opened_at}-{os.getpid()}-{serial:05d}.warc.gz"
            try:
                # "xb": never append to, or clobber, a file another writer owns
                return name, open(self.directory / name, "xb")
            except FileExistsError:
                continue  # a reused pid in the same second: take the next serial

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.close()
        self._file = None
        self._writer = None

    def _original_of(self, digest: str) -> tuple[int, str, str] | None:
        row = self.conn.execute(
            """SELECT id, url, fetched_at FROM warc_records
               WHERE payload_digest = ? AND record_type = 'response'
               ORDER BY id LIMIT 1""",
            (digest,),
        ).fetchone()
        return (int(row[0]), str(row[1]), str(row[2])) if row else None

    def record(
        self,
        url: str,
        status: int,
        headers: Headers,
        body: bytes,
        *,
        request_headers: Headers | None = None,
        method: str = "GET",
        fetched_at: datetime | None = None,
        digest: str | None = None,
    ) -> int:
        """Archive one response; returns its `warc_records` row id. `digest`:
        the body's payload_digest, when the caller has made it already."""
        moment = fetched_at or datetime.now(UTC)
        digest = digest or payload_digest(body)
        # an empty body is not worth a revisit chain (every 304 and empty 500 alike)
        original = self._original_of(digest) if body else None
        out, writer = self._current_writer()
        http_headers = _response_headers(status, headers, body)
        warc_headers = {"WARC-Date": _warc_date(moment)}
        if original is None:
            response = writer.create_warc_record(
                url,
                "response",
                payload=BytesIO(body),
                length=len(body),
                http_headers=http_headers,
                # the digest made above: warcio would hash the body once more
                warc_headers_dict={**warc_headers, "WARC-Payload-Digest": digest},
            )
        else:
            refers_date = _warc_date(datetime.fromisoformat(original[2]))
            response = writer.create_revisit_record(
                url,
                digest,
                original[1],
                refers_date,
                http_headers=http_headers,
                warc_headers_dict=warc_headers,
            )
        offset = out.tell()
        writer.write_record(response)
        length = out.tell() - offset
        request = writer.create_warc_record(
            url,
            "request",
            payload=BytesIO(b""),
            length=0,
            http_headers=_request_headers(url, method, request_headers or []),
            warc_headers_dict={
                "WARC-Date": _warc_date(moment),
                "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
            },
        )
        writer.write_record(request)
        out.flush()  # the bytes reach the OS before the row that points at them
        return self._insert_row(
            url=url,
            fetched_at=iso_utc(moment),
            status=status,
            digest=digest,
            record_type="response" if original is None else "revisit",
            offset=offset,
            length=length,
            refers_to=None if original is None else original[0],
        )

    def _insert_row(
        self,
        *,
        url: str,
        fetched_at: str,
        status: int,
        digest: str,
        record_type: str,
        offset: int,
        length: int,
        refers_to: int | None,
    ) -> int:
        self.conn.execute("SAVEPOINT warc_record")
        try:
            cursor = self.conn.execute(
                """INSERT INTO warc_records (url, fetched_at, status, payload_digest,
                       record_type, warc_file, offset, length, refers_to, crawl_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    url,
                    fetched_at,
                    status,
                    digest,
                    record_type,
                    self._file_name,
                    offset,
                    length,
                    refers_to,
                    self.crawl_id,
                ),
            )
        except BaseException:
            self.conn.execute("ROLLBACK TO warc_record")
            self.conn.execute("RELEASE warc_record")
            raise
        self.conn.execute("RELEASE warc_record")
        return int(cursor.lastrowid or 0)

    def close(self) -> None:
        self._close_file()

    def __enter__(self) -> WarcArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ reading

    def _read_record(self, warc_file: str, offset: int) -> tuple[int, Headers, bytes]:
        with open(self.directory / warc_file, "rb") as stream:
            stream.seek(offset)
            for rec in ArchiveIterator(stream):
                http = rec.http_headers
                status = int(http.get_statuscode()) if http else 0
                headers = list(http.headers) if http else []
                # raw: the body as sent (a gzip Content-Encoding stays for the replaying client)
                return status, headers, rec.raw_stream.read()
        raise LookupError(f"{warc_file}@{offset}: no WARC record there")

    def read(self, row_id: int) -> ArchivedResponse:
        """The response indexed as `row_id`; a revisit's body is its original's."""
        row = self.conn.execute(
            "SELECT url, fetched_at, warc_file, offset, refers_to FROM warc_records WHERE id = ?",
            (row_id,),
        ).fetchone()
        if row is None:
            raise LookupError(f"no warc_records row {row_id}")
        url, fetched_at, warc_file, offset, refers_to = row
        status, headers, body = self._read_record(warc_file, offset)
        if refers_to is not None:
            original = self.conn.execute(
                "SELECT warc_file, offset FROM warc_records WHERE id = ?", (refers_to,)
            ).fetchone()
            if original is None:
                raise LookupError(f"revisit {row_id} refers to missing row {refers_to}")
            _, _, body = self._read_record(original[0], original[1])
        return ArchivedResponse(url, fetched_at, status, headers, body)

    def latest_id(self, url: str) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM warc_records WHERE url = ? ORDER BY fetched_at DESC, id DESC LIMIT 1",
            (url,),
        ).fetchone()
        return int(row[0]) if row else None

    def latest(self, url: str) -> tuple[int, Headers, bytes] | None:
        """(status, headers, body) of the newest archived fetch of `url`."""
        row_id = self.latest_id(url)
        if row_id is None:
            return None
        found = self.read(row_id)
        return found.status, found.headers, found.body

    def iter_latest(self, urls: Iterable[str] | None = None) -> Iterator[ArchivedResponse]:
        """The newest fetch of each URL (of `urls`, or of every archived URL)."""
        if urls is None:
            rows = self.conn.execute(
                """SELECT MAX(id) FROM warc_records w
                   WHERE fetched_at = (SELECT MAX(fetched_at) FROM warc_records WHERE url = w.url)
                   GROUP BY url ORDER BY url"""
            ).fetchall()
            ids = [int(r[0]) for r in rows]
        else:
            ids = [i for i in (self.latest_id(u) for u in urls) if i is not None]
        for row_id in ids:
            yield self.read(row_id)


def open_index(path: Path | str) -> sqlite3.Connection:
    """A connection of its own to the archive database, for the WARC index.

    isolation_level=None: no implicit transactions, so every SAVEPOINT/RELEASE
    pair in `WarcArchive.record` commits its row on its own. The table is the
    store's (its migrations create it); a database without it is an error
    here rather than a table created behind the migrations' back.
    """
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=30.0)
    conn.execute("PRAGMA busy_timeout = 30000")
    # with the store's WAL journal, NORMAL is crash-safe and spares an fsync per row
    conn.execute("PRAGMA synchronous = NORMAL")
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'warc_records'"
    ).fetchone()
    if found is None:
        conn.close()
        raise RuntimeError(f"{path}: no warc_records table (open the archive once to migrate it)")
    return conn
