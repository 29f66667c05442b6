"""The `pressarchive` command line: one-line errors, read-only sql, search, stats, the lock."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from pressarchive.cli.main import main
from pressarchive.crawl.runner import EXIT_LOCKED, archive_lock, exit_code
from pressarchive.items import Release
from pressarchive.sources import Source
from pressarchive.storage.store import Archive

SOURCE = Source("demo-viatt", "Norrköpings kommun", "viatt", ("http://127.0.0.1/",))


def viatt_release(
    n: int, title: str, body: str, published_at: datetime, kind: str = "pressmeddelande"
) -> Release:
    return Release(
        source=SOURCE.id,
        platform="viatt",
        url=f"https://via.tt.se/pressmeddelande/{n}/x",
        platform_id=str(n),
        title=title,
        body_text=body,
        kind=kind,
        published_at=published_at,
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        archive.ensure_source(SOURCE)
        archive.store(
            [
                viatt_release(n, title, body, datetime(2024, month, 1, 9, tzinfo=UTC), kind)
                for n, (title, body, kind, month) in enumerate(
                    [
                        ("Bron stängs för trafik", "Broarna över strömmen repareras.", "nyhet", 2),
                        (
                            "Tryggheten ökar",
                            "Arbetet för trygghet fortsätter.",
                            "pressmeddelande",
                            3,
                        ),
                        (
                            "Pressinbjudan: Ny skola",
                            "Välkommen till invigningen.",
                            "pressinbjudan",
                            4,
                        ),
                    ]
                )
            ]
        )
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_help_explains_every_command() -> None:
    code, out, _ = run("--help")
    assert code == 0
    for command in ("crawl", "search", "sql", "stats", "sources", "history"):
        assert command in out
        sub_code, sub_out, _ = run(command, "--help")
        assert sub_code == 0 and "Usage:" in sub_out


def test_sql_runs_queries(db: Path) -> None:
    code, out, _ = run(
        "sql", "SELECT title FROM releases ORDER BY id", "--db", str(db), "--format", "json"
    )
    assert code == 0
    assert json.loads(out)[0]["title"] == "Bron stängs för trafik"


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM releases",
        "UPDATE releases SET title = 'x'",
        "DROP TABLE releases",
        "INSERT INTO sources VALUES ('x', 'y', 'z', '[]', '')",
    ],
)
def test_sql_refuses_writes(db: Path, statement: str) -> None:
    code, _, err = run("sql", statement, "--db", str(db))
    assert code != 0
    assert err.count("\n") == 1 and "read-only" in err
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM releases").fetchone()[0] == 3


def test_sql_error_is_one_line(db: Path) -> None:
    code, _, err = run("sql", "SELEC nonsense", "--db", str(db))
    assert code == 2 and err.startswith("pressarchive: SQL error") and err.count("\n") == 1


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_query_is_an_error(db: Path, query: str) -> None:
    code, out, err = run("sql", query, "--db", str(db))
    assert code == 2 and out == ""
    assert err.startswith("pressarchive: give a query") and err.count("\n") == 1


def test_missing_archive_is_one_line(tmp_path: Path) -> None:
    for args in (["stats"], ["search", "bro"], ["sql", "SELECT 1"], ["history", "1"]):
        code, _, err = run(*args, "--db", str(tmp_path / "none.db"))
        assert code != 0
        assert err.count("\n") == 1 and "no archive here" in err
        assert not (tmp_path / "none.db").exists()


def test_search_finds_swedish_forms_and_filters(db: Path) -> None:
    code, out, _ = run("search", "bro", "--db", str(db), "--json")
    assert code == 0
    hits = [json.loads(line) for line in out.splitlines()]
    assert [h["title"] for h in hits] == ["Bron stängs för trafik"]
    assert "\x02" not in hits[0]["snippet"]

    code, out, _ = run("search", "trygghet", "--db", str(db), "--kind", "nyhet", "--json")
    assert code == 0 and out == ""
    code, out, _ = run(
        "search", "trygghet", "--db", str(db), "--since", "2024-03-01", "--until", "2024-03-01"
    )
    assert code == 0 and "Tryggheten ökar" in out
    code, out, _ = run("search", "bro", "--db", str(db), "--organisation", "norrköpings kommun")
    assert code == 0 and "Bron stängs för trafik" in out


def test_search_dates_are_swedish_days(db: Path) -> None:
    with Archive(db) as archive:
        archive.store(
            [
                viatt_release(
                    99,
                    "Nyårsfyrverkerier vid strömmen",
                    "Fyrverkerierna tänds vid midnatt.",
                    datetime(2024, 12, 31, 23, 30, tzinfo=UTC),
                )
            ]
        )
    code, out, _ = run("search", "fyrverkerier", "--db", str(db))
    assert code == 0 and out.startswith("2025-01-01\t")
    code, out, _ = run("search", "fyrverkerier", "--db", str(db), "--json")
    hit = json.loads(out)
    assert hit["published_at"].startswith("2024-12-31T23:30")
    assert hit["published_local"].startswith("2025-01-01T00:30")


def test_search_bad_input_is_one_line(db: Path) -> None:
    code, _, err = run("search", '"unbalanced', "--db", str(db))
    assert code == 2 and err.count("\n") == 1
    code, _, err = run("search", "bro", "--db", str(db), "--source", "nope")
    assert code == 1 and "unknown source" in err
    code, _, err = run("search", "bro", "--db", str(db), "--organisation", "Linköpings kommun")
    assert code == 1 and err.count("\n") == 1 and "unknown organisation" in err
    code, _, err = run(
        "search", "bro", "--db", str(db), "--since", "2024-05-01", "--until", "2024-01-01"
    )
    assert code == 1 and "after --until" in err


def test_stats_per_source(db: Path) -> None:
    code, out, _ = run("stats", "--db", str(db), "--json")
    assert code == 0
    (row,) = json.loads(out)
    assert row["source"] == "demo-viatt" and row["releases"] == 3
    assert row["first_published"].startswith("2024-02-01")
    assert row["last_published"].startswith("2024-04-01")


def test_stats_shows_the_fields_the_last_crawl_stopped_finding(db: Path) -> None:
    with Archive(db) as archive:
        crawl_id = archive.begin_crawl("viatt", "demo-viatt")
        archive.finish_crawl(
            crawl_id,
            status="finished",
            counts={"stored": 0},
            errors=[],
            stats={
                "pressarchive/missing_field/body_html": 3,
                "pressarchive/missing_field/published_raw": 1,
                "pressarchive/releases_read": 3,
            },
        )
    code, out, _ = run("stats", "--db", str(db), "--json")
    assert code == 0
    (row,) = json.loads(out)
    assert row["last_missing"] == {"body_html": 3, "published_raw": 1}
    assert "last_stats" not in row
    code, out, _ = run("stats", "--db", str(db))
    assert code == 0 and "body_html×3, published_raw×1" in out


def test_stats_table_shows_swedish_time(db: Path) -> None:
    code, out, _ = run("stats", "--db", str(db))
    assert code == 0
    # 09:00 UTC is 10:00 in Stockholm in February (CET) and 11:00 in April (CEST).
    assert "2024-02-01 10:00" in out and "2024-04-01 11:00" in out
    assert "Swedish time" in out


def test_history_shows_versions_and_diff(db: Path) -> None:
    with Archive(db) as archive:
        archive.store(
            [
                viatt_release(
                    0,
                    "Bron stängs för trafik i maj",
                    "Broarna över strömmen repareras.",
                    datetime(2024, 2, 1, 9, tzinfo=UTC),
                    "nyhet",
                )
            ]
        )
    code, out, _ = run("history", "1", "--db", str(db))
    assert code == 0
    assert "2 version(s)" in out
    assert "-Title: Bron stängs för trafik" in out and "+Title: Bron stängs för trafik i maj" in out


def test_sources_file_errors_name_source_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text(
        '[[source]]\nid = "x"\norganisation = "O"\nplatform = "myspace"\nstart_urls = ["https://a/"]\n'
    )
    code, _, err = run("sources", "--sources", str(bad))
    assert code == 1 and "source 'x'" in err and "'platform'" in err and err.count("\n") == 1


def test_crawl_needs_sources_or_all(tmp_path: Path) -> None:
    code, _, err = run("crawl", "--db", str(tmp_path / "a.db"))
    assert code == 2 and "--all" in err


def test_crawl_with_names_and_all_is_refused_clearly(tmp_path: Path) -> None:
    code, _, err = run("crawl", "demo-viatt", "--all", "--db", str(tmp_path / "a.db"))
    assert code == 2 and err.count("\n") == 1
    assert "not both" in err and "demo-viatt" in err
    assert not (tmp_path / "a.db").exists()


@pytest.mark.parametrize("level", ["12", "0", "fast", ""])
def test_a_bad_warc_gzip_level_is_one_line(tmp_path: Path, level: str) -> None:
    code, _, err = run(
        "crawl", "--all", "--db", str(tmp_path / "a.db"),
        "--set", f"PRESSARCHIVE_WARC_GZIP_LEVEL={level}",
    )  # fmt: skip
    assert code == 2 and err.count("\n") == 1 and "1 to 9" in err
    assert not (tmp_path / "a.db").exists()


def test_second_crawl_of_the_same_archive_is_refused_with_75(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nid = "x"\norganisation = "O"\nplatform = "generic"\n'
        'start_urls = ["http://127.0.0.1:9/"]\nallow_private = true\n'
    )
    with archive_lock(db):
        code, _, err = run("crawl", "x", "--db", str(db), "--sources", str(sources))
    assert code == EXIT_LOCKED
    assert "already running" in err and err.count("\n") == 1


def test_exit_codes_tell_new_nothing_new_failed() -> None:
    from pressarchive.crawl.runner import CrawlResult

    def result(status: str, stored: int) -> CrawlResult:
        return CrawlResult(1, "x", "viatt", status, stored, 0, 0, 0, 0, [], {})

    assert exit_code([result("finished", 2)]) == 0
    assert exit_code([result("finished", 0)]) == 3
    assert exit_code([result("finished", 2), result("failed", 0)]) == 1
    assert exit_code([]) == 1
