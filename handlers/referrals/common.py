"""A referral message in chat, its buttons built from the actions its state allows
(`bot.flows.referrals`), and what the teacher's, the unit's and the coordinators' callbacks
share: showing what a press changed, and reading a choice from a menu."""

from enum import StrEnum
from typing import TypeVar

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import presenters
from bot.errors import StaleAction
from bot.flows.callback_data import action_data
from bot.flows.referrals import Action, Side, available
from bot.i18n import Translator, translator
from bot.runtime import Runtime
from bot.services import referrals
from bot.services.referrals import Change, ReferralView
from handlers.context import PanongContext
from handlers.errors import is_not_modified
from handlers.keyboards import button

# The unit's first answers share a row; every other action has a row of its own.
_SIDE_BY_SIDE = frozenset({"accept", "decline"})

Choice = TypeVar("Choice", bound=StrEnum)


def referral_keyboard(view: ReferralView, t: Translator) -> InlineKeyboardMarkup | None:
    """The buttons a referral message carries in its current state: what its unit may do."""
    actions = available(view.referral.status, Side.UNIT)
    if not actions:
        return None

    def pressable(action: Action) -> InlineKeyboardButton:
        return button(t(action.label), action_data(action, view.referral.id))

    paired = [pressable(action) for action in actions if action.name in _SIDE_BY_SIDE]
    alone = [[pressable(action)] for action in actions if action.name not in _SIDE_BY_SIDE]
    return InlineKeyboardMarkup([paired, *alone] if paired else alone)


def referral_message(view: ReferralView, t: Translator,
                     runtime: Runtime) -> tuple[str, InlineKeyboardMarkup | None]:
    """A referral message's text and buttons in its current state."""
    return (presenters.referral_text(view, t, runtime.geography, runtime.today()),
            referral_keyboard(view, t))


def query_of(update: Update) -> CallbackQuery:
    assert update.callback_query is not None
    return update.callback_query


async def settle(update: Update, context: PanongContext, change: Change) -> None:
    """The pressed message shows at once what the press did. A copy of the referral shows
    its new state (the outbox brings the other copies up to date, and finds this one so
    already); a press anywhere else (a reminder) takes its buttons away, since what they
    offered is done."""
    query = query_of(update)
    message = query.message
    if message is None:
        return
    copy = next((d for d in change.deliveries if d.message_id == str(message.message_id)
                 and d.chat_id == str(message.chat.id)), None)
    try:
        if copy is None:
            await query.edit_message_reply_markup(None)
        else:
            text, keyboard = referral_message(change.view, translator(copy.language),
                                              context.runtime)
            await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as error:
        if not is_not_modified(error):
            raise


async def refresh(update: Update, context: PanongContext, referral_id: int) -> None:
    """Show the pressed referral message as the referral is now."""
    view = await referrals.show(context.runtime.db, context.actor, referral_id)
    text, keyboard = referral_message(view, context.t, context.runtime)
    try:
        await query_of(update).edit_message_text(text, reply_markup=keyboard)
    except BadRequest as error:
        if not is_not_modified(error):
            raise


def chosen(kind: type[Choice], value: str) -> Choice:
    """A reason or an outcome from a menu's button; one that does not exist was forged."""
    try:
        return kind(value)
    except ValueError as error:
        raise StaleAction() from error
