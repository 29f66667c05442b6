"""The local "already archived?" index counts what was stored before the crawl
began, whatever the clock says."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pressarchive.items import Release
from pressarchive.refine.process import assign_keys
from pressarchive.sources import Source
from pressarchive.storage.seen import ArchiveSeenIndex
from pressarchive.storage.store import Archive

SOURCE = Source("s", "Norrköpings kommun", "mynewsdesk", ("https://www.mynewsdesk.com/se/x",))


def _release(number: int) -> Release:
    # with the keys the crawl's refine stage gives it (platform id, canonical URL)
    return assign_keys(
        Release(
            source=SOURCE.id,
            platform="mynewsdesk",
            url=f"https://www.mynewsdesk.com/se/x/pressreleases/meddelande-{number}-300000{number}",
            title=f"Meddelande {number}",
            body_text="Text.",
            body_html="<p>Text.</p>",
            published_at=datetime(2024, 1, number, tzinfo=UTC),
        )
    )


def test_releases_stored_the_same_second_the_crawl_begins_are_archived(tmp_path: Path) -> None:
    """first_seen_at has whole seconds: a crawl that began in the second the
    previous one stored its releases took them for new (and walked the whole
    listing again) while the index compared times."""
    db = tmp_path / "a.db"
    with Archive(db) as archive:
        archive.ensure_source(SOURCE)
        archive.store([_release(1)])
        seen = ArchiveSeenIndex(db)  # at once: almost surely the same second
        archive.store([_release(2)])  # stored by "this crawl", after it began
    try:
        assert seen.is_archived(SOURCE.id, _release(1).url)
        assert seen.is_archived(SOURCE.id, _release(1).url, "Meddelande 1")
        assert not seen.is_archived(SOURCE.id, _release(1).url, "Ett nytt namn")
        assert not seen.is_archived(SOURCE.id, _release(2).url)
    finally:
        seen.close()
