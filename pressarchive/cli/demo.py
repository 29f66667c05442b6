"""`pressarchive demo`: the bundled offline press rooms, crawled or served.

    pressarchive demo               crawl the rooms into data/demo.db and show what came out
    pressarchive demo --keep        the same, incrementally, into the archive already there
    pressarchive demo --serve       serve the rooms on fixed ports and write a registry for
                                    `pressarchive crawl` (the researcher's walk-through)
    pressarchive demo --advance     tell the served rooms that time has passed (edition 2)

The rooms listen on fixed ports (--port-base, one port per platform) so that
their URLs, and so the archived releases, are the same from run to run: a
second `demo --keep` finds nothing new instead of duplicates.
"""

from __future__ import annotations

import shutil
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import click

from pressarchive.cli.common import fail
from pressarchive.demo.server import ADVANCE_PATH, DEFAULT_BASE_PORT, HOST

DEMO_DB = Path("data/demo.db")
DEMO_SOURCES = Path("data/demo-sources.toml")
SAMPLE_QUERIES = ("trygghet", "bro", "skola")

# The bundled rooms run on this machine: no need to be polite to ourselves.
FAST_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "PRESSARCHIVE_RETRY_BACKOFF_BASE": 0.2,
    "LOG_LEVEL": "WARNING",
}

# The rooms' faults are there on purpose, to show what a crawl reports; said
# before the crawl so that the ERROR and WARNING lines do not look like bugs.
DELIBERATE_FAULTS = (
    "The demo rooms break two things on purpose, to show how a crawl reports them:\n"
    "  - Via TT lists one release whose page answers 404: an ERROR line, and the\n"
    "    crawl's error count (recorded in the crawls table, nothing else lost);\n"
    "  - Sitevision shows one release without a date: a WARNING '... has the\n"
    "    sitevision layout changed?', the release stored with a no_date flag."
)


@click.command("demo")
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEMO_DB,
    show_default=True,
    help="Where to write the demo archive (replaced on each run unless --keep).",
)
@click.option("--keep", is_flag=True, help="Keep the demo archive and crawl incrementally.")
@click.option(
    "--serve",
    "serve_rooms",
    is_flag=True,
    help="Only serve the rooms (until Ctrl-C) and write a registry for `pressarchive crawl`.",
)
@click.option(
    "--advance",
    is_flag=True,
    help="Tell rooms served by `demo --serve` that time has passed: one new release per "
    "room, one edited.",
)
@click.option(
    "--port-base",
    type=click.IntRange(0, 65530),
    default=DEFAULT_BASE_PORT,
    show_default=True,
    help="The rooms listen on this port and the four after it (0: any free ports).",
)
@click.option(
    "--sources",
    "sources_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEMO_SOURCES,
    show_default=True,
    help="With --serve: where to write the rooms' registry.",
)
@click.option(
    "--delay",
    type=click.FloatRange(0, 10),
    default=0.0,
    help="With --serve: seconds each reply waits (a slow crawl, to try --resume and the lock).",
)
@click.option("-v", "--verbose", is_flag=True, help="Scrapy's whole log on stderr.")
def demo_command(
    db: Path,
    keep: bool,
    serve_rooms: bool,
    advance: bool,
    port_base: int,
    sources_file: Path,
    delay: float,
    verbose: bool,
) -> None:
    """Crawl the bundled offline press rooms (one per platform) into DB.

    Starts the press rooms on 127.0.0.1, crawls them all, prints per-source
    counts and three sample searches, and stops the servers. No internet needed.

    With --serve the rooms stay up for `pressarchive crawl --sources
    data/demo-sources.toml`, and `demo --advance` moves them on by one edition.

    Exit codes: 0 done; 1 a room could not be crawled or served (a busy port:
    choose another --port-base); 2 contradictory options; 75 the archive is
    being crawled by another process.
    """
    if sum((keep, serve_rooms, advance)) > 1:
        fail("--keep, --serve and --advance are separate things to do: give one", 2)
    if advance:
        _advance(port_base)
    elif serve_rooms:
        _serve(port_base, sources_file, delay)
    else:
        if delay:
            fail("--delay is for --serve", 2)
        _crawl_demo(db, keep=keep, port_base=port_base, verbose=verbose)


def _rooms(port_base: int, delay: float = 0.0) -> Any:
    from pressarchive.demo.server import DemoPressRooms

    rooms = DemoPressRooms(base_port=port_base, delay=delay)
    try:
        rooms.start()
    except OSError as exc:
        fail(
            f"cannot serve the demo rooms on ports {port_base}-{port_base + 4} "
            f"({exc.strerror}); another demo may be running, or choose --port-base",
        )
    return rooms


