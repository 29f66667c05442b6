"""Serve the demo press rooms on 127.0.0.1: one small HTTP server per platform.

Each platform's room lives in its own module, `pressarchive.demo.<platform>`,
which defines `make_room(*, size=None) -> Room` and the path of the source's
start URL (`START_PATH`, or `start_path(room)`), optionally `SOURCE_OPTIONS`
(the registry's [source.options]). The server imports them by name, so rooms
are added without touching this file.

    with DemoPressRooms(["mynewsdesk"]) as rooms:
        rooms.url("mynewsdesk")   # http://127.0.0.1:<port>/se/norrkopings_kommun
        rooms.advance()           # "time passes": edition 2 everywhere

Ports: ephemeral by default (tests); with `base_port` each platform has a
fixed port, base_port + its index in PLATFORMS, so that the URLs, and so the
archived releases, are the same from one run to the next (`demo --keep`,
`demo --serve`). `POST /_demo/advance` on any room's port advances them all,
for a crawl to see from outside (`pressarchive demo --advance`).
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType, TracebackType
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from pressarchive.demo.corpus import ORGANISATION, PLATFORMS

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
# Where `pressarchive demo` serves the rooms unless told otherwise.
DEFAULT_BASE_PORT = 8720
ADVANCE_PATH = "/_demo/advance"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class Room(Protocol):
    """One press room of one platform."""

    platform: str

    def respond(self, path: str, query: dict[str, list[str]], *, edition: int) -> Reply:
        """The reply to GET `path`?`query` (robots.txt included)."""
        ...


def html_reply(html: str, *, status: int = 200, charset: str = "utf-8") -> Reply:
    return Reply(status, html.encode(charset), {"Content-Type": f"text/html; charset={charset}"})


def text_reply(text: str, *, status: int = 200, content_type: str = "text/plain") -> Reply:
    return Reply(status, text.encode("utf-8"), {"Content-Type": f"{content_type}; charset=utf-8"})


def ask(room: Room, path_and_query: str, *, edition: int = 1) -> Reply:
    """The room's reply to GET `path_and_query`, without HTTP in between."""
    parts = urlsplit(path_and_query)
    return room.respond(parts.path, parse_qs(parts.query), edition=edition)


def not_found() -> Reply:
    return html_reply("<html><body><h1>404 Sidan finns inte</h1></body></html>", status=404)


def room_module(platform: str) -> ModuleType:
    return importlib.import_module(f"pressarchive.demo.{platform}")


def room_start_path(module: ModuleType, room: Room) -> str:
    if hasattr(module, "start_path"):
        return str(module.start_path(room))
    return str(module.START_PATH)


class _Served:
    """A room, its server thread and its start path."""

    def __init__(
        self, platform: str, size: int | None, owner: DemoPressRooms, port: int = 0
    ) -> None:
        self.platform = platform
        self.module = room_module(platform)
        self.room: Room = self.module.make_room(size=size)
        self.start_path = room_start_path(self.module, self.room)
        self.options: dict[str, Any] = dict(getattr(self.module, "SOURCE_OPTIONS", {}))
        self.server = ThreadingHTTPServer((HOST, port), _handler_for(self, owner))
        self.server.daemon_threads = True
        # A short poll interval: tests start and stop rooms many times.
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"demo-{platform}",
            daemon=True,
        )

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.server.server_address[1]}"


def _handler_for(served: _Served, owner: DemoPressRooms) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes on a kept-alive connection:
        # with Nagle's algorithm on, the second waited for the client's delayed
        # ACK (the bench's bare spider: 185 -> 238 pages/s, the same CPU).
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._serve(with_body=True)

        def do_HEAD(self) -> None:
            self._serve(with_body=False)

        def do_POST(self) -> None:
            # The one thing that can be posted: "time passes" (demo --advance).
            if urlsplit(self.path).path != ADVANCE_PATH:
                self._send(Reply(405, b"only POST /_demo/advance", {}), with_body=True)
                return
            owner.advance()
            self._send(text_reply(f"edition {owner.edition}\n"), with_body=True)

        def _serve(self, *, with_body: bool) -> None:
            owner._record(served.platform, self.path)
            if owner.delay:
                time.sleep(owner.delay)
            try:
                reply = ask(served.room, self.path, edition=owner.edition)
                if owner.reply_filter is not None:
                    reply = owner.reply_filter(served.platform, self.path, reply)
            except Exception:  # a broken fixture must show up in the test, not hang it
                log.error("demo room %s failed on %s", served.platform, self.path)
                traceback.print_exc()
                reply = Reply(500, b"room error", {"Content-Type": "text/plain"})
            self._send(reply, with_body=with_body)

        def _send(self, reply: Reply, *, with_body: bool) -> None:
            self.send_response(reply.status)
            headers = {"Content-Type": "text/html; charset=utf-8", **reply.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if with_body:
                self.wfile.write(reply.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the request log is `DemoPressRooms.requests`

    return Handler


class DemoPressRooms:
    """The demo press rooms as a context manager: servers start on enter, stop on exit."""

    def __init__(
        self,
        platforms: Iterable[str] = PLATFORMS,
        *,
        size: int | None = None,
        base_port: int = 0,
        delay: float = 0.0,
        reply_filter: Callable[[str, str, Reply], Reply] | None = None,
    ) -> None:
        self.platforms = tuple(platforms)
        self.size = size
        self.base_port = base_port
        # Seconds each reply waits: a crawl that lasts long enough to be
        # interrupted or to meet the lock (the researcher's walk-through).
        self.delay = delay
        # (platform, path, reply) -> the reply sent: the crawl-cost benchmark
        # pads release pages to the weight of a real page.
        self.reply_filter = reply_filter
        self.edition = 1
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._served: dict[str, _Served] = {}

    def __enter__(self) -> DemoPressRooms:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        try:
            for platform in self.platforms:
                served = _Served(platform, self.size, self, self.port_for(platform))
                self._served[platform] = served
                served.thread.start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for served in self._served.values():
            if served.thread.is_alive():
                served.server.shutdown()
            served.server.server_close()
        self._served.clear()

    def port_for(self, platform: str) -> int:
        """The fixed port of a platform's room (0: any free port)."""
        return self.base_port + PLATFORMS.index(platform) if self.base_port else 0

    def _record(self, platform: str, path: str) -> None:
        with self._lock:
            self.requests.append((platform, path))

    def requests_for(self, platform: str) -> list[str]:
        with self._lock:
            return [path for p, path in self.requests if p == platform]

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    def base_url(self, platform: str) -> str:
        return self._served[platform].base_url

    def url(self, platform: str) -> str:
        served = self._served[platform]
        return served.base_url + served.start_path

    def room(self, platform: str) -> Room:
        return self._served[platform].room

    def advance(self) -> None:
        """Time passes: every room shows edition 2 (an edited release, one new release)."""
        self.edition = 2

    def source_id(self, platform: str) -> str:
        return f"demo-{platform}"

    def sources_toml(self) -> str:
        """A registry (the format of data/sources.toml) with one source per room."""
        blocks = []
        for platform, served in self._served.items():
            lines = [
                "[[source]]",
                f'id = "{self.source_id(platform)}"',
                f'organisation = "{ORGANISATION}"',
                f'platform = "{platform}"',
                f'start_urls = ["{self.url(platform)}"]',
                "allow_private = true  # the rooms are served on 127.0.0.1",
            ]
            if served.options:
                lines.append("[source.options]")
                lines.extend(f"{k} = {_toml_value(v)}" for k, v in served.options.items())
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
