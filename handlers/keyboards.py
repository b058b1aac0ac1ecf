"""Inline keyboards. Builders take the translator; labels come from the catalogs."""

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.flows.callback_data import CallbackData, WizardButton
from bot.flows.pages import page_turns
from bot.i18n import Translator
from bot.presenters import plain
from bot.services.registration import Choice, Step

T = TypeVar("T")

# Nav verbs share the wizard's callback shape; no step offers a choice with these values.
BACK, SKIP, CANCEL = "_back", "_skip", "_cancel"
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


def wizard_keyboard(
    step: Step, choices: list[Choice], t: Translator, *, can_go_back: bool, can_skip: bool
) -> InlineKeyboardMarkup:
    """The step's buttons, then Back, Skip and Cancel. A keyboard never changes once built
    (Telegram objects are frozen), so each one is built once per step, choices and
    language, and sent as often as it is asked for."""
    return _wizard_keyboard(step, tuple(choices), t, can_go_back, can_skip)


@lru_cache(maxsize=1024)
def _wizard_keyboard(step: Step, choices: tuple[Choice, ...], t: Translator,
                     can_go_back: bool, can_skip: bool) -> InlineKeyboardMarkup:
    labels = []
    for choice in choices:
        label = t(choice.key) if choice.key else choice.label(t.lang) or choice.value
        labels.append(("✅ " if choice.selected else "") + label)
    choice_buttons = [
        button(label, WizardButton(step=step, value=choice.value))
        for label, choice in zip(labels, choices, strict=True)
    ]
    layout = rows(choice_buttons, _width(labels))
    nav = []
    if can_go_back:
        nav.append(button(t("button-back"), WizardButton(step=step, value=BACK)))
    if can_skip:
        nav.append(button(t("button-skip"), WizardButton(step=step, value=SKIP)))
    nav.append(button(t("button-cancel"), WizardButton(step=step, value=CANCEL)))
    layout.append(nav)
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


def _pager(page: int, pages: int, make: type[CallbackData], t: Translator,
          **fields: object) -> list[InlineKeyboardButton]:
    return [button(label, data) for label, data in page_turns(page, pages, make, t, **fields)]


def paged(layout: list[list[InlineKeyboardButton]], page: int, pages: int,
          make: type[CallbackData], t: Translator, **fields: object) -> InlineKeyboardMarkup:
    """The rows, then the pager's row when there is another page to go to."""
    nav = _pager(page, pages, make, t, **fields)
    return InlineKeyboardMarkup([*layout, nav] if nav else layout)
