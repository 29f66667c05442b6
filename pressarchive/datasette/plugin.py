"""Datasette plugin for the archive.

- `sv_fts(words)`: SQL function turning what a reader types into the
  stem-prefix FTS5 query (pressarchive.storage.search.fts_query), so *bro* finds *bron*.
- `sv_snippet(text, words)`: the best window of `text` for those words, with
  the matches marked (rendered as <mark> by render_cell).
- `sv_newest(words, n[, unique])`: the ids of the `n` newest releases matching
  (with `unique` 1: one per cluster, as unique_releases), as a JSON array, found as `pressarchive search` finds them (reading the date index
  until the page is full), so that the canned search costs what a page of
  results costs, not what every match of `och` costs.
- render_cell: bodies shown as paragraphs, snippets highlighted, release ids
  in query results linked to the release's page.
- a "year" facet type: `{"year": "published_local"}` in metadata facets (Swedish years); choosing
  a year filters with Datasette's own `column__startswith=YEAR`.
"""

from __future__ import annotations

import json
import re
import sqlite3
from functools import lru_cache, partial
from typing import Any

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from pressarchive.storage.search import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    Filters,
    in_date_order,
    snippet,
)
from pressarchive.storage.search_query import CompiledQuery, SearchError, compile_query

# An empty FTS5 phrase: matches nothing, so an empty search form shows no rows
# instead of an error.
MATCH_NOTHING = '""'
BODY_COLUMNS = {"body_text", "lead", "about_text"}
RELEASE_TABLES = {"releases", "unique_releases", "revisions"}
RELEASE_LINK_COLUMNS = {"release_id"}
_SYNTAX = re.compile(r'["()]')


@lru_cache(maxsize=256)
def _compiled(words: str) -> CompiledQuery:
    return compile_query(words)


def _lenient(words: str) -> CompiledQuery | None:
    """The reader's query, or failing that the same words without quotes and
    parentheses: a stray quote should not cost the reader their search."""
    for attempt in (words, _SYNTAX.sub(" ", words)):
        try:
            return _compiled(attempt)
        except SearchError:
            continue
    return None


def sv_fts(words: str | None) -> str:
    """The FTS5 MATCH expression for a reader's words (matches nothing when empty)."""
    compiled = _lenient(words) if words and words.strip() else None
    return compiled.match if compiled else MATCH_NOTHING


def sv_snippet(text: str | None, words: str | None) -> str:
    """The best window of `text` for the reader's words, matches marked."""
    if not text:
        return ""
    compiled = _lenient(words) if words and words.strip() else None
    return snippet(text, compiled.terms if compiled else ())


def paragraphs_html(text: str) -> Markup:
    """Blank-line separated paragraphs as <p>, single line breaks as <br>."""
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    html = "".join(
        "<p>" + "<br>".join(str(escape(line)) for line in block.split("\n")) + "</p>"
        for block in blocks
    )
    return Markup(
        f'<div class="release-body" style="max-width:45em;white-space:normal">{html}</div>'
    )


def highlighted_html(text: str) -> Markup:
    escaped = str(escape(text))
    return Markup(escaped.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_END, "</mark>"))


def sv_newest(
    conn: sqlite3.Connection, words: str | None, limit: int | None, unique: int | None = 0
) -> str:
    """The ids of the `limit` newest releases matching the reader's words (JSON)."""
    compiled = _lenient(words) if words and words.strip() else None
    if compiled is None:
        return "[]"
    filters = Filters(unique=bool(unique))
    return json.dumps(in_date_order(conn, compiled.match, filters, int(limit or 20)))


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function("sv_fts", 1, sv_fts, deterministic=True)
    conn.create_function("sv_snippet", 2, sv_snippet, deterministic=True)
    # reads the archive, so not deterministic; runs its queries on this connection
    conn.create_function("sv_newest", 2, partial(sv_newest, conn))
    conn.create_function("sv_newest", 3, partial(sv_newest, conn))


