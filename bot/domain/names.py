"""People's names in any script, and the loose form used to spot duplicate registrations."""

import unicodedata
from collections.abc import Sequence

from rapidfuzz import fuzz, process

from bot.domain.text import clean_text
from bot.errors import InvalidName

SIMILAR_NAME_THRESHOLD = 85

# Thai maitaikhu, tone marks, thanthakhat, nikhahit, yamakkan: typed inconsistently or
# forgotten, so they must not make two registrations of one child look different. Nikhahit
# is dropped last, after it has been put back together with sara aa into sara am.
_THAI_LOOSE_MARKS = dict.fromkeys(c for c in range(0x0E47, 0x0E4F) if c != 0x0E4D)
_NIKHAHIT = dict.fromkeys([0x0E4D])
_APOSTROPHES = dict.fromkeys(map(ord, "'’ʼ`"))
_SARA_AM_SPLIT = "\u0e4d\u0e32"  # nikhahit + sara aa, how NFKD (and some keyboards) spell ำ
_SARA_AM = "\u0e33"


def parse_person_name(raw: str, limit: int = 60) -> str:
    """A name as the family writes it, in any script: letters with their combining marks
    (Thai, Myanmar, Khmer, Lao vowel and tone signs), and whatever punctuation real names
    carry: O'Brien, D’Souza, Mary-Jane, Ma. Thida (Mimi). Stored as text (NFC, whitespace
    collapsed); anything that looks like markup is escaped where it is shown, not refused.

    A name needs a letter, and has no digits (an ID or phone typed at the wrong question),
    no emoji and no control characters.
    """
    if any(unicodedata.category(ch) == "Cc" and not ch.isspace() for ch in raw):
        raise InvalidName("characters")
    name = clean_text(raw)
    if not name:
        raise InvalidName("empty")
    if len(name) > limit:
        raise InvalidName("too-long")
    categories = [unicodedata.category(ch) for ch in name]
    if not any(category[0] == "L" for category in categories):
        raise InvalidName("characters")
    if any(category[0] in "NC" or category == "So" for category in categories):
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
