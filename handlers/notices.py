"""Sending what services asked to tell other people, after their transaction committed."""

import logging

from telegram import InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.i18n import Translator, pick_language, translator
from bot.services.notices import Notice
from handlers.callback_data import NoteButton
from handlers.context import CHANNEL, PanongContext
from handlers.keyboards import button

log = logging.getLogger(__name__)


async def send_notices(context: PanongContext, notices: list[Notice]) -> None:
    default = context.runtime.settings.default_language
    for notice in notices:
        if notice.channel != CHANNEL:
            continue
        t = translator(pick_language(notice.language, None, default))
        params = {
            **notice.params,
            **{name: by_language[t.lang] for name, by_language in notice.names.items()},
            **{name: t(key) for name, key in notice.labels.items()},
        }
        try:
            await context.bot.send_message(int(notice.channel_user_id), t(notice.key, **params),
                                           reply_markup=_keyboard(notice, t))
        except TelegramError:
            # The change itself is committed; a lost courtesy notice is logged, not retried.
            log.warning("notice %s to %s not delivered", notice.key, notice.channel_user_id,
                        exc_info=True)


def _keyboard(notice: Notice, t: Translator) -> InlineKeyboardMarkup | None:
    """A notice's buttons; the only kind today starts a typed note (the teacher's answer)."""
    if not notice.buttons:
        return None
    return InlineKeyboardMarkup([[button(t(b.label), NoteButton(referral_id=b.referral_id,
                                                                kind=b.action))]
                                 for b in notice.buttons])
