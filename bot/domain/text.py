"""Cleaning free text typed on a phone keyboard before it is checked or stored."""

import unicodedata

from bot.errors import TextTooLong

# Characters that are invisible but make two equal-looking strings differ: zero-width
# space/joiners, word joiner, BOM, soft hyphen and the bidirectional controls.
_INVISIBLE = frozenset(
    (
        *(0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x200E, 0x200F),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    )
)
# One pass: invisible characters dropped, control characters (category Cc: C0, DEL, C1)
# turned into spaces.
_CLEAN = {**dict.fromkeys(_INVISIBLE), **dict.fromkeys((*range(0x20), *range(0x7F, 0xA0)),
                                                        " ")}


def normalize_digits(s: str) -> str:
    """Turn Thai (and any other Unicode decimal) digits into ASCII 0-9; leave the rest."""
    if s.isascii():
        return s
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in s
    )


def clean_text(s: str) -> str:
    """Drop invisible characters, turn control characters into spaces and collapse whitespace."""
    return " ".join(unicodedata.normalize("NFC", s.translate(_CLEAN)).split())


def parse_short_text(raw: str, limit: int) -> str:
    """Clean `raw` and check its length; the result may be empty, callers decide if that is ok."""
    text = clean_text(raw)
    if len(text) > limit:
        raise TextTooLong(limit)
    return text


def display_width(s: str) -> int:
    """Columns the text takes in a monospaced font: Thai vowel and tone marks above or below
    a consonant take none."""
    return sum(0 if unicodedata.category(ch) in ("Mn", "Me", "Cf") else 1 for ch in s)


def fit(s: str, width: int, *, right: bool = False) -> str:
    """`s` cut (with …) or padded to exactly `width` columns."""
    if display_width(s) > width:
        kept = ""
        for ch in s:
            if display_width(kept + ch) > width - 1:
                break
            kept += ch
        s = kept + "…"
    padding = " " * (width - display_width(s))
    return padding + s if right else s + padding
