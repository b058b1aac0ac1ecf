"""Reading lists: CSV and XLSX, Thai and English headers, each row checked, and files that
cannot be read refused whole."""

import io
from datetime import date

import openpyxl
import pytest

from bot.domain.identity import IdentityType
from bot.geography import Geography
from bot.imports import ImportFileError, read

TODAY = date(2025, 11, 24)
GEOGRAPHY = Geography.load("11")

THAI_HEADER = ["เลขอ้างอิง", "ชื่อ", "นามสกุล", "เพศ", "เลขประจำตัวประชาชน", "วันเกิด", "อำเภอ",
               "ตำบล", "เบอร์โทรผู้ปกครอง"]
ROWS = [
    ["OBEC-001", "สมชาย", "ใจดี", "ชาย", "1-2345-45678-78-1", "15/3/2555", "บางพลี", "บางพลีใหญ่",
     "081-234-5678"],
    ["OBEC-002", "Mya", "Thida", "หญิง", "", "1 ม.ค. 2556", "อำเภอเมืองสมุทรปราการ", "", ""],
    ["OBEC-003", "", "", "ชาย", "", "1/1/2555", "บางพลี", "", ""],  # no name
    ["OBEC-004", "Aung", "", "x", "", "1/1/2555", "บางพลี", "", ""],  # sex not understood
    ["OBEC-005", "Min", "", "ชาย", "1-2345-45678-78-9", "1/1/2555", "บางพลี", "", ""],  # checksum
    ["OBEC-006", "Nan", "", "หญิง", "", "1/1/2555", "Chiang Mai", "", ""],  # not this province
    ["OBEC-001", "สมชาย", "ใจดี", "ชาย", "", "15/3/2555", "บางพลี", "", ""],  # repeated ref
    ["", "Kyaw", "", "ชาย", "", "1/1/2555", "Bang Phli", "", ""],  # no reference
]


def csv_bytes(header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    return "\n".join(",".join(row) for row in [header, *rows]).encode(encoding)


def xlsx_bytes(header: list[object], rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [header, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_thai_csv_keeps_the_good_rows_and_says_why_each_other_one_was_refused() -> None:
    parsed = read(csv_bytes(THAI_HEADER, ROWS), "list.csv", GEOGRAPHY, TODAY)

    assert parsed.total == len(ROWS)
    assert [row.ref for row in parsed.rows] == ["OBEC-001", "OBEC-002"]
    first = parsed.rows[0]
    assert (first.identity_type, first.identity_number) == (IdentityType.THAI_ID,
                                                            "1234545678781")
    assert first.nationality == "thai" and first.birth_date == date(2012, 3, 15)
    assert (first.district_code, first.subdistrict_code) == ("1103", "110301")
    assert first.guardian_phone == "+66812345678"
    assert parsed.rows[1].district_code == "1101" and parsed.rows[1].nationality == "unknown"
    reasons = {(row.line, row.reason) for row in parsed.rejected}
    assert reasons == {(4, "error-name-empty"), (5, "import-error-sex"),
                       (6, "error-thai-id-checksum"), (7, "import-error-district"),
                       (8, "import-error-duplicate-in-file"), (9, "import-error-ref")}


def test_an_xlsx_with_english_headers_reads_dates_and_ages_from_cells() -> None:
    header = ["Reference", "First name", "Sex", "Date of birth", "Age", "District",
              "Nationality", "ID number"]
    rows = [["DOLE-1", "Aye", "female", date(2014, 5, 2), None, "Bang Bo", "Myanmar", None],
            ["DOLE-2", "Tun", "M", None, 12, "1106", "", "G123456789012"],
            ["DOLE-3", "Zaw", "male", None, None, "1106", "", None]]

    parsed = read(xlsx_bytes(header, rows), "dole.xlsx", GEOGRAPHY, TODAY)

    assert [row.ref for row in parsed.rows] == ["DOLE-1", "DOLE-2"]
    assert parsed.rows[0].birth_date == date(2014, 5, 2) and parsed.rows[0].nationality == "myanmar"
    assert parsed.rows[1].birth_year == 2013 and parsed.rows[1].birth_date is None
    assert parsed.rows[1].identity_type is IdentityType.G_CODE
    assert [(row.line, row.reason) for row in parsed.rejected] == [(4, "import-error-birth")]


@pytest.mark.parametrize(("data", "name", "reason"), [
    (b"", "empty.csv", "empty"),
    (b"   \n  ", "blank.csv", "empty"),
    ("เลขอ้างอิง,ชื่อ\n".encode("cp874"), "thai-ansi.csv", "encoding"),
    (b"PK\x03\x04 not really a zip", "broken.xlsx", "not-a-table"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "photo.png", "not-a-table"),
    (csv_bytes(["ชื่อ", "เพศ"], [["ก", "ชาย"]]), "short.csv", "missing-columns"),
    (csv_bytes(THAI_HEADER, []), "header-only.csv", "empty"),
])
def test_a_file_that_cannot_be_read_is_refused_whole(data: bytes, name: str,
                                                     reason: str) -> None:
    with pytest.raises(ImportFileError) as refused:
        read(data, name, GEOGRAPHY, TODAY)
    assert refused.value.key == f"import-error-{reason}"


def test_missing_columns_are_named() -> None:
    with pytest.raises(ImportFileError) as refused:
        read(csv_bytes(["ชื่อ", "เพศ"], [["ก", "ชาย"]]), "short.csv", GEOGRAPHY, TODAY)
    assert refused.value.params == {"columns": "ref, district, birth_date / age"}
