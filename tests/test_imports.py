"""Reading lists: CSV and XLSX, Thai and English headers, each row checked, and files that
cannot be read refused whole."""

import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from bot.config import Settings
from bot.domain.identity import IdentityType
from bot.geography import Geography
from bot.imports import ImportFileError, ParsedList, read

TODAY = date(2025, 11, 24)
GEOGRAPHY = Geography.load("11")
LIMITS = Settings(_env_file=None).import_limits

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


def read_bytes(data: bytes, name: str, folder: Path, geography: Geography = GEOGRAPHY,
               today: date = TODAY) -> ParsedList:
    """A list read as the bot reads it, from a file, but in this process."""
    (folder / name).write_bytes(data)
    return read(folder / name, name, geography, today, folder / f"{name}.checked",
                limits=LIMITS)


def test_a_thai_csv_keeps_the_good_rows_and_says_why_each_other_one_was_refused(
    tmp_path: Path
) -> None:
    parsed = read_bytes(csv_bytes(THAI_HEADER, ROWS), "list.csv", tmp_path)

    assert (parsed.total, parsed.accepted, parsed.rejected) == (len(ROWS), 2, 6)
    rows = [row for batch in parsed.batches() for row in batch]
    assert [row.ref for row in rows] == ["OBEC-001", "OBEC-002"]
    first = rows[0]
    assert (first.identity_type, first.identity_number) == (IdentityType.THAI_ID,
                                                            "1234545678781")
    assert first.nationality == "thai" and first.birth_date == date(2012, 3, 15)
    assert (first.district_code, first.subdistrict_code) == ("1103", "110301")
    assert first.guardian_phone == "+66812345678"
    assert rows[1].district_code == "1101" and rows[1].nationality == "unknown"
    reasons = {(row.line, row.reason) for row in parsed.rejections()}
    assert reasons == {(4, "error-name-empty"), (5, "import-error-sex"),
                       (6, "error-thai-id-checksum"), (7, "import-error-district"),
                       (8, "import-error-duplicate-in-file"), (9, "import-error-ref")}


def test_an_xlsx_with_english_headers_reads_dates_and_ages_from_cells(tmp_path: Path) -> None:
    header = ["Reference", "First name", "Sex", "Date of birth", "Age", "District",
              "Nationality", "ID number"]
    rows = [["DOLE-1", "Aye", "female", date(2014, 5, 2), None, "Bang Bo", "Myanmar", None],
            ["DOLE-2", "Tun", "M", None, 12, "1106", "", "G123456789012"],
            ["DOLE-3", "Zaw", "male", None, None, "1106", "", None]]

    parsed = read_bytes(xlsx_bytes(header, rows), "dole.xlsx", tmp_path)

    checked = [row for batch in parsed.batches() for row in batch]
    assert [row.ref for row in checked] == ["DOLE-1", "DOLE-2"]
    assert checked[0].birth_date == date(2014, 5, 2) and checked[0].nationality == "myanmar"
    assert checked[1].birth_year == 2013 and checked[1].birth_date is None
    assert checked[1].identity_type is IdentityType.G_CODE
    assert [(row.line, row.reason) for row in parsed.rejections()] == [
        (4, "import-error-birth")]


@pytest.mark.parametrize(("data", "name", "reason"), [
    (b"", "empty.csv", "empty"),
    (b"   \n  ", "blank.csv", "empty"),
    ("เลขอ้างอิง,ชื่อ\n".encode("cp874"), "thai-ansi.csv", "encoding"),
    (b"PK\x03\x04 not really a zip", "broken.xlsx", "not-a-table"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "photo.png", "not-a-table"),
    (csv_bytes(["ชื่อ", "เพศ"], [["ก", "ชาย"]]), "short.csv", "missing-columns"),
    (csv_bytes(THAI_HEADER, []), "header-only.csv", "empty"),
])
def test_a_file_that_cannot_be_read_is_refused_whole(data: bytes, name: str, reason: str,
                                                     tmp_path: Path) -> None:
    with pytest.raises(ImportFileError) as refused:
        read_bytes(data, name, tmp_path)
    assert refused.value.key == f"import-error-{reason}"


def test_missing_columns_are_named(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError) as refused:
        read_bytes(csv_bytes(["ชื่อ", "เพศ"], [["ก", "ชาย"]]), "short.csv", tmp_path)
    assert refused.value.params == {"columns": "ref, district, birth_date / age"}


def test_spellings_of_nationalities_are_understood_and_others_are_refused_with_the_value(
    tmp_path: Path
) -> None:
    header = ["ref", "name", "sex", "age", "district", "nationality"]
    spellings = {"สัญชาติไทย": "thai", "Thai": "thai", "พม่า": "myanmar", "Burmese": "myanmar",
                 "เมียนมา": "myanmar", "สัญชาติเมียนมา": "myanmar", "Cambodian": "cambodian",
                 "กัมพูชา": "cambodian", "เขมร": "cambodian", "ลาว": "lao", "Lao": "lao",
                 "สปป. ลาว": "lao", "-": "unknown", "": "unknown"}
    rows = [[f"R{n}", "Aye", "หญิง", "9", "บางบ่อ", spelling]
            for n, spelling in enumerate([*spellings, "Martian"])]

    parsed = read_bytes(csv_bytes(header, rows), "list.csv", tmp_path)

    checked = [row.nationality for batch in parsed.batches() for row in batch]
    assert checked == list(spellings.values())
    assert [(row.line, row.reason, row.params) for row in parsed.rejections()] == [
        (len(rows) + 1, "import-error-nationality", {"value": "Martian"})]


