"""A coordinator sends a list (CSV or XLSX) to import; /locate for the schools' teachers.

Reading and checking a large list is CPU work, done in a worker thread with its progress
edited into a message, so that everyone else is answered meanwhile.
"""

import asyncio
import csv
import io

from telegram import InlineKeyboardMarkup, Update

from bot import imports as lists
from bot import presenters
from bot.errors import StaleAction
from bot.i18n import Translator
from bot.imports import ImportFileError, ParsedList
from bot.services import imports
from bot.services.imports import LeadResult
from handlers.callback_data import LeadMarkButton, LeadOpenButton, LeadPageButton
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
    if document.file_size and document.file_size > MAX_BYTES:
        await tell_error(update, context, ImportFileError("too-large"))
        return
    status = await message.reply_text(t("import-reading"))
    data = bytes(await (await document.get_file()).download_as_bytearray())
    progress = Progress(status, lambda done: t("import-progress", done=done))
    try:
        parsed = await asyncio.to_thread(lists.read, data, document.file_name or "",
                                         runtime.geography, runtime.today(),
                                         progress=progress)
    except ImportFileError as error:
        await progress.settled()
        await edit_status(status, t(error.key, **error.params))
        return
    await progress.settled()
    result = await imports.import_list(runtime.db, context.actor, parsed,
                                       file_name=document.file_name or "list", now=runtime.now())
    await edit_status(status, t("import-done", total=result.total, added=result.added,
                                already=result.already, rejected=len(result.rejected),
                                unassigned=result.unassigned))
    if result.rejected:
        await message.reply_document(_rejected_file(parsed, t),
                                     filename=f"rejected-{document.file_name or 'list'}.csv",
                                     caption=t("import-rejected-file"))


def _rejected_file(parsed: ParsedList, t: Translator) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([t("import-column-line"), t("import-column-ref"), t("import-column-reason")])
    for row in parsed.rejected:
        writer.writerow([row.line, row.ref, presenters.plain(t(row.reason, **row.params))])
    return out.getvalue().encode("utf-8-sig")


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