def _advance(port_base: int) -> None:
    if not port_base:
        fail("--advance needs the --port-base the rooms were served on", 2)
    url = f"http://{HOST}:{port_base}{ADVANCE_PATH}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=10) as r:
            edition = r.read().decode().strip()
    except (urllib.error.URLError, OSError) as exc:
        fail(f"no demo rooms answer on port {port_base} ({exc}); start `pressarchive demo --serve`")
    click.echo(
        f"The demo rooms now show {edition}: one new release in each room, "
        "and Via TT has edited one release (a new title and text)."
    )


def _serve(port_base: int, sources_file: Path, delay: float) -> None:
    rooms = _rooms(port_base, delay)
    try:
        sources_file.parent.mkdir(parents=True, exist_ok=True)
        sources_file.write_text(
            "# The demo press rooms served by `pressarchive demo --serve` (written by it).\n\n"
            + rooms.sources_toml(),
            encoding="utf-8",
        )
        click.echo(f"Serving {len(rooms.platforms)} demo press rooms on {HOST}:")
        for platform in rooms.platforms:
            click.echo(f"  {rooms.source_id(platform):<18} {rooms.url(platform)}")
        click.echo(
            f"Their registry is {sources_file}. In another terminal, try:\n"
            f"  .venv/bin/pressarchive crawl --all --sources {sources_file} --db data/rooms.db\n"
            f"  (again: exit code 3, nothing new)\n"
            f"  .venv/bin/pressarchive demo --advance"
            + (f" --port-base {port_base}" if port_base != DEFAULT_BASE_PORT else "")
            + "\n  (then crawl again: the new releases and one update)\n"
            + DELIBERATE_FAULTS
            + "\nCtrl-C stops the rooms."
        )
        sys.stdout.flush()
        _wait_for_stop()
    finally:
        rooms.stop()
    click.echo("Stopped the demo rooms.")


def _wait_for_stop() -> None:
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _crawl_demo(db: Path, *, keep: bool, port_base: int, verbose: bool) -> None:
    from pressarchive.crawl.runner import CrawlLocked, run_crawl
    from pressarchive.sources import parse_sources
    from pressarchive.storage.search import HIGHLIGHT_END, HIGHLIGHT_START, search
    from pressarchive.storage.store import Archive

    if not keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        shutil.rmtree(db.parent / "warc", ignore_errors=True)
    settings = dict(FAST_SETTINGS)
    if verbose:
        settings.pop("LOG_LEVEL")
    started = time.monotonic()
    rooms = _rooms(port_base)
    try:
        sources = parse_sources(rooms.sources_toml(), origin="demo rooms")
        click.echo(f"Serving {len(sources)} demo press rooms on {HOST}:")
        for source in sources:
            click.echo(f"  {source.id:<18} {source.start_urls[0]}")
        click.echo(DELIBERATE_FAULTS)
        how = "incrementally " if keep else ""
        click.echo(f"Crawling {how}into {db} ...")
        sys.stdout.flush()
        try:
            # A fresh archive is crawled whole; a kept one as a scheduled crawl would.
            results = run_crawl(
                sources, db=db, full=not keep, settings_overrides=settings, quiet=True
            )
        except CrawlLocked as exc:
            fail(str(exc), 75)
    finally:
        rooms.stop()
    elapsed = time.monotonic() - started

    click.echo(f"\nCrawled in {elapsed:.0f} s:")
    for r in results:
        click.echo(
            f"  {r.source_id or r.spider:<18} {r.status:<9} {r.stored:>3} new  {r.updated:>3} updated  "
            f"{r.error_count:>2} errors"
        )
        for error in r.errors[:3]:
            click.echo(f"      error: {error.get('url')}: {error.get('reason')} (deliberate)")
    with Archive(db, readonly=True) as archive:
        total = archive.conn.execute("SELECT COUNT(*) FROM releases").fetchone()[0]
        unique = archive.conn.execute("SELECT COUNT(*) FROM unique_releases").fetchone()[0]
        click.echo(
            f"  {total} releases in the archive, {unique} after merging cross-platform copies"
        )
        for query in SAMPLE_QUERIES:
            hits = search(archive.conn, query, limit=3)
            if not hits:
                continue
            click.echo(f"\nSearch {query!r}:")
            for hit in hits:
                snippet = hit.snippet.replace(HIGHLIGHT_START, "[").replace(HIGHLIGHT_END, "]")
                click.echo(f"  {(hit.published_local or '')[:10]}  {hit.source_id}  {hit.title}")
                click.echo(f"      {snippet[:150]}")
    click.echo(
        "\nNext, try:\n"
        f"  .venv/bin/pressarchive search trygghet --db {db}\n"
        f'  .venv/bin/pressarchive export --db {db} --organisation "Norrköpings kommun" '
        "--since 2025-01-01 --until 2025-12-31 --format xlsx -o norrkoping-2025.xlsx\n"
        f"  .venv/bin/pressarchive serve --db {db}    (then /-/dashboards/releases)"
    )
    if any(r.status != "finished" for r in results):
        sys.exit(1)
