"""Search pages bounded by the page: the chunked date walk gives what a full sort would."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pressarchive.items import Release
from pressarchive.sources import Source
from pressarchive.storage import search as search_module
from pressarchive.storage.search import Filters, search
from pressarchive.storage.store import Archive

START = datetime(2015, 1, 1, 8, tzinfo=UTC)


@pytest.fixture(scope="module")
def shuffled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 releases stored in an order unrelated to their dates (a backfill),
    some undated; every one says "och", every third "hamnen"."""
    path = tmp_path_factory.mktemp("search") / "a.db"
    rng = random.Random(3)
    order = list(range(300))
    rng.shuffle(order)
    with Archive(path) as archive:
        for sid in ("a", "b"):
            archive.ensure_source(Source(sid, "Norrköpings kommun", "viatt", ("https://x/",)))
        archive.store(
            [
                Release(
                    source="a" if n % 2 else "b",
                    platform="viatt",
                    url=f"https://x.example/r/{n}",
                    title=f"Nyhet {n}",
                    body_text="Kommunen och staden " + ("hamnen " if n % 3 == 0 else "") * 3,
                    published_at=None if n % 50 == 7 else START + timedelta(days=n),
                )
                for n in order
            ]
        )
    return path


def _expected(archive: Archive, word: str, direction: str, source: str | None = None) -> list[int]:
    extra = " AND r.source_id = ?" if source else ""
    rows = archive.conn.execute(
        f"""SELECT r.id FROM releases r WHERE r.id IN
            (SELECT rowid FROM releases_fts WHERE releases_fts MATCH ?){extra}
            ORDER BY r.published_at {direction}, r.id {direction} LIMIT 20""",
        [word, *([source] if source else [])],
    )
    return [int(r[0]) for r in rows]


@pytest.mark.parametrize("sparse", [1000, 5])  # the sorted few, and the chunked walk
@pytest.mark.parametrize("word", ["och", "hamnen"])
def test_date_orders_match_a_full_sort(
    shuffled: Path, monkeypatch: pytest.MonkeyPatch, sparse: int, word: str
) -> None:
    monkeypatch.setattr(search_module, "SPARSE", sparse)
    monkeypatch.setattr(search_module, "FIRST_CHUNK", 8)
    with Archive(shuffled, readonly=True) as archive:
        for order, direction in (("newest", "DESC"), ("oldest", "ASC")):
            got = [h.id for h in search(archive.conn, word, order=order)]
            assert got == _expected(archive, word, direction)
        filtered = search(archive.conn, word, order="newest", filters=Filters(source=("a",)))
        assert [h.id for h in filtered] == _expected(archive, word, "DESC", "a")


def test_relevance_of_a_query_matching_many_ranks_the_most_recently_archived(
    shuffled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "RELEVANCE_POOL", 50)
    with Archive(shuffled, readonly=True) as archive:
        hits = search(archive.conn, "hamnen", order="relevance", limit=10)
        newest_ids = {
            int(r[0])
            for r in archive.conn.execute(
                "SELECT rowid FROM releases_fts WHERE releases_fts MATCH 'hamnen' "
                "ORDER BY rowid DESC LIMIT 50"
            )
        }
        assert len(hits) == 10 and {h.id for h in hits} <= newest_ids
        assert [h.rank for h in hits] == sorted(h.rank for h in hits)
