"""/erase CODE: a coordinator removes a child's personal data on request, after a
confirmation. CODE is a case code, or an imported list's reference for a child who is only
on a list."""

from telegram import InlineKeyboardMarkup, Update

from bot.errors import StaleAction
from bot.flows.callback_data import EraseButton
from bot.flows.erasure import erase_question, erased_text
from bot.services import erasure
from handlers.context import PanongContext
from handlers.keyboards import button


async def ask_erase(update: Update, context: PanongContext) -> None:
    message = update.effective_message
    assert message is not None
    if len(context.args or []) != 1:
        await message.reply_text(context.t("erase-usage"))
        return
    target = await erasure.erasable(context.runtime.db, context.actor, context.args[0])
    question, choices = erase_question(target, context.t)
    await message.reply_text(question, reply_markup=InlineKeyboardMarkup([[
        button(label, data) for label, data in choices]]))


async def confirm_erase(update: Update, context: PanongContext) -> None:
    query = update.callback_query
    assert query is not None
    pressed = EraseButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    await query.answer()
    if not pressed.confirmed:
        await query.edit_message_text(context.t("nothing-changed"))
        return
    runtime = context.runtime
    erased = await erasure.erase(runtime.db, context.actor, pressed.kind, pressed.target_id,
                                 now=runtime.now())
    await query.edit_message_text(erased_text(erased, context.t))
