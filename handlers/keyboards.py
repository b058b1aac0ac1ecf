"""Inline keyboards. Builders take the translator; labels come from the catalogs."""

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.flows.callback_data import CallbackData, WizardButton
from bot.flows.choices import pager
from bot.i18n import Translator
from bot.presenters import plain
from bot.services.registration import Step

T = TypeVar("T")

# Labels up to this many characters are laid out two or three a row.
SHORT_LABEL = 14


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    """A button labelled with a catalog message: button labels are plain text, so the
    message's markup and escapes (a name such as O&#x27;Brien) are undone."""
    return InlineKeyboardButton(plain(text), callback_data=data.pack())


def rows(buttons: Sequence[T], width: int) -> list[list[T]]:
    return [list(buttons[i:i + width]) for i in range(0, len(buttons), width)]


def _width(labels: list[str]) -> int:
    longest = max((len(label) for label in labels), default=0)
    if longest <= 4:
        return 4
    if longest <= 8:
        return 3
    return 2 if longest <= SHORT_LABEL else 1


def wizard_keyboard(step: Step, choices: Sequence[tuple[str, str]],
                    nav: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """The step's buttons (label, value), then its Back, Skip and Cancel in one row
    (`bot.flows.registration.prompt`). A keyboard never changes once built (Telegram
    objects are frozen), so each one is built once per step and labels, and sent as often
    as it is asked for."""
    return _wizard_keyboard(step, tuple(choices), tuple(nav))


@lru_cache(maxsize=1024)
def _wizard_keyboard(step: Step, choices: tuple[tuple[str, str], ...],
                     nav: tuple[tuple[str, str], ...]) -> InlineKeyboardMarkup:
    layout = rows([button(label, WizardButton(step=step, value=value))
                   for label, value in choices], _width([label for label, _ in choices]))
    layout.append([button(label, WizardButton(step=step, value=value)) for label, value in nav])
    return _ReusedKeyboard(layout)


class _ReusedKeyboard(InlineKeyboardMarkup):
    """A keyboard sent again and again: turned into the Bot API's JSON once, not at every
    send (PTB calls `to_dict` for each request; every call gets a fresh copy)."""

    __slots__ = ("_json",)

    def __init__(self, inline_keyboard: Sequence[Sequence[InlineKeyboardButton]]) -> None:
        super().__init__(inline_keyboard)
        self._json = json.dumps(super().to_dict())

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        if not recursive:
            return super().to_dict(recursive=False)
        return json.loads(self._json)


def paged(layout: list[list[InlineKeyboardButton]], page: int, pages: int,
          make: type[CallbackData], t: Translator, **fields: object) -> InlineKeyboardMarkup:
    """The rows, then the pager's row when there is another page to go to."""
    nav = [button(label, data) for label, data in pager(page, pages, make, t, **fields)]
    return InlineKeyboardMarkup([*layout, nav] if nav else layout)
