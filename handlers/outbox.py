"""The Telegram side of the outbox: render an owed row with Telegram's widgets, send it,
and say how it went in the channel-neutral terms of `bot.services.delivery`."""

from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.domain.models import OutboxMessage
from bot.i18n import translator
from bot.runtime import Runtime
from bot.services.delivery import (
    Blocked,
    ChatGone,
    Outcome,
    Outgoing,
    Refused,
    RetryLater,
    Sent,
    ShowReferral,
)
from handlers.errors import is_not_modified
from handlers.notices import render
from handlers.referrals import referral_message
from handlers.retries import RetryingRateLimiter


class TelegramSender:
    batch = 1  # one message a call

    def __init__(self, bot: Bot, runtime: Runtime) -> None:
        self.bot = bot
        self.runtime = runtime

    async def send(self, messages: list[tuple[OutboxMessage, Outgoing]]) -> Outcome:
        [(message, outgoing)] = messages
        if isinstance(outgoing, ShowReferral):
            text, keyboard = referral_message(outgoing.view, translator(outgoing.language),
                                              self.runtime)
        else:
            text, keyboard = render(outgoing, self.runtime.settings.default_language)
        chat_id = int(message.chat_id)
        group = chat_id < 0  # Telegram's groups have negative ids, people positive ones
        limiter = getattr(self.bot, "rate_limiter", None)
        if isinstance(limiter, RetryingRateLimiter):
            await limiter.leave_room(self.runtime.settings.outbox_reserve)
        try:
            if isinstance(outgoing, ShowReferral) and outgoing.message_id is not None:
                await self.bot.edit_message_text(text, chat_id=chat_id,
                                                 message_id=int(outgoing.message_id),
                                                 reply_markup=keyboard)
                return Sent()
            sent = await self.bot.send_message(chat_id, text, reply_markup=keyboard)
            return Sent(message_id=str(sent.message_id))
        except RetryAfter as error:
            after = error.retry_after
            return RetryLater(error="429", after=after if isinstance(after, timedelta)
                              else timedelta(seconds=after))
        except Forbidden:
            return ChatGone() if group else Blocked()
        except BadRequest as error:
            if is_not_modified(error):
                return Sent()
            if group and "chat not found" in error.message.lower():
                return ChatGone()
            return Refused(error=error.message)
        except NetworkError as error:  # 5xx, timeouts and dropped connections included
            return RetryLater(error=str(error) or type(error).__name__)
