"""Reading releases in worker processes gives the releases read in process, and
the end-of-crawl re-cleaning that skips unchanged cleanings gives the rows the
full re-cleaning gives."""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pressarchive.pipelines import read_pages as stage

from pressarchive.crawl.pool import (
    FetchedPage,
    LearningCleaning,
    ReleaseWorkers,
    read_release,
)
from pressarchive.crawl.runner import run_crawl
from pressarchive.demo.server import DemoPressRooms, ask, room_module, room_start_path
from pressarchive.items import Release
from pressarchive.refine.about_learning import (
    MIN_DOCUMENTS,
    CleaningLog,
    OnlineAboutLearner,
    extraction_digest,
    learn,
    refresh_source,
)
from pressarchive.refine.learner_documents import document
from pressarchive.refine.process import process
from pressarchive.sources import Source, parse_sources
from pressarchive.storage.rows import ABOUT_MODEL_KEY, extraction_record_text
from pressarchive.storage.store import Archive

FETCHED_AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
# Content columns: what a reader sees of a release (ids and crawl times vary by run).
CONTENT = (
    "url, canonical_url, platform_id, title, kind, lead, body_text, body_html, about_text, "
    "language, published_at, published_local, published_raw, updated_at, content_hash, flags"
)


def room_pages(platform: str, count: int) -> list[FetchedPage]:
    """The first `count` release pages of the platform's demo room, as fetched."""
    with DemoPressRooms([platform], size=count) as rooms:
        base = rooms.base_url(platform)
        (source,) = parse_sources(rooms.sources_toml())
    module = room_module(platform)
    room = module.make_room(size=count) if _takes_size(module) else module.make_room()
    start = ask(room, room_start_path(module, room))
    paths = _release_paths(platform, start.body.decode("utf-8"))[:count]
    pages = []
    for path in paths:
        reply = ask(room, path)
        assert reply.status == 200, path
        pages.append(
            FetchedPage(
                body=reply.body,
                url=base + path,
                platform=platform,
                source_id=source.id,
                organisation=source.organisation,
                encoding=None,
                fetched_at=FETCHED_AT,
            )
        )
    return pages


def _takes_size(module: Any) -> bool:
    import inspect

    return "size" in inspect.signature(module.make_room).parameters


def _release_paths(platform: str, listing_html: str) -> list[str]:
    from parsel import Selector

    from pressarchive.dedupe.urls import platform_release_id

    hrefs = Selector(text=listing_html).css("a::attr(href)").getall()
    paths = [h for h in hrefs if h.startswith("/") and platform_release_id(platform, h)]
    return list(dict.fromkeys(paths))


def in_process(pages: list[FetchedPage]) -> list[Release]:
    learner = OnlineAboutLearner([])
    releases = []
    for page in pages:
        releases.append(
            process(read_release(page), cleaning=LearningCleaning(learner, CleaningLog()))
        )
    return releases


def comparable(release: Release) -> tuple[dict[str, Any], dict[str, Any] | None]:
    return release.to_json_dict(), release.extracted


@pytest.mark.parametrize("platform", ["mynewsdesk", "sitevision", "cision"])
def test_a_worker_reads_pages_as_the_crawl_process_does(platform: str) -> None:
    pages = room_pages(platform, 12)
    assert len(pages) >= 5
    expected = [comparable(r) for r in in_process(pages)]
    workers = ReleaseWorkers(1)
    try:
        token = uuid.uuid4().hex
        futures = [workers.submit(page, token, "/nonexistent/archive.db") for page in pages]
        got = [comparable(future.result(timeout=120)) for future in futures]
    finally:
        workers.shutdown()
    assert got == expected
    # past MIN_DOCUMENTS pages the learner has a model, and the worker used it
    learned = any(extracted and extracted.get(ABOUT_MODEL_KEY) for _, extracted in got)
    assert learned == (len(pages) >= MIN_DOCUMENTS)


def test_a_source_always_goes_to_the_same_worker() -> None:
    workers = ReleaseWorkers(3)
    try:
        chosen = {workers._executor("norrkoping-mynewsdesk") for _ in range(5)}
        assert len(chosen) == 1
    finally:
        workers.shutdown()


def _store_crawl(db: Path, pages: list[FetchedPage], source: Source) -> CleaningLog:
    """What a crawl's pipelines do (read, the refine stages with the learner, store),
    with the cleanings noted in the returned log."""
    learner = OnlineAboutLearner([])
    log = CleaningLog()
    with Archive(db) as archive:
        archive.ensure_source(source)
        batch = []
        for page in pages:
            batch.append(process(read_release(page), cleaning=LearningCleaning(learner, log)))
        archive.store(batch)
    return log


def _dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(db)
    try:
        return {
            "releases": conn.execute(f"SELECT {CONTENT} FROM releases ORDER BY url").fetchall(),
            "extractions": conn.execute(
                "SELECT r.url, e.record, e.about_model FROM extractions e "
                "JOIN releases r ON r.id = e.release_id ORDER BY r.url"
            ).fetchall(),
            # A contact row is shared by releases: which spelling of a title it
            # keeps depends on the order releases were stored, in any crawl.
            "contacts": conn.execute(
                "SELECT r.url, c.name, c.email, c.phone FROM release_contacts rc "
                "JOIN releases r ON r.id = rc.release_id JOIN contacts c ON c.id = rc.contact_id "
                "ORDER BY r.url, c.name, c.email"
            ).fetchall(),
        }
    finally:
        conn.close()


