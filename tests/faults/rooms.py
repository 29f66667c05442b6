"""Hostile press rooms on 127.0.0.1, for the fault suite.

One small site on the generic platform: a home page declaring an RSS feed,
the feed listing good releases and hostile ones. Each hostile path does one
thing a real server can do to a crawler:

    /loop-self        302 to itself
    /loop-a, /loop-b  302 to each other
    /offsite          302 to another host
    /to-metadata      302 to 169.254.169.254 (the cloud metadata service)
    /bomb             gzip Content-Encoding: a few kB that unpack to BOMB_BYTES
    /huge             a body above DOWNLOAD_MAXSIZE
    /latin1           Latin-1 bytes, no charset anywhere
    /controls         a page whose text holds control bytes (\\x02, \\x1b)
    /busy             429 with Retry-After the first time, then the page

`endless=True` gives a room whose feed pages (Atom, rel="next") never end.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import io
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOMB_BYTES = 64 * 1024 * 1024
HUGE_BYTES = 3 * 1024 * 1024
# The crawl settings the suite uses: a cap well under the bomb and the huge page.
MAX_SIZE = 1024 * 1024
RETRY_AFTER = 3

GOOD = [f"/ok/{n}" for n in range(1, 6)]
MANY_GOOD = [f"/ok/{n}" for n in range(1, 21)]
HOSTILE = [
    "/loop-self",
    "/loop-a",
    "/offsite",
    "/to-metadata",
    "/bomb",
    "/huge",
    "/latin1",
    "/controls",
    "/busy",
]
STORED_HOSTILE = ["/latin1", "/controls", "/busy"]


def article(title: str, body: str, *, charset: str | None = "utf-8") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (
        f'<html><head>{meta}<title>{title}</title><meta property="og:type" content="article">'
        f'<meta property="og:title" content="{title}">'
        '<meta property="article:published_time" content="2025-03-04T09:00:00+01:00">'
        f"</head><body><article><h1>{title}</h1><p>{body}</p></article></body></html>"
    )


def rss(links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{link.rsplit('/', 1)[1]}</title><link>{link}</link>"
        "<pubDate>Tue, 04 Mar 2025 09:00:00 +0100</pubDate></item>"
        for link in links
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Fault room</title>{items}</channel></rss>"
    ).encode()


def atom_page(base: str, page: int) -> bytes:
    entries = "".join(
        f'<entry><title>Sida {page} nr {n}</title><link href="{base}/endless/{page}/{n}"/>'
        "<published>2025-03-04T09:00:00+01:00</published></entry>"
        for n in range(3)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f'<title>Utan slut</title><link rel="next" href="{base}/feed?page={page + 1}"/>'
        f"{entries}</feed>"
    ).encode()


Reply = tuple[int, dict[str, str], bytes]


@functools.cache
def bomb(size: int = BOMB_BYTES, head: bytes = b"<html>") -> bytes:
    """`head` then spaces, `size` bytes in all, gzipped (about 1/1000 of it)."""
    out = io.BytesIO()
    chunk = b" " * (1 << 20)
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as packed:
        packed.write(head)
        left = size - len(head)
        while left > 0:
            packed.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)
    return out.getvalue()


class FaultRoom:
    """The room as a context manager: `with FaultRoom() as room: room.base`."""

    def __init__(
        self,
        *,
        endless: bool = False,
        retry_after: int = RETRY_AFTER,
        listing: list[str] | None = None,
        good_host: str = "127.0.0.1",
        bomb_bytes: int = BOMB_BYTES,
        huge_bytes: int = HUGE_BYTES,
        sitemap_bomb_bytes: int = 0,
    ) -> None:
        """`listing`: the feed's paths (default: the good and the hostile ones);
        `good_host`: the host name the feed gives the good releases (another
        name for this server is another site to the crawler: another slot)."""
        self.endless = endless
        self.retry_after = retry_after
        self.listing = listing if listing is not None else GOOD + HOSTILE
        self.good_host = good_host
        self.bomb_bytes, self.huge_bytes = bomb_bytes, huge_bytes
        # robots.txt names /sitemap.xml.gz, a gzip file (no Content-Encoding:
        # the spider unpacks it itself) of this many bytes unpacked
        self.sitemap_bomb_bytes = sitemap_bomb_bytes
        self.requests: list[tuple[float, str]] = []
        self._busy_answered = False
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FaultRoom:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def served(self, path: str) -> list[float]:
        with self._lock:
            return [t for t, p in self.requests if p == path]

    def sources_toml(self, source_id: str = "faults") -> str:
        return (
            f'[[source]]\nid = "{source_id}"\norganisation = "Felkommunen"\n'
            f'platform = "generic"\nstart_urls = ["{self.base}/"]\nallow_private = true\n'
            f'allowed_domains = ["127.0.0.1", "{self.good_host}"]\n'
        )

    def reply(self, path: str) -> Reply:
        html = {"Content-Type": "text/html; charset=utf-8"}
        if path == "/":
            link = "/feed?page=1" if self.endless else "/feed.xml"
            return (
                200,
                html,
                (
                    f'<html><head><link rel="alternate" type="application/rss+xml" href="{link}">'
                    "</head><body>Felkommunen</body></html>"
                ).encode(),
            )
        if path == "/robots.txt" and self.sitemap_bomb_bytes:
            return (
                200,
                {"Content-Type": "text/plain"},
                f"Sitemap: {self.base}/sitemap.xml.gz\n".encode(),
            )
        if path == "/sitemap.xml.gz" and self.sitemap_bomb_bytes:
            head = (
                b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            )
            return 200, {"Content-Type": "application/x-gzip"}, bomb(self.sitemap_bomb_bytes, head)
        if path == "/feed.xml":
            good_base = self.base.replace("127.0.0.1", self.good_host)
            links = [good_base + p if p.startswith("/ok/") else self.base + p for p in self.listing]
            return 200, {"Content-Type": "application/rss+xml"}, rss(links)
        if path.startswith("/feed?page="):
            page = int(path.split("=", 1)[1])
            return 200, {"Content-Type": "application/atom+xml"}, atom_page(self.base, page)
        if path.startswith(("/ok/", "/endless/")):
            name = path.strip("/").replace("/", " ")
            return 200, html, article(f"Nyhet {name}", f"Brödtext för {name}.").encode()
        redirects = {
            "/loop-self": "/loop-self",
            "/loop-a": "/loop-b",
            "/loop-b": "/loop-a",
            "/offsite": "http://press.example.com/nyhet",
            "/to-metadata": "http://169.254.169.254/latest/meta-data/",
        }
        if path in redirects:
            return 302, {"Location": redirects[path]}, b""
        if path == "/bomb":
            return 200, {**html, "Content-Encoding": "gzip"}, bomb(self.bomb_bytes)
        if path == "/huge":
            filler = "Lång text. " * (self.huge_bytes // 11)
            return 200, html, article("Jättesida", filler).encode()
        if path == "/latin1":
            page = article("Växjö får ny bro", "Övergången över ån blir klar i år.", charset=None)
            return 200, {"Content-Type": "text/html"}, page.encode("latin-1")
        if path == "/controls":
            return (
                200,
                html,
                article("Kontroll\x02tecken", "Text med \x02markör\x03 och \x1b[31m.").encode(),
            )
        if path == "/busy":
            with self._lock:
                first, self._busy_answered = not self._busy_answered, True
            if first:
                return (
                    429,
                    {"Retry-After": str(self.retry_after), "Content-Type": "text/plain"},
                    b"busy",
                )
            return 200, html, article("Upptagen sida", "Svar efter väntan.").encode()
        return 404, {"Content-Type": "text/plain"}, b"not found"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        room = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle(self) -> None:
                # the crawler hangs up on a page too large: that is the point
                with contextlib.suppress(ConnectionResetError):
                    super().handle()

            def do_GET(self) -> None:
                with room._lock:
                    room.requests.append((time.monotonic(), self.path))
                status, headers, body = room.reply(self.path)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


RoomFactory = Callable[..., FaultRoom]
