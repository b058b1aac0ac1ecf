"""People's names in any script, and the loose form used to spot duplicate registrations."""

import unicodedata
from collections.abc import Sequence

from rapidfuzz import fuzz, process

from bot.domain.text import clean_text
from bot.errors import InvalidName

SIMILAR_NAME_THRESHOLD = 85
# A Thai and a Latin spelling with fewer consonant sounds than this are never paired.
FEWEST_SOUNDS_ACROSS_SCRIPTS = 4

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
    re-sort the words ("Nang Hseng" / "Nang Seng"), so the plain ratio counts too. The keys
    are compared at once, in rapidfuzz's own loop.

    A Thai and a Latin spelling have no letter in common, and are compared by their sounds
    (`_skeleton`): "สมชาย ใจดี" is "Somchai Jaidee" ("smc cd" both). Skeletons are short,
    so a near miss would pair strangers ("มีนา ชัยวัฒน" and "Min Htun", "mn ctn" and
    "mn tn"): across scripts the sounds must be the same, and four at least.
    """
    if not key:
        return set()
    found = _similar(key, keys)
    sounds = _word_sounds(key)
    if sum(map(len, sounds)) >= FEWEST_SOUNDS_ACROSS_SCRIPTS:
        thai = _has_thai(key)
        found |= {index for index, other in enumerate(keys)
                  if other and _has_thai(other) != thai and _word_sounds(other) == sounds}
    return found


def _similar(key: str, keys: Sequence[str]) -> set[int]:
    return {index
            for scorer in (fuzz.token_sort_ratio, fuzz.ratio)
            for _, _, index in process.extract(key, keys, scorer=scorer, limit=None,
                                               score_cutoff=SIMILAR_NAME_THRESHOLD)
            if keys[index]}


def _word_sounds(key: str) -> list[str]:
    return sorted(_sounds(key).split())


def _has_thai(key: str) -> bool:
    return any(_is_thai(ch) for ch in key)


# --- blocking keys: which earlier registrations are worth comparing at all ------------------

# Thai consonants by the sound a Latin spelling gives them, in the classes `_skeleton` keeps:
# aspirated and plain stops together (ค/ข/ก k, พ/ผ/ภ p, ท/ถ/ธ t), จ/ช/ฉ with Latin ch, j and
# Myanmar ky (all "c"), ร with ล (Thai speakers merge them). ห, อ, ฮ carry no sound of their
# own, and ย, ว, ญ are glides that Latin spellings write as vowels: they go with the vowels.
_THAI_CONSONANTS = {
    **dict.fromkeys("กขฃคฅฆ", "k"), "ง": "N", **dict.fromkeys("จฉชฌ", "c"),
    **dict.fromkeys("ซศษส", "s"), **dict.fromkeys("ดฎ", "d"),
    **dict.fromkeys("ตฏถฐฑฒทธ", "t"), **dict.fromkeys("นณ", "n"), "บ": "b", "ป": "p",
    **dict.fromkeys("ผพภ", "p"), **dict.fromkeys("ฝฟ", "f"), "ม": "m",
    **dict.fromkeys("รลฬฤฦ", "l"),
}
# Latin spellings of one sound, longest first: ng is one (N, as Thai ง: "nang" is not
# "aung"), Myanmar ky/gy and English ch/j are one consonant, h after a consonant only marks
# aspiration (ph, th, kh, hs, hl).
_LATIN_SOUNDS = (("ng", "N"), ("tch", "c"), ("ch", "c"), ("ky", "c"), ("gy", "c"), ("j", "c"),
                 ("sh", "s"), ("ph", "p"), ("th", "t"), ("kh", "k"), ("q", "k"), ("r", "l"))
_LATIN_SILENT = frozenset("aeiouywh")
# The duplicate check scores at most this many earlier registrations, those sharing the
# most blocking keys with the new name: a common word ("aung", "mya") alone is shared by
# thousands in a big district, and only the newest five matches are shown anyway.
MOST_CANDIDATES = 50
# Of one blocking key in one birth year, the newest this many registrations are read: what
# keeps a look-up's cost the same in a district of 200,000 as of 2,000.
MOST_PER_KEY = 50


def _is_thai(ch: str) -> bool:
    return "\u0e00" <= ch <= "\u0e7f"


def _skeleton(word: str) -> str:
    """The consonants of one word of a `name_key`, as they sound: what a typo in a vowel,
    an aspiration mark, a Thai or a Latin spelling leave alike. "สมชาย", "somchai" -> "smc";
    "hseng", "seng" -> "sN"; "kyaw", "chaw" -> "c"; "oo", "hoo" -> "o". Letters of other
    scripts (Myanmar, Khmer, Lao) are kept as they are."""
    for spelling, sound in _LATIN_SOUNDS:
        word = word.replace(spelling, sound)
    sounds = []
    for ch in word:
        if _is_thai(ch):
            sounds.append(_THAI_CONSONANTS.get(ch, ""))
        elif ch not in _LATIN_SILENT:
            sounds.append(ch)
    # A word of vowels only ("Oo", "Aye", "Ei") is its letters, as unaspirated.
    skeleton = "".join(sounds) or word.replace("h", "")
    # A doubled letter is one sound ("Minn", "Sitt", "Jaidee", "Yee").
    return "".join(ch for i, ch in enumerate(skeleton) if i == 0 or ch != skeleton[i - 1])


def _sounds(key: str) -> str:
    """A `name_key` as the skeletons of its words (a word without a consonant as it is)."""
    return " ".join(_skeleton(word) or word for word in key.split())


def blocking_keys(key: str) -> dict[str, str]:
    """The keys under which a registration named `key` (a `name_key`) is filed, so that the
    duplicate check reads the few earlier registrations sharing one of them instead of a
    district's whole cohort; an erased child (key "") has none. Each key with what it
    stands for: the word it comes from, or "" for the whole name (several keys of one word
    are one piece of evidence that two names are alike, not several).

    Blocking keys on a name usually lose the variants that differ in a word's first letters.
    These are chosen to keep them. Per word: the word itself; its consonant skeleton, the
    same for a Thai and a Latin spelling, for "Phyu"/"Pyu", "Hlaing"/"Laing", "Hseng"/
    "Seng"; under the same prefix, the skeleton without its first sound, which a typo in
    the first letter, or its loss, leaves alike ("Sandar"/"Andar"); for a longer one, its
    first and its last three sounds (one typo anywhere leaves one of them whole in most
    words: "พิมพ์ชนก"/"พิมชนก"). For the whole name, the sorted
    skeletons of its words (shared by an exact match) and, of three words or more, the
    words but one (shared despite a typo in any one word): names built from a few common
    syllables, as Myanmar names are, share their words' keys with hundreds in a big
    district, and these keys with few. A name with a word in common with another always
    shares a key with it.
    """
    words = key.split()
    skeletons = _sounds(key).split()
    keys = {}
    for word, skeleton in zip(words, skeletons, strict=True):
        keys |= dict.fromkeys([f"e:{word}", f"w:{skeleton}"], word)
        if len(skeleton) > 1:  # without its first sound, the one a typo is likeliest in
            keys[f"w:{skeleton[1:]}"] = word
        if len(skeleton) > 3:
            keys |= dict.fromkeys([f"p:{skeleton[:3]}", f"s:{skeleton[-3:]}"], word)
    if len(words) > 1:
        keys["n:" + " ".join(sorted(skeletons))] = ""
    if len(words) > 2:
        keys |= dict.fromkeys(("m:" + " ".join(sorted(words[:index] + words[index + 1:]))
                               for index in range(len(words))), "")
    return keys
