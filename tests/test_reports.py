"""The files made from a summary: cells a spreadsheet would run are made plain text."""

import csv
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.geography import Geography
from bot.i18n import translator
from bot.reports import spreadsheet_safe, write_csv


def test_cells_a_spreadsheet_would_run_as_formulas_get_a_leading_apostrophe() -> None:
    assert [spreadsheet_safe(cell) for cell in ("=1+1", "+66 81", "-2", "@SUM(A1)", "\tx",
                                                "สมชาย", "OBEC-1", "", 42)] == [
        "'=1+1", "'+66 81", "'-2", "'@SUM(A1)", "'\tx", "สมชาย", "OBEC-1", "", 42]


def test_the_csv_case_list_runs_no_formula_from_a_unit_name(tmp_path: Path) -> None:
    case = ("SPK-2568-00001", "2025-11-24T03:00:00+00:00", "1101", None, 1, 0, "thai", "male",
            "6-15", None, 0, "open", "unit")
    path = tmp_path / "cases.csv"

    write_csv(path, translator("en"), Geography.load("11"), [case], tz=ZoneInfo("Asia/Bangkok"),
              organisations={"unit": '=HYPERLINK("http://evil.example")'})

    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    assert rows[1][0] == "SPK-2568-00001" and rows[1][-1] == "'=HYPERLINK(\"http://evil.example\")"
