from datetime import date

import pytest

from bot.domain.dates import (
    THAI_MONTHS_ABBR,
    THAI_MONTHS_FULL,
    age_on,
    buddhist_year,
    format_date,
    parse_date,
)
from bot.errors import InvalidDate

TODAY = date(2025, 6, 1)  # 1 มิ.ย. 2568
MARCH_15_2012 = date(2012, 3, 15)  # 15 มี.ค. 2555


@pytest.mark.parametrize(
    "raw",
    [
        "15/3/2555",
        "15/03/2555",
        "15-03-2012",
        "15.3.55",
        "15/3/55",
        "15 3 2555",
        "๑๕/๓/๒๕๕๕",
        "๑๕ มี.ค. ๒๕๕๕",
        "15 มี.ค. 2555",
        "15 มี.ค.2555",
        "15มี.ค.2555",
        "15 มีค 2555",
        "15 มี ค 2555",
        "15มีค55",
        "15 มี.ค. 55",
        "15 มีนาคม 2555",
        "15 มีนา 55",
        "15 มีนาคม พ.ศ. 2555",
        "วันที่ 15 มีนาคม 2555",
        "2012-03-15",
        "2555-03-15",
        "15 Mar 2012",
        "15 mar 2012",
        "15 MARCH 2012",
        "15 March, 2012",
        "March 15, 2012",
        "march 15 2012",
        "Mar 15th, 2012",
    ],
)
def test_dates_are_read_the_way_thai_teachers_type_them(raw: str) -> None:
    assert parse_date(raw, TODAY) == MARCH_15_2012


@pytest.mark.parametrize(("month", "name"), list(enumerate(THAI_MONTHS_FULL, start=1)))
def test_every_full_thai_month_name_is_understood(month: int, name: str) -> None:
    assert parse_date(f"1 {name} 2560", TODAY) == date(2017, month, 1)


@pytest.mark.parametrize(("month", "name"), list(enumerate(THAI_MONTHS_ABBR, start=1)))
def test_every_abbreviated_thai_month_is_understood_with_or_without_dots(
    month: int, name: str
) -> None:
    assert parse_date(f"1 {name} 2560", TODAY) == date(2017, month, 1)
    assert parse_date(f"1 {name.replace('.', '')} 60", TODAY) == date(2017, month, 1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1 กุมภาพันธ 2560", date(2017, 2, 1)),  # thanthakhat left out
        ("1 กรกฏาคม 2560", date(2017, 7, 1)),  # the common misspelling
        ("1 ก.ค. 2560", date(2017, 7, 1)),
        ("1 ก.พ. 2560", date(2017, 2, 1)),
        ("1 พ.ค. 2560", date(2017, 5, 1)),
        ("1 พ.ย. 2560", date(2017, 11, 1)),
        ("1 พฤศจิกายน 2560", date(2017, 11, 1)),
        ("3 sept 2017", date(2017, 9, 3)),
    ],
)
def test_similar_or_misspelt_month_names_are_not_confused(raw: str, expected: date) -> None:
    assert parse_date(raw, TODAY) == expected


@pytest.mark.parametrize(
    ("month", "name"),
    list(
        enumerate(
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
            start=1,
        )
    ),
)
def test_english_month_names_are_understood_in_any_case(month: int, name: str) -> None:
    assert parse_date(f"1 {name} 2017", TODAY) == date(2017, month, 1)
    assert parse_date(f"1 {name.upper()} 2017", TODAY) == date(2017, month, 1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1/1/2560", date(2017, 1, 1)),  # B.E.
        ("1/1/2017", date(2017, 1, 1)),  # C.E.
        ("1/1/60", date(2017, 1, 1)),  # two-digit B.E.
        ("2017-01-01", date(2017, 1, 1)),
        ("2560-01-01", date(2017, 1, 1)),
        ("1 ม.ค. 2017", date(2017, 1, 1)),
    ],
)
def test_years_may_be_buddhist_or_gregorian(raw: str, expected: date) -> None:
    assert parse_date(raw, TODAY) == expected


def test_two_digit_years_are_buddhist_era() -> None:
    assert parse_date("1/1/68", TODAY) == date(2025, 1, 1)
    with pytest.raises(InvalidDate) as caught:
        parse_date("1/1/12", TODAY)  # 2512 = 1969, not 2012
    assert caught.value.reason == "too-old"


