"""Reading and cleaning release pages in worker processes, off the reactor thread.

A crawl's reactor thread downloads, records WARC and stores; reading a page
(extraction, dates, cleaning, the about-text learner) is the CPU-heavy part,
and on a machine with a second core it runs there. A worker runs the refine
stages (pressarchive.refine.process.STAGES) that the in-process refine pipeline
runs, so a release read in a worker is the release read in process, byte for byte.

The about-text learner learns online from the documents it sees, so its
results depend on the order it sees them in: every source is routed to one
worker (a single-process executor) that feeds the source's learner in the
order the crawl submitted the pages.

`PRESSARCHIVE_WORKERS` sets the number of worker processes (0 = in process).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import zlib
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from pressarchive.crawl.process_tree import die_with_parent
from pressarchive.extract import MISSING_PREFIX, extract_page
from pressarchive.items import Release
from pressarchive.refine.about_learning import (
    CleaningLog,
    OnlineAboutLearner,
    refresh_source,
)
from pressarchive.refine.about_model import AboutModel, keyed
from pressarchive.refine.cleaning import refine
from pressarchive.refine.learner_documents import (
    DOCUMENT_VERSION,
    document,
    source_keyed_documents,
)
from pressarchive.refine.process import process
from pressarchive.storage.connection import ArchiveError
from pressarchive.storage.rows import ABOUT_MODEL_KEY, LEARNER_DOCUMENT_KEY
from pressarchive.storage.store import Archive

log = logging.getLogger(__name__)

WORKERS_SETTING = "PRESSARCHIVE_WORKERS"
DEFAULT_WORKERS = 0


@dataclass(frozen=True)
class FetchedPage:
    """A release page as downloaded: everything reading it needs, and picklable."""

    body: bytes
    url: str
    platform: str
    source_id: str
    organisation: str | None
    encoding: str | None
    fetched_at: datetime
    listing_published_raw: str | None = None


@dataclass
class PendingRelease(Release):
    """A release whose page is still to be read (by a worker). The spider yields
    it when a worker pipeline is on; that pipeline replaces it with the release."""

    page: FetchedPage | None = None


def unflag_missing(release: Release, name: str) -> None:
    """The field was found after all (elsewhere than on the page)."""
    release.flags = [f for f in release.flags if f != f"{MISSING_PREFIX}{name}"]
    still_partial = any(f.startswith(MISSING_PREFIX) or f == "extract_error" for f in release.flags)
    if not still_partial:
        release.flags = [f for f in release.flags if f != "partial"]


def read_release(page: FetchedPage) -> Release:
    """The release the page shows, the listing's date standing in for a missing one."""
    release = extract_page(
        page.body,
        page.url,
        platform=page.platform,
        source_id=page.source_id,
        organisation=page.organisation,
        encoding=page.encoding,
        fetched_at=page.fetched_at,
    )
    if not release.published_raw and page.listing_published_raw:
        # The page has no date but its listing had: better than nothing.
        release.published_raw = page.listing_published_raw
        release.layers["published_raw"] = "markup"
        release.flag("date_from_listing")
        unflag_missing(release, "published_raw")
    return release


def load_learner(db_path: str, source_id: str) -> OnlineAboutLearner:
    """The source's about-text learner, primed with what the archive holds
    (none: a crawl of many processes, whose archive is the writer's)."""
    if not db_path:
        return OnlineAboutLearner([])
    try:
        with Archive(db_path) as archive:
            documents = source_keyed_documents(archive, source_id)
    except ArchiveError:
        documents = []
    return OnlineAboutLearner(documents)


@dataclass
class LearningCleaning:
    """The clean stage during a crawl (pressarchive.refine.process.Cleaning): the
    source's learner first learns from the release, then the release is cleaned
    with the model as it stands, the model's decisions noted in `log` (for the
    re-cleaning at the end) and its key kept with the extraction."""

    learner: OnlineAboutLearner
    log: CleaningLog | None = None

    def clean(self, release: Release) -> Release:
        assert release.extracted is not None, "the extraction is kept before cleaning"
        learned = keyed(document(release.extracted))
        model = self.learner.add(learned)
        # the store keeps it, so that the re-learning at the end does not make it again
        release.extracted[LEARNER_DOCUMENT_KEY] = [DOCUMENT_VERSION, learned]
        if self.log is None:
            refine(release, about=model)
        else:
            self.log.refine(release, model)
        release.extracted[ABOUT_MODEL_KEY] = self.learner.model_key
        return release


# -- inside a worker process ------------------------------------------------------

