"""`pressarchive`: crawl press rooms into a SQLite archive, then search, export and serve it.

The group and its one-line errors; each command lives in the module of its group."""

from __future__ import annotations

import sqlite3
from typing import Any

import click

from pressarchive.cli.common import DEFAULT_DB, fail


class OneLineErrors(click.Group):
    """A database error no command foresaw (a damaged archive page found
    mid-query) is one line and exit 1, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except sqlite3.DatabaseError as exc:
            fail(
                f"the archive cannot be read ({exc}); `pressarchive sql 'PRAGMA quick_check'` checks it"
            )


@click.group(
    cls=OneLineErrors,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="pressarchive")
def main() -> None:
    """Archive press releases from press rooms (Mynewsdesk, Via TT, Sitevision,
    Cision, feeds) into one SQLite file, then search, export and serve it.

    Start with `pressarchive demo`, or `pressarchive sources` to see the registry.
    """


__all__ = ["DEFAULT_DB", "main"]


def _add_commands() -> None:
    # Commands with a module of their own; imported here so that `--help`
    # lists them, their heavy imports happen only when they run.
    from pressarchive.cli.crawling import crawl, ingest, list_sources, stats
    from pressarchive.cli.demo import demo_command
    from pressarchive.cli.export import export_command
    from pressarchive.cli.query import history, search_command, sql
    from pressarchive.cli.replay import extract_command, reextract_command
    from pressarchive.cli.serve import serve_command

    for command in (
        crawl,
        ingest,
        list_sources,
        stats,
        search_command,
        sql,
        history,
        demo_command,
        extract_command,
        reextract_command,
        export_command,
        serve_command,
    ):
        main.add_command(command)


_add_commands()
