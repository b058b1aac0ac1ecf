import pytest

from bot.domain.text import clean_text, normalize_digits, parse_short_text
from bot.errors import TextTooLong


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("๐๑๒๓๔๕๖๗๘๙", "0123456789"),
        ("อายุ ๗ ปี", "อายุ 7 ปี"),
        ("0123456789", "0123456789"),
        ("١٢٣", "123"),  # Arabic-Indic
        ("၁၂၃", "123"),  # Myanmar
        ("abc", "abc"),
        ("", ""),
    ],
)
def test_digits_of_any_script_become_ascii(raw: str, expected: str) -> None:
    assert normalize_digits(raw) == expected


def test_superscripts_are_not_decimal_digits() -> None:
    assert normalize_digits("x²") == "x²"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  สมชาย   ใจดี  ", "สมชาย ใจดี"),
        ("a\tb\nc\r\nd", "a b c d"),
        ("a\x00b\x07c", "a b c"),
        ("a\u00a0b\u3000c", "a b c"),
        ("สม\u200bชาย", "สมชาย"),
        ("\ufeffhello", "hello"),
        ("soft\u00adhyphen", "softhyphen"),
        ("a\u200c\u200db\u2060c", "abc"),
        ("\u202bابc\u202c", "ابc"),
        ("\u200e\u200f\u2066x\u2069", "x"),
        ("   ", ""),
        ("", ""),
    ],
)
def test_clean_text_removes_what_cannot_be_seen(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_clean_text_composes_to_nfc() -> None:
    assert clean_text("e\u0301") == "\u00e9"


def test_short_text_is_cleaned() -> None:
    assert parse_short_text("  ไม่มี   เอกสาร ", limit=20) == "ไม่มี เอกสาร"


def test_short_text_may_be_empty() -> None:
    assert parse_short_text(" \u200b ", limit=5) == ""


def test_the_limit_counts_the_cleaned_text() -> None:
    assert parse_short_text("  abc  ", limit=3) == "abc"


def test_too_long_text_carries_the_limit() -> None:
    with pytest.raises(TextTooLong) as caught:
        parse_short_text("abcd", limit=3)
    assert caught.value.params == {"limit": 3}
