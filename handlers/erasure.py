"""/erase CODE: a coordinator removes a child's personal data on request, after a
confirmation. CODE is a case code, or an imported list's reference for a child who is only
on a list."""

from telegram import InlineKeyboardMarkup, Update

from bot.errors import StaleAction
from bot.flows.callback_data import EraseButton
from bot.services import erasure
from bot.services.erasure import ErasureKind
from handlers.context import PanongContext
from handlers.keyboards import button


async def ask_erase(update: Update, context: PanongContext) -> None:
    message = update.effective_message
    assert message is not None
    if len(context.args or []) != 1:
        await message.reply_text(context.t("erase-usage"))
        return
    target = await erasure.erasable(context.runtime.db, context.actor, context.args[0])
    t = context.t
    question = (t("erase-ask", code=target.reference) if target.kind is ErasureKind.CASE
                else t("erase-ask-lead", ref=target.reference))
    await message.reply_text(question, reply_markup=InlineKeyboardMarkup([[
        button(t("button-erase"), EraseButton(kind=target.kind, target_id=target.id,
                                              confirmed=1)),
        button(t("button-keep"), EraseButton(kind=target.kind, target_id=target.id,
                                             confirmed=0))]]))


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
    if erased.target.kind is ErasureKind.CASE:
        text = context.t("erase-done", code=erased.target.reference,
                         notes=erased.notes_erased, rows=erased.list_rows_erased)
    else:
        text = context.t("erase-done-lead", ref=erased.target.reference,
                         rows=erased.list_rows_erased)
    await query.edit_message_text(text)
