"""/export and /chart, and the file buttons under a summary.

Writing a workbook or drawing a chart is CPU work, done in a worker thread: the bot keeps
answering everyone else meanwhile. A long case list shows its progress in an edited
message. Files always go to the asker's private chat, never to a group.
"""

import asyncio
import tempfile
from datetime import timedelta
from pathlib import Path

from telegram import Update

from bot import presenters, reports
from bot.errors import StaleAction
from bot.flows.callback_data import ReportButton
from bot.services import exports, summaries
from bot.services.exports import Prepared, ReportKind
from bot.services.summaries import Period, Scope, ScopeKind
from handlers.context import PanongContext
from handlers.progress import Progress, bar, edit_status
from handlers.summaries import NO_KEY, scope_name


async def export_command(update: Update, context: PanongContext) -> None:
    """/export: this fiscal year's workbook of what the asker may see."""
    assert context.actor is not None
    await make(update, context, ReportKind.XLSX, summaries.default_scope(context.actor),
               Period.FISCAL_YEAR)


async def chart_command(update: Update, context: PanongContext) -> None:
    assert context.actor is not None
    await make(update, context, ReportKind.CHART, summaries.default_scope(context.actor),
               Period.FISCAL_YEAR)


async def press_report(update: Update, context: PanongContext) -> None:
    query = update.callback_query
    assert query is not None
    pressed = ReportButton.unpack(query.data)
    try:
        if pressed is None:
            raise ValueError(query.data)
        kind, period = ReportKind(pressed.kind), Period(pressed.period)
        scope = Scope(ScopeKind(pressed.scope), None if pressed.key == NO_KEY else pressed.key)
    except ValueError as error:
        raise StaleAction() from error
    await query.answer()
    await make(update, context, kind, scope, period)


async def make(update: Update, context: PanongContext, kind: ReportKind, scope: Scope,
               period: Period) -> None:
    runtime, t = context.runtime, context.t
    assert context.actor is not None and update.effective_user is not None
    settings = runtime.settings
    prepared = await exports.prepare(
        runtime.db, context.actor, scope, period, kind, now=runtime.now(), tz=settings.tz,
        overdue_after=timedelta(days=settings.reminder_policy.escalate_days), language=t.lang)
    private_chat = update.effective_user.id
    status = await context.bot.send_message(private_chat, t("report-making"))
    title = presenters.plain(presenters.summary_title(
        prepared.summary, t, await scope_name(context, scope)))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / _file_name(kind, prepared, runtime.now().strftime("%Y%m%d"))
        total = prepared.summary.total
        progress = Progress(status, lambda done: t("report-progress", bar=bar(done, total),
                                                   done=done, total=total))
        listed = await asyncio.to_thread(_write, path, prepared, context, title, progress)
        await progress.settled()
        if kind is ReportKind.CHART:
            with path.open("rb") as picture:
                await context.bot.send_photo(private_chat, picture, caption=title[:1024])
        else:
            with path.open("rb") as document:
                await context.bot.send_document(
                    private_chat, document, filename=path.name,
                    caption=t("report-made", cases=listed) if prepared.case_list
                    else t("report-made-tables"))
    await edit_status(status, t("report-done"))


def _file_name(kind: ReportKind, prepared: Prepared, day: str) -> str:
    scope = prepared.summary.scope
    name = f"panong-{scope.kind}{'-' + scope.key if scope.key else ''}-{day}"
    return f"{name}.png" if kind is ReportKind.CHART else f"{name}.{kind}"


def _write(path: Path, prepared: Prepared, context: PanongContext, title: str,
           progress: Progress) -> int:
    """In the worker thread: write the file; how many cases it lists."""
    runtime, t = context.runtime, context.t
    summary, geography, tz = prepared.summary, runtime.geography, runtime.settings.tz
    if prepared.kind is ReportKind.CHART:
        reports.draw_chart(path, summary, t, geography, title=title)
        return 0
    cases = exports.case_rows(runtime.db, prepared)
    if prepared.kind is ReportKind.CSV:
        assert cases is not None
        return reports.write_csv(path, t, geography, cases, tz=tz,
                                 organisations=prepared.organisations, progress=progress)
    return reports.write_xlsx(path, summary, t, geography, title=title, cases=cases, tz=tz,
                              organisations=prepared.organisations, progress=progress)
