"""People's names in any script, and the loose form used to spot duplicate registrations."""

import unicodedata
from collections.abc import Sequence

from rapidfuzz import fuzz, process

from bot.domain.text import clean_text
from bot.errors import InvalidName

SIMILAR_NAME_THRESHOLD = 85

_NAME_PUNCTUATION = frozenset(".-'’()")
# Thai maitaikhu, tone marks, thanthakhat, nikhahit, yamakkan: typed inconsistently or
# forgotten, so they must not make two registrations of one child look different. Nikhahit
# is dropped last, after it has been put back together with sara aa into sara am.
_THAI_LOOSE_MARKS = dict.fromkeys(c for c in range(0x0E47, 0x0E4F) if c != 0x0E4D)
_NIKHAHIT = dict.fromkeys([0x0E4D])
_APOSTROPHES = dict.fromkeys(map(ord, "'’ʼ`"))
_SARA_AM_SPLIT = "\u0e4d\u0e32"  # nikhahit + sara aa, how NFKD (and some keyboards) spell ำ
_SARA_AM = "\u0e33"


def parse_person_name(raw: str, limit: int = 60) -> str:
    """A name of letters (any script, with their combining marks), spaces and . - ' ’ ( )."""
    name = clean_text(raw)
    if not name:
        raise InvalidName("empty")
    if len(name) > limit:
        raise InvalidName("too-long")
    if not any(unicodedata.category(ch).startswith("L") for ch in name):
        raise InvalidName("characters")
    for ch in name:
        if not (ch == " " or ch in _NAME_PUNCTUATION or unicodedata.category(ch)[0] in "LM"):
            raise InvalidName("characters")
    return name


def name_key(*parts: str) -> str:
    """The form in which names are compared for duplicates (never shown to anyone)."""
    keys = (_part_key(part) for part in parts)
    return " ".join(key for key in keys if key)


def _part_key(part: str) -> str:
    s = unicodedata.normalize("NFKD", clean_text(part).casefold())
    # Drop Latin (and Greek, Cyrillic) accents, but keep the marks other scripts, such as
    # Myanmar, need to spell a name at all.
    s = "".join(ch for ch in s if not 0x0300 <= ord(ch) <= 0x036F)
    s = s.translate(_THAI_LOOSE_MARKS).replace(_SARA_AM_SPLIT, _SARA_AM).translate(_NIKHAHIT)
    s = s.translate(_APOSTROPHES)
    s = "".join(" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in s)
    return " ".join(unicodedata.normalize("NFC", s).split())


def similar_names(a_key: str, b_key: str) -> bool:
    """Whether two `name_key`s probably name the same person."""
    return bool(similar_among(a_key, [b_key]))


def similar_among(key: str, keys: Sequence[str]) -> set[int]:
    """The positions of the `keys` that probably name the same person as `key` (a name
    key of nobody, erased, names nobody).

    Word order is ignored (token_sort_ratio), but a typo in a word's first letter can
    re-sort the words ("Nang Hseng" / "Nang Seng"), so the plain ratio counts too. A whole
    district's cohort is compared at once, in rapidfuzz's own loop.
    """
    if not key:
        return set()
    return {index
            for scorer in (fuzz.token_sort_ratio, fuzz.ratio)
            for _, _, index in process.extract(key, keys, scorer=scorer, limit=None,
                                               score_cutoff=SIMILAR_NAME_THRESHOLD)
            if keys[index]}
