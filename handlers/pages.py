"""Lists shown a page at a time: a command shows the first page, ‹ and › turn it."""

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Update

from bot.errors import StaleAction
from bot.flows.callback_data import CallbackData
from handlers.context import PanongContext

PageBuilder = Callable[[PanongContext, int], Awaitable[tuple[str, InlineKeyboardMarkup]]]
Callback = Callable[[Update, PanongContext], Awaitable[None]]


def paginated(build: PageBuilder, page_button: type[CallbackData]) -> tuple[Callback, Callback]:
    """The command that shows page one of `build`, and the callback for `page_button`
    (a button with a `page` field) that shows another page in place."""

    async def first_page(update: Update, context: PanongContext) -> None:
        assert update.effective_message is not None
        text, keyboard = await build(context, 0)
        await update.effective_message.reply_text(text, reply_markup=keyboard)

    async def turn_page(update: Update, context: PanongContext) -> None:
        query = update.callback_query
        assert query is not None
        pressed = page_button.unpack(query.data)
        if pressed is None:
            raise StaleAction()
        text, keyboard = await build(context, pressed.page)  # type: ignore[attr-defined]
        await query.answer()
        await query.edit_message_text(text, reply_markup=keyboard)

    return first_page, turn_page
