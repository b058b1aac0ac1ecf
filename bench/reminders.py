"""Reminders at scale: 100,000 pending rows.

Prints two figures (targets from issue 5):
- the bot's resident memory after start-up and one wake-up, with 100,000 pending reminders
  versus with none (target: under 20 MB more);
- the time one wake-up takes to claim a batch of due rows and turn them into outbox rows
  (target: under 50 ms for a batch of 100), on SQLite and, in the same run, on a throwaway
  PostgreSQL cluster (issue 18's target, the same), with the processor time of the bench
  and of the server. The claim is `reminders.expand_due`'s, whatever it is at the time:
  rerun after a change to it.

Each memory figure comes from a fresh child process, so the two do not share a heap.
Run: `make bench`, or `.venv/bin/python -m bench.reminders [--backend sqlite|postgresql|both]`.
"""

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.postgres import SERVER, Cluster, Usage, cluster, machine, usage
from bot.config import PROJECT_ROOT, Settings
from bot.domain.models import Role
from bot.runtime import Runtime
from bot.services import reminders
from tests.conftest import FakeClock, add_user, make_settings
from tests.support.cases import register_case

PENDING = 100_000
BATCH = 100
RUNS = 15
NOW = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)  # a Monday, 10:00 in Bangkok


async def build(settings: Settings, pending: int) -> None:
    """A database with one case and `pending` reminders on it, spread over the coming year."""
    runtime = await Runtime.start(settings, clock=FakeClock(NOW - timedelta(days=30)))
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


async def claim_times(settings: Settings, server: Cluster | None
                      ) -> tuple[list[float], list[float], Usage]:
    """Milliseconds for one claim of BATCH due rows among the pending ones, and for the
    anchor taken right after each (a unit of work that updates one row and commits: the
    round trips and the flush every claim pays too); the processor time of the claims
    alone, the bench's and the server's."""
    runtime = await Runtime.start(settings, clock=lambda: NOW)
    policy = runtime.settings.reminder_policy
    times, anchors = [], []
    spent = Usage()
    try:
        for _ in range(RUNS):
            await add_due(runtime, BATCH)
            with usage(server) as used:
                claimed = await reminders.expand_due(runtime.db, policy, now=NOW, limit=BATCH,
                                                     default_language="th")
            times.append(used.wall * 1000)
            spent.own, spent.server, spent.wall = (spent.own + used.own,
                                                   spent.server + used.server,
                                                   spent.wall + used.wall)
            assert claimed == BATCH, claimed
            started = time.perf_counter()
            async with runtime.db.unit_of_work() as uow:
                await uow.conn.execute(
                    "UPDATE reminders SET updated_at = updated_at WHERE id = 1")
                await uow.commit()
            anchors.append((time.perf_counter() - started) * 1000)
    finally:
        await runtime.close()
    return times, anchors, spent


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


async def on_postgresql(server: Cluster, folder: Path
                        ) -> tuple[float, list[float], list[float], Usage]:
    """The same database built on the throwaway server; seconds to build it, and the
    claims' times."""
    url = await server.create_database("bench_reminders")
    settings = make_settings(folder, database_url=url)
    started = time.perf_counter()
    await build(settings, PENDING)
    built = time.perf_counter() - started
    return (built, *await claim_times(settings, server))


def main() -> None:
    if sys.argv[1:2] == ["--resident"]:
        print(json.dumps({"rss_kb": asyncio.run(_resident(Path(sys.argv[2])))}))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    backends = parser.parse_args().backend
    claims: dict[str, tuple[list[float], list[float], Usage]] = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        empty, full = folder / "empty.db", folder / "full.db"
        started = time.perf_counter()
        asyncio.run(build(make_settings(folder, database_path=empty), 0))
        asyncio.run(build(make_settings(folder, database_path=full), PENDING))
        built = time.perf_counter() - started
        without, with_ = resident_kb(empty), resident_kb(full)
        if backends != "postgresql":
            claims["sqlite"] = asyncio.run(
                claim_times(make_settings(folder, database_path=full), None))
        if backends != "sqlite":
            with cluster() as server:
                pg_built, *claims["postgresql"] = asyncio.run(on_postgresql(server, folder))
    print(f"reminders: {PENDING:,} pending (SQLite databases built in {built:.1f} s"
          + (f", PostgreSQL's in {pg_built:.1f} s)" if "postgresql" in claims else ")"))
    print(f"machine: {machine()}")
    if "postgresql" in claims:
        print(f"postgresql: {SERVER}")
    print(f"{'figure':<44} {'value':>12} {'target':>10}")
    print(f"{'resident memory, no reminders (SQLite)':<44} {without / 1024:>9.1f} MB {'':>10}")
    print(f"{f'resident memory, {PENDING:,} pending':<44} {with_ / 1024:>9.1f} MB {'':>10}")
    print(f"{'difference':<44} {(with_ - without) / 1024:>9.1f} MB {'< 20 MB':>10}")
    for backend, (times, anchors, spent) in claims.items():
        print(f"{backend}: claim a batch of {BATCH} due rows, {RUNS} times (target < 50 ms)")
        print(f"{'  median; fastest, slowest':<44} {statistics.median(times):>9.1f} ms;"
              f" {min(times):.1f}, {max(times):.1f} ms")
        print(f"{'  anchor: one row updated and committed':<44}"
              f" {statistics.median(anchors):>9.1f} ms; {min(anchors):.1f}, {max(anchors):.1f} ms"
              f" (the claim is {statistics.median(times) / statistics.median(anchors):.1f}x)")
        print(f"{'  CPU over the claims':<44} bench {spent.own * 1000:.0f} ms, server"
              f" {spent.server * 1000:.0f} ms, over {spent.wall * 1000:.0f} ms wall")
    if len(claims) == 2:
        ratio = statistics.median(claims["postgresql"][0]) / statistics.median(claims["sqlite"][0])
        print(f"{'  postgresql / sqlite':<44} {ratio:>9.2f}x")


if __name__ == "__main__":
    main()
