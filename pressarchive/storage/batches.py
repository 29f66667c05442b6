"""Storing a batch of releases so that one bad release costs only itself.

The crawl's store pipeline and the scale-out writer both store in batches (one
transaction each, for the write rate). A release the store refuses would roll
back the whole batch, so a failed batch is stored again one release at a time
and only the refused ones are dropped. Some failures are no bad release: a
full disk, or a crawl whose row was superseded (CrawlSuperseded). Storing
anything more is then pointless, so they halt the batch instead (BatchHalted),
saying what was stored before and what was not.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pressarchive.items import Release
from pressarchive.storage.connection import CrawlSuperseded, storage_full
from pressarchive.storage.store import Archive, StoreResult

log = logging.getLogger(__name__)


@dataclass
class BatchStored:
    results: list[StoreResult] = field(default_factory=list)
    # the releases the store refused, each with its error
    dropped: list[tuple[Release, Exception]] = field(default_factory=list)


class BatchHalted(Exception):
    """Storing cannot go on; `cause` is why (test it with `storage_full` or
    isinstance CrawlSuperseded), `results` what was stored before, `unstored`
    the releases not stored."""

    def __init__(
        self, cause: Exception, results: list[StoreResult], unstored: list[Release]
    ) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.results = results
        self.unstored = unstored


def halts(exc: Exception) -> bool:
    """A failure no later release can escape: not the release's fault."""
    return isinstance(exc, CrawlSuperseded) or storage_full(exc)


def store_batch(archive: Archive, releases: Sequence[Release], **options: Any) -> BatchStored:
    """`archive.store(releases, **options)`, falling back to one release at a
    time when the batch fails; raises BatchHalted on a failure that `halts`."""
    batch = list(releases)
    try:
        return BatchStored(archive.store(batch, **options))
    except Exception as exc:
        if halts(exc):
            raise BatchHalted(exc, [], batch) from exc
        log.warning("batch of %d failed (%s); storing one by one", len(batch), exc)
    outcome = BatchStored()
    for position, release in enumerate(batch):
        try:
            outcome.results.extend(archive.store([release], **options))
        except Exception as exc:
            if halts(exc):
                raise BatchHalted(exc, outcome.results, batch[position:]) from exc
            log.error("cannot store %s: %s", release.url, exc)
            outcome.dropped.append((release, exc))
    return outcome