def test_skipping_unchanged_cleanings_gives_the_rows_of_a_full_recleaning(
    tmp_path: Path,
) -> None:
    pages = room_pages("mynewsdesk", 40)
    source = Source(
        id=pages[0].source_id,
        organisation=pages[0].organisation or "",
        platform="mynewsdesk",
        start_urls=(pages[0].url,),
        allowed_domains=("127.0.0.1",),
    )
    full, skipping = tmp_path / "full.db", tmp_path / "skipping.db"
    log = _store_crawl(full, pages, source)
    shutil.copy(full, skipping)
    with Archive(full) as archive:
        recleaned_all = refresh_source(archive, source.id)
    asked: list[int] = []
    spared: list[int] = []

    def unchanged(model: Any, digests: dict[int, str]) -> set[int]:
        asked.append(len(digests))
        same = log.unchanged(model, digests)
        spared.append(len(same))
        return same

    with Archive(skipping) as archive:
        recleaned_some = refresh_source(archive, source.id, unchanged=unchanged)
    assert asked and asked[0] > 0  # the online models differed from the final one
    assert spared[0] > 0  # ... and some releases were spared the re-cleaning
    assert recleaned_some == recleaned_all
    assert _dump(skipping) == _dump(full)


def test_a_cleaning_without_a_model_is_never_taken_as_unchanged() -> None:
    pages = room_pages("mynewsdesk", 12)
    log = CleaningLog()
    first = read_release(pages[0])
    process(
        first, cleaning=LearningCleaning(OnlineAboutLearner([]), log)
    )  # one document: no model yet
    assert first.extracted is not None and first.extracted[ABOUT_MODEL_KEY] == ""
    final = learn([document(r.extracted or {}) for r in in_process(pages)])
    assert final is not None
    digest = extraction_digest(extraction_record_text(first.extracted))
    assert log.unchanged(final, {1: digest}) == set()
    assert len(log) == 1


def _crawl_rows(rooms: DemoPressRooms, db: Path, workers: int) -> dict[str, list[tuple[Any, ...]]]:
    (source,) = parse_sources(rooms.sources_toml())
    settings = {
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "PRESSARCHIVE_RETRY_BACKOFF_BASE": 0,
        "PRESSARCHIVE_PROGRESS": False,
        "PRESSARCHIVE_WORKERS": workers,
    }
    (result,) = run_crawl([source], db=db, full=True, settings_overrides=settings, quiet=True)
    assert result.status == "finished"
    assert result.stored > 20
    return _dump(db)


def test_a_crawl_with_workers_stores_what_a_crawl_in_process_stores(tmp_path: Path) -> None:
    with DemoPressRooms(["mynewsdesk"], size=60) as rooms:
        in_process_rows = _crawl_rows(rooms, tmp_path / "in_process.db", workers=0)
        worker_rows = _crawl_rows(rooms, tmp_path / "workers.db", workers=1)
    assert worker_rows["releases"] == in_process_rows["releases"]
    assert worker_rows["contacts"] == in_process_rows["contacts"]
    # extraction records carry the fetch time; the model each was cleaned with must agree
    assert [(url, key) for url, _, key in worker_rows["extractions"]] == [
        (url, key) for url, _, key in in_process_rows["extractions"]
    ]


class _StubWorkers:
    def __init__(self, answer: int | None) -> None:
        self.answer = answer
        self.calls: list[tuple[str, int | None]] = []

    def refresh(self, crawl_token: str, source_id: str, db_path: str, crawl_id: int | None) -> int:
        self.calls.append((source_id, crawl_id))
        if self.answer is None:
            raise BrokenProcessPool("the worker died")
        return self.answer


def test_the_end_of_crawl_recleaning_runs_in_the_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Re-cleaning needs the language model: in the crawl process it would cost
    about 100 MB at the end of every crawl that stored something."""
    pipeline = stage.ReadPagesPipeline(str(tmp_path / "archive.db"), 1)
    stub = _StubWorkers(answer=7)
    pipeline.workers = stub

    def in_process(*args: object, **kwargs: object) -> int:
        raise AssertionError("re-cleaned in the crawl process")

    monkeypatch.setattr(stage, "refresh_source", in_process)
    assert pipeline.refresh(None, "demo-viatt", 3) == 7
    assert stub.calls == [("demo-viatt", 3)]


def test_a_dead_worker_leaves_the_recleaning_to_the_crawl_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline = stage.ReadPagesPipeline(str(tmp_path / "archive.db"), 1)
    pipeline.workers = _StubWorkers(answer=None)
    monkeypatch.setattr(stage, "refresh_source", lambda *args, **kwargs: 2)
    assert pipeline.refresh(None, "demo-viatt", 3) == 2
    assert pipeline.broken


def test_cleaning_decisions_carried_as_json_spare_the_same_releases(tmp_path: Path) -> None:
    """A scale-out crawler sends each release's decisions to the writer as JSON
    (distributed.messages); the writer's log must spare what the crawler's would."""
    pages = room_pages("mynewsdesk", 40)
    learner = OnlineAboutLearner([])
    log = CleaningLog()
    releases = [
        process(read_release(page), cleaning=LearningCleaning(learner, log)) for page in pages
    ]
    carried = CleaningLog()
    for release in releases:
        decisions = json.loads(json.dumps(log.decisions_json(release)))
        carried.remember(release, decisions)
    stray = Release("s", "viatt", "https://via.tt.se/pressmeddelande/1/x")
    stray.extracted = {"title": "x"}
    carried.remember(stray, "not decisions")  # ignored, not fatal
    carried.remember(stray, [["not", "pairs"], 3])
    final = learn([document(r.extracted or {}) for r in releases])
    assert final is not None
    digests = {
        n: extraction_digest(extraction_record_text(r.extracted or {}))
        for n, r in enumerate(releases)
    }
    spared = log.unchanged(final, digests)
    assert spared  # some releases were cleaned as the final model would
    assert carried.unchanged(final, digests) == spared
