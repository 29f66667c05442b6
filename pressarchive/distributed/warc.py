"""WARC recording in a crawl process that has no archive database.

Each crawler writes its own files, named after the host, the process and a
random id, so that files of many machines can be gathered into one directory
(for `pressarchive reextract`) without a clash. Index rows go to the writer
as `warc` messages. A payload is written as a revisit record only when the
writer has already indexed an identical one (the digest index in Redis):
otherwise it is written in full, which costs space but never a dangling
reference.

The look-up needs no round trip of its own: it waits in the crawl's outbox
and rides the crawl's next round trip (the next lease taken, as a rule), and
the response is written when the answer is back. Its page goes on meanwhile;
its request's acknowledgement is held back until the record's index row is in
the outbox, so that it still goes after the row.
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.settings import BaseSettings

from pressarchive.crawl.state import crawl_state
from pressarchive.crawl.warc import WarcRecorderMiddleware
from pressarchive.distributed import messages
from pressarchive.distributed.connection import redis_url
from pressarchive.distributed.frontier import RECEIPT_META
from pressarchive.distributed.keys import WARC_DIGESTS
from pressarchive.distributed.outbox import Outbox, outbox_of
from pressarchive.storage.warc import WarcArchive, payload_digest

logger = logging.getLogger(__name__)


def warc_file_stem() -> str:
    host = "".join(c if c.isalnum() or c in "-." else "-" for c in socket.gethostname())
    return f"{host}-{os.getpid()}-{uuid.uuid4().hex[:12]}"


class RedisWarcArchive(WarcArchive):
    def __init__(self, directory: Path, outbox: Outbox, *, token: Any, max_file_bytes: int) -> None:
        # the index lives in the writer's archive; this connection is never used for it
        super().__init__(directory, sqlite3.connect(":memory:"), max_file_bytes=max_file_bytes)
        self.outbox = outbox
        self.token = token  # callable: the crawl token of the rows
        self.stem = warc_file_stem()
        self.serial = 0
        # digest -> the digest index's answer, looked up before the record is written
        self.looked_up: dict[str, bytes | None] = {}

    def _new_file(self) -> tuple[str, BinaryIO]:
        self.serial += 1
        name = f"pressarchive-{self._opened_at}-{self.stem}-{self.serial:05d}.warc.gz"
        return name, open(self.directory / name, "xb")

    def _original_of(self, digest: str) -> tuple[int, str, str] | None:
        if digest in self.looked_up:
            found = self.looked_up[digest]
        else:
            found = self.outbox.call(lambda pipe: pipe.hget(WARC_DIGESTS, digest))
        if found is None:
            return None
        row_id, fetched_at, url = found.decode().split("|", 2)
        return int(row_id), url, fetched_at

    def _insert_row(self, **row: Any) -> int:
        self.outbox.send(
            messages.encode("warc", crawl=self.token(), row={**row, "warc_file": self._file_name})
        )
        return 0


class RedisWarcRecorderMiddleware(WarcRecorderMiddleware):
    """`WarcRecorderMiddleware` with files named per process and rows sent to the writer."""

    def __init__(
        self, settings: BaseSettings, stats: Any = None, crawler: Crawler | None = None
    ) -> None:
        # not WarcRecorderMiddleware.__init__: there is no archive database here
        warc_dir = settings.get("PRESSARCHIVE_WARC_DIR")
        if not warc_dir:
            raise NotConfigured("PRESSARCHIVE_WARC_DIR is needed")
        self.warc_dir = Path(warc_dir)
        self.max_file_bytes = settings.getint("PRESSARCHIVE_WARC_MAX_BYTES", 100_000_000)
        self.crawl_id = None
        self.stats = stats
        self._archive = None
        assert redis_url(settings), "the add-on enables this middleware only with a Redis URL"
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisWarcRecorderMiddleware:
        middleware = cls(crawler.settings, crawler.stats, crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_response(self, request: Request, response: Response) -> Response:
        if "cached" in response.flags or not response.body:
            # cached: archived already; an empty body is written without a look-up
            return super().process_response(request, response)
        fetched_at = datetime.now(UTC)
        digest = payload_digest(response.body)
        outbox = outbox_of(self.crawler)
        receipt = request.meta.get(RECEIPT_META)
        if receipt:
            outbox.hold(receipt)

        def write(found: bytes | None) -> None:
            archive = self._opened()
            assert isinstance(archive, RedisWarcArchive)
            archive.looked_up[digest] = found
            try:
                self._record(request, response, fetched_at, digest)  # hashed once, above
            except Exception:  # not to break the round trip it rode on
                self._count("errors")
                logger.exception("%s: not archived", response.url)
            finally:
                del archive.looked_up[digest]
                if receipt:
                    outbox.let_go(receipt)

        outbox.defer(lambda pipe: pipe.hget(WARC_DIGESTS, digest), write)
        return response

    def _token(self) -> str | None:
        return crawl_state(self.crawler).token if self.crawler is not None else None

    def _opened(self) -> WarcArchive:
        if self._archive is None:
            assert self.crawler is not None
            self._archive = RedisWarcArchive(
                self.warc_dir,
                outbox_of(self.crawler),
                token=self._token,
                max_file_bytes=self.max_file_bytes,
            )
        return self._archive
