"""Sending what services asked to tell other people, after their transaction committed."""

import logging

from telegram import InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.domain.models import AttendanceAnswer
from bot.i18n import Translator, pick_language, translator
from bot.services import reminders
from bot.services.notices import Notice, NoticeButton
from handlers.callback_data import (
    AttendanceButton,
    CallbackData,
    NoteButton,
    ReferralButton,
    SnoozeButton,
)
from handlers.context import CHANNEL, PanongContext
from handlers.errors import is_undelivered
from handlers.keyboards import button, rows

log = logging.getLogger(__name__)


def render(notice: Notice, default_language: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """The notice's text and buttons in its recipient's language."""
    t = translator(pick_language(notice.language, None, default_language))
    params = {
        **notice.params,
        **{name: by_language[t.lang] for name, by_language in notice.names.items()},
        **{name: t(key) for name, key in notice.labels.items()},
    }
    return t(notice.key, **params), _keyboard(notice, t)


async def send_notices(context: PanongContext, notices: list[Notice]) -> None:
    default = context.runtime.settings.default_language
    for notice in notices:
        if notice.channel != CHANNEL:
            continue
        text, keyboard = render(notice, default)
        try:
            await context.bot.send_message(int(notice.channel_user_id), text,
                                           reply_markup=keyboard)
        except TelegramError as error:
            # The change itself is committed. A notice Telegram did not take after the
            # retries is not sent again, but its recipient is told to look (/inbox, /case).
            log.warning("notice %s to %s not delivered", notice.key, notice.channel_user_id,
                        exc_info=True)
            if is_undelivered(error):
                await reminders.undelivered(context.runtime.db, notice.channel,
                                            notice.channel_user_id, now=context.runtime.now())


def _keyboard(notice: Notice, t: Translator) -> InlineKeyboardMarkup | None:
    if not notice.buttons:
        return None
    return InlineKeyboardMarkup(rows([button(t(b.label), _callback(b)) for b in notice.buttons],
                                     2))


def _callback(pressed: NoticeButton) -> CallbackData:
    """The chat button for a service's action."""
    action, target = pressed.action, pressed.target_id
    if action == "answer":
        return NoteButton(target_id=target, kind="answer")
    if action in ("accept", "decline", "complete"):
        return ReferralButton(referral_id=target, action=action)
    verb, _, value = action.partition("-")
    if verb == "snooze":
        return SnoozeButton(reminder_id=target, days=int(value))
    if verb == "attend":
        return AttendanceButton(reminder_id=target, answer=AttendanceAnswer(value))
    raise ValueError(f"no button for the action {action!r}")
