"""An export's case list, read through the read connection a chunk at a time."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.models import CaseStatus, User
from bot.runtime import Runtime
from bot.services import exports
from bot.services.exports import ReportKind
from bot.services.summaries import Period, Scope, ScopeKind
from storage.exports import CASE_LIST_COLUMNS
from storage.summaries import SummaryFilter
from tests.support.dataset import GeneratedCase, generate, write

NOW = datetime(2025, 11, 24, 3, 0, tzinfo=UTC)  # the test clock's start


@pytest.fixture
async def dataset(runtime: Runtime, teacher: User) -> list[GeneratedCase]:
    """120 cases over the last two months, written out of order of their ids' days."""
    cases = generate(120, seed=11, start=NOW - timedelta(days=60), days=59)
    await write(runtime.db, cases, teacher_id=teacher.id)
    return cases


async def test_the_case_list_holds_the_scopes_cases_oldest_first_across_chunks(
    runtime: Runtime, dataset: list[GeneratedCase]
) -> None:
    since = NOW - timedelta(days=30)
    within = SummaryFilter(Scope(ScopeKind.DISTRICT, "1102"), since)
    expected = [f"GEN-{case.id:07d}" for case in dataset
                if case.district == "1102" and case.created_at >= since]
    assert len(expected) > 3 * 2  # the list takes several chunks of 3

    rows = [row async for row in runtime.db.read.exports.case_list(within, chunk=3)]

    assert [row[0] for row in rows] == expected
    assert {len(row) for row in rows} == {len(CASE_LIST_COLUMNS)}


async def test_between_chunks_the_read_connection_sees_fresh_commits_and_a_checkpoint_passes(
    runtime: Runtime, dataset: list[GeneratedCase]
) -> None:
    """A statement left open while the file is written would pin every other reader of
    that connection to the moment the export began, and keep the WAL from being cut back
    after an erasure."""
    rows = runtime.db.read.exports.case_list(SummaryFilter(Scope(ScopeKind.PROVINCE)),
                                             chunk=50)
    first = [await anext(rows) for _ in range(50)]
    async with runtime.db.unit_of_work() as uow:
        await uow.cases.set_status(1, CaseStatus.CLOSED, NOW)
        await uow.commit()

    case = await runtime.db.read.cases.get(1)
    assert case is not None and case.status is CaseStatus.CLOSED
    assert await runtime.db.checkpoint()
    rest = [row async for row in rows]
    assert [row[0] for row in first + rest] == [f"GEN-{n:07d}" for n in range(1, 121)]


async def test_the_writing_thread_gets_every_row_handed_over_a_batch_at_a_time(
    runtime: Runtime, coordinator: User, dataset: list[GeneratedCase],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "HANDOVER", 7)
    prepared = await exports.prepare(
        runtime.db, coordinator, Scope(ScopeKind.PROVINCE), Period.ALL_TIME, ReportKind.CSV,
        now=NOW, tz=runtime.settings.tz, overdue_after=timedelta(days=7), language="en")
    assert prepared.case_list == SummaryFilter(Scope(ScopeKind.PROVINCE), None)

    rows = exports.case_rows(runtime.db, prepared)
    assert rows is not None
    written = await asyncio.to_thread(list, rows)

    assert written == [row async for row in runtime.db.read.exports.case_list(
        SummaryFilter(Scope(ScopeKind.PROVINCE)))]
    assert len(written) == len(dataset)
