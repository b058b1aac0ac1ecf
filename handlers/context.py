"""Work done once per update, before any handler: who is talking, and in which language.

Unknown and deactivated users are answered here and go no further; the only thing a
stranger can do is redeem an invite with /start CODE.
"""

from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, CallbackContext, ExtBot

from bot.domain.models import User
from bot.i18n import Translator, pick_language, translator
from bot.runtime import Runtime
from bot.services import reminders, users
from bot.services.access import identify

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
    runtime = context.runtime
    actor = await identify(runtime.db, CHANNEL, str(user.id))
    context.actor = actor
    language = pick_language(actor.language if actor else None, user.language_code,
                             runtime.settings.default_language)
    context.t = translator(language)
    if actor is not None and actor.unreachable_since is not None:
        # They blocked the bot and have come back: reminders go to them again.
        await reminders.reachable_again(runtime.db, actor)
    if actor is not None and actor.active and actor.language is None:
        # Users made by the command line have no language yet: keep the one their phone
        # uses, so that notices sent outside their own updates read the same.
        context.actor = actor = await users.set_language(runtime.db, actor, language,
                                                         runtime.now())
    if update.edited_message is not None:
        await update.edited_message.reply_text(context.t("edited-message-ignored"))
        raise ApplicationHandlerStop
    if actor is None and not _is_invite(update):
        await _refuse(update, context.t("not-registered"))
    if actor is not None and not actor.active:
        await _refuse(update, context.t("error-deactivated"))


async def _refuse(update: Update, text: str) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)
    raise ApplicationHandlerStop
