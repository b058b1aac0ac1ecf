"""Summaries and exports at scale (issue 6's targets), printed:

- the whole province summary (every section) over 1,000,000 cases: under 300 ms, beside a
  single hand-written GROUP BY over the same table with a covering index, timed in the
  same run as the yardstick;
- an XLSX export of 100,000 cases (tables and case list): under 8 s, in constant memory,
  beside a CSV of the same list.

Run: `make bench`, or `.venv/bin/python -m bench.summaries [cases]`.
"""

import asyncio
import itertools
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import reports
from bot.domain.models import Role
from bot.i18n import translator
from bot.runtime import Runtime
from bot.services import exports, summaries
from bot.services.exports import ReportKind
from bot.services.summaries import Period, Scope, ScopeKind
from storage.interface import Database
from tests.conftest import FakeClock, add_user, make_settings
from tests.support.dataset import generate, write

CASES = 1_000_000
EXPORTED = 100_000
RUNS = 5
NOW = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


async def build(path: Path, count: int) -> float:
    runtime = await Runtime.start(make_settings(path.parent, database_path=path),
                                  clock=FakeClock(NOW))
    try:
        coordinator = await add_user(runtime, Role.COORDINATOR, "peo_samutprakan", "9001")
        teacher = await add_user(runtime, Role.TEACHER, "school_wat_phraek_sa", "1001",
                                 inviter=coordinator)
        started = time.perf_counter()
        for first in range(0, count, 100_000):
            batch = generate(min(100_000, count - first), seed=first,
                             start=NOW - timedelta(days=700), days=699)
            for offset, case in enumerate(batch):
                case.id = first + offset + 1
            await write(runtime.db, batch, teacher_id=teacher.id)
        await runtime.db.writer.execute("ANALYZE")
        return time.perf_counter() - started
    finally:
        await runtime.close()


async def timings(path: Path) -> tuple[list[float], list[float], int]:
    runtime = await Runtime.start(make_settings(path.parent, database_path=path),
                                  clock=FakeClock(NOW))
    summary_ms, yardstick_ms = [], []
    try:
        coordinator = await runtime.db.read.users.by_channel_id("telegram", "9001")
        for _ in range(RUNS):
            started = time.perf_counter()
            summary = await summaries.summarise(
                runtime.db, coordinator, Scope(ScopeKind.PROVINCE), Period.ALL_TIME, now=NOW,
                tz=runtime.settings.tz, overdue_after=WEEK)
            summary_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            await runtime.db.read.conn.execute_fetchall(
                "SELECT district_code, child_foreign, count(*) FROM cases"
                " GROUP BY district_code, child_foreign")
            yardstick_ms.append((time.perf_counter() - started) * 1000)
    finally:
        await runtime.close()
    return summary_ms, yardstick_ms, summary.total


def first_cases(db: Database, prepared: exports.Prepared) -> Iterator[tuple]:
    """The export's case list, cut at the first EXPORTED cases."""
    rows = exports.case_rows(db, prepared)
    assert rows is not None
    return itertools.islice(rows, EXPORTED)


async def export(path: Path, folder: Path) -> tuple[float, float, int, int]:
    """Seconds for the XLSX and the CSV of the first EXPORTED cases; cases listed; the peak
    resident memory growth in MB while writing the workbook."""
    runtime = await Runtime.start(make_settings(path.parent, database_path=path),
                                  clock=FakeClock(NOW))
    try:
        coordinator = await runtime.db.read.users.by_channel_id("telegram", "9001")
        assert coordinator is not None
        prepared = await exports.prepare(
            runtime.db, coordinator, Scope(ScopeKind.PROVINCE), Period.ALL_TIME,
            ReportKind.XLSX, now=NOW, tz=runtime.settings.tz, overdue_after=WEEK,
            language="th")
        t, geography, tz = translator("th"), runtime.geography, runtime.settings.tz
        peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        listed = await asyncio.to_thread(
            reports.write_xlsx, folder / "export.xlsx", prepared.summary, t, geography,
            title="bench", cases=first_cases(runtime.db, prepared), tz=tz,
            organisations=prepared.organisations)
        xlsx = time.perf_counter() - started
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) // 1024
        started = time.perf_counter()
        await asyncio.to_thread(reports.write_csv, folder / "export.csv", t, geography,
                                first_cases(runtime.db, prepared), tz=tz,
                                organisations=prepared.organisations)
        return xlsx, time.perf_counter() - started, listed, grown
    finally:
        await runtime.close()


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else CASES
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        built = asyncio.run(build(path, count))
        summary_ms, yardstick_ms, total = asyncio.run(timings(path))
        xlsx, csv_seconds, listed, grown = asyncio.run(export(path, Path(folder)))
    print(f"summaries: {total:,} cases (generated and written in {built:.0f} s)")
    print(f"{'figure':<52} {'value':>10} {'target':>10}")
    print(f"{'province summary, every section (median of ' + str(RUNS) + ')':<52} "
          f"{statistics.median(summary_ms):>7.0f} ms {'< 300 ms':>10}")
    print(f"{'  yardstick: one GROUP BY on a covering index':<52} "
          f"{statistics.median(yardstick_ms):>7.0f} ms")
    print(f"{f'XLSX export, tables and {listed:,} cases':<52} {xlsx:>8.1f} s {'< 8 s':>10}")
    print(f"{'  peak memory growth while writing it':<52} {grown:>7} MB")
    print(f"{f'CSV case list, {listed:,} cases':<52} {csv_seconds:>8.1f} s")


if __name__ == "__main__":
    main()
