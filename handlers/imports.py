"""A coordinator sends a list (CSV or XLSX) to import; /locate for the schools' teachers.

The list is saved to a temporary folder and read and checked in a child process with a
memory and time limit (`bot.import_process`), waited for in a worker thread with its
progress edited into a message, so that everyone else is answered meanwhile and no file
can take the bot down.
"""

import tempfile
from pathlib import Path

from telegram import InlineKeyboardMarkup, Update

from bot import presenters
from bot.errors import StaleAction
from bot.flows.callback_data import LeadOpenButton, LeadPageButton
from bot.flows.imports import MAX_BYTES, import_file, lead_page, lead_results, read_lead_mark
from bot.imports import ImportFileError
from bot.services import imports
from handlers.context import PanongContext
from handlers.errors import tell_error
from handlers.keyboards import button, rows
from handlers.pages import paginated
from handlers.progress import Progress, edit_status


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
    progress = Progress(status, lambda done: t("import-progress", done=done))
    with tempfile.TemporaryDirectory(prefix="panong-import-") as folder:
        source = Path(folder, "list")
        await (await document.get_file()).download_to_drive(source)
        try:
            done = await import_file(runtime, context.actor, t, source,
                                     document.file_name or "", Path(folder), progress)
        except ImportFileError as error:
            await progress.settled()
            await edit_status(status, t(error.key, **error.params))
            return
        await progress.settled()
        await edit_status(status, done.text)
        if done.rejected is not None:
            await message.reply_document(done.rejected, filename=done.rejected_name,
                                         caption=t("import-rejected-file"))


async def _lead_list(context: PanongContext, page: int) -> tuple[str, InlineKeyboardMarkup]:
    text, choices, turns = await lead_page(context.runtime, context.actor, context.t, page)
    return text, InlineKeyboardMarkup([[button(label, data)] for label, data in choices]
                                      + ([[button(label, data) for label, data in turns]]
                                         if turns else []))


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
    choices = [button(label, data) for label, data in lead_results(lead, t)]
    await query.answer()
    await query.message.reply_text(presenters.lead_card(lead, t, runtime.geography,
                                                        runtime.today()),
                                   reply_markup=InlineKeyboardMarkup(rows(choices, 2)))


async def mark_lead(update: Update, context: PanongContext) -> None:
    query = update.callback_query
    assert query is not None
    lead_id, result = read_lead_mark(query.data)
    runtime, t = context.runtime, context.t
    lead = await imports.mark_lead(runtime.db, context.actor, lead_id, result,
                                   now=runtime.now())
    await query.answer()
    await query.edit_message_text(t(f"lead-marked-{result}", name=lead.full_name))

