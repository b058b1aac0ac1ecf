"""Thai mobile numbers, stored in the 10-digit national form ("0812345678")."""

import re

from bot.domain.text import clean_text, normalize_digits
from bot.errors import InvalidPhone

_MASK = "•"
_SEPARATORS = str.maketrans("", "", " -.()")
_MOBILE = re.compile(r"0[689][0-9]{8}")


def parse_thai_mobile(raw: str) -> str:
    """Accept local or international (+66, 0066, 66) forms; return "0XXXXXXXXX".

    Mobile numbers start with 06, 08 or 09; landlines (02, 03x, ...) are refused.
    """
    number = normalize_digits(clean_text(raw)).translate(_SEPARATORS)
    for prefix in ("+66", "0066", "66"):
        if number.startswith(prefix):
            # "+66 081..." is a common mistake for "+66 81..."; both mean the same number.
            number = "0" + number.removeprefix(prefix).removeprefix("0")
            break
    if not _MOBILE.fullmatch(number):
        raise InvalidPhone()
    return number


def format_phone(national: str) -> str:
    """The national form "0812345678" as "081-234-5678"."""
    return f"{national[:3]}-{national[3:6]}-{national[6:]}"


def mask_phone(national: str) -> str:
    """The national form "0812345678" as "081-•••-5678"."""
    return f"{national[:3]}-{_MASK * 3}-{national[6:]}"
