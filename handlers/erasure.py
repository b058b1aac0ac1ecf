"""/erase CODE: a coordinator removes a child's personal data on request, after a
confirmation."""

from telegram import InlineKeyboardMarkup, Update

from bot.errors import StaleAction
from bot.services import erasure
from handlers.callback_data import EraseButton
from handlers.context import PanongContext
from handlers.keyboards import button


async def ask_erase(update: Update, context: PanongContext) -> None:
    message = update.effective_message
    assert message is not None
    if len(context.args or []) != 1:
        await message.reply_text(context.t("erase-usage"))
        return
    case_id, code = await erasure.erasable(context.runtime.db, context.actor, context.args[0])
    t = context.t
    await message.reply_text(t("erase-ask", code=code), reply_markup=InlineKeyboardMarkup([[
        button(t("button-erase"), EraseButton(case_id=case_id, confirmed=1)),
        button(t("button-keep"), EraseButton(case_id=case_id, confirmed=0))]]))


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
    erased = await erasure.erase_case(runtime.db, context.actor, pressed.case_id,
                                      now=runtime.now())
    await query.edit_message_text(context.t("erase-done", code=erased.code,
                                            notes=erased.notes_erased))
