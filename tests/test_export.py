"""`pressarchive export`: CSV / JSON Lines / XLSX read back equal the archive."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import tracemalloc
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from archive_factory import FORMULA_CONTACT, FORMULA_TITLE, build_archive, build_large_archive
from click.testing import CliRunner, Result

from pressarchive.cli.common import open_readonly
from pressarchive.cli.export import export, export_command
from pressarchive.items import Release
from pressarchive.sources import Source
from pressarchive.storage.export import export_rows
from pressarchive.storage.export_columns import COLUMN_NAMES, COLUMNS, neutralise, neutralise_parts
from pressarchive.storage.store import Archive


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("export") / "archive.db")


def run(*args: str) -> Result:
    return CliRunner().invoke(export_command, list(args), catch_exceptions=False)


def archive_rows(db: Path, where: str = "1", params: tuple[object, ...] = ()) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = conn.execute(
        f"""SELECT id, source_id, kind, title, body_text, published_at, published_local
            FROM releases WHERE {where}
            ORDER BY published_at IS NULL, published_at, id""",
        params,
    ).fetchall()
    conn.close()
    return [dict(r) for r in rows]


def read_csv(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


def test_columns_are_defined_once_with_descriptions() -> None:
    assert len(set(COLUMN_NAMES)) == len(COLUMN_NAMES)
    assert all(c.description.strip() for c in COLUMNS)


def test_the_readme_documents_the_columns_in_order() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| column | what it holds |") :]
    table = table[: table.index("\n\n")]
    documented = [line.split("|")[1].strip() for line in table.splitlines()[2:]]
    assert documented == list(COLUMN_NAMES)


@pytest.mark.parametrize("dialect,delimiter", [("excel", ","), ("excel-sv", ";")])
def test_csv_reads_back_equal_to_the_archive(
    archive: Path, tmp_path: Path, dialect: str, delimiter: str
) -> None:
    out = tmp_path / "out.csv"
    result = run("--db", str(archive), "--dialect", dialect, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    rows = read_csv(out, delimiter)
    assert list(rows[0]) == list(COLUMN_NAMES)
    expected = archive_rows(archive)
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected, strict=True):
        assert int(got["id"]) == want["id"]
        assert got["source_id"] == want["source_id"]
        assert got["kind"] == want["kind"]
        assert got["published_at"] == want["published_at"]
        assert got["published_date"] == want["published_local"][:10]
        assert got["title"] == neutralise(want["title"])
        assert got["body_text"] == neutralise(want["body_text"])  # multi-line kept


def test_formula_cells_are_neutralised_in_csv(archive: Path) -> None:
    result = run("--db", str(archive))
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    titles = {r["title"] for r in rows}
    assert "'" + FORMULA_TITLE in titles
    assert FORMULA_TITLE not in titles
    formula_row = next(r for r in rows if r["title"].startswith("'="))
    assert formula_row["body_text"].startswith("'-1 ")
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert neutralise(value) == "'" + value
    assert neutralise("Åsa 1+1") == "Åsa 1+1"


def test_contacts_are_one_readable_cell_with_roles_and_no_empty_slots(archive: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run("--db", str(archive)).stdout.lstrip("\ufeff"))))
    bro = next(r for r in rows if r["source_id"] == "norrkoping-mynewsdesk" and "bro" in r["title"])
    # Åsa is both contact and sender of this release: one entry with both roles.
    # The press service has no title: it is left out, not an empty slot.
    assert bro["contacts"] == (
        "Åsa Öberg (contact, sender, ordförande tekniska nämnden, +46706871538, "
        "asa.oberg@norrkoping.se) | Kommunikationsavdelningen (press contact, +4611150000, "
        "press@norrkoping.se)"
    )
    people = json.loads(bro["contacts_json"])
    assert people == [
        {
            "name": "Åsa Öberg",
            "roles": ["contact", "sender"],
            "title": "ordförande tekniska nämnden",
            "phone": "+46706871538",
            "email": "asa.oberg@norrkoping.se",
        },
        {
            "name": "Kommunikationsavdelningen",
            "roles": ["press_contact"],
            "title": None,
            "phone": "+4611150000",
            "email": "press@norrkoping.se",
        },
    ]
    assert bro["tags"] == "Norrköping | Trafik"
    assert bro["cluster_size"] == "2"
    assert bro["other_urls"] == "https://via.tt.se/pressmeddelande/2001"
    no_contacts = next(r for r in rows if r["title"] == "Ta spårvagnen till framtidens Norrköping")
    assert no_contacts["contacts"] == no_contacts["contacts_json"] == ""


def test_every_part_of_a_joined_cell_is_formula_safe(archive: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run("--db", str(archive)).stdout.lstrip("\ufeff"))))
    formula_row = next(r for r in rows if r["title"].startswith("'="))
    parts = formula_row["contacts"].split(" | ")
    assert parts[0].startswith("Kommunikationsavdelningen")
    # The second part, not only the cell's start, is guarded.
    assert parts[1].startswith("'" + FORMULA_CONTACT)
    assert neutralise_parts(["a", "=b", "+c"]) == "a | '=b | '+c"


def test_jsonl_has_the_same_columns_in_the_same_order(archive: Path) -> None:
    result = run("--db", str(archive), "--format", "jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [list(r) for r in records] == [list(COLUMN_NAMES)] * len(records)
    assert [r["id"] for r in records] == [r["id"] for r in archive_rows(archive)]
    # JSON is for programs, not spreadsheets: text is exact.
    assert FORMULA_TITLE in {r["title"] for r in records}
    assert any("Femöresbron" in r["body_text"] for r in records)


def test_one_row_per_release_with_the_other_copies_named(archive: Path) -> None:
    def records(*args: str) -> list[dict]:
        result = run("--db", str(archive), "--format", "jsonl", *args)
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.stdout.splitlines()]

    every = records()
    unique = records("--unique")
    assert len(every) == 7 and len(unique) == 6  # the bridge is on Mynewsdesk and Via TT
    conn = sqlite3.connect(archive)
    assert len(unique) == conn.execute("SELECT COUNT(*) FROM unique_releases").fetchone()[0]
    bro = [r for r in unique if "bro" in r["title"]]
    assert len(bro) == 1
    assert bro[0]["source_id"] == "norrkoping-mynewsdesk"  # the earliest copy
    assert bro[0]["other_urls"] == "https://via.tt.se/pressmeddelande/2001"
    # --organisation means releases, not platform copies: unique by default.
    organisation = ("--organisation", "Norrköpings kommun")
    assert [r["id"] for r in records(*organisation)] == [r["id"] for r in unique]
    assert len(records(*organisation, "--all-copies")) == 7
    assert len(records(*organisation, "--no-unique")) == 7
    # one flag with three names: the last given wins, as for any flag
    assert len(records(*organisation, "--unique", "--no-unique")) == 7
    assert [r["id"] for r in records(*organisation, "--no-unique", "--unique")] == [
        r["id"] for r in unique
    ]
    # A filter that lets only the later copy in still gives the release once.
    viatt = records("--unique", "--source", "norrkoping-viatt")
    assert [r["title"] for r in viatt].count("Det blir en ny bro över Motala ström") == 1


def test_contradictory_options_are_refused_in_one_line(archive: Path, tmp_path: Path) -> None:
    for args in (
        ("--dialect", "excel-sv", "--format", "xlsx", "-o", str(tmp_path / "x.xlsx")),
        ("--dialect", "excel", "--format", "jsonl"),
    ):
        result = CliRunner().invoke(export_command, ["--db", str(archive), *args])
        assert result.exit_code == 2, (args, result.output)
        assert result.output.count("\n") == 1 and result.output.startswith("pressarchive: ")
    assert not (tmp_path / "x.xlsx").exists()


def test_filters_and_swedish_full_text_query(archive: Path) -> None:
    def ids(*args: str) -> list[int]:
        out = run("--db", str(archive), "--format", "jsonl", *args).stdout
        return [json.loads(line)["id"] for line in out.splitlines()]

    viatt = archive_rows(archive, "source_id = ?", ("norrkoping-viatt",))
    assert ids("--source", "norrkoping-viatt") == [r["id"] for r in viatt]
    y2019 = archive_rows(
        archive, "published_local >= '2019-01-01' AND published_local < '2020-01-01'"
    )
    assert ids("--since", "2019-01-01", "--until", "2019-12-31") == [r["id"] for r in y2019]
    assert len(ids("--kind", "pressinbjudan")) == 1
    # "bro" finds "bron" through the stem expansion (and not "brott").
    bro = ids("--query", "bro")
    assert len(bro) == 2
    assert ids("--query", "bro", "--source", "norrkoping-viatt") == [viatt[1]["id"]]


@pytest.fixture(scope="module")
def two_organisations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample archive plus another organisation's press room, with releases
    either side of New Year in Swedish time."""
    path = build_archive(tmp_path_factory.mktemp("organisations") / "archive.db")
    other = Source("linkoping-cision", "Linköpings kommun", "cision", ("https://x.invalid/",))
    stockholm = ZoneInfo("Europe/Stockholm")
    with Archive(path) as archive:
        archive.ensure_source(other)
        archive.store(
            [
                Release(
                    source=other.id,
                    platform="cision",
                    url=f"https://x.invalid/{n}",
                    platform_id=str(n),
                    title=title,
                    organisation=other.organisation,
                    body_text="Text.",
                    published_at=local.astimezone(UTC),
                    published_local=local,
                )
                for n, (title, local) in enumerate(
                    [
                        ("Nyårsafton", datetime(2024, 12, 31, 23, 30, tzinfo=stockholm)),
                        ("Nyårsdagen", datetime(2025, 1, 1, 0, 30, tzinfo=stockholm)),
                    ]
                )
            ]
        )
    return path


