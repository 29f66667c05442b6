"""`pressarchive demo`: crawl the bundled offline press rooms, show what came out."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import click

from pressarchive.cli.common import fail

DEMO_DB = Path("data/demo.db")
SAMPLE_QUERIES = ("trygghet", "bro", "skola")

# The bundled rooms run on this machine: no need to be polite to ourselves.
FAST_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "PRESSARCHIVE_RETRY_BACKOFF_BASE": 0.2,
    "LOG_LEVEL": "WARNING",
}


@click.command("demo")
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEMO_DB,
    show_default=True,
    help="Where to write the demo archive (replaced on each run).",
)
@click.option("--keep", is_flag=True, help="Keep an existing demo archive (crawl incrementally).")
def demo_command(db: Path, keep: bool) -> None:
    """Crawl the bundled offline press rooms (one per platform) into DB.

    Starts the press rooms on 127.0.0.1, crawls them all, prints per-source
    counts and three sample searches, and stops the servers. No internet needed.
    """
    from pressarchive.crawl.runner import CrawlLocked, run_crawl
    from pressarchive.demo.server import DemoPressRooms
    from pressarchive.sources import parse_sources
    from pressarchive.storage.search import HIGHLIGHT_END, HIGHLIGHT_START, search
    from pressarchive.storage.store import Archive

    if not keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        shutil.rmtree(db.parent / "warc", ignore_errors=True)
    started = time.monotonic()
    with DemoPressRooms() as rooms:
        sources = parse_sources(rooms.sources_toml(), origin="demo rooms")
        click.echo(f"Serving {len(sources)} demo press rooms on 127.0.0.1:")
        for source in sources:
            click.echo(f"  {source.id:<18} {source.start_urls[0]}")
        click.echo(f"Crawling into {db} ...")
        try:
            results = run_crawl(
                sources, db=db, full=True, settings_overrides=FAST_SETTINGS, quiet=True
            )
        except CrawlLocked as exc:
            fail(str(exc), 75)
    elapsed = time.monotonic() - started

    click.echo(f"\nCrawled in {elapsed:.0f} s:")
    for r in results:
        click.echo(
            f"  {r.source_id or r.spider:<18} {r.status:<9} {r.stored:>3} new  {r.updated:>3} updated  "
            f"{r.error_count:>2} errors"
        )
        for error in r.errors[:3]:
            click.echo(f"      error: {error.get('url')}: {error.get('reason')}")
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
        f"  .venv/bin/pressarchive export --db {db} --format xlsx -o demo.xlsx\n"
        f"  .venv/bin/pressarchive serve --db {db}"
    )
    if any(r.status != "finished" for r in results):
        sys.exit(1)
