"""Sending what services asked to tell other people, after their transaction committed."""

import logging

from telegram.error import TelegramError

from bot.i18n import pick_language, translator
from bot.services.notices import Notice
from handlers.context import CHANNEL, PanongContext

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
            await context.bot.send_message(int(notice.channel_user_id), t(notice.key, **params))
        except TelegramError:
            # The change itself is committed; a lost courtesy notice is logged, not retried.
            log.warning("notice %s to %s not delivered", notice.key, notice.channel_user_id,
                        exc_info=True)
