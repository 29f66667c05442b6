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
# Set in the stats of a `reextract` run: it replays archived pages and walks
# nothing live, so it neither opens nor closes a gap.
REPLAY_STAT = "pressarchive/replay"


def open_gap(conn: sqlite3.Connection, source_id: str) -> str | None:
    """Why the source's archive may miss releases, or None when its last run
    finished its walk."""
    rows = conn.execute(
        "SELECT id, status, started_at, stats FROM crawls WHERE source_id = ? ORDER BY id DESC",
        (source_id,),
    )
    for crawl_id, status, started_at, stats_json in rows:
        try:
            stats = json.loads(stats_json or "{}")
        except ValueError:
            stats = {}
        if not isinstance(stats, dict):
            stats = {}
        if stats.get(REPLAY_STAT):
            continue
        if status != "finished":
            return f"crawl {crawl_id} ({started_at}) {status}"
        cut = stats.get(WALK_CUT_STAT)
        if cut:
            return f"crawl {crawl_id} ({started_at}) stopped its walk: {cut}"
        return None
    return None
