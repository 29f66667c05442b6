"""`pressarchive sql`: queries, never changes, and never for ever.

The archive is opened through a read-only URI; on top of that an authorizer
allows only reading (SELECT, reading tables, functions, recursive CTEs and
pragmas that only report), so ATTACH and VACUUM INTO cannot create files and
no pragma can change a setting; a progress handler stops a query that runs
past its time limit (a recursive CTE can run unbounded).
"""

from __future__ import annotations

import sqlite3
import time

# Pragmas that only report something, called without an argument or with a
# table or index name.
READ_PRAGMAS = frozenset(
    {
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "collation_list",
        "function_list",
        "module_list",
        "pragma_list",
        "compile_options",
        "database_list",
        "user_version",
        "schema_version",
        "application_id",
        "page_count",
        "page_size",
        "freelist_count",
        "encoding",
        "data_version",
        "quick_check",
        "integrity_check",
        "foreign_key_check",
    }
)
TAKES_A_NAME = frozenset(
    {"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list"}
)
ALLOWED = frozenset(
    {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
)
# How often (in SQLite virtual-machine steps) the time limit is looked at.
PROGRESS_STEPS = 10_000


def _authorize(action: int, arg1: str | None, arg2: str | None, *_: object) -> int:
    if action in ALLOWED:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and arg1 is not None:
        name = arg1.lower()
        if name in READ_PRAGMAS and (arg2 is None or name in TAKES_A_NAME):
            return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def guard(conn: sqlite3.Connection, *, timeout: float) -> None:
    """Make `conn` refuse everything but reading, for at most `timeout` seconds
    of query time from now (0: no limit)."""
    conn.set_authorizer(_authorize)
    if timeout > 0:
        deadline = time.monotonic() + timeout
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), PROGRESS_STEPS)


def explain(exc: sqlite3.Error, *, timeout: float) -> str:
    """The one line a user gets for a refused or failed query."""
    message = str(exc)
    if "interrupted" in message:
        return f"the query ran past its time limit of {timeout:g} s (raise it with --timeout)"
    if any(word in message for word in ("authoriz", "readonly", "read-only", "query_only")):
        return (
            "the archive is read-only here: `sql` runs queries, not changes "
            "(ATTACH, VACUUM and pragmas that set something are refused)"
        )
    return f"SQL error: {message}"
