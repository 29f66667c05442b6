"""The archive: migrations, idempotent writes, revisions, Swedish search, crash safety."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pressarchive.items import Contact, Event, Image, Release, Tag
from pressarchive.sources import Source
from pressarchive.storage.connection import ArchiveError
from pressarchive.storage.schema import MIGRATIONS, SCHEMA_VERSION
from pressarchive.storage.search import search, snippet
from pressarchive.storage.search_query import SearchError, Term, fts_query
from pressarchive.storage.store import Archive

SOURCE = Source("demo-viatt", "Norrköpings kommun", "viatt", ("http://127.0.0.1/",))


def make_release(n: int, **overrides: object) -> Release:
    values: dict[str, object] = {
        "source": SOURCE.id,
        "platform": "viatt",
        "url": f"https://via.tt.se/pressmeddelande/{1000 + n}/slug-{n}?publisherId=1347718",
        "platform_id": str(1000 + n),
        "title": f"Release number {n}",
        "lead": "En ingress om staden.",
        "body_text": f"Brödtext {n}.\n\nAndra stycket om trafiken.",
        "organisation": "Norrköpings kommun",
        "published_at": datetime(2024, 2, 29, 12, 45, 45, tzinfo=UTC),
        "contacts": [
            Contact("Anna Thörn", title="kommundirektör", phone="+46730202036"),
            Contact("Helena Jalkner", role="sender", title="presskommunikatör"),
        ],
        "tags": [Tag("Trafik", "subject")],
        "images": [Image("https://example.org/a.jpg", "Foto: Norrköpings kommun")],
        "events": [Event(starts_at=datetime(2024, 3, 5, 10, 0, tzinfo=UTC), place="Rådhuset")],
    }
    values.update(overrides)
    return Release(**values)  # type: ignore[arg-type]


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    a = Archive(tmp_path / "a.db")
    a.ensure_source(SOURCE)
    yield a
    a.close()


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = [
        "releases",
        "contacts",
        "release_contacts",
        "tags",
        "release_tags",
        "images",
        "events",
        "revisions",
    ]
    return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def test_new_archive_is_wal_with_foreign_keys_and_current_schema(archive: Archive) -> None:
    conn = archive.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_storing_the_same_release_twice_changes_only_last_seen(archive: Archive) -> None:
    first = archive.store([make_release(1)], seen_at=datetime(2025, 1, 1, tzinfo=UTC))
    assert [r.outcome for r in first] == ["stored"]
    before = dict(archive.conn.execute("SELECT * FROM releases").fetchone())
    counts = table_counts(archive.conn)

    second = archive.store([make_release(1)], seen_at=datetime(2025, 1, 2, tzinfo=UTC))
    assert [r.outcome for r in second] == ["unchanged"]
    after = dict(archive.conn.execute("SELECT * FROM releases").fetchone())
    assert table_counts(archive.conn) == counts
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"last_seen_at"}
    assert after["last_seen_at"].startswith("2025-01-02")


def test_url_variant_of_the_same_release_is_the_same_row(archive: Archive) -> None:
    archive.store([make_release(1)])
    variant = make_release(1, url=make_release(1).url + "&lang=sv")
    assert archive.store([variant])[0].outcome == "unchanged"
    assert archive.conn.execute("SELECT COUNT(*) FROM releases").fetchone()[0] == 1


def test_changed_body_keeps_id_and_makes_a_revision(archive: Archive) -> None:
    (stored,) = archive.store([make_release(1)])
    edited = make_release(1, body_text="Rättad brödtext.\n\nAndra stycket om trafiken.")
    (updated,) = archive.store([edited], seen_at=datetime(2025, 2, 1, tzinfo=UTC))
    assert updated.outcome == "updated"
    assert updated.release_id == stored.release_id
    revision = archive.conn.execute("SELECT * FROM revisions").fetchone()
    assert revision["release_id"] == stored.release_id
    assert revision["body_text"].startswith("Brödtext 1.")
    row = archive.conn.execute("SELECT body_text, updated_at FROM releases").fetchone()
    assert row["body_text"].startswith("Rättad")
    assert row["updated_at"].startswith("2025-02-01")
    # the full-text index follows the update
    assert [h.id for h in search(archive.conn, "rättad")] == [stored.release_id]
    assert search(archive.conn, '"Brödtext 1"') == []


def test_changed_contacts_only_update_without_revision(archive: Archive) -> None:
    archive.store([make_release(1)])
    richer = make_release(1, contacts=[Contact("Anna Thörn", email="anna.thorn@norrkoping.se")])
    assert archive.store([richer])[0].outcome == "updated"
    assert archive.conn.execute("SELECT COUNT(*) FROM revisions").fetchone()[0] == 0
    contact = archive.conn.execute("SELECT * FROM contacts WHERE name = 'Anna Thörn'").fetchone()
    # one row per person, fields merged across releases
    assert contact["email"] == "anna.thorn@norrkoping.se"
    assert contact["phone"] == "+46730202036"


def test_same_person_across_releases_is_one_contact(archive: Archive) -> None:
    archive.store([make_release(n) for n in range(5)])
    assert archive.conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0] == 2
    assert archive.conn.execute("SELECT COUNT(*) FROM release_contacts").fetchone()[0] == 10


def test_same_tag_across_releases_is_one_tag(archive: Archive) -> None:
    tags = [Tag("Trafik", "subject"), Tag("Trafik", "subject"), Tag("Trafik", "keyword")]
    archive.store([make_release(n, tags=tags) for n in range(3)])
    rows = archive.conn.execute("SELECT kind, name FROM tags ORDER BY kind").fetchall()
    assert [tuple(r) for r in rows] == [("keyword", "Trafik"), ("subject", "Trafik")]
    # a tag named twice on one release links once
    assert archive.conn.execute("SELECT COUNT(*) FROM release_tags").fetchone()[0] == 6


def test_delete_removes_release_parts_and_index_entry(archive: Archive) -> None:
    (r,) = archive.store([make_release(1, title="Broar över strömmen")])
    assert search(archive.conn, "bro")
    archive.delete_release(r.release_id)
    assert search(archive.conn, "bro") == []
    assert table_counts(archive.conn)["release_contacts"] == 0


SWEDISH = [
    ("Bron över Motala ström stängs", "Trafiken leds om."),
    ("Nya broar i Norrköping", "Två broar byggs."),
    ("Tryggheten ökar i Navestad", "Arbetet för trygghet ger resultat."),
    ("Kommunen får nya bussar", "Bussarna kommer i maj."),
    ("Far och barn på biblioteket", "Sagostund för alla."),
    ("Brottsligheten minskar", "Polisen rapporterar."),
]


@pytest.fixture
def swedish(archive: Archive) -> Archive:
    archive.store(
        make_release(i, title=title, body_text=body, lead="")
        for i, (title, body) in enumerate(SWEDISH)
    )
    return archive


def titles(archive: Archive, query: str) -> set[str]:
    return {hit.title for hit in search(archive.conn, query)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bro", {"Bron över Motala ström stängs", "Nya broar i Norrköping"}),
        ("broar", {"Bron över Motala ström stängs", "Nya broar i Norrköping"}),
        ("trygghet", {"Tryggheten ökar i Navestad"}),
        ("tryggheten", {"Tryggheten ökar i Navestad"}),
        ("får", {"Kommunen får nya bussar"}),
        ("far", {"Far och barn på biblioteket"}),
        ("buss", {"Kommunen får nya bussar"}),
        ('"Motala ström"', {"Bron över Motala ström stängs"}),
        ("trafiken OR sagostund", {"Bron över Motala ström stängs", "Far och barn på biblioteket"}),
        ("bro NOT motala", {"Nya broar i Norrköping"}),
    ],
)
def test_swedish_search(swedish: Archive, query: str, expected: set[str]) -> None:
    assert titles(swedish, query) == expected


def test_search_keeps_a_and_aa_apart(swedish: Archive) -> None:
    assert "Kommunen får nya bussar" not in titles(swedish, "far")
    assert "Far och barn på biblioteket" not in titles(swedish, "får")


def test_search_snippet_highlights_the_real_word(swedish: Archive) -> None:
    (hit,) = search(swedish.conn, "trygghet")
    assert "\x02Tryggheten\x03" in hit.snippet or "\x02trygghet\x03" in hit.snippet


def test_snippet_centres_a_lone_match_in_a_long_text() -> None:
    words = [f"ord{i}" for i in range(100)]
    words[60] = "tryggare"
    text = snippet(" ".join(words), (Term("trygg", prefix=True),), size=24)
    before, _, after = text.partition("\x02tryggare\x03")
    assert text.startswith("…") and text.endswith("…")
    assert abs(len(before.split()) - len(after.split())) <= 1


def test_snippet_of_a_short_text_is_the_whole_text() -> None:
    assert snippet("Den nya bron öppnar.", (Term("bron"),)) == "Den nya \x02bron\x03 öppnar."


@pytest.mark.parametrize("query", ["", "   ", '"unbalanced', "(bro", "bro)", "OR", "AND bro"])
def test_malformed_query_is_a_search_error(query: str) -> None:
    with pytest.raises(SearchError):
        fts_query(query)


def build_v1_archive(path: Path) -> None:
    """An archive as the first schema version wrote it, with data in it."""
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    conn.execute(
        "INSERT INTO sources VALUES ('demo-viatt', 'Norrköpings kommun', 'viatt', '[]', '2024-01-01')"
    )
    for n in range(3):
        conn.execute(
            """INSERT INTO releases (source_id, platform, platform_id, url, canonical_url, title,
                   kind, body_text, first_seen_at, last_seen_at, content_hash, record_hash)
               VALUES ('demo-viatt', 'viatt', ?, ?, ?, ?, 'pressmeddelande', 'Broar byggs.',
                   '2024-01-01', '2024-01-01', 'x', 'y')""",
            (str(n), f"https://x/{n}", f"https://x/{n}", f"Gammal release {n}"),
        )
    conn.commit()
    conn.close()


def test_migration_from_first_version_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    build_v1_archive(path)
    with Archive(path) as archive:
        assert archive.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        rows = archive.conn.execute("SELECT id, title, cluster_id FROM releases").fetchall()
        assert [r["title"] for r in rows] == [f"Gammal release {n}" for n in range(3)]
        assert all(r["cluster_id"] == r["id"] for r in rows)
        assert len(titles(archive, "bro")) == 3
        assert archive.conn.execute("SELECT COUNT(*) FROM unique_releases").fetchone()[0] == 3
        # and it takes new writes
        archive.ensure_source(SOURCE)
        assert archive.store([make_release(7)])[0].outcome == "stored"


def test_archive_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with Archive(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(ArchiveError, match="newer than this pressarchive"):
        Archive(path)


def test_too_old_sqlite_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 31, 1))
    monkeypatch.setattr(sqlite3, "sqlite_version", "3.31.1")
    with pytest.raises(ArchiveError, match=r"SQLite is 3\.31\.1; pressarchive needs 3\.35\.0"):
        Archive(tmp_path / "archive.db")
    assert not (tmp_path / "archive.db").exists()


def test_not_an_archive_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ArchiveError, match="not a pressarchive archive"):
        Archive(path)


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    sys.path.insert(0, {tests!r})
    from test_store import SOURCE, make_release
    from pressarchive.storage.store import Archive
    archive = Archive({db!r})
    archive.ensure_source(SOURCE)
    n = 0
    while True:
        archive.store([make_release(n + i, body_text="Stycke. " * 400) for i in range(200)])
        n += 200
        print(n, flush=True)
    """
)


def test_sigkill_during_writes_leaves_a_consistent_archive(tmp_path: Path) -> None:
    db = tmp_path / "killed.db"
    script = WRITER.format(tests=str(Path(__file__).parent), db=str(db))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    # let a few batches commit, then kill in the middle of the next one
    for _ in range(3):
        proc.stdout.readline()
    time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    with Archive(db) as archive:
        conn = archive.conn
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        released = conn.execute("SELECT COUNT(*) FROM releases").fetchone()[0]
        assert released >= 600 and released % 200 == 0  # whole batches only
        # every stored release is whole: its contacts, tags, images and events are there
        for table, per_release in [
            ("release_contacts", 2),
            ("release_tags", 1),
            ("images", 1),
            ("events", 1),
        ]:
            assert (
                conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                == released * per_release
            )
        fts_rows = conn.execute(
            "SELECT COUNT(*) FROM releases_fts WHERE releases_fts MATCH 'stycke'"
        ).fetchone()[0]
        assert fts_rows == released
        assert json.loads(conn.execute("SELECT flags FROM releases LIMIT 1").fetchone()[0]) == []
