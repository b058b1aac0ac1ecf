"""A coordinator sends a list (CSV or XLSX) to import; /locate for the schools' teachers.

The list is saved to a temporary folder and read and checked in a child process with a
memory and time limit (`bot.import_process`), waited for in a worker thread with its
progress edited into a message, so that everyone else is answered meanwhile and no file
can take the bot down.
"""

import asyncio
import csv
import tempfile
from pathlib import Path

from telegram import InlineKeyboardMarkup, Update

from bot import presenters
from bot.errors import StaleAction
from bot.flows.callback_data import LeadMarkButton, LeadOpenButton, LeadPageButton
from bot.i18n import Translator
from bot.import_process import read_apart
from bot.imports import ImportFileError, ParsedList
from bot.reports import spreadsheet_safe
from bot.services import imports
from bot.services.imports import LeadResult
from handlers.context import PanongContext
from handlers.errors import tell_error
from handlers.keyboards import button, paged, rows
from handlers.pages import paginated
from handlers.progress import Progress, edit_status

# Telegram lets bots download files of up to 20 MB.
MAX_BYTES = 20 * 1024 * 1024


async def receive_list(update: Update, context: PanongContext) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    imports.require_importer(context.actor)
    runtime, t = context.runtime, context.t
    document = message.document
    name = document.file_name or "list"
    if document.file_size and document.file_size > MAX_BYTES:
        await tell_error(update, context, ImportFileError("too-large"))
        return
    status = await message.reply_text(t("import-reading"))
    progress = Progress(status, lambda done: t("import-progress", done=done))
    with tempfile.TemporaryDirectory(prefix="panong-import-") as folder:
        source = Path(folder, "list")
        await (await document.get_file()).download_to_drive(source)
        try:
            parsed = await asyncio.to_thread(
                read_apart, source, document.file_name or "", runtime.geography,
                runtime.today(), Path(folder, "checked"), limits=runtime.settings.import_limits,
                process=runtime.settings.import_process, progress=progress)
        except ImportFileError as error:
            await progress.settled()
            await edit_status(status, t(error.key, **error.params))
            return
        await progress.settled()
        result = await imports.import_list(runtime.db, context.actor, parsed, file_name=name,
                                           now=runtime.now())
        done = t("import-done", total=result.total, added=result.added,
                 already=result.already, rejected=result.rejected,
                 unassigned=result.unassigned)
        if parsed.stopped_at is not None:
            done += "\n" + t("import-stopped", line=parsed.stopped_at,
                              blank=runtime.settings.import_max_blank_rows)
        await edit_status(status, done)
        if result.rejected:
            rejected = Path(folder, "rejected.csv")
            await asyncio.to_thread(_write_rejected, rejected, parsed, t)
            await message.reply_document(rejected, filename=f"rejected-{name}.csv",
                                         caption=t("import-rejected-file"))


def _write_rejected(path: Path, parsed: ParsedList, t: Translator) -> None:
    """The rejected rows with their reasons; cells as the list had them, made safe to open
    in a spreadsheet."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([t("import-column-line"), t("import-column-ref"),
                         t("import-column-reason")])
        for row in parsed.rejections():
            writer.writerow([row.line, spreadsheet_safe(row.ref),
                             presenters.plain(t(row.reason, **row.params))])


async def _lead_list(context: PanongContext, page: int) -> tuple[str, InlineKeyboardMarkup]:
    runtime, t = context.runtime, context.t
    found = await imports.to_locate(runtime.db, context.actor, page)
    text = presenters.lead_list(found, t, runtime.geography, runtime.today())
    layout = [[button(t("button-open-lead", name=lead.full_name), LeadOpenButton(
        lead_id=lead.id))] for lead in found.leads]
    return text, paged(layout, found.page, found.pages, LeadPageButton, t)


# /locate (the children the teacher's school is to find), and its pages.
show_leads, leads_page = paginated(_lead_list, LeadPageButton)


async def open_lead(update: Update, context: PanongContext) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    pressed = LeadOpenButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    runtime, t = context.runtime, context.t
    lead = await imports.show_lead(runtime.db, context.actor, pressed.lead_id)
    choices = [button(t(f"lead-result-{result}"), LeadMarkButton(lead_id=lead.id,
                                                                 result=result))
               for result in LeadResult]
    await query.answer()
    await query.message.reply_text(presenters.lead_card(lead, t, runtime.geography,
                                                        runtime.today()),
                                   reply_markup=InlineKeyboardMarkup(rows(choices, 2)))


async def mark_lead(update: Update, context: PanongContext) -> None:
    query = update.callback_query
    assert query is not None
    pressed = LeadMarkButton.unpack(query.data)
    try:
        if pressed is None:
            raise ValueError(query.data)
        result = LeadResult(pressed.result)
    except ValueError as error:
        raise StaleAction() from error
    runtime, t = context.runtime, context.t
    lead = await imports.mark_lead(runtime.db, context.actor, pressed.lead_id, result,
                                   now=runtime.now())
    await query.answer()
    await query.edit_message_text(t(f"lead-marked-{result}", name=lead.full_name))

