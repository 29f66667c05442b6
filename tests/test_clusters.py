"""Cross-platform duplicates clustered in the archive, and the unique_releases view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from pressarchive.dedupe.clusters import (
    candidates,
    cluster_pending,
    cluster_text,
    ensure_bands,
    load_candidates,
    load_index,
)
from pressarchive.dedupe.minhash import signature
from pressarchive.items import Release
from pressarchive.sources import Source
from pressarchive.storage.store import Archive

BODY = (
    "Stadsdelen Klockaretorpet i Norrköping har funnits med på polisens nationella lista över "
    "utsatta områden. Området tas nu bort från listan och det betyder att det enda området i "
    "staden som är kvar på listan är Navestad. Ett utsatt område är enligt polisen ett område "
    "som är geografiskt avgränsat och där den socioekonomiska statusen är låg. Klockaretorpet "
    "var det första området i Norrköping där arbetet med EST påbörjades år 2017."
)
OTHER = (
    "Norrköpings Konstmuseum presenterar utställningen Jordskugga, en konstnärlig iscensättning "
    "av ett av världens största arkiv för oförklarade fenomen. Initiativtagarna och konstnärerna "
    "har skapat helt nya konstverk som visas tillsammans med utvalda delar av arkivet. "
    "Utställningen visas från mars till september och är öppen för alla besökare."
)
AT = datetime(2022, 12, 1, 9, 0, tzinfo=UTC)


def release(source: str, platform: str, n: int, title: str, body: str, when: datetime) -> Release:
    return Release(
        source=source,
        platform=platform,
        url=f"https://{platform}.example/r/{n}",
        title=title,
        body_text=body,
        published_at=when,
    )


def test_copies_on_two_platforms_form_one_cluster_headed_by_the_earliest(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        for sid, platform in (("s-viatt", "viatt"), ("s-site", "sitevision")):
            archive.ensure_source(Source(sid, "Norrköpings kommun", platform, ("https://x/",)))
        title = "Klockaretorpet klassas inte längre som utsatt område"
        archive.store(
            [
                release("s-site", "sitevision", 1, title, BODY.replace(". ", ".\n\n"), AT),
                release(
                    "s-viatt",
                    "viatt",
                    2,
                    title + " på nationell lista",
                    BODY,
                    AT - timedelta(minutes=7),
                ),
                release(
                    "s-viatt", "viatt", 3, "Det oförklarade tar plats på Konstmuseet", OTHER, AT
                ),
            ]
        )
        assert cluster_pending(archive) == 1
        rows = {
            r["id"]: r["cluster_id"]
            for r in archive.conn.execute("SELECT id, cluster_id FROM releases")
        }
        assert rows[1] == rows[2] != rows[3]
        heads = archive.conn.execute("SELECT id FROM unique_releases ORDER BY id").fetchall()
        assert [h[0] for h in heads] == [2, 3]  # the Via TT copy was published first
        # nothing pending: a second pass does nothing
        assert cluster_pending(archive) == 0


def test_releases_sharing_only_boilerplate_stay_apart(tmp_path: Path) -> None:
    contact = (
        "\n\nKontakt: Anna Thörn, kommundirektör, telefon 073-020 20 36. "
        "Avsändare: Helena Jalkner, presskommunikatör, telefon 072-597 09 00."
    )
    with Archive(tmp_path / "a.db") as archive:
        archive.ensure_source(Source("s", "Norrköpings kommun", "viatt", ("https://x/",)))
        archive.store(
            [
                release("s", "viatt", 1, "Klockaretorpet", BODY + contact, AT),
                release("s", "viatt", 2, "Jordskugga", OTHER + contact, AT + timedelta(hours=1)),
            ]
        )
        assert cluster_pending(archive) == 0
        assert archive.conn.execute("SELECT COUNT(*) FROM unique_releases").fetchone()[0] == 2


def test_an_edited_body_is_signed_again(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        archive.ensure_source(Source("s", "Norrköpings kommun", "viatt", ("https://x/",)))
        archive.store([release("s", "viatt", 1, "Klockaretorpet", BODY, AT)])
        cluster_pending(archive)
        archive.store([release("s", "viatt", 1, "Klockaretorpet", BODY + " Rättelse.", AT)])
        assert archive.conn.execute("SELECT COUNT(*) FROM release_signatures").fetchone()[0] == 0
        cluster_pending(archive)
        assert archive.conn.execute("SELECT COUNT(*) FROM release_signatures").fetchone()[0] == 1


def _clusters(archive: Archive) -> dict[int, int]:
    return {r[0]: r[1] for r in archive.conn.execute("SELECT id, cluster_id FROM releases")}


def test_a_crawl_loads_only_the_releases_sharing_a_band_whatever_their_dates(
    tmp_path: Path,
) -> None:
    with Archive(tmp_path / "a.db") as archive:
        archive.ensure_source(Source("s", "Norrköpings kommun", "viatt", ("https://x/",)))
        others = [
            release(
                "s", "viatt", n, f"Nyhet {n}", f"{OTHER} Nummer {n}.", AT - timedelta(days=30 * n)
            )
            for n in range(1, 40)
        ]
        old_copy = release("s", "viatt", 50, "Klockaretorpet", BODY, AT - timedelta(days=2900))
        archive.store([*others, old_copy])
        cluster_pending(archive)
        new = signature(cluster_text("", BODY))
        ids = candidates(archive.conn, [new])
        assert ids == {40}  # the 2015 copy, and not one of the 39 unrelated releases
        assert len(load_candidates(archive.conn, ids)) == 1
        assert len(load_index(archive)) == 40


def test_an_undated_release_is_matched_without_loading_the_archive(tmp_path: Path) -> None:
    title = "Klockaretorpet klassas inte längre som utsatt område"
    with Archive(tmp_path / "a.db") as archive:
        archive.ensure_source(Source("s", "Norrköpings kommun", "viatt", ("https://x/",)))
        archive.store(
            [
                release("s", "viatt", n, f"Nyhet {n}", f"{OTHER} Nummer {n}.", AT)
                for n in range(1, 20)
            ]
            + [release("s", "viatt", 20, title, BODY, AT)]
        )
        cluster_pending(archive)
        undated = release("s", "viatt", 21, "Nytt namn på sidan", BODY, AT)
        undated.published_at = None
        archive.store([undated])
        assert candidates(archive.conn, [signature(BODY)]) == {20}
        assert cluster_pending(archive) == 1  # the same text: the title does not matter
        assert _clusters(archive)[21] == _clusters(archive)[20]


def test_the_band_table_is_filled_from_signatures_stored_before_it(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        archive.ensure_source(Source("s", "Norrköpings kommun", "viatt", ("https://x/",)))
        archive.store([release("s", "viatt", 1, "Klockaretorpet", BODY, AT)])
        cluster_pending(archive)
        archive.conn.execute("DROP TABLE release_bands")
        ensure_bands(archive.conn)
        assert candidates(archive.conn, [signature(BODY)]) == {1}


def test_a_join_is_judged_against_members_that_were_not_loaded(tmp_path: Path) -> None:
    """A cluster keeps its whole span: a release that matches its newest member
    but lies too far from its oldest stays apart."""
    title = "Klockaretorpet klassas inte längre som utsatt område"
    with Archive(tmp_path / "a.db") as archive:
        for sid, platform in (
            ("s-viatt", "viatt"),
            ("s-site", "sitevision"),
            ("s-mnd", "mynewsdesk"),
        ):
            archive.ensure_source(Source(sid, "Norrköpings kommun", platform, ("https://x/",)))
        archive.store(
            [
                release("s-viatt", "viatt", 1, title, BODY, AT),
                release("s-site", "sitevision", 2, title, BODY, AT + timedelta(days=20)),
            ]
        )
        cluster_pending(archive)
        assert len(set(_clusters(archive).values())) == 1
        # only the second member loaded: the cluster's span still starts at the first
        index = load_candidates(archive.conn, {2})
        assert len(index) == 1
        assert not index._fits(_clusters(archive)[2], AT + timedelta(days=45))
        # 45 days after the first copy, 25 after the second: within 30 days of one member only
        archive.store([release("s-mnd", "mynewsdesk", 3, title, BODY, AT + timedelta(days=45))])
        cluster_pending(archive)
        clusters = _clusters(archive)
        assert clusters[1] == clusters[2] != clusters[3]
