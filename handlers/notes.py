"""Typed notes on a referral: the unit's question, the teacher's answer, and a decline or
withdrawal reason that none of the buttons gives.

The button may be pressed in a unit's group; the note is asked for, and typed, in the
presser's private chat, so the conversation follows the person, not the chat. The pending
note is kept in the user's persisted data: a restart in between loses nothing.
"""

from datetime import date

from telegram import Update
from telegram.ext import ConversationHandler

from bot import presenters
from bot.domain import dates
from bot.domain.models import DeclineReason, WithdrawReason
from bot.errors import InvalidInput, StaleAction, TextExpected
from bot.flows.callback_data import NoteButton
from bot.services import referrals, reminders
from bot.services.referrals import Change
from handlers.context import PanongContext
from handlers.errors import tell_error
from handlers.persistence import persistence_of
from storage.conversations import ConversationEnd

WRITING = "writing"
NOTE_KEY = "note"
CONVERSATION = "notes"  # the ConversationHandler's name, and its persisted state's
# Notes on a referral: each kind is also the action `referrals.check` knows it by.
REFERRAL_KINDS = frozenset({"ask", "answer", "decline", "withdraw"})
# The date of a reminder the teacher asked for, on a case.
REMIND = "remind"
KINDS = REFERRAL_KINDS | {REMIND}


async def ask_for_note(update: Update, context: PanongContext) -> str:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    pressed = NoteButton.unpack(query.data)
    if pressed is None or pressed.kind not in KINDS:
        raise StaleAction()
    t, db = context.t, context.runtime.db
    if pressed.kind == REMIND:
        case = await reminders.check_case(db, context.actor, pressed.target_id)
        prompt = t("note-ask-remind", code=case.code)
    else:
        view = await referrals.check(db, context.actor, pressed.target_id, pressed.kind)
        prompt = t(f"note-ask-{pressed.kind}", code=view.case_code,
                   need=t(f"need-{view.referral.need}"), limit=referrals.NOTE_LIMIT)
    context.user_data[NOTE_KEY] = {"kind": pressed.kind, "target_id": pressed.target_id}
    await query.answer()
    await context.bot.send_message(update.effective_user.id, prompt)
    return WRITING


async def receive_note(update: Update, context: PanongContext) -> str | int:
    message = update.effective_message
    assert message is not None and message.text is not None
    pending = context.user_data.get(NOTE_KEY)
    if not pending:
        return ConversationHandler.END
    kind, target = pending["kind"], pending["target_id"]
    runtime = context.runtime
    try:
        if kind == REMIND:
            day = dates.parse_coming_date(message.text, runtime.today())
        else:
            note = referrals.parse_note(message.text)
    except InvalidInput as error:
        await tell_error(update, context, error)
        return WRITING
    ending = _ending(update, context)
    if kind == REMIND:
        reply = await _remind(context, target, day, ending)
    else:
        change = await _save(context, kind, target, note, ending)
        reply = context.t(f"note-saved-{kind}", code=change.view.case_code)
    persistence_of(context.application).ended(context.user_data, NOTE_KEY)
    await message.reply_text(reply)
    return ConversationHandler.END


def _ending(update: Update, context: PanongContext) -> ConversationEnd:
    """The note's conversation ends with the write the note makes: after a crash, the
    next text must not be taken for another note."""
    assert update.effective_user is not None
    user_id = update.effective_user.id
    return persistence_of(context.application).ending(user_id, context.user_data, NOTE_KEY,
                                                      CONVERSATION, (user_id,))


async def _remind(context: PanongContext, case_id: int, day: date,
                  ending: ConversationEnd) -> str:
    """A reminder on the typed day, in the morning; the answer to show."""
    runtime = context.runtime
    when = runtime.settings.reminder_policy.morning(day)
    await reminders.remind_me(runtime.db, context.actor, case_id, when, now=runtime.now(),
                              ending=ending)
    return context.t("remind-set", date=presenters.local_date(when, context.t,
                                                               runtime.settings.tz))


async def _save(context: PanongContext, kind: str, referral_id: int, note: str,
                ending: ConversationEnd) -> Change:
    runtime = context.runtime
    db, actor, now = runtime.db, context.actor, runtime.now()
    language = runtime.settings.default_language
    if kind == "ask":
        return await referrals.ask_information(db, actor, referral_id, note, now=now,
                                               ending=ending)
    if kind == "answer":
        return await referrals.answer_information(db, actor, referral_id, note, now=now,
                                                  default_language=language, ending=ending)
    if kind == "decline":
        return await referrals.decline(db, actor, referral_id, DeclineReason.OTHER, now=now,
                                       note=note, ending=ending)
    return await referrals.withdraw(db, actor, referral_id, WithdrawReason.OTHER, now=now,
                                    default_language=language, note=note, ending=ending)


async def not_text(update: Update, context: PanongContext) -> str:
    await tell_error(update, context, TextExpected())
    return WRITING


async def cancel_note(update: Update, context: PanongContext) -> int:
    assert update.effective_message is not None
    context.user_data.pop(NOTE_KEY, None)
    await update.effective_message.reply_text(context.t("note-cancelled"))
    return ConversationHandler.END
