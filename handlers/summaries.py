"""/summary: the report's tables in chat, with buttons for scope and period."""

from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot import presenters
from bot.errors import StaleAction
from bot.flows.callback_data import ReportButton, SummaryButton
from bot.services import exports, summaries
from bot.services.exports import ReportKind
from bot.services.summaries import Period, Scope, ScopeKind
from handlers.context import PanongContext
from handlers.keyboards import button, rows

NO_KEY = "-"
PICK_DISTRICT, PICK_UNIT = "pick-district", "pick-unit"


async def show_summary(update: Update, context: PanongContext) -> None:
    assert update.effective_message is not None and context.actor is not None
    await _send(update.effective_message, context, summaries.default_scope(context.actor),
                Period.FISCAL_YEAR)


async def press_summary(update: Update, context: PanongContext) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    pressed = SummaryButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    try:
        period = Period(pressed.period)
    except ValueError as error:
        raise StaleAction() from error
    if pressed.scope in (PICK_DISTRICT, PICK_UNIT):
        await query.answer()
        await query.edit_message_reply_markup(await _choices(context, pressed.scope, period))
        return
    try:
        scope = Scope(ScopeKind(pressed.scope), None if pressed.key == NO_KEY else pressed.key)
    except ValueError as error:
        raise StaleAction() from error
    await query.answer()
    await _send(query.message, context, scope, period)


async def _send(message: Message, context: PanongContext, scope: Scope,
                period: Period) -> None:
    runtime, t = context.runtime, context.t
    settings = runtime.settings
    summary = await summaries.summarise(
        runtime.db, context.actor, scope, period, now=runtime.now(), tz=settings.tz,
        overdue_after=timedelta(days=settings.reminder_policy.escalate_days))
    title = presenters.summary_title(summary, t, await scope_name(context, scope))
    parts = presenters.split_messages(
        [title, *presenters.summary_sections(summary, t, runtime.geography)])
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        await message.reply_text(part, reply_markup=_keyboard(context, scope, period)
                                 if last else None)


async def scope_name(context: PanongContext, scope: Scope) -> str:
    t, runtime = context.t, context.runtime
    if scope.kind is ScopeKind.DISTRICT:
        place = runtime.geography.district(scope.key or "")
        return place.name(t.lang) if place else scope.key or ""
    if scope.kind is ScopeKind.UNIT:
        unit = await runtime.db.read.organisations.get(scope.key or "")
        return unit.name(t.lang) if unit else scope.key or ""
    return t(f"scope-{scope.kind}")


def _keyboard(context: PanongContext, scope: Scope, period: Period) -> InlineKeyboardMarkup:
    """Periods for everyone; other scopes for the coordinators."""
    t = context.t
    key = scope.key or NO_KEY
    layout = [[button(("• " if option is period else "") + t(f"period-{option}"),
                      SummaryButton(scope=scope.kind, key=key, period=option))
               for option in Period]]
    files = [button(t("button-xlsx"), ReportButton(kind=ReportKind.XLSX, scope=scope.kind,
                                                   key=key, period=period)),
             button(t("button-chart"), ReportButton(kind=ReportKind.CHART, scope=scope.kind,
                                                    key=key, period=period))]
    if exports.may_list_cases(context.actor):
        files.append(button(t("button-csv"), ReportButton(kind=ReportKind.CSV,
                                                          scope=scope.kind, key=key,
                                                          period=period)))
    layout.append(files)
    if summaries.may_choose_scope(context.actor):
        layout.append([
            button(t("scope-province"), SummaryButton(scope=ScopeKind.PROVINCE, key=NO_KEY,
                                                      period=period)),
            button(t("button-pick-district"), SummaryButton(scope=PICK_DISTRICT, key=NO_KEY,
                                                            period=period)),
            button(t("button-pick-unit"), SummaryButton(scope=PICK_UNIT, key=NO_KEY,
                                                        period=period))])
    return InlineKeyboardMarkup(layout)


async def _choices(context: PanongContext, pick: str, period: Period) -> InlineKeyboardMarkup:
    runtime, t = context.runtime, context.t
    found: list[InlineKeyboardButton]
    if pick == PICK_DISTRICT:
        summaries.require_scope_choice(context.actor)
        found = [button(place.name(t.lang), SummaryButton(scope=ScopeKind.DISTRICT,
                                                          key=place.code, period=period))
                 for place in runtime.geography.districts]
    else:
        found = [button(unit.short_name(t.lang), SummaryButton(scope=ScopeKind.UNIT,
                                                               key=unit.id, period=period))
                 for unit in await summaries.units_to_summarise(runtime.db, context.actor)]
    return InlineKeyboardMarkup(rows(found, 2))
