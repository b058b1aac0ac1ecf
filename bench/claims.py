"""Claims on PostgreSQL (issue 18), printed: 100,000 pending reminders, 100,000 owed
outbox rows, claimed in batches by one process, then by two at once.

What is timed, per batch:
- a reminders claim alone (the due rows read `FOR UPDATE SKIP LOCKED` and marked sent, in
  one unit of work): the issue's figure, target < 50 ms a batch;
- a reminders wake-up (`reminders.expand_due`, batch of 100): the due rows claimed
  (as above), turned into outbox rows, marked;
- an outbox claim (`OutboxRepository.claim`, 64 rows as the dispatcher keeps in flight, 5 a
  chat): rows read `SKIP LOCKED`, chats locked, the rule read again; the rows are then
  marked sent (untimed), as the dispatcher would.
Beside them, the anchor measured in the same run: a unit of work doing `SELECT 1` (a
transaction's round trips on the same pool), so the figures read as a ratio to it.

Each process is a `Runtime` of its own on one database (its own pool); "two at once" starts
both claims of a round together (a barrier) and times each.
Needs a PostgreSQL server: PANONG_BENCH_POSTGRES_URL (or PANONG_TEST_POSTGRES_URL), a URL
without a database name; a database `bench_claims_<pid>` is made there and dropped after.
Run: `.venv/bin/python -m bench.claims [--pending N] [--batches B]`.
"""

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from bot.domain.models import OutboxKind, ReminderStatus, Role
from bot.runtime import Runtime
from bot.services import reminders
from storage.outbox import Owed
from tests.conftest import FakeClock, add_user, make_settings
from tests.support.cases import register_case

NOW = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)  # a Monday, 10:00 in Bangkok
REMINDERS_BATCH, OUTBOX_BATCH, PER_CHAT = 100, 64, 5


