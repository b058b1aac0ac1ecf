"""Guardians' phone numbers: Thai mobiles and landlines, and the Myanmar, Cambodian, Lao
(or any other) numbers of migrant families in international form.

Parsed and checked with libphonenumber (`phonenumbers`), stored in E.164 ("+66812345678",
"+959420123456"), shown as people write them: Thai numbers in the national style
("081 234 5678", "02 123 4567"), foreign ones in international form ("+95 9 42012 3456").
"""

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from bot.domain.text import clean_text, normalize_digits
from bot.errors import InvalidPhone

DEFAULT_REGION = "TH"
_THAILAND = 66
# Digits and the separators people type between them; letters (which libphonenumber would
# read as a keypad's digits), "/" between two numbers, or "ext." are refused.
_TYPED = re.compile(r"\+?[0-9 ().\-]+")


def parse_phone(raw: str) -> str:
    """A valid phone number in E.164. Without a "+" the number is read as Thai.

    "00" followed by a country code ("0066 81…", "0095 9…") is read as "+": no Thai
    number starts with 00, and it is how the neighbouring countries dial abroad.
    """
    typed = normalize_digits(clean_text(raw))
    if not _TYPED.fullmatch(typed):
        raise InvalidPhone()
    candidates = [typed]
    if typed.startswith("00"):
        candidates.append("+" + typed[2:])
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, DEFAULT_REGION)
        except NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, PhoneNumberFormat.E164)
    raise InvalidPhone()


def format_phone(e164: str) -> str:
    """Thai numbers as dialled in Thailand, foreign numbers with their country code."""
    number = phonenumbers.parse(e164, DEFAULT_REGION)
    style = (PhoneNumberFormat.NATIONAL if number.country_code == _THAILAND
             else PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, style)

