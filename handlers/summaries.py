"""/summary: the report's tables in chat, with buttons for scope and period."""

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.flows.summaries import (
    Choice,
    Pick,
    read_summary_press,
    scope_choices,
    summary_choices,
    summary_texts,
)
from bot.services import summaries
from bot.services.summaries import Period, Scope
from handlers.context import PanongContext
from handlers.keyboards import button, rows


def _buttons(choices: list[Choice]) -> list[InlineKeyboardButton]:
    return [button(label, data) for label, data in choices]


async def show_summary(update: Update, context: PanongContext) -> None:
    assert update.effective_message is not None and context.actor is not None
    await _send(update.effective_message, context, summaries.default_scope(context.actor),
                Period.FISCAL_YEAR)


async def press_summary(update: Update, context: PanongContext) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    pressed = read_summary_press(query.data)
    if isinstance(pressed, Pick):
        found = await scope_choices(context.runtime, context.actor, context.t, pressed)
        await query.answer()
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows(_buttons(found), 2)))
        return
    await query.answer()
    await _send(query.message, context, *pressed)


async def _send(message: Message, context: PanongContext, scope: Scope,
                period: Period) -> None:
    assert context.actor is not None
    parts = await summary_texts(context.runtime, context.actor, context.t, scope, period)
    keyboard = InlineKeyboardMarkup([_buttons(row) for row in summary_choices(
        context.actor, context.t, scope, period)])
    for index, part in enumerate(parts):
        await message.reply_text(part, reply_markup=keyboard if index == len(parts) - 1
                                 else None)