@hookimpl
def render_cell(
    value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Markup | None:
    if not isinstance(value, str | int) or value == "":
        return None
    if isinstance(value, str) and HIGHLIGHT_START in value:
        return highlighted_html(value)
    if column in BODY_COLUMNS and table in RELEASE_TABLES and isinstance(value, str):
        return paragraphs_html(value)
    if table is None and column in RELEASE_LINK_COLUMNS:
        url = datasette.urls.row(database, "releases", str(value))
        return Markup(f'<a href="{escape(url)}">{escape(str(value))}</a>')
    return None


class YearFacet(Facet):
    """Counts per year of an ISO 8601 date column."""

    type = "year"

    async def suggest(self) -> list[dict[str, Any]]:
        return []  # configured in metadata, never suggested

    def _column(self, config: dict[str, Any]) -> str:
        return str(config.get("column") or config.get("simple") or "")

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        args = dict(self.get_querystring_pairs())
        size = self.get_facet_size()
        for source_and_config in self.get_configs():
            column = self._column(source_and_config["config"])
            if not column:
                continue
            sql = f"""
                select substr({escape_sqlite(column)}, 1, 4) as value, count(*) as count
                from ({self.sql})
                where {escape_sqlite(column)} is not null
                group by value order by value desc limit {size + 1}"""
            try:
                rows = await self.ds.execute(
                    self.database,
                    sql,
                    self.params,
                    truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:
                timed_out.append(column)
                continue
            key = f"{column}__startswith"
            values = []
            for row in rows.rows[:size]:
                year = str(row["value"])
                selected = str(args.get(key)) == year
                path = (
                    path_with_removed_args(self.request, {key: year})
                    if selected
                    else path_with_added_args(self.request, {key: year})
                )
                values.append(
                    {
                        "value": year,
                        "label": year,
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(self.request, path),
                        "selected": selected,
                    }
                )
            results.append(
                {
                    "name": f"{column} (year)",
                    "type": self.type,
                    "results": values,
                    "hideable": source_and_config["source"] != "metadata",
                    "toggle_url": path_with_removed_args(self.request, {"_facet_year": column}),
                    "truncated": len(rows.rows) > size,
                }
            )
        return results, timed_out


@hookimpl
def register_facet_classes() -> list[type]:
    return [YearFacet]


# -- a release's page reads like an article --------------------------------
# Datasette shows a row as one wide table row; for a release that puts the
# title and body off-screen. On release pages the cells are stacked instead,
# headline first, then date, lead and body, every cell labelled.

READING_CSS_PATH = "/-/pressarchive/release.css"
# Cells shown first, in this order; every other column follows, labelled.
READING_ORDER = ("title", "published_local", "source_id", "kind", "lead", "body_text")
LABELLED_COLUMNS = (
    "id", "source_id", "platform", "platform_id", "url", "canonical_url", "title", "kind",
    "organisation", "lead", "body_text", "body_html", "about_text", "language",
    "published_at", "published_local", "published_raw", "updated_at", "first_seen_at",
    "last_seen_at", "content_hash", "record_hash", "layers", "flags", "crawl_id", "cluster_id",
)  # fmt: skip


def reading_css() -> str:
    rules = [
        ".rows-and-columns thead { display: none; }",
        ".rows-and-columns, .rows-and-columns tbody { display: block; }",
        ".rows-and-columns tr { display: flex; flex-direction: column; max-width: 50em; }",
        ".rows-and-columns td { border: none; padding: 0.3em 0; order: 100; }",
        ".rows-and-columns td:before { display: block; margin-left: 0; font-size: 0.75em; color: #666;"
        " text-transform: uppercase; letter-spacing: 0.05em; }",
        ".rows-and-columns td.col-title { font-size: 1.8em; font-weight: bold; }",
        ".rows-and-columns td.col-body_text { font-size: 1.1em; line-height: 1.5; }",
        ".rows-and-columns td.col-body_html { font-family: monospace; font-size: 0.8em; }",
    ]
    rules += [
        f'.rows-and-columns td.col-{name}:before {{ content: "{name}"; }}'
        for name in LABELLED_COLUMNS
    ]
    rules += [
        f".rows-and-columns td.col-{name} {{ order: {position}; }}"
        for position, name in enumerate(READING_ORDER)
    ]
    return "\n".join(rules) + "\n"


async def _release_css() -> Response:
    return Response(
        reading_css(),
        content_type="text/css; charset=utf-8",
        headers={"Cache-Control": "max-age=300"},
    )


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(rf"^{re.escape(READING_CSS_PATH)}$", _release_css)]


@hookimpl
def extra_css_urls(view_name: str, table: str | None) -> list[str]:
    if view_name == "row" and table in RELEASE_TABLES:
        return [READING_CSS_PATH]
    return []
