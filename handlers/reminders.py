"""Reminders in chat: the job that sends what is due, and the buttons on reminders.

The job is only the alarm clock: what is due, and what was sent, lives in the database
(`bot.services.reminders`). Each message is marked sent only after Telegram accepted it.
"""

import logging
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot import presenters
from bot.domain.models import AttendanceAnswer
from bot.errors import StaleAction
from bot.runtime import Runtime
from bot.services import referrals, reminders
from handlers.callback_data import (
    AttendanceButton,
    CaseActionButton,
    MoveDistrictButton,
    NoteButton,
    RemindMeButton,
    SnoozeButton,
)
from handlers.context import CHANNEL, RUNTIME_KEY, PanongContext
from handlers.errors import tell_of_undelivered
from handlers.keyboards import button, rows
from handlers.notices import render, send_notices

log = logging.getLogger(__name__)

REMIND_IN_DAYS = (1, 3, 7, 14)


async def send_due_reminders(bot: Bot, runtime: Runtime) -> int:
    """One wake-up: queue the reminders that fell due, send the queued messages. How many
    messages were sent."""
    settings, db, now = runtime.settings, runtime.db, runtime.now()
    language = settings.default_language
    await reminders.expand_due(db, settings.reminder_policy, now=now,
                               limit=settings.reminder_batch, default_language=language)
    sent = 0
    for message in await reminders.messages_due(db, now=now, limit=settings.reminder_batch):
        if message.channel != CHANNEL:
            continue
        notice = await reminders.compose(db, message.id, now=now)
        if notice is None:
            continue
        text, keyboard = render(notice, language)
        try:
            await bot.send_message(int(message.chat_id), text, reply_markup=keyboard)
        except RetryAfter as error:
            await reminders.retry_later(db, message.id, "429", now=now,
                                        after=_seconds(error.retry_after))
        except Forbidden:
            await reminders.unreachable(db, message.id, now=now, default_language=language)
        except BadRequest as error:
            await reminders.undeliverable(db, message.id, error.message)
        except NetworkError as error:  # timeouts and connection errors included
            await reminders.retry_later(db, message.id, str(error), now=now)
        else:
            await reminders.delivered(db, message.id, now=runtime.now())
            sent += 1
    return sent


def _seconds(retry_after: int | timedelta) -> timedelta:
    return retry_after if isinstance(retry_after, timedelta) else timedelta(
        seconds=retry_after)


async def reminders_job(context: PanongContext) -> None:
    """Run by the JobQueue every few seconds, and once at start-up to catch up: due
    reminders, then word to those whose messages did not get through."""
    runtime: Runtime = context.application.bot_data[RUNTIME_KEY]
    await send_due_reminders(context.bot, runtime)
    await tell_of_undelivered(context.bot, runtime)


# --- buttons on reminders ---------------------------------------------------------------


async def snooze(update: Update, context: PanongContext) -> None:
    query = update.callback_query
    assert query is not None
    pressed = SnoozeButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    runtime = context.runtime
    again = await reminders.snooze(runtime.db, context.actor, pressed.reminder_id,
                                   pressed.days, now=runtime.now())
    await query.answer(context.t("reminder-snoozed", date=presenters.local_date(
        again.due_at, context.t, runtime.settings.tz)))
    await query.edit_message_reply_markup(None)


async def answer_attendance(update: Update, context: PanongContext) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    pressed = AttendanceButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    runtime, t = context.runtime, context.t
    answered = await referrals.answer_attendance(runtime.db, context.actor,
                                                 pressed.reminder_id, pressed.answer,
                                                 now=runtime.now())
    await query.answer()
    await query.edit_message_text(t(f"attendance-answered-{answered.answer}",
                                    code=answered.case.code))
    await send_notices(context, answered.notices)
    if answered.answer is AttendanceAnswer.MOVED:
        choices = [button(place.name(t.lang), MoveDistrictButton(case_id=answered.case.id,
                                                                 district_code=place.code))
                   for place in runtime.geography.districts]
        await query.message.reply_text(t("move-ask-district"),
                                       reply_markup=InlineKeyboardMarkup(rows(choices, 2)))


async def ask_when(update: Update, context: PanongContext) -> None:
    """"Remind me" on a case card: quick choices, or a date to type."""
    query = update.callback_query
    assert query is not None and query.message is not None
    pressed = CaseActionButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    await reminders.check_case(context.runtime.db, context.actor, pressed.case_id)
    t = context.t
    choices = [button(t(f"button-remind-in-{days}"),
                      RemindMeButton(case_id=pressed.case_id, days=days))
               for days in REMIND_IN_DAYS]
    layout = rows(choices, 2)
    layout.append([button(t("button-remind-on-date"),
                          NoteButton(target_id=pressed.case_id, kind="remind"))])
    await query.answer()
    await query.message.reply_text(t("remind-ask"), reply_markup=InlineKeyboardMarkup(layout))


async def remind_in(update: Update, context: PanongContext) -> None:
    query = update.callback_query
    assert query is not None
    pressed = RemindMeButton.unpack(query.data)
    if pressed is None or pressed.days not in REMIND_IN_DAYS:
        raise StaleAction()
    runtime = context.runtime
    policy = runtime.settings.reminder_policy
    when = policy.morning(runtime.today() + timedelta(days=pressed.days))
    await reminders.remind_me(runtime.db, context.actor, pressed.case_id, when,
                              now=runtime.now())
    await query.answer()
    await query.edit_message_text(context.t("remind-set", date=presenters.local_date(
        when, context.t, runtime.settings.tz)))


async def show_reminders(update: Update, context: PanongContext) -> None:
    """/reminders for coordinators: overdue, due within a day, failed."""
    assert update.effective_message is not None
    runtime = context.runtime
    found = await reminders.overview(runtime.db, context.actor, now=runtime.now())
    await update.effective_message.reply_text(
        presenters.reminder_overview(found, context.t, runtime.settings.tz))
