"""A list to import, sent as a file on any channel, and the leads' buttons.

The adapter saves the file in a temporary folder; `import_file` reads and checks it in a
child process with a memory and time limit (`bot.import_process`), waited for in a worker
thread, saves the leads, and writes the rejected rows, if any, for the adapter to hand back
(Telegram sends the file, LINE a link).
"""

import asyncio
import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot import presenters
from bot.domain.models import User
from bot.errors import StaleAction
from bot.flows.callback_data import LeadMarkButton, LeadOpenButton, LeadPageButton
from bot.flows.choices import Choice, pager
from bot.i18n import Translator
from bot.import_process import read_apart
from bot.imports import ParsedList
from bot.reports import spreadsheet_safe
from bot.runtime import Runtime
from bot.services import imports
from bot.services.imports import LeadResult
from storage.leads import Lead

# The largest list taken: what Telegram lets bots download (20 MB).
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class ImportDone:
    text: str  # the counts, to tell the importer
    rejected: Path | None  # the rejected rows with their reasons, when there are any
    rejected_name: str


async def import_file(runtime: Runtime, actor: User | None, t: Translator, source: Path,
                      file_name: str, folder: Path,
                      progress: Callable[[int], None] | None = None) -> ImportDone:
    """Read `source` (named `file_name` by its sender) and import it; ImportFileError when
    it cannot be read, and nothing is imported. `folder`: where the work files go."""
    imports.require_importer(actor)
    settings = runtime.settings
    parsed = await asyncio.to_thread(
        read_apart, source, file_name, runtime.geography, runtime.today(),
        folder / "checked", limits=settings.import_limits, process=settings.import_process,
        progress=progress)
    name = file_name or "list"
    result = await imports.import_list(runtime.db, actor, parsed, file_name=name,
                                       now=runtime.now())
    text = t("import-done", total=result.total, added=result.added, already=result.already,
             rejected=result.rejected, unassigned=result.unassigned)
    if parsed.stopped_at is not None:
        text += "\n" + t("import-stopped", line=parsed.stopped_at,
                         blank=settings.import_max_blank_rows)
    rejected = None
    if result.rejected:
        rejected = folder / "rejected.csv"
        await asyncio.to_thread(_write_rejected, rejected, parsed, t)
    return ImportDone(text=text, rejected=rejected, rejected_name=f"rejected-{name}.csv")


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


async def lead_page(runtime: Runtime, actor: User | None, t: Translator,
                    page: int) -> tuple[str, list[Choice], list[Choice]]:
    """/locate: a page of the children the school is to find, one choice to open each, and
    the page turns."""
    found = await imports.to_locate(runtime.db, actor, page)
    return (presenters.lead_list(found, t, runtime.geography, runtime.today()),
            [(t("button-open-lead", name=lead.full_name), LeadOpenButton(lead_id=lead.id))
             for lead in found.leads],
            pager(found.page, found.pages, LeadPageButton, t))


def lead_results(lead: Lead, t: Translator) -> list[tuple[str, LeadMarkButton]]:
    """What the school may answer about a child on a list."""
    return [(t(f"lead-result-{result}"), LeadMarkButton(lead_id=lead.id, result=result))
            for result in LeadResult]


def read_lead_mark(data: str | None) -> tuple[int, LeadResult]:
    pressed = LeadMarkButton.unpack(data)
    try:
        if pressed is None:
            raise ValueError(data)
        return pressed.lead_id, LeadResult(pressed.result)
    except ValueError as error:
        raise StaleAction() from error
