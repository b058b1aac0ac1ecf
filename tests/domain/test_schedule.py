"""When reminders fall due: working days, quiet hours, data rounds."""

from datetime import UTC, date, datetime

import pytest

from bot.config import Settings
from bot.domain.schedule import (
    BANGKOK,
    ReminderPolicy,
    add_working_days,
    data_rounds_between,
)


def bangkok(day: int, hour: int, month: int = 12) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=BANGKOK)


@pytest.mark.parametrize(("start", "days", "expected"), [
    (bangkok(1, 10), 3, bangkok(4, 10)),  # Monday -> Thursday
    (bangkok(5, 10), 3, bangkok(10, 10)),  # Friday -> Wednesday
    (bangkok(6, 22), 1, bangkok(9, 22)),  # Saturday: counting starts on Monday
    (bangkok(7, 8), 0, bangkok(8, 8)),  # Sunday, no days: Monday
])
def test_working_days_are_monday_to_friday(start: datetime, days: int,
                                           expected: datetime) -> None:
    assert add_working_days(start, days, BANGKOK) == expected


@pytest.mark.parametrize(("hour", "quiet"), [(19, False), (20, True), (23, True), (0, True),
                                             (6, True), (7, False), (12, False)])
def test_quiet_hours_wrap_around_midnight_in_local_time(hour: int, quiet: bool) -> None:
    policy = ReminderPolicy()
    assert policy.is_quiet(bangkok(2, hour).astimezone(UTC)) is quiet


def test_quiet_weekends_only_when_asked_and_an_empty_quiet_window() -> None:
    saturday_noon = bangkok(6, 12)
    assert not ReminderPolicy().is_quiet(saturday_noon)
    assert ReminderPolicy(quiet_weekends=True).is_quiet(saturday_noon)
    assert not ReminderPolicy(quiet_hours=(0, 0)).is_quiet(bangkok(2, 3))
    assert ReminderPolicy(quiet_hours=(12, 14)).is_quiet(bangkok(2, 13))


def test_data_rounds_are_the_10_june_10_november_and_31_march_in_the_window() -> None:
    assert data_rounds_between(date(2025, 11, 10), date(2026, 11, 10)) == [
        date(2026, 3, 31), date(2026, 6, 10), date(2026, 11, 10)]
    assert data_rounds_between(date(2025, 12, 1), date(2026, 3, 30)) == []


def test_units_of_a_type_may_have_their_own_reminder_days() -> None:
    policy = ReminderPolicy(days_by_unit_type={"MSDHS": (2, 5)})
    assert policy.unanswered("MSDHS") == (2, 5)
    assert policy.unanswered("DOLE") == (3, 7)


def test_the_settings_make_the_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANONG_REMINDER_DAYS_BY_UNIT_TYPE", '{"MSDHS": [2, 5]}')
    monkeypatch.setenv("PANONG_QUIET_HOURS", "[21, 6]")
    policy = Settings(_env_file=None).reminder_policy
    assert policy.unanswered("MSDHS") == (2, 5)
    assert policy.quiet_hours == (21, 6)
