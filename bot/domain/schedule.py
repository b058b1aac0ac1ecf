"""When reminders fall due: working days, quiet hours, the student-database data rounds."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

# Reminders people choose ("remind me tomorrow") come in the morning.
MORNING = time(9, 0)
# OBEC's student database (DMC) is confirmed three times a year: schools check who is on
# their rolls on these days, so a child enrolled in a school is asked about a week before.
DATA_ROUNDS = ((6, 10), (11, 10), (3, 31))
DATA_ROUND_NOTICE = timedelta(days=7)
SATURDAY = 5
BANGKOK = ZoneInfo("Asia/Bangkok")


@dataclass(frozen=True)
class ReminderPolicy:
    """How long things may wait before somebody is reminded, and when nobody is disturbed."""

    tz: tzinfo = BANGKOK
    unanswered_days: int = 3  # working days
    escalate_days: int = 7
    days_by_unit_type: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    stalled_days: int = 30
    question_days: int = 2
    attendance_days: tuple[int, ...] = (30, 90, 180)
    quiet_hours: tuple[int, int] = (20, 7)  # from 20:00 until 07:00
    quiet_weekends: bool = False

    def unanswered(self, unit_kind: str) -> tuple[int, int]:
        """(working days before the unit is reminded, days before the coordinators are)."""
        return self.days_by_unit_type.get(unit_kind, (self.unanswered_days, self.escalate_days))

    def is_quiet(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz)
        start, end = self.quiet_hours
        hour = local.hour
        quiet_hour = (start <= hour or hour < end) if start > end else start <= hour < end
        return quiet_hour or (self.quiet_weekends and local.weekday() >= SATURDAY)

    def morning(self, day: date) -> datetime:
        return datetime.combine(day, MORNING, tzinfo=self.tz)

    def today(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()


def add_working_days(moment: datetime, days: int, tz: tzinfo) -> datetime:
    """`days` working days (Monday to Friday) after `moment`, at the same local time. From
    a weekend, counting starts on Monday. Public holidays are not known here."""
    local = moment.astimezone(tz)
    while local.weekday() >= SATURDAY:
        local += timedelta(days=1)
    remaining = days
    while remaining > 0:
        local += timedelta(days=1)
        if local.weekday() < SATURDAY:
            remaining -= 1
    return local


def data_rounds_between(start: date, end: date) -> list[date]:
    """The data-round days after `start` and up to `end`, in order."""
    found = []
    for year in range(start.year, end.year + 1):
        for month, day in DATA_ROUNDS:
            round_day = date(year, month, day)
            if start < round_day <= end:
                found.append(round_day)
    return sorted(found)
