"""The WARC archive: files standard tools accept, revisits, rotation, replay."""

from __future__ import annotations

import gzip
import http.server
import json
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pressarchive.storage.schema import WARC_RECORDS_TABLE
from pressarchive.storage.warc import WarcArchive, open_index, payload_digest

VENV_BIN = Path(sys.executable).parent
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def make_db(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(WARC_RECORDS_TABLE)
    return conn


@pytest.fixture()
def archive(tmp_path: Path) -> Iterator[WarcArchive]:
    conn = make_db(tmp_path / "a.db")
    warc = WarcArchive(tmp_path / "warc", conn, max_file_bytes=1_200)
    yield warc
    warc.close()
    conn.close()


def page(n: int) -> bytes:
    return f"<html><body><h1>Pressmeddelande {n}</h1>{'Norrköping ' * 300}</body></html>".encode()


def warcio(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENV_BIN / "warcio"), *args], capture_output=True, text=True, check=False
    )


def test_round_trip_keeps_status_headers_and_body(archive: WarcArchive) -> None:
    body = page(1)
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
    ]
    archive.record("http://127.0.0.1/r/1", 200, headers, body, fetched_at=T0)
    status, got_headers, got_body = archive.latest("http://127.0.0.1/r/1") or (0, [], b"")
    assert (status, got_body) == (200, body)
    assert ("Content-Type", "text/html; charset=utf-8") in got_headers
    assert [v for k, v in got_headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert archive.latest("http://127.0.0.1/never") is None


def test_error_responses_are_archived(archive: WarcArchive) -> None:
    archive.record("http://127.0.0.1/gone", 404, [], b"Sidan finns inte", fetched_at=T0)
    archive.record("http://127.0.0.1/boom", 500, [], b"", fetched_at=T0)
    assert (archive.latest("http://127.0.0.1/gone") or (0,))[0] == 404
    assert (archive.latest("http://127.0.0.1/boom") or (0,))[0] == 500


def test_identical_payload_is_a_revisit_of_the_first(archive: WarcArchive) -> None:
    first = archive.record("http://127.0.0.1/a", 200, [], page(1), fetched_at=T0)
    again = archive.record(
        "http://127.0.0.1/a", 200, [], page(1), fetched_at=T0 + timedelta(hours=1)
    )
    elsewhere = archive.record(
        "http://127.0.0.1/b", 200, [], page(1), fetched_at=T0 + timedelta(hours=2)
    )
    rows = dict(
        (row[0], row[1:])
        for row in archive.conn.execute(
            "SELECT id, record_type, refers_to, payload_digest FROM warc_records"
        )
    )
    assert rows[first] == ("response", None, payload_digest(page(1)))
    assert rows[again][:2] == ("revisit", first)
    assert rows[elsewhere][:2] == ("revisit", first)
    # replay follows the revisit to the payload
    assert archive.latest("http://127.0.0.1/b") == (
        200,
        [("Content-Length", str(len(page(1))))],
        page(1),
    )


def test_latest_is_the_newest_fetch(archive: WarcArchive) -> None:
    archive.record("http://127.0.0.1/a", 200, [], page(1), fetched_at=T0)
    archive.record("http://127.0.0.1/a", 200, [], page(2), fetched_at=T0 + timedelta(days=1))
    archive.record("http://127.0.0.1/b", 200, [], page(3), fetched_at=T0)
    assert (archive.latest("http://127.0.0.1/a") or (0, [], b""))[2] == page(2)
    latest = {r.url: r.body for r in archive.iter_latest()}
    assert latest == {"http://127.0.0.1/a": page(2), "http://127.0.0.1/b": page(3)}
    only_b = [r.url for r in archive.iter_latest(["http://127.0.0.1/b", "http://127.0.0.1/x"])]
    assert only_b == ["http://127.0.0.1/b"]


def test_files_rotate_by_size_and_pass_warcio_check_and_index(
    archive: WarcArchive, tmp_path: Path
) -> None:
    for n in range(12):
        archive.record(
            f"http://127.0.0.1/r/{n}",
            200,
            [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
            page(n % 8),  # the last four are revisits
            fetched_at=T0 + timedelta(minutes=n),
        )
    archive.close()
    files = sorted((tmp_path / "warc").glob("*.warc.gz"))
    assert len(files) >= 3
    check = warcio("check", "-v", *map(str, files))
    assert check.returncode == 0, check.stdout + check.stderr
    index = warcio("index", "-f", "warc-type,warc-target-uri,warc-profile", *map(str, files))
    assert index.returncode == 0, index.stderr
    entries = [json.loads(line) for line in index.stdout.splitlines()]
    types = [e["warc-type"] for e in entries]
    assert types.count("response") == 8
    assert types.count("revisit") == 4
    assert types.count("request") == 12
    assert all(
        "identical-payload-digest" in e["warc-profile"]
        for e in entries
        if e["warc-type"] == "revisit"
    )
    # each index row points at its record
    for warc_file, offset in archive.conn.execute("SELECT warc_file, offset FROM warc_records"):
        with open(tmp_path / "warc" / warc_file, "rb") as stream:
            stream.seek(offset)
            assert gzip.GzipFile(fileobj=stream).read(9) == b"WARC/1.0\r"


def test_index_row_is_written_after_the_bytes_inside_the_callers_transaction(
    tmp_path: Path,
) -> None:
    conn = make_db(tmp_path / "a.db")
    warc = WarcArchive(tmp_path / "warc", conn)
    conn.execute("BEGIN")
    warc.record("http://127.0.0.1/a", 200, [], page(1), fetched_at=T0)
    conn.execute("ROLLBACK")  # the caller's transaction decides
    assert conn.execute("SELECT count(*) FROM warc_records").fetchone() == (0,)
    warc.record("http://127.0.0.1/a", 200, [], page(2), fetched_at=T0)  # no transaction: commits
    other = sqlite3.connect(tmp_path / "a.db")
    assert other.execute("SELECT count(*) FROM warc_records").fetchone() == (1,)
    warc.close()


def test_open_index_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "empty.db").close()
    with pytest.raises(RuntimeError, match="warc_records"):
        open_index(tmp_path / "empty.db")


# --------------------------------------------------------------- Scrapy glue

SPIDER = """
import scrapy

class Tiny(scrapy.Spider):
    name = "tiny"

    def __init__(self, base, **kw):
        super().__init__(**kw)
        self.start_urls = [base + "/index.html"]

    def parse(self, response):
        yield {"url": response.url, "status": response.status,
               "h1": response.css("h1::text").get()}
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, self.parse)
"""

PAGES = {
    "/index.html": (
        b"<html><h1>Nyheter</h1><a href='/old.html'>1</a><a href='/missing.html'>2</a>"
        b"<a href='/zipped.html'>3</a></html>"
    ),
    "/release.html": "<html><h1>Nu öppnar Stadsbiblioteket</h1></html>".encode(),
    "/zipped.html": b"<html><h1>Komprimerad sida</h1></html>",
}


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/old.html":  # replay must follow the archived redirect
            self.send_response(301)
            self.send_header("Location", "/release.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = PAGES.get(self.path)
        payload = body or b"not found"
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if self.path == "/zipped.html":  # archived as sent: compressed
            payload = gzip.compress(payload)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


def crawl(tmp_path: Path, base: str, *, replay: bool) -> tuple[list[dict[str, object]], str]:
    """Run the tiny spider in a fresh process: its items and its log."""
    spider = tmp_path / "tiny.py"
    spider.write_text(SPIDER)
    out = tmp_path / ("replay.jsonl" if replay else "crawl.jsonl")
    settings = {
        "PRESSARCHIVE_WARC_DIR": str(tmp_path / "warc"),
        "PRESSARCHIVE_DB": str(tmp_path / "a.db"),
        "ROBOTSTXT_OBEY": "False",
        "RETRY_ENABLED": "False",
        "HTTPERROR_ALLOW_ALL": "True",
        "TELNETCONSOLE_ENABLED": "False",
        "LOG_LEVEL": "INFO",
    }
    if replay:
        settings |= {
            "HTTPCACHE_ENABLED": "True",
            "HTTPCACHE_STORAGE": "pressarchive.crawl.warc.WarcCacheStorage",
            "HTTPCACHE_IGNORE_MISSING": "True",
            "HTTPCACHE_EXPIRATION_SECS": "0",
        }
    else:
        settings["DOWNLOADER_MIDDLEWARES"] = json.dumps(
            {"pressarchive.crawl.warc.WarcRecorderMiddleware": 950}
        )
    args = [
        str(VENV_BIN / "scrapy"),
        "runspider",
        str(spider),
        "-a",
        f"base={base}",
        "-O",
        f"{out}:jsonlines",
    ]
    for key, value in settings.items():
        args += ["-s", f"{key}={value}"]
    done = subprocess.run(
        args, capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in out.read_text().splitlines()], done.stderr


def test_crawl_is_recorded_then_replayed_without_network(tmp_path: Path) -> None:
    make_db(tmp_path / "a.db").close()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        crawled, log = crawl(tmp_path, base, replay=False)
    finally:
        server.shutdown()
        server.server_close()
    assert {(r["url"], r["status"]) for r in crawled} == {
        (f"{base}/index.html", 200),
        (f"{base}/release.html", 200),
        (f"{base}/missing.html", 404),
        (f"{base}/zipped.html", 200),
    }
    conn = sqlite3.connect(tmp_path / "a.db")
    statuses = dict(conn.execute("SELECT url, status FROM warc_records"))
    conn.close()
    assert statuses == {
        f"{base}/index.html": 200,
        f"{base}/old.html": 301,
        f"{base}/release.html": 200,
        f"{base}/missing.html": 404,
        f"{base}/zipped.html": 200,
    }
    warc = WarcArchive(tmp_path / "warc", open_index(tmp_path / "a.db"))
    _, zipped_headers, zipped_body = warc.latest(f"{base}/zipped.html") or (0, [], b"")
    assert ("Content-Encoding", "gzip") in zipped_headers
    assert gzip.decompress(zipped_body) == PAGES["/zipped.html"]
    warc.conn.close()

    assert "'pressarchive/warc/records': 5" in log
    assert "pressarchive/warc/errors" not in log

    replayed, _ = crawl(tmp_path, base, replay=True)  # the server is gone: only the archive answers
    assert sorted(replayed, key=str) == sorted(crawled, key=str)
    assert {r["h1"] for r in replayed} == {
        "Nyheter",
        "Nu öppnar Stadsbiblioteket",
        "Komprimerad sida",
        None,
    }


def test_two_writers_in_one_process_never_share_a_file(tmp_path: Path) -> None:
    # A crawl process runs one recorder per spider, all opened in the same second.
    conn = make_db(tmp_path / "a.db")
    first = WarcArchive(tmp_path / "warc", conn)
    second = WarcArchive(tmp_path / "warc", conn)
    first.record("http://127.0.0.1/a", 200, [], page(1), fetched_at=T0)
    second.record("http://127.0.0.1/b", 200, [], page(2), fetched_at=T0)
    first.close()
    second.close()
    files = sorted((tmp_path / "warc").iterdir())
    assert len(files) == 2
    assert warcio("check", *map(str, files)).returncode == 0
    rows = conn.execute("SELECT url, warc_file FROM warc_records ORDER BY id").fetchall()
    assert len({warc_file for _, warc_file in rows}) == 2
    conn.close()