async def _admin(server: str, sql: str) -> None:
    conn = await asyncpg.connect(server + "/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def build(runtime: Runtime, pending: int) -> None:
    """`pending` follow-ups due already, and `pending` notices owed to pending/5 chats."""
    coordinator = await add_user(runtime, Role.COORDINATOR, "peo_samutprakan", "9001")
    teacher = await add_user(runtime, Role.TEACHER, "school_wat_phraek_sa", "1001",
                             inviter=coordinator, language="en")
    case = await register_case(runtime, teacher, needs=())
    due = (NOW - timedelta(days=1)).isoformat()
    async with runtime.db.unit_of_work() as uow:
        await uow.conn.executemany(
            "INSERT INTO reminders (kind, case_id, user_id, due_at, status, created_at,"
            " updated_at) VALUES ('follow_up', ?, ?, ?, 'pending', ?, ?)",
            [(case.id, teacher.id, due, due, due) for _ in range(pending)])
        await uow.outbox.add([Owed(channel="telegram", chat_id=str(100_000 + n % (pending // 5)),
                                   language="en", kind=OutboxKind.NOTICE)
                              for n in range(pending)], NOW - timedelta(days=1))
        await uow.commit()
    await runtime.db.pool.execute("VACUUM ANALYZE")  # type: ignore[attr-defined]


async def timed(work: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await work()
    return (time.perf_counter() - started) * 1000


async def anchor(runtime: Runtime) -> None:
    async with runtime.db.unit_of_work() as uow:
        await uow.conn.execute_fetchall("SELECT 1")
        await uow.commit()


async def wake(runtime: Runtime) -> None:
    handled = await reminders.expand_due(runtime.db, runtime.settings.reminder_policy,
                                         now=NOW, limit=REMINDERS_BATCH, default_language="en")
    assert handled == REMINDERS_BATCH, handled


async def claim_reminders(runtime: Runtime) -> None:
    """The claim alone: due rows read SKIP LOCKED and marked, nothing expanded."""
    async with runtime.db.unit_of_work() as uow:
        due = await uow.reminders.due(NOW, REMINDERS_BATCH)
        await uow.reminders.set_statuses([(r.id, ReminderStatus.SENT) for r in due], NOW)
        await uow.commit()
    assert len(due) == REMINDERS_BATCH, len(due)


async def claim(runtime: Runtime, taken: list[int]) -> None:
    async with runtime.db.unit_of_work() as uow:
        rows = await uow.outbox.claim(NOW, NOW + timedelta(minutes=5), OUTBOX_BATCH,
                                      ["telegram"], PER_CHAT)
        await uow.commit()
    assert rows, "nothing claimed"
    taken += [row.id for row in rows]


async def sent(runtime: Runtime, taken: list[int]) -> None:
    async with runtime.db.unit_of_work() as uow:
        for row_id in taken:
            await uow.outbox.sent(row_id, NOW)
        await uow.commit()
    taken.clear()


async def rounds(processes: list[Runtime], batches: int) -> dict[str, list[float]]:
    """Milliseconds per batch, each process claiming together with the others."""
    steps: dict[str, Callable[[Runtime, list[int]], Awaitable[object]]] = {
        "anchor": lambda process, _: anchor(process),
        "claim": lambda process, _: claim_reminders(process),
        "reminders": lambda process, _: wake(process),
        "outbox": claim}
    times: dict[str, list[float]] = {name: [] for name in steps}
    start = asyncio.Barrier(len(processes))  # reusable: each step starts together

    async def one(process: Runtime) -> dict[str, float]:
        taken: list[int] = []
        took = {}
        for name, step in steps.items():
            await start.wait()
            took[name] = await timed(lambda: step(process, taken))  # noqa: B023
        await sent(process, taken)
        return took

    for _ in range(batches):
        for took in await asyncio.gather(*map(one, processes)):
            for name, value in took.items():
                times[name].append(value)
    return times


def report(label: str, times: dict[str, list[float]]) -> None:
    base = statistics.median(times["anchor"])
    print(f"{label}")
    print(f"  {'figure':<42} {'median':>9} {'p90':>9} {'× anchor':>9} {'target':>9}")
    for name, what, target in (
            ("anchor", "unit of work, SELECT 1", ""),
            ("claim", f"reminders claim alone, batch of {REMINDERS_BATCH}", "< 50 ms"),
            ("reminders", f"reminders wake-up, batch of {REMINDERS_BATCH}", ""),
            ("outbox", f"outbox claim, {OUTBOX_BATCH} rows", "")):
        values = sorted(times[name])
        p90 = values[int(0.9 * (len(values) - 1))]
        median = statistics.median(values)
        print(f"  {what:<42} {median:>6.1f} ms {p90:>6.1f} ms {median / base:>8.1f}× "
              f"{target:>9}")


async def run(server: str, pending: int, batches: int) -> None:
    name = f"bench_claims_{os.getpid()}"
    await _admin(server, f"DROP DATABASE IF EXISTS {name}")
    await _admin(server, f"CREATE DATABASE {name}")
    try:
        with tempfile.TemporaryDirectory() as folder:
            settings = make_settings(Path(folder), database_url=f"{server}/{name}")
            first = await Runtime.start(settings, clock=FakeClock(NOW - timedelta(days=2)))
            second = await Runtime.start(settings, clock=FakeClock(NOW))
            try:
                started = time.perf_counter()
                await build(first, pending)
                print(f"claims on PostgreSQL: {pending:,} pending reminders, {pending:,} owed"
                      f" outbox rows to {pending // 5:,} chats (built in"
                      f" {time.perf_counter() - started:.1f} s); {batches} batches each;"
                      " 2 shared cores, loaded by other work")
                report("one process", await rounds([first], batches))
                report("two processes at once (each claim timed)",
                       await rounds([first, second], batches))
            finally:
                await second.close()
                await first.close()
    finally:
        await _admin(server, f"DROP DATABASE IF EXISTS {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--batches", type=int, default=30)
    args = parser.parse_args()
    server = (os.environ.get("PANONG_BENCH_POSTGRES_URL")
              or os.environ.get("PANONG_TEST_POSTGRES_URL"))
    if not server:
        raise SystemExit("set PANONG_BENCH_POSTGRES_URL to a PostgreSQL server's URL")
    asyncio.run(run(server.rstrip("/"), args.pending, args.batches))


if __name__ == "__main__":
    main()
