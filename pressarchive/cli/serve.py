"""`pressarchive serve`: Datasette over the archive, read-only, on 127.0.0.1.

The configuration a user can read lives in pressarchive/datasette/:
metadata.json (title, every table and column described, facets, canned
queries) and plugin.py (Swedish search functions, readable bodies, the year
facet).

Read-only: the archive is opened immutable (SQLite never writes, nor takes a
lock). While a crawl is writing (the archive has a non-empty -wal file) an
immutable open could read half-checkpointed pages, so it is opened with
mode=ro instead: still no writes, and new releases show up as they land.
Either way no write query is configured, so nothing can change the archive
through the browser.

The community's plugins (the `serve` extra) do the rest: datasette-dashboards
draws the monthly charts configured in metadata.json, datasette-atom turns the
saved searches into feeds, datasette-search-all searches every searchable
table, datasette-block-robots keeps search engines out, and
datasette-auth-passwords guards `serve --auth`.

On the network: binding to anything but the loopback needs `--auth`, so an
archive is never handed to a whole office network without a password.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import os
import socket
import sys
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pressarchive.cli.common import db_option, fail, open_readonly
from pressarchive.datasette import METADATA_DATABASE, METADATA_PATH

if TYPE_CHECKING:
    from datasette.app import Datasette

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
AUTH_USER = "pressarchive"
PASSWORD_ENV = "PRESSARCHIVE_PASSWORD"
MISSING_EXTRA = (
    "Datasette is not installed: pip install 'pressarchive[serve]' (make setup installs it)"
)
SETTINGS: dict[str, Any] = {
    # Large enough for a year of one organisation, small enough to stay fast.
    "max_returned_rows": 2000,
    "sql_time_limit_ms": 5000,
    "facet_time_limit_ms": 1000,
    "default_page_size": 50,
    # CSV of a canned query or a table streams every row: the analyst's download.
    "allow_csv_stream": True,
    # Suggesting facets scans every column of a 100,000-row table on each
    # page view; the useful facets are configured in metadata.json instead.
    "suggest_facets": False,
}


@lru_cache(maxsize=1)
def _base_metadata() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(METADATA_PATH.read_text(encoding="utf-8"))
    return data


def database_name(db: Path) -> str:
    """The name Datasette gives a database file (its stem)."""
    return db.stem


def load_metadata(db_name: str, *, password_hash: str | None = None) -> dict[str, Any]:
    """metadata.json with its database section (and the dashboards' queries)
    under the archive's own name; with `password_hash`, only the signed-in
    user (AUTH_USER) sees anything."""
    metadata = copy.deepcopy(_base_metadata())
    databases = metadata.get("databases", {})
    if METADATA_DATABASE in databases and db_name != METADATA_DATABASE:
        databases[db_name] = databases.pop(METADATA_DATABASE)
    plugins = metadata.setdefault("plugins", {})
    for dashboard in plugins.get("datasette-dashboards", {}).values():
        for part in (*dashboard.get("charts", {}).values(), *dashboard.get("filters", {}).values()):
            if part.get("db") == METADATA_DATABASE:
                part["db"] = db_name
    if password_hash is not None:
        plugins["datasette-auth-passwords"] = {f"{AUTH_USER}_password_hash": password_hash}
        # Everything, the instance included, for the signed-in user only; the
        # login page (/-/login) stays open.
        metadata["allow"] = {"id": AUTH_USER}
    return metadata


def is_being_written(db: Path) -> bool:
    wal = db.with_name(db.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def register_plugin() -> None:
    from datasette.plugins import pm

    from pressarchive.datasette import plugin

    if not pm.is_registered(plugin):
        pm.register(plugin, name="pressarchive")


def build_datasette(
    db: Path, *, immutable: bool | None = None, password_hash: str | None = None
) -> Datasette:
    """A Datasette instance serving `db` read-only with the project's metadata."""
    try:
        from datasette.app import Datasette
    except ImportError:
        fail(MISSING_EXTRA)

    register_plugin()
    if immutable is None:
        immutable = not is_being_written(db)
    path = str(db)
    return Datasette(
        files=[] if immutable else [path],
        immutables=[path] if immutable else [],
        metadata=load_metadata(database_name(db), password_hash=password_hash),
        settings=SETTINGS,
    )


def _check_archive(db: Path) -> None:
    # One clear line for a missing, foreign or outdated file, before Datasette starts.
    open_readonly(db).close()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything says "Serving": a busy
    port is one line and exit 1, not uvicorn's traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = "is in use" if exc.errno in (98, 48) else f"cannot be bound ({exc.strerror})"
        fail(f"port {port} on {host} {reason}; choose another with --port")
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def password_hash_for(password: str) -> str:
    from datasette_auth_passwords.utils import hash_password

    return str(hash_password(password))


def _ask_password() -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if not sys.stdin.isatty():
        fail(f"--auth needs a password: set {PASSWORD_ENV} or run it in a terminal")
    return str(
        click.prompt(f"Password for user {AUTH_USER!r}", hide_input=True, confirmation_prompt=True)
    )


@click.command("serve")
@db_option
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    help="Address to listen on; 0.0.0.0 makes the archive visible to the network.",
)
@click.option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on.",
)
@click.option(
    "--auth",
    is_flag=True,
    help=f"Require a password (user {AUTH_USER!r}; the password from ${PASSWORD_ENV} or "
    "asked for). Needed to listen beyond 127.0.0.1.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log every request on stderr.")
def serve_command(db: Path, host: str, port: int, auth: bool, verbose: bool) -> None:
    """Browse, search and query the archive in Datasette (read-only).

    Full-text search with Swedish word forms, facets on source, kind, language
    and year, a dashboard of releases per month (/-/dashboards), saved searches
    as Atom feeds, and ready-made queries: releases per month, latest releases,
    contacts directory, upcoming press conferences, releases on several platforms.

    Exit codes: 0 stopped with Ctrl-C; 1 the archive or the port cannot be
    used; 2 bad options (such as --host beyond 127.0.0.1 without --auth).
    """
    if not is_loopback(host) and not auth:
        fail(
            f"--host {host} shows the archive to the network: add --auth "
            f"(a password, from ${PASSWORD_ENV}) or serve on 127.0.0.1",
            2,
        )
    _check_archive(db)
    try:
        import uvicorn
    except ImportError:
        fail(MISSING_EXTRA)
    password_hash = password_hash_for(_ask_password()) if auth else None
    sock = bind(host, port)
    datasette = build_datasette(db, password_hash=password_hash)
    name = database_name(db)
    bound_port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    click.echo(
        f"Serving {db} read-only at http://{shown}:{bound_port}/{name} (Ctrl-C to stop)",
        err=True,
    )
    if auth:
        click.echo(f"Sign in at http://{shown}:{bound_port}/-/login as {AUTH_USER}", err=True)
    config = uvicorn.Config(
        datasette.app(),
        log_level="info" if verbose else "warning",
        access_log=verbose,
        lifespan="on",
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()


__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "bind",
    "build_datasette",
    "database_name",
    "is_loopback",
    "load_metadata",
    "register_plugin",
    "serve_command",
]
