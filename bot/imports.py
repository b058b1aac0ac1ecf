"""Reading the name lists that OBEC's dropout system and DOLE distribute: CSV or XLSX,
Thai or English headers, every row checked with the same rules as the registration wizard.

Pure CPU work on a file, with no database, in constant memory: the rows that pass and the
rows refused are written to a file as they are checked, in batches, for the bot to save
(`bot.services.imports`) and to send back. The bot runs it in a child process with a
memory and time limit (`bot.import_process`), so that no file can take the bot down.
"""

import csv
import pickle
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from pydantic import BaseModel, ConfigDict

from bot.domain import ages, dates, identity, names, phone, text
from bot.domain.identity import IdentityType
from bot.domain.models import Nationality, Sex
from bot.errors import AppError, InvalidDate, InvalidInput
from bot.geography import Geography

REF_LIMIT = 40
PROGRESS_EVERY = 5_000
BATCH = 2_000  # rows per batch written, and saved at a time

# Accepted headers per column, compared without case, spaces, dots, dashes or underscores.
COLUMNS: dict[str, tuple[str, ...]] = {
    "ref": ("ref", "reference", "refno", "เลขอ้างอิง", "รหัสอ้างอิง", "เลขที่อ้างอิง"),
    "given_name": ("given_name", "givenname", "firstname", "name", "ชื่อ"),
    "family_name": ("family_name", "familyname", "lastname", "surname", "นามสกุล"),
    "sex": ("sex", "gender", "เพศ"),
    "id_number": ("id_number", "idnumber", "citizenid", "nationalid", "gcode",
                  "เลขประจำตัวประชาชน", "เลขบัตรประชาชน", "เลขประจำตัว", "รหัสg"),
    "nationality": ("nationality", "สัญชาติ"),
    "birth_date": ("birth_date", "birthdate", "dateofbirth", "dob", "birthday", "วันเกิด",
                   "วันเดือนปีเกิด"),
    "age": ("age", "อายุ"),
    "district": ("district", "amphoe", "อำเภอ", "เขต"),
    "subdistrict": ("subdistrict", "tambon", "ตำบล", "แขวง"),
    "guardian_phone": ("guardian_phone", "guardianphone", "phone", "telephone", "mobile",
                       "โทรศัพท์", "เบอร์โทร", "เบอร์โทรศัพท์", "เบอร์โทรผู้ปกครอง"),
}
REQUIRED = ("ref", "given_name", "sex", "district")
SEXES = {"male": Sex.MALE, "m": Sex.MALE, "boy": Sex.MALE, "ชาย": Sex.MALE, "ช": Sex.MALE,
         "ด.ช.": Sex.MALE, "เด็กชาย": Sex.MALE, "female": Sex.FEMALE, "f": Sex.FEMALE,
         "girl": Sex.FEMALE, "หญิง": Sex.FEMALE, "ญ": Sex.FEMALE, "ด.ญ.": Sex.FEMALE,
         "เด็กหญิง": Sex.FEMALE}
# Compared without case, spaces, dots or dashes, and without a leading "สัญชาติ"
# ("สัญชาติไทย") or a trailing "nationality".
NATIONALITIES = {
    **dict.fromkeys(("thai", "thailand", "th", "ไทย", "ประเทศไทย"), Nationality.THAI),
    **dict.fromkeys(("myanmar", "burmese", "burma", "mm", "เมียนมา", "เมียนมาร์", "เมียนม่า",
                     "พม่า"), Nationality.MYANMAR),
    **dict.fromkeys(("cambodian", "cambodia", "khmer", "kh", "กัมพูชา", "เขมร"),
                    Nationality.CAMBODIAN),
    **dict.fromkeys(("lao", "laos", "laotian", "la", "laopdr", "ลาว", "สปปลาว"),
                    Nationality.LAO),
    **dict.fromkeys(("other", "อื่น", "อื่นๆ", "vietnamese", "vietnam", "เวียดนาม", "chinese",
                     "china", "จีน"), Nationality.OTHER),
    **dict.fromkeys(("unknown", "ไม่ทราบ", "ไม่ระบุ"), Nationality.UNKNOWN),
}


