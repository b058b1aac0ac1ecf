"""Two bot processes on one PostgreSQL database, writing at once: first press wins, the
tallies count each change once, case codes do not repeat, and each reminder and outbox row
is taken by one process only, each chat's rows by one process at a time.

Each process is a `Runtime` of its own on the same URL (its own pool, as a second process
has). The race is made real, not left to luck: one process holds its transaction open at
the point that matters, the other is started and, where the rule says it must wait, is seen
waiting for a lock on the server (`waiting_or_done`) before the first commits.
About PostgreSQL's own locking, so on PostgreSQL only: SQLite has one writer at a time."""

import asyncio
from collections.abc import AsyncIterator, Awaitable
from datetime import timedelta
from typing import Any, TypeVar

import pytest

from bot.domain.models import (
    CaseStatus,
    OutboxKind,
    Outcome,
    ReferralStatus,
    ReminderKind,
    ReminderStatus,
    Role,
    User,
)
from bot.errors import ReferralAlreadyTaken
from bot.flows.referrals import ACTIONS
from bot.runtime import Runtime
from bot.services import referrals, registration, reminders
from bot.services.referrals.common import derive_case_status
from storage.interface import Database
from storage.outbox import Owed
from storage.tallies import TABLES
from tests.conftest import FakeClock, add_user
from tests.services.test_registration import complete, register
from tests.support.cases import by_need, register_and_send, register_case

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

T = TypeVar("T")
S = ReferralStatus


@pytest.fixture
async def other(runtime: Runtime, clock: FakeClock) -> AsyncIterator[Runtime]:
    """A second bot process on the same database."""
    second = await Runtime.start(runtime.settings, clock=clock)
    try:
        yield second
    finally:
        await second.close()


@pytest.fixture
async def primary(runtime: Runtime, coordinator: User) -> User:
    return await add_user(runtime, Role.FOCAL_POINT, "spp1_samutprakan", "2001",
                          "Khun Malee", inviter=coordinator)


@pytest.fixture
async def primary_colleague(runtime: Runtime, coordinator: User) -> User:
    return await add_user(runtime, Role.FOCAL_POINT, "spp1_samutprakan", "2002",
                          "Khun Wichai", inviter=coordinator)


@pytest.fixture
async def welfare(runtime: Runtime, coordinator: User) -> User:
    return await add_user(runtime, Role.FOCAL_POINT, "msdhs_pso_samutprakan", "3001",
                          inviter=coordinator)


