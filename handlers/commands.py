"""The command menu Telegram shows, per language and, for focal points and coordinators, per
chat."""

import logging

from telegram import BotCommand, BotCommandScopeChat
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.config import SUPPORTED_LANGUAGES
from bot.domain.models import Role
from bot.i18n import translator

log = logging.getLogger(__name__)

EVERYONE = ("new", "mycases", "case", "summary", "export", "chart", "help", "language",
            "link", "cancel")
TEACHERS = ("locate",)
FOCAL_POINTS = ("inbox", "linkgroup")
COORDINATORS = ("queue", "reminders", "invite", "invites", "users")
EXTRA = {Role.TEACHER: TEACHERS, Role.FOCAL_POINT: FOCAL_POINTS, Role.COORDINATOR: COORDINATORS}


def _commands(language: str, names: tuple[str, ...]) -> list[BotCommand]:
    t = translator(language)
    return [BotCommand(name, t(f"command-{name}")) for name in names]


async def register_default_commands(bot: ExtBot, default_language: str) -> None:
    for language in SUPPORTED_LANGUAGES:
        await bot.set_my_commands(_commands(language, EVERYONE), language_code=language)
    await bot.set_my_commands(_commands(default_language, EVERYONE))


async def set_commands_for(bot: ExtBot, chat_id: int, role: Role) -> None:
    """Each role sees its extra commands in its own chat's menu. A failure here only costs
    a menu entry, so it is logged and not shown."""
    if not EXTRA[role]:
        return
    try:
        for language in SUPPORTED_LANGUAGES:
            await bot.set_my_commands(_commands(language, EVERYONE + EXTRA[role]),
                                      scope=BotCommandScopeChat(chat_id),
                                      language_code=language)
    except TelegramError:
        log.warning("could not set the command menu for chat %s", chat_id, exc_info=True)