class Limits(BaseModel):
    """How much of a file is read before it is refused (settings `PANONG_IMPORT_*`)."""

    model_config = ConfigDict(frozen=True)

    max_rows: int  # lines read, blank ones included
    max_blank_run: int  # blank lines in a row: the list has ended
    max_unpacked_mb: int  # an XLSX's parts, uncompressed
    max_ratio: int  # uncompressed / compressed, for the whole XLSX or any large part


class ImportFileError(AppError):
    """The file as a whole cannot be read; nothing was imported."""

    def __init__(self, reason: str, **params: object) -> None:
        self.reason = reason
        super().__init__(**params)

    @property
    def key(self) -> str:  # type: ignore[override]
        return f"import-error-{self.reason}"


class RowProblem(InvalidInput):
    """A row that cannot be imported; the others go on."""

    def __init__(self, reason: str, **params: object) -> None:
        self.reason = reason
        super().__init__(**params)

    @property
    def key(self) -> str:  # type: ignore[override]
        return f"import-error-{self.reason}"


class LeadRow(BaseModel):
    """One child of a list, checked: to be located by a school."""

    model_config = ConfigDict(frozen=True)

    ref: str
    given_name: str
    family_name: str | None
    sex: Sex
    identity_type: IdentityType
    identity_number: str | None
    nationality: Nationality
    birth_date: date | None
    birth_year: int
    district_code: str
    subdistrict_code: str | None
    guardian_phone: str | None


class Rejected(BaseModel):
    model_config = ConfigDict(frozen=True)

    line: int  # as the spreadsheet numbers it, the header being line 1
    ref: str
    reason: str  # a catalog key
    params: dict[str, str | int] = {}


class ParsedList(BaseModel):
    """A list read and checked: the counts, and the file holding its rows in batches."""

    model_config = ConfigDict(frozen=True)

    total: int
    accepted: int
    rejected: int
    stopped_at: int | None  # the line after which only blank lines followed
    path: Path

    def batches(self) -> Iterator[list[LeadRow]]:
        """The rows that passed, a batch at a time."""
        for kind, batch in self._batches():
            if kind == "rows":
                yield [LeadRow(**row) for row in batch]

    def rejections(self) -> Iterator[Rejected]:
        for kind, batch in self._batches():
            if kind == "rejected":
                yield from (Rejected(**row) for row in batch)

    def _batches(self) -> Iterator[tuple[str, list[dict[str, object]]]]:
        # Written by `read` in a process of ours, in a folder of ours: not foreign pickles.
        with self.path.open("rb") as stored:
            while True:
                try:
                    yield pickle.load(stored)
                except EOFError:
                    return


class _BatchWriter:
    """Rows and refusals written to `stored` as they come, a batch at a time."""

    def __init__(self, stored: BinaryIO) -> None:
        self.stored = stored
        self.pending: dict[str, list[dict[str, object]]] = {"rows": [], "rejected": []}

    def add(self, kind: str, item: BaseModel) -> None:
        batch = self.pending[kind]
        batch.append(item.model_dump())
        if len(batch) >= BATCH:
            self.flush(kind)

    def flush(self, kind: str) -> None:
        if self.pending[kind]:
            pickle.dump((kind, self.pending[kind]), self.stored, pickle.HIGHEST_PROTOCOL)
            self.pending[kind] = []


