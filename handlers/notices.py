"""Notices rendered for Telegram: the text in the recipient's language and the buttons
that act on what the notice is about (sent from the outbox, `handlers.outbox`)."""

from telegram import InlineKeyboardMarkup

from bot.domain.models import AttendanceAnswer
from bot.flows.callback_data import (
    AttendanceButton,
    CallbackData,
    SnoozeButton,
    action_data,
)
from bot.flows.notices import notice_text
from bot.flows.referrals import ACTIONS
from bot.i18n import Translator
from bot.services.notices import Notice, NoticeButton
from handlers.keyboards import button, rows


def render(notice: Notice, default_language: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """The notice's text and buttons in its recipient's language."""
    text, t = notice_text(notice, default_language)
    return text, _keyboard(notice, t)


def _keyboard(notice: Notice, t: Translator) -> InlineKeyboardMarkup | None:
    if not notice.buttons:
        return None
    return InlineKeyboardMarkup(rows([button(t(b.label), _callback(b)) for b in notice.buttons],
                                     2))


def _callback(pressed: NoticeButton) -> CallbackData:
    """The chat button for a service's action."""
    action, target = pressed.action, pressed.target_id
    if action in ACTIONS:
        return action_data(ACTIONS[action], target)
    verb, _, value = action.partition("-")
    if verb == "snooze":
        return SnoozeButton(reminder_id=target, days=int(value))
    if verb == "attend":
        return AttendanceButton(reminder_id=target, answer=AttendanceAnswer(value))
    raise ValueError(f"no button for the action {action!r}")
