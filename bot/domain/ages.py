"""Ages the project counts, in the groups the province report uses."""

import re
from enum import StrEnum

from bot.domain.text import clean_text, normalize_digits
from bot.errors import InvalidAge

TARGET_AGES = range(3, 19)
MAX_AGE = 25  # older answers are typing mistakes, not out-of-school children

_AGE = re.compile(
    r"(?:อายุ|age)?\s*(?P<n>\d{1,3})\s*"
    r"(?:ปี|ขวบ|years?|yrs?|y)?\s*(?:old)?"
)


class AgeGroup(StrEnum):
    AGE_3_5 = "3-5"
    AGE_6_15 = "6-15"
    AGE_16_18 = "16-18"


# How a case outside the report's groups is counted.
OUTSIDE = "outside"


def age_group(age: int) -> AgeGroup | None:
    """The report group for `age`, or None outside the target ages 3-18."""
    if 3 <= age <= 5:
        return AgeGroup.AGE_3_5
    if 6 <= age <= 15:
        return AgeGroup.AGE_6_15
    if 16 <= age <= 18:
        return AgeGroup.AGE_16_18
    return None


def is_target_age(age: int) -> bool:
    return age in TARGET_AGES


def parse_age(raw: str) -> int:
    """A whole number of years, 0-25, as typed: "7", "๗ ขวบ", "อายุ 7 ปี", "7 years"."""
    found = _AGE.fullmatch(clean_text(normalize_digits(raw)).casefold())
    if not found:
        raise InvalidAge()
    age = int(found["n"])
    if age > MAX_AGE:
        raise InvalidAge()
    return age
