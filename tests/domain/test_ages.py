import pytest

from bot.domain.ages import TARGET_AGES, AgeGroup, age_group, is_target_age, parse_age
from bot.errors import InvalidAge


@pytest.mark.parametrize(
    ("age", "group"),
    [
        (3, AgeGroup.AGE_3_5),
        (5, AgeGroup.AGE_3_5),
        (6, AgeGroup.AGE_6_15),
        (15, AgeGroup.AGE_6_15),
        (16, AgeGroup.AGE_16_18),
        (18, AgeGroup.AGE_16_18),
    ],
)
def test_ages_fall_into_the_report_groups(age: int, group: AgeGroup) -> None:
    assert age_group(age) is group


@pytest.mark.parametrize("age", [-1, 0, 2, 19, 25])
def test_ages_outside_3_to_18_have_no_group(age: int) -> None:
    assert age_group(age) is None


def test_every_target_age_has_a_group() -> None:
    assert all(age_group(age) is not None for age in TARGET_AGES)
    assert list(TARGET_AGES) == list(range(3, 19))


@pytest.mark.parametrize(("age", "expected"), [(2, False), (3, True), (18, True), (19, False)])
def test_target_ages_are_3_to_18(age: int, expected: bool) -> None:
    assert is_target_age(age) is expected


def test_group_values_are_the_report_labels() -> None:
    assert [g.value for g in AgeGroup] == ["3-5", "6-15", "16-18"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7", 7),
        (" 7 ", 7),
        ("๗", 7),
        ("๑๒ ปี", 12),
        ("7 ขวบ", 7),
        ("7ขวบ", 7),
        ("อายุ 7 ปี", 7),
        ("12 years", 12),
        ("12 Years old", 12),
        ("1 year", 1),
        ("12 yrs", 12),
        ("12y", 12),
        ("0", 0),
        ("25", 25),
        ("007", 7),
    ],
)
def test_ages_are_read_as_typed(raw: str, expected: int) -> None:
    assert parse_age(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "ปี", "seven", "26", "100", "-1", "7.5", "7 8", "7 เดือน", "1234", "7 ปี 6 เดือน"]
)
def test_other_answers_are_not_ages(raw: str) -> None:
    with pytest.raises(InvalidAge):
        parse_age(raw)
