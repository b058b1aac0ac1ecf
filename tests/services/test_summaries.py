"""Summaries on a generated dataset, checked against counts made here from the records
themselves; the plans of the summary queries; who may see which summary."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

import pytest

from bot.domain.models import NEED_BITS, Need, Outcome, ReferralStatus, Role, User
from bot.errors import PermissionDenied
from bot.presenters import MESSAGE_LIMIT, split_messages
from bot.runtime import Runtime
from bot.services import imports, summaries
from bot.services.summaries import RETURNED, Period, Scope, ScopeKind, Summary
from storage.summaries import SummaryFilter
from tests.conftest import add_user
from tests.support.dataset import GeneratedCase, generate, write
from tests.support.plans import plan_nodes, reads
from tests.test_imports import ROWS, THAI_HEADER, csv_bytes, read_bytes

NOW = datetime(2025, 11, 24, 3, 0, tzinfo=UTC)  # the test clock's start
WEEK = timedelta(days=7)


@pytest.fixture
async def dataset(runtime: Runtime, teacher: User) -> list[GeneratedCase]:
    """400 cases over the last two years."""
    cases = generate(400, seed=7, start=NOW - timedelta(days=730), days=729)
    await write(runtime.db, cases, teacher_id=teacher.id)
    return cases


async def summary_of(runtime: Runtime, actor: User | None, scope: Scope,
                     period: Period = Period.ALL_TIME) -> Summary:
    return await summaries.summarise(runtime.db, actor, scope, period, now=NOW,
                                     tz=runtime.settings.tz, overdue_after=WEEK)


async def test_the_case_sections_match_counts_made_from_the_records(
    runtime: Runtime, coordinator: User, dataset: list[GeneratedCase]
) -> None:
    summary = await summary_of(runtime, coordinator, Scope(ScopeKind.PROVINCE))

    assert summary.total == len(dataset)
    assert summary.foreign == sum(case.foreign for case in dataset)
    assert summary.female == sum(case.sex == "female" for case in dataset)
    assert summary.not_found == sum(not case.found for case in dataset)
    for row in summary.districts:
        mine = [case for case in dataset if case.district == row.district_code]
        assert row.found_thai == sum(c.found and not c.foreign for c in mine)
        assert row.not_found_foreign == sum(not c.found and c.foreign for c in mine)
    for group, (thai, foreign) in summary.ages.items():
        assert thai == sum(c.age_group == group and not c.foreign for c in dataset)
        assert foreign == sum(c.age_group == group and c.foreign for c in dataset)
    assert summary.needs.get("none", 0) == sum(not case.needs for case in dataset)
    for need in NEED_BITS:
        assert summary.needs.get(need, 0) == sum(need in case.needs for case in dataset)
    assert summary.causes == {key: n for key, n in Counter(
        case.cause or "unknown" for case in dataset).items()}


@pytest.mark.parametrize("scope", [Scope(ScopeKind.PROVINCE), Scope(ScopeKind.TEACHER, "2")])
async def test_table_5_and_the_referral_figures_match_the_records(
    runtime: Runtime, coordinator: User, dataset: list[GeneratedCase], scope: Scope
) -> None:
    """The same figures from the running tallies (the province) and from the referrals
    themselves (a teacher's share: here every case is that teacher's)."""
    summary = await summary_of(runtime, coordinator, scope)

    held = (ReferralStatus.SENT, ReferralStatus.INFO_REQUESTED, ReferralStatus.ACCEPTED,
            ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED)
    for row in summary.returns:
        learning = [(status, outcome) for c in dataset
                    for (unit, status, outcome, _), need in zip(c.referrals, c.needs,
                                                                strict=False)
                    if unit == row.unit.id and status in held
                    and need in (Need.EDUCATION, Need.VOCATIONAL_SKILLS)]
        returned = [1 for status, outcome in learning
                    if status is ReferralStatus.COMPLETED and outcome in RETURNED]
        assert (row.out_of_school, row.returned) == (len(learning), len(returned))
        assert row.percent == round(100 * len(returned) / len(learning), 2)
    assert summary.returns
    for row in summary.referrals:
        mine = [(c, r) for c in dataset for r in c.referrals if r[0] == row.unit.id]
        assert row.sent == len(mine)
        assert row.declined == sum(r[1] is ReferralStatus.DECLINED for _, r in mine)
        assert row.completed == dict(Counter(r[2] for _, r in mine
                                             if r[1] is ReferralStatus.COMPLETED))
        assert row.overdue == sum(r[1] is ReferralStatus.SENT and c.created_at < NOW - WEEK
                                  for c, r in mine)
        days = [r[3] for _, r in mine if r[3] is not None]
        assert row.median_days_to_accept == median(days)
    assert summary.unrouted == sum(r[1] is ReferralStatus.UNROUTED
                                   for c in dataset for r in c.referrals)


async def test_scope_and_period_narrow_every_section(
    runtime: Runtime, coordinator: User, dataset: list[GeneratedCase]
) -> None:
    district = await summary_of(runtime, coordinator, Scope(ScopeKind.DISTRICT, "1103"))
    assert district.total == sum(case.district == "1103" for case in dataset)
    assert [row.district_code for row in district.districts] == ["1103"]

    unit = await summary_of(runtime, coordinator, Scope(ScopeKind.UNIT, "dole_d1103"))
    assert unit.total == sum(any(r[0] == "dole_d1103" for r in case.referrals)
                             for case in dataset)
    assert [row.unit.id for row in unit.referrals] == ["dole_d1103"]

    fiscal = await summary_of(runtime, coordinator, Scope(ScopeKind.PROVINCE),
                              Period.FISCAL_YEAR)
    # 1 October 2025, midnight in Bangkok, is 30 September 17:00 UTC.
    since = datetime(2025, 9, 30, 17, 0, tzinfo=UTC)
    assert fiscal.start is not None and fiscal.start.isoformat() == "2025-10-01"
    assert fiscal.total == sum(case.created_at >= since for case in dataset)


async def test_a_teacher_sees_their_own_cases_and_a_focal_point_their_unit_only(
    runtime: Runtime, teacher: User, coordinator: User, dataset: list[GeneratedCase]
) -> None:
    focal = await add_user(runtime, Role.FOCAL_POINT, "dole_d1103", "4001", inviter=coordinator)
    assert summaries.default_scope(teacher) == Scope(ScopeKind.TEACHER, str(teacher.id))
    mine = await summary_of(runtime, teacher, summaries.default_scope(teacher))
    assert mine.total == len(dataset)  # every generated case is this teacher's

    for actor, scope in ((teacher, Scope(ScopeKind.PROVINCE)),
                         (teacher, Scope(ScopeKind.TEACHER, str(coordinator.id))),
                         (focal, Scope(ScopeKind.UNIT, "spp1_samutprakan")),
                         (focal, Scope(ScopeKind.DISTRICT, "1103"))):
        with pytest.raises(PermissionDenied):
            await summary_of(runtime, actor, scope)
    assert (await summary_of(runtime, focal, summaries.default_scope(focal))).total > 0


async def _plan(runtime: Runtime, sql: str, params: list[object]) -> str:
    rows = await runtime.db.read.conn.execute_fetchall("EXPLAIN QUERY PLAN " + sql, params)
    return " ".join(row[3] for row in rows)


@pytest.mark.sqlite_only  # EXPLAIN QUERY PLAN; the PostgreSQL twin follows
@pytest.mark.parametrize("scope", [Scope(ScopeKind.PROVINCE), Scope(ScopeKind.DISTRICT, "1101")])
@pytest.mark.parametrize("since", [NOW, None])
@pytest.mark.parametrize("analyzed", [False, True])
async def test_the_case_groupings_stream_through_their_indexes(
    runtime: Runtime, dataset: list[GeneratedCase], scope: Scope, since: datetime | None,
    analyzed: bool
) -> None:
    """Whatever statistics the planner has, each grouping reads its covering index alone
    and in order: no table row per case, no sort. A wrong index here turns a 100 ms
    summary into seconds."""
    if analyzed:
        await runtime.db.writer.execute("ANALYZE")
    within = SummaryFilter(scope, since)
    repository = runtime.db.read.summaries
    for (sql, params), index in ((repository.people_sql(within), "cases_people"),
                                 (repository.reasons_sql(within), "cases_reasons")):
        plan = await _plan(runtime, sql, params)
        assert f"USING COVERING INDEX {index}" in plan, plan
        assert "TEMP B-TREE" not in plan, plan


@pytest.mark.sqlite_only
async def test_a_units_referral_figures_come_from_the_referral_index_alone(
    runtime: Runtime, dataset: list[GeneratedCase]
) -> None:
    await runtime.db.writer.execute("ANALYZE")
    within = SummaryFilter(Scope(ScopeKind.UNIT, "dole_d1103"), NOW)
    plan = await _plan(runtime, *runtime.db.read.summaries.referrals_sql(within))
    assert "COVERING INDEX referrals_figures" in plan and "TEMP B-TREE" not in plan, plan


async def _vacuum(runtime: Runtime) -> None:
    """Statistics, and the map of pages all visible that lets an index be read alone, as
    autovacuum keeps them in production. A test server may commit without waiting for its
    log to reach the disk (synchronous_commit off), and until it does VACUUM may not mark
    a page all visible: one commit that waits flushes the log of those before it."""
    async with runtime.db.unit_of_work() as uow:
        await uow.conn.execute("SET LOCAL synchronous_commit = on")
        await uow.bot_state.put("test_flushed", "yes")
        await uow.commit()
    await runtime.db.read.conn.execute("VACUUM ANALYZE cases, referrals")


def _index_alone_in_order(nodes: list[dict[str, Any]], index: str) -> bool:
    """The grouping reads `index` alone (no table row per case), in its order (no sort)."""
    return (reads(nodes) == [("Index Only Scan", index)]
            and not [node for node in nodes if "Sort" in node["Node Type"]])


@pytest.mark.postgresql_only
@pytest.mark.parametrize("scope", [Scope(ScopeKind.PROVINCE), Scope(ScopeKind.DISTRICT, "1101")])
@pytest.mark.parametrize("since", [NOW - timedelta(days=365), None])
async def test_on_postgresql_the_case_groupings_stream_through_their_indexes(
    runtime: Runtime, dataset: list[GeneratedCase], scope: Scope, since: datetime | None
) -> None:
    """As on SQLite: each grouping can be read from its covering index alone and in
    order. (With few rows PostgreSQL reads the table, rightly: see `plan_nodes`.)"""
    await _vacuum(runtime)
    within = SummaryFilter(scope, since)
    repository = runtime.db.read.summaries
    for (sql, params), index in ((repository.people_sql(within), "cases_people"),
                                 (repository.reasons_sql(within), "cases_reasons")):
        nodes = await plan_nodes(runtime.db, sql, params, seqscan=False)  # type: ignore[arg-type]
        assert _index_alone_in_order(nodes, index), nodes


@pytest.mark.postgresql_only
async def test_on_postgresql_a_units_referral_figures_come_from_the_referral_index_alone(
    runtime: Runtime, dataset: list[GeneratedCase]
) -> None:
    await _vacuum(runtime)
    within = SummaryFilter(Scope(ScopeKind.UNIT, "dole_d1103"), NOW)
    nodes = await plan_nodes(runtime.db,  # type: ignore[arg-type]
                             *runtime.db.read.summaries.referrals_sql(within), seqscan=False)
    assert _index_alone_in_order(nodes, "referrals_figures"), nodes


def test_long_summaries_are_split_between_parts_under_telegrams_limit() -> None:
    parts = [f"<b>Part {n}</b>\n" + "x" * 1500 for n in range(7)]
    messages = split_messages(parts)
    assert all(len(message) <= MESSAGE_LIMIT for message in messages)
    assert "".join(messages).count("<b>Part") == 7 and len(messages) == 4
    huge = split_messages(["\n".join(f"line {n}" for n in range(2000))])
    assert all(len(message) <= MESSAGE_LIMIT for message in huge)
    assert sum(message.count("line ") for message in huge) == 2000


def test_returned_counts_school_non_formal_and_vocational_training() -> None:
    assert set(RETURNED) == {Outcome.ENROLLED_SCHOOL, Outcome.ENROLLED_NON_FORMAL,
                             Outcome.VOCATIONAL_TRAINING}


async def test_the_survey_table_counts_the_imported_lists_and_what_schools_found(
    runtime: Runtime, coordinator: User, teacher: User, tmp_path: Path
) -> None:
    parsed = read_bytes(csv_bytes(THAI_HEADER, ROWS), "list.csv", tmp_path,
                        runtime.geography, runtime.today())
    await imports.import_list(runtime.db, coordinator, parsed, file_name="list.csv",
                              now=runtime.now())
    await imports.mark_lead(runtime.db, teacher, 2, imports.LeadResult.NOT_FOUND,
                            now=runtime.now())

    summary = await summary_of(runtime, coordinator, Scope(ScopeKind.PROVINCE))

    rows = {row.district_code: row for row in summary.lists}
    assert rows["1103"].listed == (1, 0) and rows["1103"].statuses == {"to_locate": (1, 0)}
    assert rows["1101"].listed == (0, 1) and rows["1101"].statuses == {"not_found": (0, 1)}
    district = await summary_of(runtime, coordinator, Scope(ScopeKind.DISTRICT, "1101"))
    assert [row.district_code for row in district.lists] == ["1101"]
    mine = await summary_of(runtime, teacher, summaries.default_scope(teacher))
    assert mine.lists == []
