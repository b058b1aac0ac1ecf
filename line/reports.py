"""/summary on LINE, its choices as quick replies, and its files: /export, /chart and the
file choices under a summary. What is offered and how a file is made is
`bot.flows.summaries`', as on Telegram; the services check every press again.

A workbook or a CSV goes as a short-lived link, a chart as an image message whose
address is such a link (`line.files`): without a public address for the bot's server,
the asker is told so and nothing is made. LINE cannot edit a message, so a long case list
shows no progress: the reply comes when the file is ready.
"""

import asyncio
import tempfile
from pathlib import Path

from bot.flows.callback_data import ReportButton, SummaryButton
from bot.flows.summaries import (
    PICK_DISTRICT,
    Pick,
    prepare_report,
    read_report_press,
    read_summary_press,
    report_caption,
    scope_choices,
    summary_choices,
    summary_texts,
    write_report,
)
from bot.services import summaries
from bot.services.exports import ReportKind
from bot.services.summaries import Period, Scope
from line.admin import claims
from line.files import download_messages, image_message, require_files
from line.render import QUICK_REPLIES, TEXT_LIMIT, offered, text_message
from line.turn import Answer, Postback, Routes, Turn

CONTENT_TYPES = {
    ReportKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportKind.CSV: "text/csv; charset=utf-8",
    ReportKind.CHART: "image/png",
}
# Messages of a summary in one reply (LINE takes five).
SUMMARY_MESSAGES = 5
# Scopes to pick from on one page of quick replies, leaving room for ‹ and ›.
PICKS_PER_PAGE = QUICK_REPLIES - 2


async def _summary(turn: Turn, scope: Scope | None = None,
                   period: Period = Period.FISCAL_YEAR) -> Answer:
    actor, t = turn.actor, turn.t
    scope = scope or summaries.default_scope(actor)
    parts = await summary_texts(turn.runtime, actor, t, scope, period, limit=TEXT_LIMIT)
    parts = parts[:SUMMARY_MESSAGES]
    choices = offered([choice for row in summary_choices(actor, t, scope, period)
                       for choice in row])
    return [text_message(part) for part in parts[:-1]] + [text_message(parts[-1], choices)]


async def _press_summary(turn: Turn) -> Answer:
    pressed = read_summary_press(turn.postback)
    if isinstance(pressed, Pick):
        return await _pick(turn, pressed)
    return await _summary(turn, *pressed)


async def _pick(turn: Turn, pick: Pick) -> Answer:
    """The districts or units to summarise, a page of quick replies at a time."""
    t = turn.t
    found = await scope_choices(turn.runtime, turn.actor, t, pick)
    pages = max(1, -(-len(found) // PICKS_PER_PAGE))
    page = min(pick.page, pages - 1)
    choices = [(label, data.pack())
               for label, data in found[page * PICKS_PER_PAGE:(page + 1) * PICKS_PER_PAGE]]
    for shown, other in ((page > 0, page - 1), (page + 1 < pages, page + 1)):
        if shown:
            choices.append((t("button-previous" if other < page else "button-next"),
                            SummaryButton(scope=pick.pick, key=str(other),
                                          period=pick.period).pack()))
    question = "line-summary-pick-district" if pick.pick == PICK_DISTRICT \
        else "line-summary-pick-unit"
    return [text_message(t(question), choices)]


async def _export(turn: Turn) -> Answer:
    """/export: this fiscal year's workbook of what the asker may see."""
    return await _make(turn, ReportKind.XLSX, summaries.default_scope(turn.actor),
                       Period.FISCAL_YEAR)


async def _chart(turn: Turn) -> Answer:
    return await _make(turn, ReportKind.CHART, summaries.default_scope(turn.actor),
                       Period.FISCAL_YEAR)


async def _press_report(turn: Turn) -> Answer:
    return await _make(turn, *read_report_press(turn.postback))


async def _make(turn: Turn, kind: ReportKind, scope: Scope, period: Period) -> Answer:
    runtime, actor, t = turn.runtime, turn.actor, turn.t
    require_files(runtime.settings)
    report = await prepare_report(runtime, actor, t, kind, scope, period)
    with tempfile.TemporaryDirectory(prefix="panong-report-") as folder:
        path, listed = await write_report(runtime, t, report, Path(folder))
        content = await asyncio.to_thread(path.read_bytes)
    if kind is ReportKind.CHART:
        return [text_message(report.title),
                await image_message(runtime, actor, content, file_name=path.name)]
    return await download_messages(runtime, actor, t, content, file_name=path.name,
                                   content_type=CONTENT_TYPES[kind],
                                   text=report_caption(t, report, listed))


ROUTES = Routes(
    commands={"/summary": _summary, "/export": _export, "/chart": _chart},
    postbacks=[Postback(claims(SummaryButton), _press_summary),
               Postback(claims(ReportButton), _press_report)],
)
