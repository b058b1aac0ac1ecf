"""Lists shown a page at a time, on any channel: the ‹ and › choices under a page."""

from bot.flows.callback_data import CallbackData
from bot.i18n import Translator

Choice = tuple[str, CallbackData]  # a label, and what pressing it sends


def page_turns(page: int, pages: int, make: type[CallbackData], t: Translator,
               **fields: object) -> list[Choice]:
    """‹ and ›, only where there is somewhere to go; `make` takes `page` and `fields`."""
    turns: list[Choice] = []
    if page > 0:
        turns.append((t("button-previous"), make(page=page - 1, **fields)))
    if page + 1 < pages:
        turns.append((t("button-next"), make(page=page + 1, **fields)))
    return turns
