"""The guards that need no crawl: hostile registries, paths outside the archive,
the read-only `sql`, exports written whole, the gap read from the run log."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pressarchive.crawl.gaps import WALK_CUT_STAT, open_gap
from pressarchive.crawl.runner import job_dir, remove_job_dir, run_crawl
from pressarchive.hosts import url_problem
from pressarchive.paths import UnsafePath, inside
from pressarchive.sources import Source, SourceError, parse_sources
from pressarchive.storage.atomic import PREFIX, atomic_output
from pressarchive.storage.connection import ArchiveError
from pressarchive.storage.store import Archive


def registry(**fields: str) -> str:
    entry = {
        "id": '"a"',
        "organisation": '"O"',
        "platform": '"generic"',
        "start_urls": '["https://press.example.se/"]',
        **fields,
    }
    return "[[source]]\n" + "".join(f"{k} = {v}\n" for k, v in entry.items())


@pytest.mark.parametrize("bad_id", ["../..", "..", ".", "a/b", "/etc", "", "a b", "ä"])
def test_a_source_id_that_is_not_a_slug_is_one_line_naming_it(bad_id: str) -> None:
    with pytest.raises(SourceError, match="field 'id'") as caught:
        parse_sources(registry(id=f'"{bad_id}"'))
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8080/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://2130706433/",  # 127.0.0.1 as one decimal number
        "http://0x7f000001/",  # and in hex
        "http://127.1/",
        "http://0/",
        "http://[::ffff:127.0.0.1]/",
        "http://intranet.local/",
    ],
)
def test_start_urls_on_private_hosts_are_refused(url: str) -> None:
    with pytest.raises(SourceError, match=r"source 'a': field 'start_urls'.*allow_private"):
        parse_sources(registry(start_urls=f'["{url}"]'))


def test_allow_private_admits_a_room_on_the_own_network_but_never_link_local() -> None:
    (source,) = parse_sources(
        registry(start_urls='["http://127.0.0.1:8000/"]', allow_private="true")
    )
    assert source.allow_private
    with pytest.raises(SourceError, match="link-local"):
        parse_sources(registry(start_urls='["http://169.254.169.254/"]', allow_private="true"))


@pytest.mark.parametrize(
    "domains", ['["*"]', '["*.example.se"]', '["http://x.se/"]', '["127.0.0.1"]']
)
def test_allowed_domains_must_be_public_host_names(domains: str) -> None:
    with pytest.raises(SourceError, match="field 'allowed_domains'"):
        parse_sources(registry(allowed_domains=domains))


def test_public_urls_pass() -> None:
    assert url_problem("https://www.mynewsdesk.com/se/x") is None
    assert url_problem("https://93.184.216.34/") is None
    assert url_problem("ftp://x.se/") == "not http(s)"


def test_paths_outside_the_archives_folder_are_refused(tmp_path: Path) -> None:
    db = tmp_path / "archive" / "a.db"
    assert job_dir(db, "demo-viatt") == (tmp_path / "archive" / "jobs" / "demo-viatt").resolve()
    with pytest.raises(UnsafePath):
        job_dir(db, "../..")
    with pytest.raises(UnsafePath):
        inside(tmp_path / "archive", "..", "elsewhere")
    # a job directory replaced by a symlink to somewhere else: unlinked, not followed
    elsewhere = tmp_path / "precious"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("x")
    (tmp_path / "archive" / "jobs").mkdir(parents=True)
    (tmp_path / "archive" / "jobs" / "evil").symlink_to(elsewhere)
    remove_job_dir(db, "evil")
    assert (elsewhere / "keep.txt").exists()
    assert not (tmp_path / "archive" / "jobs" / "evil").exists()


def test_a_crawl_of_an_unsafe_id_deletes_nothing(tmp_path: Path) -> None:
    """The issue's case: id = "../.." made the clean-up remove the archive's parent."""
    db = tmp_path / "deep" / "archive" / "a.db"
    db.parent.mkdir(parents=True)
    (tmp_path / "deep" / "keep.txt").write_text("x")
    source = Source("../..", "O", "generic", ("http://127.0.0.1:9/",), allow_private=True)
    with pytest.raises(ArchiveError, match="not a slug"):
        run_crawl([source], db=db, quiet=True)
    assert (tmp_path / "deep" / "keep.txt").exists()


def sql(db: Path, query: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pressarchive", "sql", query, "--db", str(db), *extra],
        capture_output=True, text=True, check=False, cwd=db.parent,
    )  # fmt: skip


def test_sql_reads_only_and_not_for_ever(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    Archive(db).close()
    for query in (
        f"ATTACH '{tmp_path / 'x.db'}' AS x",
        f"VACUUM INTO '{tmp_path / 'v.db'}'",
        "PRAGMA journal_mode = DELETE",
        "PRAGMA user_version = 99",
        "DELETE FROM releases",
        "CREATE TABLE t(x)",
    ):
        refused = sql(db, query)
        assert refused.returncode == 2, (query, refused)
        assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    assert not (tmp_path / "x.db").exists() and not (tmp_path / "v.db").exists()
    endless = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    )
    stopped = sql(db, endless, "--timeout", "0.5")
    assert stopped.returncode == 2 and "time limit of 0.5 s" in stopped.stderr
    assert sql(db, "PRAGMA table_info(releases)").returncode == 0
    assert sql(db, "SELECT COUNT(*) FROM releases").returncode == 0


def test_an_export_that_fails_leaves_the_old_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("the good export\n")
    with pytest.raises(RuntimeError), atomic_output(target) as partial:
        partial.write_text("half a")
        raise RuntimeError("killed")
    assert target.read_text() == "the good export\n"
    assert not list(tmp_path.glob(PREFIX + "*"))
    with atomic_output(target) as partial:
        partial.write_text("new\n")
    assert target.read_text() == "new\n"


def test_partial_files_of_a_killed_export_are_removed_by_the_next(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"{PREFIX}{dead.pid}.abc"
    stale.mkdir()
    (stale / "out.csv").write_text("half")
    mine = tmp_path / f"{PREFIX}{os.getpid()}.live"
    mine.mkdir()
    with atomic_output(tmp_path / "out.csv") as partial:
        partial.write_text("whole\n")
    assert not stale.exists() and mine.exists()


def test_the_gap_is_open_until_a_run_finishes_its_walk(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        archive.ensure_source(Source("s", "O", "generic", ("https://x.se/",)))
        assert open_gap(archive.conn, "s") is None
        first = archive.begin_crawl("generic", "s")
        archive.mark_stale_crawls_interrupted()
        assert "interrupted" in (open_gap(archive.conn, "s") or "")
        second = archive.begin_crawl("generic", "s")
        archive.finish_crawl(
            second, status="finished", counts={}, errors=[], stats={WALK_CUT_STAT: "a cap"}
        )
        assert "a cap" in (open_gap(archive.conn, "s") or "")
        third = archive.begin_crawl("generic", "s")
        archive.finish_crawl(third, status="finished", counts={}, errors=[], stats={})
        assert open_gap(archive.conn, "s") is None
        # the orphan of the first run cannot rewrite its row
        archive.finish_crawl(
            first,
            status="finished",
            counts={"stored": 9},
            errors=[],
            stats={},
            only_if_running=True,
        )
        row = archive.conn.execute("SELECT status, stored FROM crawls WHERE id = ?", (first,))
        assert tuple(row.fetchone()) == ("interrupted", 0)


def test_an_orphans_batch_is_rolled_back(tmp_path: Path) -> None:
    from pressarchive.items import Release
    from pressarchive.storage.connection import CrawlSuperseded

    with Archive(tmp_path / "a.db") as archive:
        archive.ensure_source(Source("s", "O", "generic", ("https://x.se/",)))
        crawl = archive.begin_crawl("generic", "s")
        release = Release(source="s", platform="generic", url="https://x.se/1", title="Ett")
        archive.store([release], crawl_id=crawl, own_run=True)
        assert archive.conn.execute("SELECT stored FROM crawls").fetchone()[0] == 1
        archive.mark_stale_crawls_interrupted()
        with pytest.raises(CrawlSuperseded):
            archive.store(
                [Release(source="s", platform="generic", url="https://x.se/2", title="Två")],
                crawl_id=crawl,
                own_run=True,
            )
        assert archive.conn.execute("SELECT COUNT(*) FROM releases").fetchone()[0] == 1
    assert (
        sqlite3.connect(tmp_path / "a.db").execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    )


def test_a_damaged_archive_is_refused_with_one_line(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with Archive(db) as archive:
        archive.ensure_source(Source("s", "O", "generic", ("https://x.se/",)))
        from pressarchive.items import Release

        archive.store(
            [
                Release(source="s", platform="generic", url=f"https://x.se/{n}", title=f"T {n}",
                        body_text="Brödtext. " * 400)
                for n in range(40)
            ]
        )  # fmt: skip
        archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = db.stat().st_size
    with db.open("r+b") as handle:
        for offset in range(4096 * 3, size, 4096 * 2):
            handle.seek(offset + 100)
            handle.write(b"\xde\xad\xbe\xef" * 200)
    before = db.read_bytes()
    out = tmp_path / "out.csv"
    export = subprocess.run(
        [sys.executable, "-m", "pressarchive", "export", "--format", "csv", "-o", str(out),
         "--db", str(db)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert export.returncode == 1 and "damaged" in export.stderr
    assert export.stderr.count("\n") == 1 and not out.exists()
    with pytest.raises(ArchiveError, match="damaged"):
        run_crawl([Source("s", "O", "generic", ("https://x.se/",))], db=db, quiet=True)
    assert db.read_bytes() == before  # nothing was written to it


def test_a_lock_left_by_a_dead_crawl_is_taken_over(tmp_path: Path) -> None:
    """The lock is an flock, which dies with the processes holding it; the file
    and the pid it names stay behind and mean nothing."""
    from pressarchive.crawl.runner import CrawlLocked, archive_lock, lock_path

    db = tmp_path / "a.db"
    lock_path(db).write_text("pid 999999999")
    with archive_lock(db):
        assert lock_path(db).read_text() == f"pid {os.getpid()}"
        with pytest.raises(CrawlLocked, match="already running"), archive_lock(db):
            pass
