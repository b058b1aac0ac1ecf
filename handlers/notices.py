"""Notices rendered for Telegram: the text in the recipient's language and the buttons
that act on what the notice is about (sent from the outbox, `handlers.outbox`)."""

from telegram import InlineKeyboardMarkup

from bot.flows.notices import button_data, notice_text
from bot.i18n import Translator
from bot.services.notices import Notice
from handlers.keyboards import button, rows


def render(notice: Notice, default_language: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """The notice's text and buttons in its recipient's language."""
    text, t = notice_text(notice, default_language)
    return text, _keyboard(notice, t)


def _keyboard(notice: Notice, t: Translator) -> InlineKeyboardMarkup | None:
    if not notice.buttons:
        return None
    return InlineKeyboardMarkup(rows([button(t(b.label), button_data(b))
                                      for b in notice.buttons], 2))
