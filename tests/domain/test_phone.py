import pytest

from bot.domain.phone import format_phone, mask_phone, parse_thai_mobile
from bot.errors import InvalidPhone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0812345678", "0812345678"),
        ("081-234-5678", "0812345678"),
        ("081 234 5678", "0812345678"),
        ("081.234.5678", "0812345678"),
        ("(081) 234-5678", "0812345678"),
        ("๐๘๑-๒๓๔-๕๖๗๘", "0812345678"),
        ("+66 81 234 5678", "0812345678"),
        ("+66812345678", "0812345678"),
        ("+66 (0) 81 234 5678", "0812345678"),
        ("+66 081 234 5678", "0812345678"),
        ("66812345678", "0812345678"),
        ("0066 81 234 5678", "0812345678"),
        ("0612345678", "0612345678"),
        ("0912345678", "0912345678"),
        ("+66 61 234 5678", "0612345678"),
    ],
)
def test_mobile_numbers_become_the_10_digit_national_form(raw: str, expected: str) -> None:
    assert parse_thai_mobile(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "081234567",  # 9 digits
        "08123456789",  # 11 digits
        "021234567",  # Bangkok landline
        "0212345678",
        "0712345678",
        "812345678",  # leading 0 forgotten
        "+95 9 123 456 789",  # Myanmar
        "+1 812 345 6789",
        "081-234-567a",
        "081+2345678",
        "081/234/5678",
    ],
)
def test_other_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        parse_thai_mobile(raw)


def test_phones_are_shown_in_three_groups() -> None:
    assert format_phone("0812345678") == "081-234-5678"


def test_masked_phones_hide_the_middle_group() -> None:
    assert mask_phone("0812345678") == "081-•••-5678"
