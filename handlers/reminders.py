"""Reminders in chat: the job that finds what is due, and the buttons on reminders.

The job is only the alarm clock: what is due lives in the database
(`bot.services.reminders`), and what it owes people is sent from the outbox.
"""

import logging
from datetime import timedelta

from telegram import InlineKeyboardMarkup, Update

from bot import presenters
from bot.domain.models import AttendanceAnswer
from bot.errors import StaleAction
from bot.flows import choices
from bot.flows.admin import reminders_text
from bot.flows.callback_data import (
    AttendanceButton,
    CaseActionButton,
    RemindMeButton,
    SnoozeButton,
)
from bot.runtime import Runtime
from bot.services import downloads, referrals, reminders
from handlers.context import RUNTIME_KEY, PanongContext
from handlers.keyboards import button, rows

log = logging.getLogger(__name__)


async def queue_due_reminders(runtime: Runtime) -> int:
    """The reminders that fell due become outbox rows; the commit wakes the outbox. How
    many reminders were handled."""
    settings = runtime.settings
    return await reminders.expand_due(runtime.db, settings.reminder_policy, now=runtime.now(),
                                      limit=settings.reminder_batch,
                                      default_language=settings.default_language)


async def reminders_job(context: PanongContext) -> None:
    """Run by the JobQueue every minute or so, and once at start-up to catch up: due
    reminders, then word to those whose answers did not get through (owed, like them); and
    files offered as links (LINE) whose time is up are deleted."""
    runtime: Runtime = context.application.bot_data[RUNTIME_KEY]
    settings = runtime.settings
    await queue_due_reminders(runtime)
    await downloads.forget_expired(runtime.db, now=runtime.now())
    await reminders.owe_word_of_undelivered(
        runtime.db, limit=settings.reminder_batch, tz=settings.tz,
        default_language=settings.default_language, now=runtime.now())


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
    if answered.answer is AttendanceAnswer.MOVED:
        districts = [button(label, data) for label, data in choices.districts(
            answered.case.id, runtime.geography, t)]
        await query.message.reply_text(t("move-ask-district"),
                                       reply_markup=InlineKeyboardMarkup(rows(districts, 2)))


async def ask_when(update: Update, context: PanongContext) -> None:
    """"Remind me" on a case card: quick choices, or a date to type."""
    query = update.callback_query
    assert query is not None and query.message is not None
    pressed = CaseActionButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    await reminders.check_case(context.runtime.db, context.actor, pressed.case_id)
    t = context.t
    menu = choices.remind_when(pressed.case_id, t)
    layout = rows([button(label, data) for label, data in menu.choices], 2)
    layout += [[button(label, data)] for label, data in menu.extra]
    await query.answer()
    await query.message.reply_text(t("remind-ask"), reply_markup=InlineKeyboardMarkup(layout))


async def remind_in(update: Update, context: PanongContext) -> None:
    query = update.callback_query
    assert query is not None
    pressed = RemindMeButton.unpack(query.data)
    if pressed is None or pressed.days not in choices.REMIND_IN_DAYS:
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
    """/reminders for coordinators: overdue, due within a day, failed (and LINE's pushes)."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        await reminders_text(context.runtime, context.actor, context.t))
