"""A source's gap: releases a run that did not finish its walk may have left behind.

The incremental rule stops at the first listing page whose releases are all
archived. After a run that stopped part-way (killed, interrupted, failed, a
full disk, a cap) that rule is wrong: the pages below where it stopped were
never walked. The gap is read from the run log (the `crawls` table): it is
open while the source's latest run did not finish its walk, and the next run
walks the listings to the end ("deep"), fetching only what is not archived.
"""

from __future__ import annotations

import json
import sqlite3

# Set in a run's stats when its listing walk stopped before the end although
# the incremental rule would have gone on (a page cap, the wall-clock cap).
WALK_CUT_STAT = "pressarchive/walk_cut"


def open_gap(conn: sqlite3.Connection, source_id: str) -> str | None:
    """Why the source's archive may miss releases, or None when its last run
    finished its walk."""
    row = conn.execute(
        "SELECT id, status, started_at, stats FROM crawls WHERE source_id = ? "
        "ORDER BY id DESC LIMIT 1",
        (source_id,),
    ).fetchone()
    if row is None:
        return None
    crawl_id, status, started_at, stats_json = row[0], row[1], row[2], row[3]
    if status != "finished":
        return f"crawl {crawl_id} ({started_at}) {status}"
    try:
        stats = json.loads(stats_json or "{}")
    except ValueError:
        stats = {}
    cut = stats.get(WALK_CUT_STAT) if isinstance(stats, dict) else None
    if cut:
        return f"crawl {crawl_id} ({started_at}) stopped its walk: {cut}"
    return None
