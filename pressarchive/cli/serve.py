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
"""

from __future__ import annotations

import copy
import json
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


def load_metadata(db_name: str) -> dict[str, Any]:
    """metadata.json with its database section under the archive's own name."""
    metadata = copy.deepcopy(_base_metadata())
    databases = metadata.get("databases", {})
    if METADATA_DATABASE in databases and db_name != METADATA_DATABASE:
        databases[db_name] = databases.pop(METADATA_DATABASE)
    return metadata


def is_being_written(db: Path) -> bool:
    wal = db.with_name(db.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def register_plugin() -> None:
    from datasette.plugins import pm

    from pressarchive.datasette import plugin

    if not pm.is_registered(plugin):
        pm.register(plugin, name="pressarchive")


def build_datasette(db: Path, *, immutable: bool | None = None) -> Datasette:
    """A Datasette instance serving `db` read-only with the project's metadata."""
    from datasette.app import Datasette

    register_plugin()
    if immutable is None:
        immutable = not is_being_written(db)
    path = str(db)
    return Datasette(
        files=[] if immutable else [path],
        immutables=[path] if immutable else [],
        metadata=load_metadata(database_name(db)),
        settings=SETTINGS,
    )


def _check_archive(db: Path) -> None:
    # One clear line for a missing, foreign or outdated file, before Datasette starts.
    open_readonly(db).close()


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
def serve_command(db: Path, host: str, port: int) -> None:
    """Browse, search and query the archive in Datasette (read-only).

    Full-text search with Swedish word forms, facets on source, kind, language
    and year, and ready-made queries: releases per month, latest releases,
    contacts directory, upcoming press conferences, releases on several platforms.
    """
    _check_archive(db)
    try:
        import uvicorn
    except ImportError:  # pragma: no cover - datasette depends on it
        fail("uvicorn is missing; install datasette")
    datasette = build_datasette(db)
    name = database_name(db)
    click.echo(f"Serving {db} read-only at http://{host}:{port}/{name} (Ctrl-C to stop)", err=True)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning", lifespan="on")


__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "build_datasette",
    "database_name",
    "load_metadata",
    "register_plugin",
    "serve_command",
]
