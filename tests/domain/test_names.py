import pytest

from bot.domain.names import (
    SIMILAR_NAME_THRESHOLD,
    blocking_keys,
    name_key,
    parse_person_name,
    similar_among,
    similar_names,
)
from bot.errors import InvalidName


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("สมชาย", "สมชาย"),
        ("  สมชาย   ใจดี ", "สมชาย ใจดี"),
        ("ณัฐวุฒิ", "ณัฐวุฒิ"),
        ("น้ำฝน", "น้ำฝน"),
        ("พิมพ์ชนก", "พิมพ์ชนก"),
        ("Aung Kyaw Oo", "Aung Kyaw Oo"),
        ("အောင်ကျော်", "အောင်ကျော်"),  # Myanmar script with its combining marks
        ("ນາງ ມາລີ", "ນາງ ມາລີ"),  # Lao
        ("សុខា", "សុខា"),  # Khmer
        ("José", "José"),
        ("O'Brien", "O'Brien"),
        ("D’Souza", "D’Souza"),
        ("Mary-Jane", "Mary-Jane"),
        ("Ma. Thida (Mimi)", "Ma. Thida (Mimi)"),
        ("สม\u200bชาย", "สมชาย"),
        ("O‘Brien", "O‘Brien"),  # a typographic left quote
        ("Jean\u2010Paul", "Jean\u2010Paul"),  # the Unicode hyphen
        ("Nang Seng, Ma Ma", "Nang Seng, Ma Ma"),
        ("Ko Ko “Koko”", "Ko Ko “Koko”"),
        ("Aung & Mya", "Aung & Mya"),
        ("<b>O'Brien (Tun)</b>", "<b>O'Brien (Tun)</b>"),  # text, escaped where shown
        ("ဒေါ်ခင်မြ၊", "ဒေါ်ခင်မြ၊"),  # Myanmar with its comma
        ("Mya\tThida\n", "Mya Thida"),
        ("Tha\u0301nh", "Thánh"),  # normalised to NFC
    ],
)
def test_names_in_any_script_are_accepted(raw: str, expected: str) -> None:
    assert parse_person_name(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "\u200b"])
def test_a_name_cannot_be_empty(raw: str) -> None:
    with pytest.raises(InvalidName) as caught:
        parse_person_name(raw)
    assert caught.value.reason == "empty"
    assert caught.value.key == "error-name-empty"


def test_a_name_cannot_be_longer_than_the_limit() -> None:
    assert parse_person_name("ก" * 60) == "ก" * 60
    with pytest.raises(InvalidName) as caught:
        parse_person_name("ก" * 61)
    assert caught.value.reason == "too-long"


def test_the_limit_can_be_chosen() -> None:
    with pytest.raises(InvalidName) as caught:
        parse_person_name("Aung Kyaw", limit=5)
    assert caught.value.reason == "too-long"


@pytest.mark.parametrize(
    "raw",
    [
        "สมชาย1",
        "๑๒๓",
        "123",
        "สมชาย 😀",
        "...",
        "-",
        "()",
        "<>",
        "ด.ช. #1",
        "Som\x00chai",
        "Som\x1bchai",
        "Mya\ue000",  # private use
        "Mya\u0378",  # unassigned
    ],
)
def test_digits_emoji_and_control_characters_are_not_names(raw: str) -> None:
    with pytest.raises(InvalidName) as caught:
        parse_person_name(raw)
    assert caught.value.reason == "characters"


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("Aung", "Kyaw"), "aung kyaw"),
        (("  MYA  ", "", " Mya "), "mya mya"),
        (("José",), "jose"),
        (("O'Brien-Smith",), "obrien smith"),
        (("Ma. Thida (Mimi)",), "ma thida mimi"),
        (("สมชาย", "ใจดี"), "สมชาย ใจดี"),
        (("พิมพ์ชนก",), "พิมพชนก"),
        (("น้ำฝน",), "นำฝน"),
        (("",), ""),
        ((), ""),
    ],
)
def test_name_keys_ignore_case_accents_and_punctuation(
    parts: tuple[str, ...], expected: str
) -> None:
    assert name_key(*parts) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("น้ำฝน", "นำ้ฝน"),  # tone mark typed after sara am
        ("น้ำฝน", "นํ้าฝน"),  # sara am typed as nikhahit + sara aa
        ("น้ำฝน", "นำฝน"),  # tone mark forgotten
        ("ก่ำ", "ก" + "\u0e4d\u0e48\u0e32"),  # nikhahit, tone mark, sara aa
        ("พิมพ์ชนก", "พิมพชนก"),  # thanthakhat forgotten
        ("เก็บ", "เกบ"),  # maitaikhu forgotten
    ],
)
def test_thai_marks_typed_inconsistently_give_the_same_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_myanmar_vowel_signs_are_kept() -> None:
    assert name_key("မြ") != name_key("မ")


