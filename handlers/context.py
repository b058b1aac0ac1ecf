"""Work done once per update, before any handler: who is talking, and in which language
(`bot.flows.session`, the same on every channel).

Unknown and deactivated users are answered here and go no further; the only thing a
stranger can do is redeem an invite with /start CODE.
"""

from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, CallbackContext, ExtBot

from bot.domain.models import User
from bot.flows.session import begin
from bot.i18n import Translator, translator
from bot.runtime import Runtime

CHANNEL = "telegram"
RUNTIME_KEY = "runtime"


class PanongContext(CallbackContext[ExtBot, dict[str, Any], dict[Any, Any], dict[Any, Any]]):
    """The callback context, with the current user and their translator attached."""

    def __init__(self, application: Application, chat_id: int | None = None,
                 user_id: int | None = None) -> None:
        super().__init__(application, chat_id, user_id)
        self.actor: User | None = None
        self._t: Translator | None = None

    @property
    def runtime(self) -> Runtime:
        return self.application.bot_data[RUNTIME_KEY]

    @property
    def t(self) -> Translator:
        if self._t is None:
            self._t = translator(self.runtime.settings.default_language)
        return self._t

    @t.setter
    def t(self, value: Translator) -> None:
        self._t = value


# What a unit's group chat may ask of the bot; everything else said in groups is not ours.
GROUP_COMMANDS = frozenset({"/linkgroup", "/unlinkgroup"})


def _is_invite(update: Update) -> bool:
    message = update.message
    return bool(message and message.text and message.text.startswith("/start "))


def _for_the_bot_in_a_group(update: Update) -> bool:
    """A press on a referral message, or /linkgroup, in a unit's group."""
    if update.callback_query is not None:
        return True
    message = update.message
    if message is None or not message.text:
        return False
    return message.text.split(maxsplit=1)[0].split("@")[0] in GROUP_COMMANDS


async def identify_user(update: Update, context: PanongContext) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        # Channels and other bots: nothing answers them.
        raise ApplicationHandlerStop
    if update.my_chat_member is not None:
        # The bot joined or left a chat: not a person asking for anything.
        return
    if chat.type != chat.PRIVATE and not _for_the_bot_in_a_group(update):
        raise ApplicationHandlerStop
    session = await begin(context.runtime, channel=CHANNEL, channel_user_id=str(user.id),
                          language_code=user.language_code, joining=_is_invite(update))
    context.actor = session.actor
    context.t = translator(session.language)
    if update.edited_message is not None:
        await update.edited_message.reply_text(context.t("edited-message-ignored"))
        raise ApplicationHandlerStop
    if session.refusal is not None:
        await _refuse(update, context.t(session.refusal))


async def _refuse(update: Update, text: str) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)
    raise ApplicationHandlerStop