def read(source: Path, file_name: str, geography: Geography, today: date, out: Path, *,
         limits: Limits, progress: Callable[[int], None] | None = None,
         progress_every: int = PROGRESS_EVERY) -> ParsedList:
    """Check every row of a CSV or XLSX list, writing the outcome to `out`."""
    first_line, table = _table(source, file_name, limits)
    lines = enumerate(table, start=first_line)
    header: list[object] = []
    for header_line, header in lines:  # the first line that is not blank
        if any(str(cell).strip() for cell in header if cell is not None):
            break
        if header_line - first_line + 1 >= limits.max_blank_run:
            raise ImportFileError("empty")
    else:
        raise ImportFileError("empty")
    columns = _columns(header)
    missing = [name for name in REQUIRED if name not in columns]
    if "birth_date" not in columns and "age" not in columns:
        missing.append("birth_date / age")
    if missing:
        raise ImportFileError("missing-columns", columns=", ".join(missing))
    places = _PlaceFinder(geography)
    seen: set[str] = set()
    total = accepted = rejected = blank_run = 0
    stopped_at = None
    with out.open("wb") as stored:
        written = _BatchWriter(stored)
        for line, cells in lines:
            if line - header_line > limits.max_rows:
                raise ImportFileError("too-many-rows", limit=limits.max_rows)
            if not any(str(cell).strip() for cell in cells if cell is not None):
                blank_run += 1  # blank lines between blocks, up to a point
                if blank_run >= limits.max_blank_run:
                    stopped_at = line - blank_run
                    break
                continue
            blank_run = 0
            total += 1
            values = {name: cells[index] if index < len(cells) else None
                      for name, index in columns.items()}
            ref = _text(values.get("ref"))[:REF_LIMIT]
            try:
                if not ref:
                    raise RowProblem("ref")
                if ref in seen:
                    raise RowProblem("duplicate-in-file")
                written.add("rows", _row(ref, values, places, today))
                seen.add(ref)
                accepted += 1
            except InvalidInput as error:
                written.add("rejected", Rejected(
                    line=line, ref=ref, reason=error.key,
                    params={k: v for k, v in error.params.items() if isinstance(v, str | int)}))
                rejected += 1
            if progress is not None and total % progress_every == 0:
                progress(total)
        written.flush("rows")
        written.flush("rejected")
    if not total:
        raise ImportFileError("empty")
    return ParsedList(total=total, accepted=accepted, rejected=rejected,
                      stopped_at=stopped_at, path=out)


def _table(source: Path, file_name: str, limits: Limits) -> tuple[int, Iterator[list[object]]]:
    """The line number of the first row, and the rows, as lists of cells."""
    if source.stat().st_size == 0:
        raise ImportFileError("empty")
    if zipfile.is_zipfile(source):
        return _xlsx(source, limits)
    if file_name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise ImportFileError("not-a-table")
    return 1, _csv(source, file_name)


def _csv(source: Path, file_name: str) -> Iterator[list[object]]:
    """A text list read as a stream, a row at a time."""
    looks_like_text = file_name.lower().endswith((".csv", ".txt", ".tsv"))
    with source.open(encoding="utf-8-sig", newline="") as stream:
        try:
            sample = stream.read(4096)
            if "\x00" in sample:
                raise ImportFileError("not-a-table")
            try:
                dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
                    sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            stream.seek(0)
            reader = csv.reader(stream, dialect)
            try:
                yield from reader
            except csv.Error as error:
                if "field larger" in str(error):
                    raise ImportFileError("cell-too-long", line=reader.line_num,
                                          limit=csv.field_size_limit()) from error
                raise ImportFileError("not-a-table") from error  # a NUL: not text
        except UnicodeDecodeError as error:
            # A text list in another encoding (Excel's Thai "ANSI" CSV), or not text at all.
            raise ImportFileError("encoding" if looks_like_text else "not-a-table") from error


def _xlsx(source: Path, limits: Limits) -> tuple[int, Iterator[list[object]]]:
    """The first sheet of a workbook whose size, unpacked, was checked first."""
    import python_calamine  # only imports need it

    try:
        with zipfile.ZipFile(source) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportFileError("not-a-table") from error
    packed = sum(part.compress_size for part in parts)
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.max_unpacked_mb * 1024 * 1024:
        raise ImportFileError("unpacked-too-large", limit=limits.max_unpacked_mb)
    if unpacked > limits.max_ratio * max(packed, 1) or any(
            part.file_size > 1024 * 1024
            and part.file_size > limits.max_ratio * max(part.compress_size, 1)
            for part in parts):
        raise ImportFileError("packed-too-tight", ratio=limits.max_ratio)
    try:
        with source.open("rb") as stream:
            workbook = python_calamine.CalamineWorkbook.from_filelike(stream)
        sheet = workbook.get_sheet_by_index(0)
    except Exception as error:  # a zip that is not a workbook, or a damaged one
        raise ImportFileError("not-a-table") from error
    # The sheet starts at its first cell that is not empty, which is the header.
    first_row = sheet.start[0] + 1 if sheet.start else 1
    return first_row, iter(sheet.iter_rows())


def _squash(header: object) -> str:
    raw = text.clean_text(str(header or "")).casefold()
    return "".join(ch for ch in raw if ch not in " ._-")


_ALIASES = {_squash(alias): name for name, aliases in COLUMNS.items() for alias in aliases}