def titles(db: Path, *args: str) -> list[str]:
    result = run("--db", str(db), "--format", "jsonl", *args)
    assert result.exit_code == 0, result.output
    return [json.loads(line)["title"] for line in result.output.splitlines()]


def test_organisation_filter_covers_all_its_press_rooms(two_organisations: Path) -> None:
    norrkoping = titles(two_organisations, "--organisation", "Norrköpings kommun")
    everything = titles(two_organisations)
    assert set(everything) - set(norrkoping) == {"Nyårsafton", "Nyårsdagen"}
    # One row per release (the bridge on two platforms once): unique by default.
    assert (
        len(norrkoping) == len(archive_rows(two_organisations, "source_id LIKE 'norrkoping-%'")) - 1
    )
    # Spelt as a person types it: case does not matter.
    assert titles(two_organisations, "--organisation", "linköpings KOMMUN") == [
        "Nyårsafton",
        "Nyårsdagen",
    ]


def test_a_year_is_a_swedish_year(two_organisations: Path) -> None:
    # 00:30 on New Year's Day in Stockholm is still 2024 in UTC: it belongs to 2025.
    args = ("--organisation", "Linköpings kommun")
    assert titles(two_organisations, *args, "--since", "2025-01-01") == ["Nyårsdagen"]
    assert titles(two_organisations, *args, "--until", "2024-12-31") == ["Nyårsafton"]