LOOK_ALIKES = [
    ("สมชาย ใจดี", "สมชาย ใจดีย์"),  # a letter and thanthakhat added
    ("สมชาย ใจดี", "สมชาย ใจด"),  # a vowel dropped
    ("ณัฐวุฒิ ศรีสุข", "ณัฐวุธิ ศรีสุข"),  # one wrong consonant
    ("กิตติพงษ์", "กิตติพงศ์"),
    ("ธนากร", "ธนกร"),
    ("พิมพ์ชนก", "พิมชนก"),
    ("Mya Mya", "Mya  Mya"),
    ("Su Su Hlaing", "Su Su Hlain"),
    ("Su Su Hlaing", "Hlaing Su Su"),  # word order
    ("José Martinez", "Jose Martines"),
    ("น้ำฝน", "นำ้ฝน"),
    ("Nang Hseng", "Nang Seng"),  # a typo in a word's first letter
    ("Htet Htet", "Tet Tet"),  # transliterations differing in the first letters
    ("Phyu Phyu Win", "Pyu Pyu Win"),
    ("Su Su Hlaing", "Su Su Laing"),
    ("สมชาย ใจดี", "Somchai Jaidee"),  # a Thai and a Latin spelling
    ("มานี มีนา", "Mani Meena"),
]


@pytest.mark.parametrize(("a", "b"), LOOK_ALIKES)
def test_typical_variants_of_one_name_are_similar(a: str, b: str) -> None:
    assert similar_names(name_key(a), name_key(b))


@pytest.mark.parametrize(("a", "b"), LOOK_ALIKES)
def test_typical_variants_of_one_name_share_a_blocking_key(a: str, b: str) -> None:
    # Else the duplicate check, which reads only the cases sharing a key, would miss them.
    assert blocking_keys(name_key(a)).keys() & blocking_keys(name_key(b)).keys()


def test_an_erased_name_has_no_blocking_key() -> None:
    assert blocking_keys("") == {}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("สมชาย ใจดี", "สมหญิง ใจดี"),
        ("สมชาย ใจดี", "มานี มีนา"),
        ("Aung Kyaw", "Zaw Min"),
        ("Aung Aung", "Aung Ko"),
        ("Kyaw Kyaw", "Kyaw Zin"),
        ("Mg Mg", "Ko Ko"),
        ("สมชาย ใจดี", "Somsak Jaidee"),
        ("สมชาย ใจดี", "Somying Jaidee"),
        ("มีนา ชัยวัฒน์", "Min Htun"),  # across scripts, close sounds are not enough
        ("สุดา", "Suda"),  # nor two sounds alike
    ],
)
def test_clearly_different_names_are_not_similar(a: str, b: str) -> None:
    assert not similar_names(name_key(a), name_key(b))


@pytest.mark.parametrize(("a", "b"), [("", ""), ("", "สมชาย"), ("สมชาย", "")])
def test_empty_keys_are_never_similar(a: str, b: str) -> None:
    assert not similar_names(a, b)


def test_a_cohort_is_compared_at_once_and_gives_the_positions_of_look_alikes() -> None:
    cohort = [name_key(name) for name in
              ("Su Su Hlaing", "Zaw Min", "Hlaing Su Su", "Su Su Hlain", "Mya Mya")]
    cohort.insert(2, "")  # an erased child names nobody
    assert similar_among(name_key("Su Su Hlaing"), cohort) == {0, 3, 4}
    assert similar_among("", cohort) == set()
    assert similar_among(name_key("Aung"), []) == set()


def test_the_threshold_is_85() -> None:
    assert SIMILAR_NAME_THRESHOLD == 85