def test_children_outside_the_ages_3_to_18_are_refused_with_their_age(tmp_path: Path) -> None:
    header = ["ref", "name", "sex", "age", "birth date", "district"]
    rows = [["A", "Aye", "หญิง", "2", "", "บางบ่อ"], ["B", "Aye", "หญิง", "3", "", "บางบ่อ"],
            ["C", "Aye", "หญิง", "18", "", "บางบ่อ"], ["D", "Aye", "หญิง", "19", "", "บางบ่อ"],
            ["E", "Aye", "หญิง", "", "1/1/2548", "บางบ่อ"]]  # 20 on 24 Nov 2025

    parsed = read_bytes(csv_bytes(header, rows), "list.csv", tmp_path)

    assert [row.ref for batch in parsed.batches() for row in batch] == ["B", "C"]
    assert [(row.ref, row.reason, row.params) for row in parsed.rejections()] == [
        ("A", "import-error-age-outside", {"age": 2}),
        ("D", "import-error-age-outside", {"age": 19}),
        ("E", "import-error-age-outside", {"age": 20})]


def test_blank_lines_end_the_list_after_a_long_run_and_count_toward_the_limit(
    tmp_path: Path
) -> None:
    newlines = b"\n" * (LIMITS.max_blank_run + 10)
    tail = csv_bytes(THAI_HEADER, ROWS[:1]).split(b"\n", 1)[1]
    parsed = read_bytes(csv_bytes(THAI_HEADER, ROWS[1:2]) + b"\n" + newlines + tail,
                        "list.csv", tmp_path)
    # The row after the blank run is not read: the list ended at line 2.
    assert (parsed.total, parsed.stopped_at) == (1, 2)

    # 20 MB of newlines after the list: read as far as the blank run, no further.
    many = read_bytes(csv_bytes(THAI_HEADER, ROWS[1:2]) + b"\n" * 20 * 1024 * 1024, "nl.csv",
                      tmp_path)
    assert (many.total, many.stopped_at) == (1, 2)
    with pytest.raises(ImportFileError) as refused:
        read_bytes(b"\n" * 20 * 1024 * 1024 + csv_bytes(THAI_HEADER, ROWS), "nl.csv", tmp_path)
    assert refused.value.key == "import-error-empty"
    small = LIMITS.model_copy(update={"max_rows": 5})
    (tmp_path / "gaps.csv").write_bytes(csv_bytes(THAI_HEADER, ROWS[1:2]) + b"\n" * 10)
    with pytest.raises(ImportFileError) as refused:
        read(tmp_path / "gaps.csv", "gaps.csv", GEOGRAPHY, TODAY, tmp_path / "out",
             limits=small)
    assert (refused.value.key, refused.value.params) == ("import-error-too-many-rows",
                                                         {"limit": 5})


def test_a_cell_longer_than_a_list_ever_has_refuses_the_file_with_its_line(
    tmp_path: Path
) -> None:
    rows = [*ROWS[:2], ["OBEC-9", "x" * 200_000, "", "ชาย", "", "1/1/2555", "บางพลี", "", ""]]
    with pytest.raises(ImportFileError) as refused:
        read_bytes(csv_bytes(THAI_HEADER, rows), "long.csv", tmp_path)
    assert (refused.value.key, refused.value.params) == ("import-error-cell-too-long",
                                                         {"line": 4, "limit": 131_072})


def zip_bomb(unpacked_mb: int) -> bytes:
    """A workbook whose sheet is mostly blanks: tiny packed, huge unpacked."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes(THAI_HEADER, ROWS[:1]))) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for part in source.infolist():
            data = source.read(part)
            if part.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>",
                                    b"<sheetData>" + b" " * unpacked_mb * 1024 * 1024)
            bomb.writestr(part.filename, data)
    return out.getvalue()


def test_an_xlsx_is_refused_before_it_is_opened_when_it_unpacks_too_big_or_too_tight(
    tmp_path: Path
) -> None:
    with pytest.raises(ImportFileError) as refused:
        read_bytes(zip_bomb(50), "bomb.xlsx", tmp_path)
    assert (refused.value.key, refused.value.params) == ("import-error-packed-too-tight",
                                                         {"ratio": 100})
    (tmp_path / "big.xlsx").write_bytes(zip_bomb(2))
    with pytest.raises(ImportFileError) as refused:
        read(tmp_path / "big.xlsx", "big.xlsx", GEOGRAPHY, TODAY, tmp_path / "out",
             limits=LIMITS.model_copy(update={"max_unpacked_mb": 1}))
    assert (refused.value.key, refused.value.params) == ("import-error-unpacked-too-large",
                                                         {"limit": 1})


@pytest.mark.parametrize(("data", "name"), [
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "list.csv"),  # a picture named a list
    (csv_bytes(THAI_HEADER, ROWS), "list.xlsx"),  # a CSV named a workbook
    (b"PK\x05\x06" + b"\x00" * 18, "list.xlsx"),  # an empty zip
])
def test_a_file_that_is_not_what_its_name_says_is_refused(data: bytes, name: str,
                                                          tmp_path: Path) -> None:
    with pytest.raises(ImportFileError) as refused:
        read_bytes(data, name, tmp_path)
    assert refused.value.key in ("import-error-not-a-table", "import-error-encoding")