def test_unknown_organisation_is_one_line_error(two_organisations: Path) -> None:
    result = run("--db", str(two_organisations), "--organisation", "Norrköping")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert "unknown organisation" in result.output and "Linköpings kommun" in result.output


def test_unknown_source_is_one_line_error(archive: Path) -> None:
    result = CliRunner().invoke(export_command, ["--db", str(archive), "--source", "nope"])
    assert result.exit_code == 1
    assert "unknown source" in result.output
    assert "Traceback" not in result.output


def test_xlsx_typed_dates_frozen_header_and_text_cells(archive: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "out.xlsx"
    result = run("--db", str(archive), "--format", "xlsx", "-o", str(out))
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header == list(COLUMN_NAMES)
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(2)]
    assert len(rows) == len(archive_rows(archive))
    first = rows[0]
    assert isinstance(first["published_at"], datetime)
    assert isinstance(first["published_date"], datetime | date)
    # Swedish wall-clock time as a date-time cell: 16:32 in Stockholm, 15:32 UTC.
    bro = next(r for r in rows if r["title"] == "Det blir en ny bro över Motala ström")
    assert bro["published_local"] == datetime(2018, 1, 18, 16, 32)
    assert bro["published_at"] == datetime(2018, 1, 18, 15, 32)
    assert str(bro["contacts"]).startswith("Åsa Öberg (contact, sender,")
    formula = next(r for r in rows if str(r["title"]).startswith("=HYPERLINK"))
    assert formula["title"] == FORMULA_TITLE
    title_cell = next(c for c in sheet["I"] if c.value == FORMULA_TITLE)
    assert title_cell.data_type == "s"  # a string, never evaluated
    assert sheet.column_dimensions["K"].width >= 50  # body_text is wide
    assert any("\n\n" in str(r["body_text"]) for r in rows)


def test_export_streams_without_loading_the_archive(tmp_path: Path) -> None:
    db = build_large_archive(tmp_path / "large.db", 3000)
    conn = sqlite3.connect(db)
    rows = export_rows(conn, batch_size=100)
    first = next(rows)
    assert first["id"] == 1
    tracemalloc.start()
    count = 1 + sum(1 for _ in rows)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 3000
    # 3000 rows of ~500 bytes would be >1.5 MB as a list; a streamed batch is far less.
    assert peak < 1_000_000


def test_progress_is_silent_without_a_terminal_and_draws_with_one(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = open_readonly(archive)
    try:
        # pytest's captured stderr is not a TTY, like cron's: not a character on it
        rows = export(conn, "csv", tmp_path / "quiet.csv")
        assert rows > 0
        assert capsys.readouterr().err == ""
        # a terminal (forced here) gets the bar, left standing as the summary line
        assert export(conn, "csv", tmp_path / "shown.csv", show_progress=True) == rows
    finally:
        conn.close()
    shown = capsys.readouterr().err
    assert "export csv: 100%" in shown
    assert f"{rows}/{rows}" in shown
    assert shown.endswith("\n")