# Per process, not on the crawler: these live in the worker process (or, when no
# worker can, in the crawl process), which serves the crawls of every crawler of
# its parent; the crawl's token keeps them apart, `forget_crawl` drops them.
_learners: dict[tuple[str, str], OnlineAboutLearner] = {}
_logs: dict[tuple[str, str], CleaningLog] = {}


def process_page(page: FetchedPage, crawl_token: str, db_path: str) -> Release:
    """The page read, and the refine stages run on it with the crawl's learner."""
    key = (crawl_token, page.source_id)
    if key not in _learners:
        _learners[key] = load_learner(db_path, page.source_id)
        _logs[key] = CleaningLog()
    return process(read_release(page), cleaning=LearningCleaning(_learners[key], _logs[key]))


def unchanged_cleanings(
    crawl_token: str, source_id: str, model: AboutModel, digests: dict[int, str]
) -> set[int]:
    """CleaningLog.unchanged for the crawl's log of the source."""
    log = _logs.get((crawl_token, source_id))
    return log.unchanged(model, digests) if log is not None else set()


def refresh_cleanings(crawl_token: str, source_id: str, db_path: str, crawl_id: int | None) -> int:
    """The end-of-crawl re-cleaning (about.refresh_source), run in the worker
    that cleaned the source's pages: the cleaning log is here, and so is the
    language model that re-cleaning needs, which would otherwise be loaded into
    the crawl process (about 100 MB) for the last seconds of the crawl."""
    with Archive(db_path) as archive:
        return refresh_source(
            archive,
            source_id,
            crawl_id=crawl_id,
            unchanged=partial(unchanged_cleanings, crawl_token, source_id),
        )


def forget_crawl(crawl_token: str) -> int:
    """Drop a finished crawl's learners and logs; returns how many."""
    doomed = [key for key in _learners if key[0] == crawl_token]
    for key in doomed:
        del _learners[key]
        _logs.pop(key, None)
    return len(doomed)


# -- the pool, shared by the crawlers of one process ------------------------------


class ReleaseWorkers:
    """`size` single-process executors; a source always goes to the same one."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        # spawn, not fork: the reactor process has threads (DNS, the executor's own).
        context = multiprocessing.get_context("spawn")
        # a worker dies with the crawl process (pressarchive.process_tree): an
        # orphan would write to the archive without its lock
        self.executors = [
            ProcessPoolExecutor(
                1, mp_context=context, initializer=die_with_parent, initargs=(os.getpid(),)
            )
            for _ in range(size)
        ]

    def _executor(self, source_id: str) -> ProcessPoolExecutor:
        return self.executors[zlib.crc32(source_id.encode("utf-8")) % len(self.executors)]

    def submit(self, page: FetchedPage, crawl_token: str, db_path: str) -> Future[Release]:
        return self._executor(page.source_id).submit(process_page, page, crawl_token, db_path)

    def unchanged(
        self, crawl_token: str, source_id: str, model: AboutModel, digests: dict[int, str]
    ) -> set[int]:
        """Ask the source's worker which releases `model` would clean as before."""
        future = self._executor(source_id).submit(
            unchanged_cleanings, crawl_token, source_id, model, digests
        )
        return future.result()

    def refresh(self, crawl_token: str, source_id: str, db_path: str, crawl_id: int | None) -> int:
        """Have the source's worker re-clean what the crawl's final model changes."""
        future = self._executor(source_id).submit(
            refresh_cleanings, crawl_token, source_id, db_path, crawl_id
        )
        return future.result()

    def forget(self, crawl_token: str) -> None:
        for executor in self.executors:
            executor.submit(forget_crawl, crawl_token)

    def shutdown(self) -> None:
        for executor in self.executors:
            executor.shutdown(wait=True, cancel_futures=False)


# Per process: the crawlers of one process (one per source) share its worker
# processes, which is why a pool outlives any one crawl and is counted by its users.
_shared_lock = threading.Lock()
_shared: dict[int, tuple[ReleaseWorkers, int]] = {}


def acquire_workers(size: int) -> ReleaseWorkers:
    """The process's pool of `size` workers, started on first use."""
    with _shared_lock:
        workers, users = _shared.get(size) or (ReleaseWorkers(size), 0)
        _shared[size] = (workers, users + 1)
        return workers


def release_workers(workers: ReleaseWorkers) -> None:
    """One user less; the last one shuts the pool down."""
    with _shared_lock:
        for size, (shared, users) in list(_shared.items()):
            if shared is workers:
                if users > 1:
                    _shared[size] = (shared, users - 1)
                    return
                del _shared[size]
                break
    workers.shutdown()


def workers_setting(settings: Any) -> int:
    """PRESSARCHIVE_WORKERS from Scrapy settings (negative means none)."""
    return max(0, settings.getint(WORKERS_SETTING, DEFAULT_WORKERS))
