"""Reminders on LINE: "remind me" from a case card (a quick choice, or a day to type,
`line.notes`), and the buttons of the reminders that fall due: snooze one, answer whether
the child still attends (a child who moved: where to, as from the case card).

LINE cannot take a reminder's buttons away once pressed: a press on one already answered
is refused by the service, and says so.
"""

from datetime import timedelta

from bot import presenters
from bot.domain.models import AttendanceAnswer
from bot.errors import StaleAction
from bot.flows import choices
from bot.flows.callback_data import (
    AttendanceButton,
    CaseActionButton,
    RemindMeButton,
    SnoozeButton,
)
from bot.services import referrals, reminders
from line.render import offered, text_message
from line.turn import Answer, Postback, Routes, Turn


def _is_remind(data: str) -> bool:
    pressed = CaseActionButton.unpack(data)
    return pressed is not None and pressed.action == "remind"


async def _ask_when(turn: Turn) -> Answer:
    pressed = CaseActionButton.unpack(turn.postback)
    assert pressed is not None
    await reminders.check_case(turn.runtime.db, turn.actor, pressed.case_id)
    return [text_message(turn.t("remind-ask"),
                         offered(choices.remind_when(pressed.case_id, turn.t).every))]


async def _remind_in(turn: Turn) -> Answer:
    pressed = RemindMeButton.unpack(turn.postback)
    if pressed is None or pressed.days not in choices.REMIND_IN_DAYS:
        raise StaleAction()
    runtime, t = turn.runtime, turn.t
    when = runtime.settings.reminder_policy.morning(runtime.today()
                                                    + timedelta(days=pressed.days))
    await reminders.remind_me(runtime.db, turn.actor, pressed.case_id, when, now=runtime.now())
    return [text_message(t("remind-set", date=presenters.local_date(when, t,
                                                                    runtime.settings.tz)))]


async def snooze(turn: Turn) -> Answer:
    """A reminder put off: pressed in private, or in the unit's group it went to."""
    pressed = SnoozeButton.unpack(turn.postback)
    assert pressed is not None
    runtime, t = turn.runtime, turn.t
    again = await reminders.snooze(runtime.db, turn.actor, pressed.reminder_id, pressed.days,
                                   now=runtime.now())
    return [text_message(t("reminder-snoozed", date=presenters.local_date(
        again.due_at, t, runtime.settings.tz)))]


async def _answer_attendance(turn: Turn) -> Answer:
    pressed = AttendanceButton.unpack(turn.postback)
    assert pressed is not None
    runtime, t = turn.runtime, turn.t
    answered = await referrals.answer_attendance(runtime.db, turn.actor, pressed.reminder_id,
                                                 pressed.answer, now=runtime.now())
    answer = [text_message(t(f"attendance-answered-{answered.answer}",
                             code=answered.case.code))]
    if answered.answer is AttendanceAnswer.MOVED:
        answer.append(text_message(t("move-ask-district"), offered(choices.districts(
            answered.case.id, runtime.geography, t))))
    return answer


ROUTES = Routes(postbacks=[
    Postback(_is_remind, _ask_when),
    Postback(lambda data: RemindMeButton.unpack(data) is not None, _remind_in),
    Postback(lambda data: SnoozeButton.unpack(data) is not None, snooze),
    Postback(lambda data: AttendanceButton.unpack(data) is not None, _answer_attendance),
])
