"""Typed notes, the same on every channel: what to ask for a note pressed on a referral
(the unit's question, the holder's answer, a reason none of the buttons gives) or on a
case (the day of a reminder), and what saving the typed text does.

Where the note is asked and how its conversation is kept is each channel's: the note's
end (`ConversationEnd`) is written with the change it makes.
"""

from datetime import date

from bot import presenters
from bot.domain import dates
from bot.domain.models import DeclineReason, User, WithdrawReason
from bot.errors import StaleAction
from bot.i18n import Translator
from bot.runtime import Runtime
from bot.services import referrals, reminders
from storage.conversations import ConversationEnd

# Notes on a referral: each kind is also the action `referrals.check` knows it by.
REFERRAL_KINDS = frozenset({"ask", "answer", "decline", "withdraw"})
# The date of a reminder the teacher asked for, on a case.
REMIND = "remind"
KINDS = REFERRAL_KINDS | {REMIND}


async def prompt(runtime: Runtime, actor: User | None, kind: str, target_id: int,
                 t: Translator) -> str:
    """What to ask for, if the actor may now write this note; refused otherwise (the save
    checks again)."""
    db = runtime.db
    if kind == REMIND:
        case = await reminders.check_case(db, actor, target_id)
        return t("note-ask-remind", code=case.code)
    if kind not in REFERRAL_KINDS:
        raise StaleAction()
    view = await referrals.check(db, actor, target_id, kind)
    return t(f"note-ask-{kind}", code=view.case_code, need=t(f"need-{view.referral.need}"),
             limit=referrals.NOTE_LIMIT)


def read(runtime: Runtime, kind: str, typed: str) -> date | str:
    """The typed text as the note it is: a day for a reminder, else the note cleaned.
    Text that is not (too long, not a date) raises `InvalidInput`."""
    if kind == REMIND:
        return dates.parse_coming_date(typed, runtime.today())
    return referrals.parse_note(typed)


async def save(runtime: Runtime, actor: User | None, kind: str, target_id: int,
               note: date | str, t: Translator, *, ending: ConversationEnd) -> str:
    """The note (`read`) saved, and the note's conversation ended, in one transaction;
    what to answer."""
    db, now = runtime.db, runtime.now()
    if kind == REMIND and isinstance(note, date):
        when = runtime.settings.reminder_policy.morning(note)
        await reminders.remind_me(db, actor, target_id, when, now=now, ending=ending)
        return t("remind-set", date=presenters.local_date(when, t, runtime.settings.tz))
    assert isinstance(note, str)
    language = runtime.settings.default_language
    if kind == "ask":
        change = await referrals.ask_information(db, actor, target_id, note, now=now,
                                                 ending=ending)
    elif kind == "answer":
        change = await referrals.answer_information(db, actor, target_id, note, now=now,
                                                    default_language=language, ending=ending)
    elif kind == "decline":
        change = await referrals.decline(db, actor, target_id, DeclineReason.OTHER, now=now,
                                         note=note, ending=ending)
    elif kind == "withdraw":
        change = await referrals.withdraw(db, actor, target_id, WithdrawReason.OTHER,
                                          now=now, default_language=language, note=note,
                                          ending=ending)
    else:
        raise StaleAction()
    return t(f"note-saved-{kind}", code=change.view.case_code)
