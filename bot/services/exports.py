"""Exports and charts: what may be exported, by whom, and the data to write.

The files themselves are written by `bot.reports` in a worker thread; this module decides
and records. The case list (one row per case, no names or identity numbers) is for
coordinators only, and is sent to them in private.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot.domain.models import User
from bot.errors import PermissionDenied
from bot.services import summaries
from bot.services.access import require_user
from bot.services.summaries import Period, Scope, Summary
from storage.interface import Database
from storage.summaries import SummaryFilter


class ReportKind(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"
    CHART = "chart"


class Prepared(BaseModel):
    """What to write: the summary, and for coordinators which cases to list."""

    model_config = ConfigDict(frozen=True)

    kind: ReportKind
    summary: Summary
    case_list: SummaryFilter | None
    organisations: dict[str, str]  # id -> short name, for the case list


def may_list_cases(actor: User | None) -> bool:
    """Only coordinators get a file with one row per child."""
    return summaries.may_choose_scope(actor)


async def prepare(db: Database, actor: User | None, scope: Scope, period: Period,
                  kind: ReportKind, *, now: datetime, tz: tzinfo, overdue_after: timedelta,
                  language: str) -> Prepared:
    """Check, record who asked for what, and gather the data of one export or chart.
    `actor` None is the command line, run by whoever holds the server."""
    if actor is not None:
        actor = require_user(await db.read.users.get(actor.id))
    if kind is ReportKind.CSV and actor is not None and not may_list_cases(actor):
        raise PermissionDenied()
    summary = await summaries.summarise(db, actor, scope, period, now=now, tz=tz,
                                        overdue_after=overdue_after)
    with_cases = kind is not ReportKind.CHART and (actor is None or may_list_cases(actor))
    case_list = SummaryFilter(scope, summaries.period_since(period, now, tz)) \
        if with_cases else None
    async with db.unit_of_work() as uow:
        await uow.audit.record(at=now, actor_id=actor.id if actor else None,
                               action=f"report.{kind}",
                               entity="report", entity_id=scope.kind,
                               after={"scope": scope.key, "period": period,
                                      "case_list": with_cases, "language": language})
        await uow.commit()
    organisations = {unit.id: unit.short_name(language)
                     for unit in await db.read.organisations.active()}
    return Prepared(kind=kind, summary=summary, case_list=case_list,
                    organisations=organisations)


# Cases handed to the writing thread at a time: each handover is a round trip to the loop.
HANDOVER = 2000


def case_rows(db: Database, prepared: Prepared) -> Iterator[tuple] | None:
    """The export's case list, streamed, for the worker thread that writes the file. Call
    it on the event loop: the rows are read there, `HANDOVER` at a time."""
    if prepared.case_list is None:
        return None
    return _in_thread(db.read.exports.case_list(prepared.case_list),
                      asyncio.get_running_loop())


def _in_thread(rows: AsyncIterator[tuple], loop: asyncio.AbstractEventLoop
               ) -> Iterator[tuple]:
    # The next batch is read while the thread writes this one, so the file never waits
    # for the database (SQLite lets go of the interpreter lock while it reads).
    ahead = asyncio.run_coroutine_threadsafe(_take(rows, HANDOVER), loop)
    try:
        while chunk := ahead.result():
            ahead = asyncio.run_coroutine_threadsafe(_take(rows, HANDOVER), loop)
            yield from chunk
    finally:
        ahead.cancel()


async def _take(rows: AsyncIterator[tuple], count: int) -> list[tuple]:
    taken = []
    async for row in rows:
        taken.append(row)
        if len(taken) == count:
            break
    return taken