def test_29_february_exists_in_a_leap_year() -> None:
    assert parse_date("29/2/2555", TODAY) == date(2012, 2, 29)


@pytest.mark.parametrize(
    "raw",
    ["29/2/2556", "31/2/2555", "31/4/2555", "0/3/2555", "15/13/2555", "15/0/2555", "32/1/2555"],
)
def test_days_that_do_not_exist_are_impossible(raw: str) -> None:
    with pytest.raises(InvalidDate) as caught:
        parse_date(raw, TODAY)
    assert caught.value.reason == "impossible"
    assert caught.value.key == "error-date-impossible"


@pytest.mark.parametrize("raw", ["2/6/2568", "2/6/2025", "1/1/2569", "1/1/69"])
def test_dates_after_today_are_in_the_future(raw: str) -> None:
    with pytest.raises(InvalidDate) as caught:
        parse_date(raw, TODAY)
    assert caught.value.reason == "future"


def test_today_is_not_in_the_future() -> None:
    assert parse_date("1/6/2568", TODAY) == TODAY


def test_exactly_30_years_ago_is_still_accepted() -> None:
    assert parse_date("1/6/2538", TODAY) == date(1995, 6, 1)


@pytest.mark.parametrize("raw", ["31/5/2538", "1/1/1990", "15/3/2500", "1/1/0543"])
def test_more_than_30_years_ago_is_too_old(raw: str) -> None:
    with pytest.raises(InvalidDate) as caught:
        parse_date(raw, TODAY)
    assert caught.value.reason == "too-old"


def test_the_30_year_limit_works_from_a_29_february() -> None:
    leap_day = date(2024, 2, 29)
    assert parse_date("28/2/1994", leap_day) == date(1994, 2, 28)
    with pytest.raises(InvalidDate):
        parse_date("27/2/1994", leap_day)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "yesterday",
        "15",
        "15/3",
        "15 มีนาคม",
        "15/3/255",
        "15//2555",
        "15/3/2555/1",
        "15 Foo 2555",
        "15 มกรามี 2555",
        "2555",
        "15-3-2555 10:00",
    ],
)
def test_garbage_is_not_a_date(raw: str) -> None:
    with pytest.raises(InvalidDate) as caught:
        parse_date(raw, TODAY)
    assert caught.value.reason == "format"


@pytest.mark.parametrize(
    ("d", "lang", "expected"),
    [
        (MARCH_15_2012, "th", "15 มี.ค. 2555"),
        (date(2017, 1, 1), "th", "1 ม.ค. 2560"),
        (date(2017, 12, 31), "th", "31 ธ.ค. 2560"),
        (MARCH_15_2012, "en", "15 Mar 2012"),
        (MARCH_15_2012, "my", "15 Mar 2012"),
        (date(2017, 9, 3), "en", "3 Sep 2017"),
    ],
)
def test_dates_are_shown_in_the_readers_calendar(d: date, lang: str, expected: str) -> None:
    assert format_date(d, lang) == expected


@pytest.mark.parametrize("lang", ["th", "en"])
def test_formatted_dates_read_back_as_the_same_date(lang: str) -> None:
    assert parse_date(format_date(MARCH_15_2012, lang), TODAY) == MARCH_15_2012


def test_buddhist_year_adds_543() -> None:
    assert buddhist_year(2012) == 2555


@pytest.mark.parametrize(
    ("today", "age"),
    [
        (date(2025, 3, 14), 12),
        (date(2025, 3, 15), 13),
        (date(2025, 3, 16), 13),
        (date(2012, 3, 15), 0),
        (date(2013, 3, 14), 0),
    ],
)
def test_age_counts_completed_years(today: date, age: int) -> None:
    assert age_on(MARCH_15_2012, today) == age


@pytest.mark.parametrize(
    ("today", "age"), [(date(2013, 2, 28), 0), (date(2013, 3, 1), 1), (date(2016, 2, 29), 4)]
)
def test_a_leap_day_birthday_comes_on_1_march_in_common_years(today: date, age: int) -> None:
    assert age_on(date(2012, 2, 29), today) == age


def test_no_age_before_birth() -> None:
    with pytest.raises(ValueError):
        age_on(MARCH_15_2012, date(2012, 3, 14))
