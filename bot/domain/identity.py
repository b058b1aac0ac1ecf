"""Identity numbers a child may have: Thai 13-digit ID, MOE G-code, or a foreign document.

The rules below are the published facts collected, with their sources, in the project's
shared domain notes (identity.md): a Thai ID reads N-NNNN-NNNNN-NN-N, person type,
registration office (digits 2-3 its province, 4-5 its district), group, sequence and a
mod-11 check digit; a G-code is G and 12 digits, with no documented check digit.
"""

import re
from enum import StrEnum

from bot.domain.text import clean_text, normalize_digits
from bot.errors import InvalidDocumentNumber, InvalidGCode, InvalidThaiId
from bot.geography import province_codes

_MASK = "•"
_THAI_ID = re.compile(r"[0-9]{13}")
_G_CODE = re.compile(r"G[0-9]{12}")
_DOCUMENT = re.compile(r"[A-Za-z0-9]{5,20}")


class IdentityType(StrEnum):
    THAI_ID = "thai_id"
    G_CODE = "g_code"
    FOREIGN_DOC = "foreign_doc"
    NONE = "none"


def _compact(raw: str, separators: str) -> str:
    text = normalize_digits(clean_text(raw))
    return "".join(ch for ch in text if ch not in separators)


def thai_id_check_digit(first12: str) -> int:
    """Mod-11 check digit over the first 12 digits (weights 13 down to 2)."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def parse_thai_id(raw: str) -> str:
    """Return the 13 bare digits of a Thai personal ID.

    First digits 0-8 are accepted: type 0 is people without registration status, the
    stateless children this bot exists for, whom common validators wrongly reject. 9 is
    reserved, and a number whose digits 2-3 are no province's code was issued by no
    registration office: neither exists, whatever its check digit says.
    """
    digits = _compact(raw, " -.")
    if not _THAI_ID.fullmatch(digits):
        raise InvalidThaiId("length")
    if digits[0] == "9":
        raise InvalidThaiId("first-digit")
    if digits[1:3] not in province_codes():
        raise InvalidThaiId("office")
    if thai_id_check_digit(digits[:12]) != int(digits[12]):
        raise InvalidThaiId("checksum")
    return digits


def parse_g_code(raw: str) -> str:
    """Return "G" + 12 digits. G-codes have no documented check digit, so none is tested."""
    code = _compact(raw, " -").upper()
    if not _G_CODE.fullmatch(code):
        raise InvalidGCode()
    return code


def parse_foreign_document(raw: str) -> str:
    """Passport, pink card or other document number: 5-20 letters/digits, upper-cased."""
    number = _compact(raw, " -")
    if not _DOCUMENT.fullmatch(number):
        raise InvalidDocumentNumber()
    return number.upper()


def parse_identity(kind: IdentityType, raw: str) -> str:
    if kind is IdentityType.THAI_ID:
        return parse_thai_id(raw)
    if kind is IdentityType.G_CODE:
        return parse_g_code(raw)
    if kind is IdentityType.FOREIGN_DOC:
        return parse_foreign_document(raw)
    raise ValueError(f"no number to parse for identity type {kind!r}")


def format_thai_id(digits: str) -> str:
    """13 bare digits as N-NNNN-NNNNN-NN-N."""
    if not _THAI_ID.fullmatch(digits):
        raise ValueError("a Thai ID has 13 digits")
    return _group_thai_id(digits)


def _group_thai_id(s: str) -> str:
    return f"{s[0]}-{s[1:5]}-{s[5:10]}-{s[10:12]}-{s[12]}"


def mask_identity(kind: IdentityType, number: str) -> str:
    """Show only the last 4 characters: enough to tell children apart, too little to misuse.

    `number` is the canonical form returned by `parse_identity`.
    """
    if kind is IdentityType.THAI_ID:
        if not _THAI_ID.fullmatch(number):
            raise ValueError("a Thai ID has 13 digits")
        return _group_thai_id(_MASK * 9 + number[9:])
    if kind is IdentityType.G_CODE:
        if not _G_CODE.fullmatch(number):
            raise ValueError("a G-code is G and 12 digits")
        return "G" + _MASK * 8 + number[-4:]
    if kind is IdentityType.FOREIGN_DOC:
        # A fixed number of bullets, so the mask does not reveal the document's length.
        return _MASK * 4 + (number[-4:] if len(number) > 4 else "")
    raise ValueError(f"no number to mask for identity type {kind!r}")
