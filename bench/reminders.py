"""Reminders at scale: 100,000 pending rows.

Prints two figures (targets from issue 5):
- the bot's resident memory after start-up and one wake-up, with 100,000 pending reminders
  versus with none (target: under 20 MB more);
- the time one wake-up takes to claim a batch of due rows and turn them into outbox rows
  (target: under 50 ms for a batch of 100).

Each memory figure comes from a fresh child process, so the two do not share a heap.
Run: `make bench`, or `.venv/bin/python -m bench.reminders`.
"""

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.domain.models import Role
from bot.runtime import Runtime
from bot.services import reminders
from tests.conftest import FakeClock, add_user, make_settings
from tests.support.cases import register_case

PENDING = 100_000
BATCH = 100
RUNS = 7
NOW = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)  # a Monday, 10:00 in Bangkok


async def build(path: Path, pending: int) -> None:
    """A database with one case and `pending` reminders on it, spread over the coming year."""
    runtime = await Runtime.start(make_settings(path.parent, database_path=path),
                                  clock=FakeClock(NOW - timedelta(days=30)))
    try:
        coordinator = await add_user(runtime, Role.COORDINATOR, "peo_samutprakan", "9001")
        teacher = await add_user(runtime, Role.TEACHER, "school_wat_phraek_sa", "1001",
                                 inviter=coordinator, language="en")
        case = await register_case(runtime, teacher, needs=())
        rows = [("follow_up", case.id, teacher.id,
                 (NOW + timedelta(minutes=5 + n % 525_000)).isoformat(), NOW.isoformat())
                for n in range(pending)]
        async with runtime.db.unit_of_work() as uow:
            await uow.conn.executemany(
                "INSERT INTO reminders (kind, case_id, user_id, due_at, status, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)",
                [(*row[:4], row[4], row[4]) for row in rows])
            await uow.commit()
    finally:
        await runtime.close()


async def add_due(runtime: Runtime, count: int) -> None:
    case_id, user_id = 1, 2
    async with runtime.db.unit_of_work() as uow:
        for _ in range(count):
            await uow.reminders.add(kind=reminders.K.FOLLOW_UP, case_id=case_id,
                                    user_id=user_id, due_at=NOW - timedelta(minutes=1),
                                    now=NOW)
        await uow.commit()


async def claim_times(path: Path) -> list[float]:
    """Milliseconds for one claim of BATCH due rows among the pending ones."""
    runtime = await Runtime.start(make_settings(path.parent, database_path=path),
                                  clock=lambda: NOW)
    policy = runtime.settings.reminder_policy
    times = []
    try:
        for _ in range(RUNS):
            await add_due(runtime, BATCH)
            started = time.perf_counter()
            claimed = await reminders.expand_due(runtime.db, policy, now=NOW, limit=BATCH,
                                                 default_language="th")
            times.append((time.perf_counter() - started) * 1000)
            assert claimed == BATCH, claimed
    finally:
        await runtime.close()
    return times


async def _resident(path: Path) -> int:
    """Start the bot's runtime and application, run one wake-up, report VmRSS in kB."""
    from handlers.app import build_application
    from handlers.reminders import queue_due_reminders
    from tests.support.telegram_fake import RecordingRequest

    runtime = await Runtime.start(make_settings(path.parent, database_path=path),
                                  clock=lambda: NOW)
    application = build_application(runtime, request=RecordingRequest(), rate_limit=False)
    await application.initialize()
    try:
        await queue_due_reminders(runtime)
        await runtime.outbox.drain()
    finally:
        await application.shutdown()
    rss = _vm_rss_kb()
    await runtime.close()
    return rss


def _vm_rss_kb() -> int:
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines()
                    if line.startswith("VmRSS:")).split()[1])


def resident_kb(path: Path) -> int:
    out = subprocess.run(
        [sys.executable, "-m", "bench.reminders", "--resident", str(path)], cwd=PROJECT_ROOT,
        check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])["rss_kb"]


def main() -> None:
    if sys.argv[1:2] == ["--resident"]:
        print(json.dumps({"rss_kb": asyncio.run(_resident(Path(sys.argv[2])))}))
        return
    with tempfile.TemporaryDirectory() as folder:
        empty, full = Path(folder) / "empty.db", Path(folder) / "full.db"
        started = time.perf_counter()
        asyncio.run(build(empty, 0))
        asyncio.run(build(full, PENDING))
        built = time.perf_counter() - started
        without, with_ = resident_kb(empty), resident_kb(full)
        times = asyncio.run(claim_times(full))
    print(f"reminders: {PENDING:,} pending (databases built in {built:.1f} s)")
    print(f"{'figure':<44} {'value':>12} {'target':>10}")
    print(f"{'resident memory, no reminders':<44} {without / 1024:>9.1f} MB {'':>10}")
    print(f"{f'resident memory, {PENDING:,} pending':<44} {with_ / 1024:>9.1f} MB {'':>10}")
    print(f"{'difference':<44} {(with_ - without) / 1024:>9.1f} MB {'< 20 MB':>10}")
    print(f"{f'claim a batch of {BATCH} due rows (median of {RUNS})':<44} "
          f"{statistics.median(times):>9.1f} ms {'< 50 ms':>10}")
    print(f"{'  slowest':<44} {max(times):>9.1f} ms")


if __name__ == "__main__":
    main()
