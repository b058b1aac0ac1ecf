"""Dates as Thai teachers type them, and as the bot shows them back.

Day always comes before month (Thai order). Years may be Buddhist era (B.E. = C.E. + 543)
or Gregorian; two-digit years are read as B.E. because that is how Thai people shorten them
("15/3/55" is 2555 = 2012).
"""

import re
from datetime import date, timedelta

from bot.domain.text import clean_text, normalize_digits
from bot.errors import InvalidDate

BE_OFFSET = 543
_FIRST_BE_YEAR = 2400  # four-digit years from here on are B.E., below it Gregorian
MAX_AGE_YEARS = 30

THAI_MONTHS_FULL = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
THAI_MONTHS_ABBR = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
_THAI_MONTHS_SHORT = (  # the informal spoken forms: "15 มีนา 55"
    "มกรา",
    "กุมภา",
    "มีนา",
    "เมษา",
    "พฤษภา",
    "มิถุนา",
    "กรกฎา",
    "สิงหา",
    "กันยา",
    "ตุลา",
    "พฤศจิกา",
    "ธันวา",
)
ENGLISH_MONTHS_ABBR = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_ENGLISH_MONTHS_FULL = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)

_THAI_MARKS = dict.fromkeys(range(0x0E47, 0x0E4F))  # tone marks, thanthakhat: typed loosely


def _month_key(s: str) -> str:
    return s.casefold().translate(_THAI_MARKS).replace(".", "").replace(" ", "")


def _month_table() -> dict[str, int]:
    table: dict[str, int] = {}
    names = (
        THAI_MONTHS_FULL,
        THAI_MONTHS_ABBR,
        _THAI_MONTHS_SHORT,
        ENGLISH_MONTHS_ABBR,
        _ENGLISH_MONTHS_FULL,
    )
    for months in names:
        for number, name in enumerate(months, start=1):
            table[_month_key(name)] = number
    table[_month_key("กรกฏาคม")] = 7  # ฏ for ฎ: the usual misspelling
    table[_month_key("กรกฏา")] = 7
    table["sept"] = 9
    return table


_MONTHS = _month_table()

_YEAR = r"(?P<y>\d{4}|\d{2})"
_PATTERNS = (
    # 15/3/2555, 15-03-2012, 15.3.55, 15 3 2555
    re.compile(r"(?P<d>\d{1,2})\s*[/.\- ]\s*(?P<m>\d{1,2})\s*[/.\- ]\s*" + _YEAR),
    # 2012-03-15 (ISO), 2555/3/15
    re.compile(r"(?P<y>\d{4})\s*[/.\-]\s*(?P<m>\d{1,2})\s*[/.\-]\s*(?P<d>\d{1,2})"),
    # 15 มี.ค. 2555, 15 มีนาคม 55, 15มีค55, 15 Mar 2012
    re.compile(r"(?P<d>\d{1,2})\s*(?P<name>[^\d\s,][^\d,]*?)\s*,?\s*" + _YEAR),
    # March 15, 2012
    re.compile(r"(?P<name>[a-z][a-z.]*)\s*(?P<d>\d{1,2})(?:st|nd|rd|th)?\s*,?\s*" + _YEAR),
)
_DAY_PREFIX = re.compile(r"^(?:วันที่|วันที|ที่)\s*")
_ERA = re.compile(
    r"(พ\s*\.?\s*ศ\s*\.?|ค\s*\.?\s*ศ\s*\.?|\bb\.?\s?e\.?|\bc\.?\s?e\.?|\ba\.?\s?d\.?)\s*"
)


def buddhist_year(year: int) -> int:
    return year + BE_OFFSET


def parse_date(raw: str, today: date) -> date:
    """A date of birth (or other past date) no more than 30 years before `today`."""
    result = _read_date(raw)
    if result > today:
        raise InvalidDate("future")
    if result < years_before(today, MAX_AGE_YEARS):
        raise InvalidDate("too-old")
    return result


def parse_coming_date(raw: str, today: date) -> date:
    """A day after `today` and within a year of it, such as when to be reminded."""
    result = _read_date(raw)
    if result <= today:
        raise InvalidDate("not-coming")
    if result > today + timedelta(days=366):
        raise InvalidDate("too-far")
    return result


def _read_date(raw: str) -> date:
    """A calendar date as people type it, in either era; not checked against today."""
    text = clean_text(normalize_digits(raw)).casefold()
    text = _DAY_PREFIX.sub("", text)
    era: str | None = None
    marker = _ERA.search(text)
    if marker:
        era = "be" if marker.group(1).startswith("พ") or "b" in marker.group(1) else "ce"
        text = (text[: marker.start()] + " " + text[marker.end() :]).strip()

    for pattern in _PATTERNS:
        found = pattern.fullmatch(text)
        if found:
            break
    else:
        raise InvalidDate("format")

    parts = found.groupdict()
    if parts.get("name") is not None:
        month = _MONTHS.get(_month_key(parts["name"]))
        if month is None:
            raise InvalidDate("format")
    else:
        month = int(parts["m"])
    year = _gregorian_year(parts["y"], era)

    try:
        return date(year, month, int(parts["d"]))
    except ValueError:
        raise InvalidDate("impossible") from None


def _gregorian_year(digits: str, era: str | None) -> int:
    year = int(digits)
    if len(digits) == 2:
        return (2000 + year) if era == "ce" else (2500 + year - BE_OFFSET)
    if era == "be" or (era is None and year >= _FIRST_BE_YEAR):
        year -= BE_OFFSET
    if year < 1:
        raise InvalidDate("too-old")
    return year


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 Feb in a year that has none
        return day.replace(year=day.year - years, day=28)


def format_date(d: date, lang: str) -> str:
    """Thai: "15 มี.ค. 2555" (B.E.); any other language: "15 Mar 2012"."""
    if lang.replace("_", "-").split("-")[0].lower() == "th":
        return f"{d.day} {THAI_MONTHS_ABBR[d.month - 1]} {buddhist_year(d.year)}"
    return f"{d.day} {ENGLISH_MONTHS_ABBR[d.month - 1]} {d.year}"


def age_from(born: date | None, birth_year: int, today: date) -> int:
    """Completed years from a birth date, or from a birth year when only that is known."""
    return age_on(born, today) if born is not None else today.year - birth_year


def age_on(born: date, today: date) -> int:
    """Completed years; someone born on 29 Feb turns a year older on 1 Mar in common years."""
    if born > today:
        raise ValueError("born after today")
    before_birthday = (today.month, today.day) < (born.month, born.day)
    return today.year - born.year - before_birthday