async def waiting_or_done(db: Database, work: Awaitable[T]) -> asyncio.Task[T]:
    """`work` started, once it waits for a lock another transaction holds (or is done:
    then nothing made it wait)."""
    task = asyncio.ensure_future(work)
    while not task.done():
        rows = await db.read.conn.execute_fetchall(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock'")
        if rows[0][0]:
            break
        await asyncio.sleep(0.005)
    return task


async def tallies(conn: Any) -> dict[str, set[tuple]]:
    found = {}
    for table in TABLES:
        rows = await conn.execute_fetchall(f"SELECT * FROM {table} WHERE n <> 0")
        found[table] = {tuple(row) for row in rows}
    return found


async def recount(db: Database) -> dict[str, set[tuple]]:
    """The tallies counted again from the tables (and not kept)."""
    async with db.unit_of_work() as uow:
        await uow.tallies.rebuild()
        return await tallies(uow.conn)


# --- first press, and the tallies it moves ----------------------------------------------


async def test_two_processes_accepting_one_referral_make_one_acceptance_counted_once(
    runtime: Runtime, other: Runtime, teacher: User, primary: User, primary_colleague: User
) -> None:
    rid = by_need(await register_and_send(runtime, teacher), "EDUCATION").view.referral.id
    now = runtime.now()

    async with runtime.db.unit_of_work() as uow:
        await uow.referrals.transition(rid, from_=ACTIONS["accept"].states, to=S.ACCEPTED,
                                       now=now, unit=primary.organisation_id,
                                       accepted_by=primary.id, accepted_at=now)
        second = await waiting_or_done(runtime.db, referrals.accept(
            other.db, primary_colleague, rid, now=now))
        await uow.commit()

    with pytest.raises(ReferralAlreadyTaken):
        await second
    accepted = await runtime.db.read.referrals.get(rid)
    assert accepted is not None and accepted.accepted_by == primary.id
    assert await tallies(runtime.db.read.conn) == await recount(runtime.db)


async def test_a_press_that_waited_counts_the_referral_from_the_status_it_left(
    runtime: Runtime, other: Runtime, teacher: User, primary: User, primary_colleague: User
) -> None:
    rid = by_need(await register_and_send(runtime, teacher), "EDUCATION").view.referral.id
    now = runtime.now()

    # One focal point asks the teacher a question; the other presses Accept meanwhile,
    # which an open question allows: it waits, then takes the referral from INFO_REQUESTED.
    async with runtime.db.unit_of_work() as uow:
        await uow.referrals.transition(rid, from_=(S.SENT,), to=S.INFO_REQUESTED, now=now,
                                       unit=primary.organisation_id)
        second = await waiting_or_done(runtime.db, referrals.accept(
            other.db, primary_colleague, rid, now=now))
        await uow.commit()
    await second

    assert await tallies(runtime.db.read.conn) == await recount(runtime.db)
    [entry] = [e for e in await runtime.db.read.audit.for_entity("referral", rid)
               if e.action == "referral.accept"]
    assert entry.before == {"status": "info_requested",
                            "organisation_id": primary.organisation_id}


async def test_two_referrals_of_one_case_changed_at_once_leave_the_status_both_make(
    runtime: Runtime, other: Runtime, teacher: User, primary: User, welfare: User
) -> None:
    sent = await register_and_send(runtime, teacher)
    schooling = by_need(sent, "EDUCATION").view.referral
    supplies = by_need(sent, "CONSUMABLES").view.referral.id
    await referrals.accept(runtime.db, primary, schooling.id, now=runtime.now())
    now = runtime.now()

    # One unit records its work done while the other accepts its referral: the case is in
    # progress (the second unit works on it), whichever commits last.
    async with runtime.db.unit_of_work() as uow:
        await uow.referrals.transition(schooling.id, from_=(S.ACCEPTED,), to=S.COMPLETED,
                                       now=now, outcome=Outcome.ENROLLED_SCHOOL, closed_at=now)
        await derive_case_status(uow, schooling.case_id, now)  # none open but supplies
        second = await waiting_or_done(runtime.db, referrals.accept(
            other.db, welfare, supplies, now=now))
        await uow.commit()
    await second

    case = await runtime.db.read.cases.get(schooling.case_id)
    assert case is not None and case.status is CaseStatus.IN_PROGRESS


async def test_two_moves_of_one_child_at_once_move_the_tallies_from_where_it_was(
    runtime: Runtime, other: Runtime, teacher: User
) -> None:
    case = await register_case(runtime, teacher)

    async with runtime.db.unit_of_work() as uow:
        assert await uow.cases.set_district(case.id, "1102", runtime.now()) == case.district_code
        second = await waiting_or_done(runtime.db, referrals.record_move(
            other.db, teacher, case.id, "1103", rules=other.routing, now=other.now(),
            today=other.today()))
        await uow.commit()
    await second

    moved = await runtime.db.read.cases.get(case.id)
    assert moved is not None and moved.district_code == "1103"
    assert await tallies(runtime.db.read.conn) == await recount(runtime.db)


async def test_two_processes_registering_at_once_get_distinct_consecutive_codes(
    runtime: Runtime, other: Runtime, teacher: User, other_teacher: User
) -> None:
    start = asyncio.Barrier(8)

    async def one(process: Runtime, actor: User) -> str:
        await start.wait()
        return (await register_case(process, actor)).code

    codes = await asyncio.gather(*(one(process, actor) for process, actor in
                                   [(runtime, teacher), (other, other_teacher)] * 4))

    prefix = f"{runtime.settings.case_code_prefix}-2568-"
    assert sorted(codes) == [f"{prefix}{n:05d}" for n in range(1, 9)]


async def test_a_rebuild_beside_live_registrations_equals_a_recount(
    runtime: Runtime, other: Runtime, clock: FakeClock, teacher: User
) -> None:
    await register_case(runtime, teacher)
    clock.advance(days=1)  # the next case is the day's first: tallies of keys not yet seen
    deleted, resume = asyncio.Event(), asyncio.Event()

    async def rebuild() -> None:
        async with runtime.db.unit_of_work() as uow:
            execute = uow.conn.execute

            async def pausing(sql: str, parameters: Any = ()) -> Any:
                done = await execute(sql, parameters)
                if sql.startswith(f"DELETE FROM {TABLES[-1]}"):  # emptied, not yet counted
                    deleted.set()
                    await resume.wait()
                return done

            uow.conn.execute = pausing  # type: ignore[method-assign]
            await uow.tallies.rebuild()
            await uow.commit()

    rebuilding = asyncio.ensure_future(rebuild())
    await deleted.wait()
    registering = await waiting_or_done(runtime.db, register_case(other, teacher))
    resume.set()
    await asyncio.gather(rebuilding, registering)

    assert await tallies(runtime.db.read.conn) == await recount(runtime.db)


async def test_duplicate_look_ups_at_once_count_one_another_against_the_limit(
    runtime: Runtime, other: Runtime, teacher: User, other_teacher: User
) -> None:
    await register(runtime, teacher, complete(runtime))  # a case other_teacher may not open
    now = runtime.now()

    async with runtime.db.unit_of_work() as uow:  # a look-up of theirs, not yet committed
        assert await uow.audit.count_lookups(other_teacher.id, registration.DUPLICATE_SHOWN,
                                             since=now - timedelta(days=1)) == 0
        await uow.audit.record(at=now, actor_id=other_teacher.id,
                               action=registration.DUPLICATE_SHOWN, entity="case",
                               entity_id=1)
        second = await waiting_or_done(runtime.db, registration.find_duplicates(
            other.db, other_teacher, complete(other), today=other.today(),
            now=now + timedelta(seconds=1), reveals_per_day=1))
        await uow.commit()

    assert [match.withheld for match in await second] == [True]


# --- claims: reminders and the outbox ---------------------------------------------------


async def _remind(runtime: Runtime, case_id: int, teacher: User, count: int) -> None:
    """`count` follow-ups for the teacher, due in the coming minutes."""
    now = runtime.now()
    async with runtime.db.unit_of_work() as uow:
        for minutes in range(1, count + 1):
            await uow.reminders.add(kind=ReminderKind.FOLLOW_UP, case_id=case_id,
                                    user_id=teacher.id, due_at=now + timedelta(minutes=minutes),
                                    now=now)
        await uow.commit()


async def test_two_processes_waking_at_once_expand_each_due_reminder_once(
    runtime: Runtime, other: Runtime, clock: FakeClock, teacher: User
) -> None:
    case = await register_case(runtime, teacher)
    await _remind(runtime, case.id, teacher, 6)
    clock.advance(hours=1)
    policy = runtime.settings.reminder_policy

    # One process has claimed the oldest three and is still expanding them.
    async with runtime.db.unit_of_work() as uow:
        claimed = await uow.reminders.due(runtime.now(), 3)
        await uow.reminders.set_statuses([(r.id, ReminderStatus.SENT) for r in claimed],
                                         runtime.now())
        await uow.outbox.add([reminders.reminder_row(
            channel="telegram", chat_id=teacher.channel_user_id, language="th",
            reminder_id=r.id, case_id=case.id) for r in claimed], runtime.now())
        second = await waiting_or_done(runtime.db, reminders.expand_due(
            other.db, policy, now=other.now(), limit=100, default_language="th"))
        await uow.commit()
    assert await second == 3  # the other three

    await _remind(runtime, case.id, teacher, 40)
    clock.advance(hours=1)
    start = asyncio.Barrier(2)

    async def wake(process: Runtime) -> int:  # both at once, in batches
        handled = 0
        for _ in range(5):
            await start.wait()
            handled += await reminders.expand_due(process.db, policy, now=process.now(),
                                                  limit=5, default_language="th")
        return handled

    assert sum(await asyncio.gather(wake(runtime), wake(other))) == 40
    rows = await runtime.db.read.conn.execute_fetchall(
        "SELECT reminder_id, count(*) FROM outbox WHERE reminder_id IS NOT NULL"
        " GROUP BY reminder_id")
    assert len(rows) == 46 and {row[1] for row in rows} == {1}


async def _owe(runtime: Runtime, chats: int, each: int) -> None:
    """`each` notices owed to each of `chats` chats, round by round."""
    for _ in range(each):
        async with runtime.db.unit_of_work() as uow:
            await uow.outbox.add([Owed(channel="telegram", chat_id=str(chat), language="en",
                                       kind=OutboxKind.NOTICE) for chat in range(chats)],
                                 runtime.now())
            await uow.commit()


async def test_a_claim_passes_over_the_rows_and_chats_another_process_is_claiming(
    runtime: Runtime, other: Runtime
) -> None:
    await _owe(runtime, chats=3, each=3)  # rows 1-3 of chats 0, 1, 2; then 4-6; then 7-9
    now = runtime.now()
    lease = now + timedelta(minutes=5)

    async with runtime.db.unit_of_work() as uow:
        first = await uow.outbox.claim(now, lease, 2, ["telegram"], 5)  # rows 1, 2
        later = await waiting_or_done(runtime.db, _claim(other, 100))
        chat = await waiting_or_done(runtime.db, _claim_chat(other, "0"))
        await uow.commit()

    assert [row.id for row in first] == [1, 2]
    # Not the rows taken, nor any row of their chats (0 and 1): only chat 2's, in order.
    assert [(row.chat_id, row.id) for row in await later] == [("2", 3), ("2", 6), ("2", 9)]
    assert await chat == []


async def test_two_dispatchers_claiming_at_once_take_each_row_once_and_a_chat_at_a_time(
    runtime: Runtime, other: Runtime
) -> None:
    await _owe(runtime, chats=40, each=4)
    takers: dict[int, str] = {}
    chats: dict[str, set[str]] = {}

    async def dispatch(process: Runtime, name: str, start: asyncio.Barrier) -> None:
        for _ in range(12):
            await start.wait()
            for row in await _claim(process, 7, per_chat=2):
                assert row.id not in takers, f"row {row.id} taken twice"
                takers[row.id] = name
                chats.setdefault(row.chat_id, set()).add(name)

    start = asyncio.Barrier(2)
    await asyncio.gather(dispatch(runtime, "first", start), dispatch(other, "second", start))

    assert set(takers.values()) == {"first", "second"}
    # The rows stay taken (nothing is sent): a chat's later rows wait behind its first.
    assert all(len(names) == 1 for names in chats.values())


async def _claim(process: Runtime, limit: int, per_chat: int = 5) -> list[Any]:
    now = process.now()
    async with process.db.unit_of_work() as uow:
        rows = await uow.outbox.claim(now, now + timedelta(minutes=5), limit, ["telegram"],
                                      per_chat)
        await uow.commit()
    return rows


async def _claim_chat(process: Runtime, chat_id: str) -> list[Any]:
    now = process.now()
    async with process.db.unit_of_work() as uow:
        rows = await uow.outbox.claim_chat("telegram", chat_id, now,
                                           now + timedelta(minutes=5), 5)
        await uow.commit()
    return rows
