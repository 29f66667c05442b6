"""What the components of one crawl tell each other, in one object on the crawler.

Scrapy builds one crawler per source crawl and hands it to every component it
makes (`from_crawler`): the spider, the pipelines, the middlewares, the
scheduler. Whatever one of them must tell another about *this* crawl lives in
the crawler's `CrawlState`, built on first use by `crawl_state(crawler)`, not
in attributes set on the spider (the spider only navigates) nor in module-level
dicts (a process runs the crawls of many sources at once).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pressarchive.storage.seen import EmptySeenIndex, SeenIndex
from pressarchive.storage.store import Archive

# The crawler's attribute that holds its state (a name of ours: Scrapy's own are unprefixed).
STATE_ATTRIBUTE = "pressarchive_state"


class CleaningMemory(Protocol):
    """Whoever cleaned the crawl's releases and remembers how (refine.about_learning.CleaningLog):
    the refine pipeline, or the worker pipeline when pages are read in worker processes."""

    def refresh(self, archive: Archive, source_id: str, crawl_id: int | None) -> int:
        """The end-of-crawl re-cleaning of the source; returns how many releases changed."""
        ...


def _new_token() -> str:
    return uuid.uuid4().hex


@dataclass
class CrawlState:
    """One crawl's shared state. Each field names who writes it and who reads it."""

    # This crawl among every crawl of every process: keys the worker pool's
    # learners and logs (crawl.pool), and tags the messages and WARC index rows
    # a Redis crawl sends to the writer (distributed.push, distributed.warc).
    token: str = field(default_factory=_new_token)

    # "Already archived?" for the incremental rule (the spider's `wants`): the
    # local archive's index (set by the spider), or the writer's index in Redis
    # (set by distributed.frontier when the crawl joins a shared run).
    seen: SeenIndex = field(default_factory=EmptySeenIndex)

    # The crawl's failed pages and cut walks, {"url", "reason"} (written by the
    # spider's errback and `cut_walk`): the store writes them into the crawl's
    # row, a Redis crawl sends them to the writer (distributed.push).
    errors: list[dict[str, str]] = field(default_factory=list)

    # True when release pages go to worker processes unread: set by the worker
    # pipeline (pipelines/read_pages.py) when it has workers; the spider then
    # yields `PendingRelease`s instead of reading pages itself.
    read_in_workers: bool = False

    # Who cleaned the crawl's releases and so re-cleans them when the crawl
    # closes (the store pipeline asks it; a Redis crawl's push pipeline sends
    # its decisions to the writer instead); None: nobody kept a memory, the
    # store re-cleans from the archive alone.
    cleaning_memory: CleaningMemory | None = None

    # Why the crawl is being stopped early (crawl.stopping: a full disk, a
    # superseded run), so that the store stops writing; None while it runs on.
    stopping: str | None = None

    # A Redis crawl's run of the source in the shared frontier (set by
    # distributed.frontier when it joins; the push pipeline tags messages with it).
    frontier_run: str | None = None

    # Acknowledges a popped request by its receipt once its items are through
    # (set by distributed.frontier, called by distributed.acks).
    frontier_ack: Callable[[str], None] | None = None

    # A Redis crawl's one way to Redis (distributed.outbox): what its pages
    # produce waits there for the crawl's next round trip (set on first use by
    # distributed.outbox.outbox_of; used by the frontier, leases, WARC, push).
    writer_outbox: Any = None

    # True when this process was the last to leave the run, which ended it (set
    # by distributed.frontier on close; the push pipeline then tells the writer).
    frontier_ended: bool = False


def crawl_state(crawler: Any) -> CrawlState:
    """The crawler's state, made on first use; every component asks here."""
    state = getattr(crawler, STATE_ATTRIBUTE, None)
    if state is None:
        state = CrawlState()
        setattr(crawler, STATE_ATTRIBUTE, state)
    return state