def _columns(header: list[object]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _ALIASES.get(_squash(cell))
        if name is not None and name not in found:
            found[name] = index
    return found


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets hand 13-digit IDs back as floats
    return text.clean_text(str(value))


class _PlaceFinder:
    """Districts and sub-districts by code, or by Thai or English name."""

    def __init__(self, geography: Geography) -> None:
        self.geography = geography
        self.seen: dict[str, str | None] = {}
        self.districts = {}
        for place in geography.districts:
            for key in (place.code, place.name_th, place.name_en):
                self.districts[self._key(key)] = place.code

    @staticmethod
    def _key(name: str) -> str:
        key = text.clean_text(name).casefold()
        for prefix in ("อำเภอ", "อ.", "เขต", "ตำบล", "ต.", "แขวง", "district", "amphoe"):
            key = key.removeprefix(prefix).strip()
        return key.removesuffix(" district")

    def district(self, raw: str) -> str | None:
        if not raw:
            return None
        if raw not in self.seen:  # a list names the same few districts again and again
            self.seen[raw] = self.districts.get(self._key(raw))
        return self.seen[raw]

    def subdistrict(self, district_code: str, raw: str) -> str | None:
        key = self._key(raw)
        for place in self.geography.subdistricts(district_code):
            if key in (place.code, self._key(place.name_th), self._key(place.name_en)):
                return place.code
        return None


def _row(ref: str, values: dict[str, object], places: _PlaceFinder, today: date) -> LeadRow:
    given = names.parse_person_name(_text(values.get("given_name")))
    family_raw = _text(values.get("family_name"))
    family = names.parse_person_name(family_raw) if family_raw else None
    sex = SEXES.get(_text(values.get("sex")).casefold())
    if sex is None:
        raise RowProblem("sex")
    kind, number = _identity(_text(values.get("id_number")))
    nationality = _nationality(_text(values.get("nationality")), kind)
    born, birth_year = _birth(values.get("birth_date"), _text(values.get("age")), today)
    age = dates.age_from(born, birth_year, today)
    if not ages.is_target_age(age):
        raise RowProblem("age-outside", age=age)
    district = places.district(_text(values.get("district")))
    if district is None:
        raise RowProblem("district")
    sub_raw = _text(values.get("subdistrict"))
    phone_raw = _text(values.get("guardian_phone"))
    return LeadRow(ref=ref, given_name=given, family_name=family, sex=sex, identity_type=kind,
                   identity_number=number, nationality=nationality, birth_date=born,
                   birth_year=birth_year, district_code=district,
                   subdistrict_code=places.subdistrict(district, sub_raw) if sub_raw else None,
                   guardian_phone=phone.parse_phone(phone_raw) if phone_raw else None)


def _nationality(raw: str, kind: IdentityType) -> Nationality:
    """As written; when left empty, Thai for a Thai ID and unknown otherwise."""
    key = "".join(ch for ch in raw.casefold() if ch not in " .-_()")
    key = key.removeprefix("สัญชาติ").removesuffix("nationality")
    if not key:  # empty, or a dash
        return Nationality.THAI if kind is IdentityType.THAI_ID else Nationality.UNKNOWN
    found = NATIONALITIES.get(key)
    if found is None:
        raise RowProblem("nationality", value=raw[:REF_LIMIT])
    return found


def _identity(raw: str) -> tuple[IdentityType, str | None]:
    if not raw:
        return IdentityType.NONE, None
    compact = raw.replace("-", "").replace(" ", "").upper()
    if compact.startswith("G"):
        return IdentityType.G_CODE, identity.parse_g_code(raw)
    if compact.isdigit() and len(compact) == 13:
        return IdentityType.THAI_ID, identity.parse_thai_id(raw)
    return IdentityType.FOREIGN_DOC, identity.parse_foreign_document(raw)


# Children of one list were born within a few thousand days of each other.
_parse_date = lru_cache(maxsize=8192)(dates.parse_date)


def _birth(raw: object, age: str, today: date) -> tuple[date | None, int]:
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        if raw > today:
            raise InvalidDate("future")
        return raw, raw.year
    written = _text(raw)
    if written:
        born = _parse_date(written, today)
        return born, born.year
    if age:
        return None, today.year - ages.parse_age(age)
    raise RowProblem("birth")
