"""/export and /chart, and the file buttons under a summary.

Writing a workbook or drawing a chart is CPU work, done in a worker thread
(`bot.flows.summaries.write_report`): the bot keeps answering everyone else meanwhile. A
long case list shows its progress in an edited message. Files always go to the asker's
private chat, never to a group.
"""

import tempfile
from pathlib import Path

from telegram import Update

from bot.flows.summaries import prepare_report, read_report_press, report_caption, write_report
from bot.services import summaries
from bot.services.exports import ReportKind
from bot.services.summaries import Period, Scope
from handlers.context import PanongContext
from handlers.progress import Progress, bar, edit_status


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
    kind, scope, period = read_report_press(query.data)
    await query.answer()
    await make(update, context, kind, scope, period)


async def make(update: Update, context: PanongContext, kind: ReportKind, scope: Scope,
               period: Period) -> None:
    runtime, t = context.runtime, context.t
    assert context.actor is not None and update.effective_user is not None
    report = await prepare_report(runtime, context.actor, t, kind, scope, period)
    private_chat = update.effective_user.id
    status = await context.bot.send_message(private_chat, t("report-making"))
    with tempfile.TemporaryDirectory() as folder:
        total = report.prepared.summary.total
        progress = Progress(status, lambda done: t("report-progress", bar=bar(done, total),
                                                   done=done, total=total))
        path, listed = await write_report(runtime, t, report, Path(folder), progress)
        await progress.settled()
        if kind is ReportKind.CHART:
            with path.open("rb") as picture:
                await context.bot.send_photo(private_chat, picture,
                                             caption=report.title[:1024])
        else:
            with path.open("rb") as document:
                await context.bot.send_document(private_chat, document, filename=path.name,
                                                caption=report_caption(t, report, listed))
    await edit_status(status, t("report-done"))
