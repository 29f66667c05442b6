"""One bad release costs only itself, in the crawl's store pipeline and in the
scale-out writer alike: both store through `storage.batches.store_batch`."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from pressarchive.pipelines.store import StorePipeline
from test_store import SOURCE, make_release

from pressarchive.items import Release
from pressarchive.storage.batches import BatchHalted, store_batch
from pressarchive.storage.connection import storage_full
from pressarchive.storage.store import Archive


def unstorable(n: int) -> Release:
    # a title SQLite cannot bind: the store refuses this release, not the batch's others
    return make_release(n, title=["not", "a", "string"])


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    a = Archive(tmp_path / "a.db")
    a.ensure_source(SOURCE)
    yield a
    a.close()


def stored_ids(archive: Archive) -> set[str]:
    return {row[0] for row in archive.conn.execute("SELECT platform_id FROM releases")}


def test_a_bad_release_is_dropped_and_the_rest_of_its_batch_stored(archive: Archive) -> None:
    batch = [make_release(1), unstorable(2), make_release(3)]
    outcome = store_batch(archive, batch)
    assert [r.outcome for r in outcome.results] == ["stored", "stored"]
    assert [release.platform_id for release, _ in outcome.dropped] == ["1002"]
    assert stored_ids(archive) == {"1001", "1003"}


def test_a_full_disk_halts_the_batch_and_says_what_was_not_stored(archive: Archive) -> None:
    pages = archive.conn.execute("PRAGMA page_count").fetchone()[0]
    archive.conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own 'disk is full'
    batch = [make_release(n) for n in range(40)]
    with pytest.raises(BatchHalted) as halted:
        store_batch(archive, batch)
    assert storage_full(halted.value.cause)
    assert halted.value.results == [] and halted.value.unstored == batch


def test_the_store_pipeline_counts_the_dropped_release_as_an_error(tmp_path: Path) -> None:
    pipeline = StorePipeline(str(tmp_path / "a.db"))
    pipeline.open_spider(SimpleNamespace(name="viatt", source=SOURCE))
    for release in (make_release(1), unstorable(2), make_release(3)):
        pipeline.process_item(release)
    pipeline.flush()
    assert pipeline.counts["stored"] == 2 and pipeline.counts["dropped"] == 1
    assert [e["url"] for e in pipeline.errors] == [unstorable(2).url]
    assert pipeline.archive is not None
    assert stored_ids(pipeline.archive) == {"1001", "1003"}
    pipeline.archive.close()
