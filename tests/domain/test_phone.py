import pytest

from bot.domain.phone import format_phone, parse_phone
from bot.errors import InvalidPhone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0812345678", "+66812345678"),
        ("081-234-5678", "+66812345678"),
        ("081 234 5678", "+66812345678"),
        ("081.234.5678", "+66812345678"),
        ("(081) 234-5678", "+66812345678"),
        ("๐๘๑-๒๓๔-๕๖๗๘", "+66812345678"),
        ("+66 81 234 5678", "+66812345678"),
        ("+66812345678", "+66812345678"),
        ("+66 (0) 81 234 5678", "+66812345678"),
        ("+66 081 234 5678", "+66812345678"),
        ("66812345678", "+66812345678"),
        ("0066 81 234 5678", "+66812345678"),
        ("0612345678", "+66612345678"),
        ("0912345678", "+66912345678"),
    ],
)
def test_thai_mobiles_are_stored_in_e164(raw: str, expected: str) -> None:
    assert parse_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("021234567", "+6621234567"),  # Bangkok
        ("02-123-4567", "+6621234567"),
        ("0 2123 4567", "+6621234567"),
        ("038 123 456", "+6638123456"),  # Chon Buri
        ("+66 2 123 4567", "+6621234567"),
    ],
)
def test_thai_landlines_are_accepted(raw: str, expected: str) -> None:
    assert parse_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+95 9 420 123 456", "+959420123456"),  # Myanmar mobile
        ("+959420123456", "+959420123456"),
        ("0095 9 420 123 456", "+959420123456"),
        ("+855 12 345 678", "+85512345678"),  # Cambodia
        ("+856 20 2312 3456", "+8562023123456"),  # Laos
    ],
)
def test_foreign_numbers_in_international_form_are_accepted(raw: str, expected: str) -> None:
    assert parse_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "081234567",  # 9 digits: no such mobile
        "08123456789",  # 11 digits
        "0712345678",  # no such area code
        "09 420 123 456",  # a Myanmar number without its country code reads as Thai
        "+95 9 123 456 789",  # not a Myanmar number
        "081-234-567a",  # letters would be read as a keypad's digits
        "081+2345678",
        "081/234/5678",
        "081-234-5678 ext. 12",
        "+",
    ],
)
def test_numbers_that_cannot_be_dialled_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        parse_phone(raw)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+66812345678", "081 234 5678"),
        ("+6621234567", "02 123 4567"),
        ("+959420123456", "+95 9 42012 3456"),
        ("+85512345678", "+855 12 345 678"),
    ],
)
def test_thai_numbers_are_shown_as_dialled_at_home_and_foreign_ones_with_their_code(
    stored: str, shown: str
) -> None:
    assert format_phone(stored) == shown
