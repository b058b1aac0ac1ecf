"""/mycases and /case: a teacher's own list, and one case card."""

from telegram import InlineKeyboardMarkup, Update

from bot import presenters
from bot.errors import StaleAction
from bot.flows import choices
from bot.flows.callback_data import CasesPageButton, OpenCaseButton
from bot.services import cases
from handlers.context import PanongContext
from handlers.keyboards import button, paged
from handlers.pages import paginated


async def _case_list(context: PanongContext, page: int) -> tuple[str, InlineKeyboardMarkup]:
    runtime, t = context.runtime, context.t
    found = await cases.my_cases(runtime.db, context.actor, page)
    text = presenters.case_list(found, t, runtime.geography, runtime.settings.tz)
    keyboard = [[button(t("button-open-case", code=summary.code),
                        OpenCaseButton(code=summary.code))] for summary in found.cases]
    return text, paged(keyboard, found.page, found.pages, CasesPageButton, t)


# /mycases, and its page buttons.
my_cases, my_cases_page = paginated(_case_list, CasesPageButton)


async def _card(context: PanongContext, code: str) -> tuple[str, InlineKeyboardMarkup | None]:
    runtime, t = context.runtime, context.t
    card = await cases.open_case(runtime.db, context.actor, code)
    text = presenters.case_card(card, t, runtime.geography, runtime.today(),
                                runtime.settings.tz)
    layout = [[button(label, data)] for label, data in choices.case_card(card, t)]
    return text, InlineKeyboardMarkup(layout) if layout else None


async def show_case(update: Update, context: PanongContext) -> None:
    assert update.effective_message is not None
    if len(context.args or []) != 1:
        await update.effective_message.reply_text(context.t("case-usage"))
        return
    text, keyboard = await _card(context, context.args[0])
    await update.effective_message.reply_text(text, reply_markup=keyboard)


async def open_case_button(update: Update, context: PanongContext) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    pressed = OpenCaseButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    text, keyboard = await _card(context, pressed.code)
    await query.answer()
    await query.message.reply_text(text, reply_markup=keyboard)
