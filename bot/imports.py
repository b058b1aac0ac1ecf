"""Reading the name lists that OBEC's dropout system and DOLE distribute: CSV or XLSX,
Thai or English headers, every row checked with the same rules as the registration wizard.

Pure CPU work on bytes, with no database: the caller runs it in a worker thread and then
saves what passed (`bot.services.imports`).
"""

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from bot.domain import ages, dates, identity, names, phone, text
from bot.domain.identity import IdentityType
from bot.domain.models import Nationality, Sex
from bot.errors import AppError, InvalidDate, InvalidInput
from bot.geography import Geography

MAX_ROWS = 200_000
REF_LIMIT = 40
PROGRESS_EVERY = 5_000

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
NATIONALITIES = {
    "thai": Nationality.THAI, "ไทย": Nationality.THAI, "myanmar": Nationality.MYANMAR,
    "burmese": Nationality.MYANMAR, "เมียนมา": Nationality.MYANMAR, "พม่า": Nationality.MYANMAR,
    "cambodian": Nationality.CAMBODIAN, "cambodia": Nationality.CAMBODIAN,
    "กัมพูชา": Nationality.CAMBODIAN, "เขมร": Nationality.CAMBODIAN, "lao": Nationality.LAO,
    "laos": Nationality.LAO, "ลาว": Nationality.LAO,
}


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

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__()

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
    model_config = ConfigDict(frozen=True)

    rows: list[LeadRow]
    rejected: list[Rejected]
    total: int


def read(data: bytes, file_name: str, geography: Geography, today: date, *,
         progress: Callable[[int], None] | None = None) -> ParsedList:
    """Check every row of a CSV or XLSX list."""
    table = _table(data, file_name)
    header = next(table, None)
    if header is None:
        raise ImportFileError("empty")
    columns = _columns(header)
    missing = [name for name in REQUIRED if name not in columns]
    if "birth_date" not in columns and "age" not in columns:
        missing.append("birth_date / age")
    if missing:
        raise ImportFileError("missing-columns", columns=", ".join(missing))
    places = _PlaceFinder(geography)
    rows, rejected, seen = [], [], set()
    total = 0
    for line, cells in enumerate(table, start=2):
        if not any(str(cell).strip() for cell in cells if cell is not None):
            continue  # blank lines between blocks
        total += 1
        if total > MAX_ROWS:
            raise ImportFileError("too-many-rows", limit=MAX_ROWS)
        values = {name: cells[index] if index < len(cells) else None
                  for name, index in columns.items()}
        ref = _text(values.get("ref"))[:REF_LIMIT]
        try:
            if not ref:
                raise RowProblem("ref")
            if ref in seen:
                raise RowProblem("duplicate-in-file")
            rows.append(_row(ref, values, places, today))
            seen.add(ref)
        except InvalidInput as error:
            rejected.append(Rejected(line=line, ref=ref, reason=error.key,
                                     params={k: v for k, v in error.params.items()
                                             if isinstance(v, str | int)}))
        if progress is not None and total % PROGRESS_EVERY == 0:
            progress(total)
    if not total:
        raise ImportFileError("empty")
    return ParsedList(rows=rows, rejected=rejected, total=total)


def _table(data: bytes, file_name: str) -> Iterator[list[object]]:
    if not data.strip():
        raise ImportFileError("empty")
    if zipfile.is_zipfile(io.BytesIO(data)):
        return _xlsx(data)
    if file_name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise ImportFileError("not-a-table")
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # A text list in another encoding (Excel's Thai "ANSI" CSV), or not text at all.
        looks_like_text = file_name.lower().endswith((".csv", ".txt", ".tsv"))
        raise ImportFileError("encoding" if looks_like_text else "not-a-table") from error
    if "\x00" in decoded:
        raise ImportFileError("not-a-table")
    try:
        dialect = csv.Sniffer().sniff(decoded[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return iter(list(csv.reader(io.StringIO(decoded), dialect)))


def _xlsx(data: bytes) -> Iterator[list[object]]:
    import openpyxl  # only imports need it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a zip that is not a workbook, or a damaged one
        raise ImportFileError("not-a-table") from error
    sheet = workbook.worksheets[0]
    return (list(row) for row in sheet.iter_rows(values_only=True))


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
        return self.districts.get(self._key(raw)) if raw else None

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
    nationality = NATIONALITIES.get(_text(values.get("nationality")).casefold(),
                                    Nationality.THAI if kind is IdentityType.THAI_ID
                                    else Nationality.UNKNOWN)
    born, birth_year = _birth(values.get("birth_date"), _text(values.get("age")), today)
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


def _identity(raw: str) -> tuple[IdentityType, str | None]:
    if not raw:
        return IdentityType.NONE, None
    compact = raw.replace("-", "").replace(" ", "").upper()
    if compact.startswith("G"):
        return IdentityType.G_CODE, identity.parse_g_code(raw)
    if compact.isdigit() and len(compact) == 13:
        return IdentityType.THAI_ID, identity.parse_thai_id(raw)
    return IdentityType.FOREIGN_DOC, identity.parse_foreign_document(raw)


def _birth(raw: object, age: str, today: date) -> tuple[date | None, int]:
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        if raw > today:
            raise InvalidDate("future")
        return raw, raw.year
    if raw is not None and _text(raw):
        born = dates.parse_date(_text(raw), today)
        return born, born.year
    if age:
        return None, today.year - ages.parse_age(age)
    raise RowProblem("birth")
