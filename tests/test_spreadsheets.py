"""Exports opened in a real spreadsheet: LibreOffice Calc (Debian's, headless)
reads the CSV (both dialects) and the XLSX, converts them, and the converted
files are read back to check what a person would see in the cells."""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from archive_factory import BRO_BODY, FORMULA_CONTACT, FORMULA_TITLE, build_archive
from click.testing import CliRunner

from pressarchive.cli.export import export_command
from pressarchive.storage.export_columns import COLUMN_NAMES

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]

# LibreOffice CSV filter options: separator, quote, charset 76 = UTF-8, first
# line 1, column formats (none), language (default), quoted field as text
# (false), detect special numbers such as dates (true).
CSV_IMPORT = {"excel": "44,34,76,1,,0,false,true", "excel-sv": "59,34,76,1,,0,false,true"}
CSV_EXPORT = "44,34,76,1"
RELEASES = 7


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("sheets") / "archive.db")


def export(archive: Path, out: Path, *args: str) -> Path:
    result = CliRunner().invoke(
        export_command, ["--db", str(archive), "-o", str(out), *args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return out


def convert(source: Path, target_ext: str, work: Path, infilter: str | None = None) -> Path:
    """soffice --headless --convert-to, with a profile of its own."""
    assert SOFFICE is not None
    profile = work / "lo-profile"
    outdir = work / "converted"
    outdir.mkdir(parents=True, exist_ok=True)
    command = [
        SOFFICE,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        target_ext,
        "--outdir",
        str(outdir),
    ]
    if infilter:
        command.append(f"--infilter={infilter}")
    command.append(str(source))
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    converted = outdir / (source.stem + "." + target_ext.split(":")[0])
    assert converted.exists(), f"soffice did not convert {source}: {done.stdout} {done.stderr}"
    return converted


def read_xlsx(path: Path) -> tuple[list[Any], list[list[Any]], Any]:
    from openpyxl import load_workbook

    sheet = load_workbook(path).active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows()]
    header = [c.value for c in rows[0]]
    return header, rows[1:], sheet


def check_cells(header: list[Any], rows: list[list[Any]]) -> None:
    """What a reader must see, whatever the file came from."""
    assert header == list(COLUMN_NAMES)
    assert len(rows) == RELEASES  # one row per release, bodies did not split rows
    col = {name: i for i, name in enumerate(header)}
    titles = [r[col["title"]].value for r in rows]
    assert "Det blir en ny bro över Motala ström" in titles
    assert "Ta spårvagnen till framtidens Norrköping" in titles
    formula = next(r[col["title"]] for r in rows if "HYPERLINK" in str(r[col["title"]].value))
    assert formula.data_type != "f"  # shown as text, not run
    assert str(formula.value).lstrip("'") == FORMULA_TITLE
    bodies = [str(r[col["body_text"]].value) for r in rows]
    assert BRO_BODY in bodies  # multi-line body kept in its cell
    organisations = {r[col["organisation"]].value for r in rows}
    assert organisations == {"Norrköpings kommun"}
    published = [r[col["published_date"]].value for r in rows]
    assert all(isinstance(p, datetime | date) for p in published), published
    assert min(published).year == 2018
    # Who to call: one cell, roles named, one person once, no empty slots.
    bro = next(
        r
        for r in rows
        if r[col["title"]].value == "Det blir en ny bro över Motala ström"
        and r[col["platform"]].value == "mynewsdesk"
    )
    contacts = str(bro[col["contacts"]].value)
    assert contacts.startswith("Åsa Öberg (contact, sender, ordförande tekniska nämnden, ")
    assert contacts.count("Åsa Öberg") == 1 and "(press contact, +4611150000" in contacts
    assert "Åsa Öberg" in str(bro[col["contacts_json"]].value)
    assert str(bro[col["other_urls"]].value) == "https://via.tt.se/pressmeddelande/2001"
    # A formula in the second part of a joined cell stays text too.
    guarded = next(
        r[col["contacts"]] for r in rows if FORMULA_CONTACT in str(r[col["contacts"]].value)
    )
    assert guarded.data_type != "f"
    assert " | '" + FORMULA_CONTACT in str(guarded.value)


@pytest.mark.parametrize("dialect", ["excel", "excel-sv"])
def test_csv_opens_right_in_libreoffice(archive: Path, tmp_path: Path, dialect: str) -> None:
    exported = export(archive, tmp_path / f"releases-{dialect}.csv", "--dialect", dialect)
    infilter = f"CSV:{CSV_IMPORT[dialect]}"
    header, rows, _ = read_xlsx(convert(exported, "xlsx", tmp_path, infilter))
    check_cells(header, rows)


def test_xlsx_opens_right_in_libreoffice(archive: Path, tmp_path: Path) -> None:
    exported = export(archive, tmp_path / "releases.xlsx", "--format", "xlsx")
    # Round trip through Calc's own format and back: what Calc loaded is what it saves.
    ods = convert(exported, "ods", tmp_path)
    header, rows, _ = read_xlsx(convert(ods, "xlsx", tmp_path / "back"))
    check_cells(header, rows)
    col = {name: i for i, name in enumerate(header)}
    local = [r[col["published_local"]].value for r in rows]
    assert all(isinstance(v, datetime) for v in local), local
    # (The frozen header is view state, which headless conversion does not
    # carry over; test_export checks it in the file we write.)
    # And as text, the way a person copies cells: dates readable, å ä ö intact.
    text = convert(exported, f"csv:Text - txt - csv (StarCalc):{CSV_EXPORT}", tmp_path / "csv")
    with text.open(encoding="utf-8", newline="") as f:
        records = list(csv.DictReader(f))
    assert len(records) == RELEASES
    bro = next(r for r in records if r["title"] == "Det blir en ny bro över Motala ström")
    assert bro["published_date"] == "2018-01-18"
    assert bro["published_at"].startswith("2018-01-18 15:32")
    # Local time is a date-time cell too: Calc shows it as a date, Swedish time.
    assert bro["published_local"].startswith("2018-01-18 16:32")
    assert bro["contacts"].startswith("Åsa Öberg (contact, sender,")
    assert bro["body_text"] == BRO_BODY
    assert FORMULA_TITLE in {r["title"] for r in records}
