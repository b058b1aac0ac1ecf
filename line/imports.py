"""Lists to import sent on LINE, and /locate for the schools' teachers.

A coordinator sends the list (CSV or XLSX) as a file in their chat with the bot. Its size,
as LINE gives it, is checked before anything is fetched; the content comes from the
api-data host into a temporary folder and takes the same bounded path as on Telegram
(`bot.flows.imports`: a child process with a memory and time limit). The rejected rows go
back as a short-lived link (`line.files`).
"""

import asyncio
import logging
import tempfile
from pathlib import Path

from linebot.v3.messaging import ApiException
from linebot.v3.webhooks import FileMessageContent, MessageEvent

from bot import presenters
from bot.flows.callback_data import LeadMarkButton, LeadOpenButton, LeadPageButton
from bot.flows.imports import MAX_BYTES, import_file, lead_page, lead_results, read_lead_mark
from bot.imports import ImportFileError
from bot.services import imports
from line.admin import claims
from line.files import download_messages, files_url
from line.render import offered, text_message
from line.turn import Answer, Postback, Routes, Turn

log = logging.getLogger(__name__)


async def receive_list(turn: Turn) -> Answer:
    event = turn.event
    assert isinstance(event, MessageEvent) and isinstance(event.message, FileMessageContent)
    runtime, t = turn.runtime, turn.t
    imports.require_importer(turn.actor)
    if event.message.file_size > MAX_BYTES:
        raise ImportFileError("too-large")
    if turn.blob is None:
        return [text_message(t("line-file-not-fetched"))]
    try:
        content = await turn.blob.get_message_content(event.message.id)
    except (ApiException, OSError) as error:
        log.warning("a list sent on LINE could not be fetched: %s",
                    getattr(error, "status", error))
        return [text_message(t("line-file-not-fetched"))]
    if len(content) > MAX_BYTES:
        raise ImportFileError("too-large")
    with tempfile.TemporaryDirectory(prefix="panong-import-") as folder:
        source = Path(folder, "list")
        await asyncio.to_thread(source.write_bytes, content)
        del content
        done = await import_file(runtime, turn.actor, t, source, event.message.file_name,
                                 Path(folder))
        answer = [text_message(done.text)]
        if done.rejected is not None:
            if files_url(runtime.settings) is None:
                answer.append(text_message(t("line-files-need-public-url")))
            else:
                answer += await download_messages(
                    runtime, turn.actor, t, await asyncio.to_thread(done.rejected.read_bytes),
                    file_name=done.rejected_name, content_type="text/csv; charset=utf-8",
                    text=t("import-rejected-file"))
    return answer


async def _locate(turn: Turn, page: int = 0) -> Answer:
    text, choices, turns = await lead_page(turn.runtime, turn.actor, turn.t, page)
    return [text_message(text, offered(choices + turns))]


async def _locate_page(turn: Turn) -> Answer:
    pressed = LeadPageButton.unpack(turn.postback)
    assert pressed is not None
    return await _locate(turn, pressed.page)


async def _open_lead(turn: Turn) -> Answer:
    pressed = LeadOpenButton.unpack(turn.postback)
    assert pressed is not None
    runtime, t = turn.runtime, turn.t
    lead = await imports.show_lead(runtime.db, turn.actor, pressed.lead_id)
    return [text_message(presenters.lead_card(lead, t, runtime.geography, runtime.today()),
                         offered(lead_results(lead, t)))]


async def _mark_lead(turn: Turn) -> Answer:
    lead_id, result = read_lead_mark(turn.postback)
    runtime = turn.runtime
    lead = await imports.mark_lead(runtime.db, turn.actor, lead_id, result, now=runtime.now())
    return [text_message(turn.t(f"lead-marked-{result}", name=lead.full_name))]


ROUTES = Routes(
    commands={"/locate": _locate},
    postbacks=[Postback(claims(LeadPageButton), _locate_page),
               Postback(claims(LeadOpenButton), _open_lead),
               Postback(claims(LeadMarkButton), _mark_lead)],
)
