"""Summaries and exports at scale (issue 6's targets; issue 18's on PostgreSQL), printed:

- the province summary (every section) over 1,000,000 cases, all time and this fiscal
  year, and a district's: under 300 ms, beside a single GROUP BY over the cases table
  timed in the same run as the yardstick. With one deployment for the country the
  "province" scope is the national summary (all the cases), a district's share is the
  size of a province's;
- the export's case list of 100,000 cases streamed through the storage seam, and an XLSX
  of them (tables and case list): under 8 s, in constant memory, beside a CSV of the same
  list.

Both backends in one run (the default): the cases are generated into SQLite, copied into
a throwaway PostgreSQL cluster by COPY (`bench.postgres`), and each figure is printed for
both, with the ratio, and the processor time of the bench and of the server.

Run: `make bench`, or `.venv/bin/python -m bench.summaries [cases] [--backend ...]`.
"""

import argparse
import asyncio
import itertools
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.postgres import SERVER, Cluster, cluster, copy_database, machine, usage
from bot import reports
from bot.config import Settings
from bot.domain.models import Role
from bot.i18n import translator
from bot.runtime import Runtime
from bot.services import exports, summaries
from bot.services.exports import ReportKind
from bot.services.summaries import Period, Scope, ScopeKind
from storage.interface import Database
from storage.postgres import PostgresDatabase
from tests.conftest import FakeClock, add_user, make_settings
from tests.support.dataset import generate, write

CASES = 1_000_000
EXPORTED = 100_000
RUNS = 5
NOW = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


async def build(settings: Settings, count: int) -> float:
    runtime = await Runtime.start(settings, clock=FakeClock(NOW))
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


SCOPES = {"province": Scope(ScopeKind.PROVINCE), "district 1101": Scope(ScopeKind.DISTRICT, "1101")}


async def timings(settings: Settings, server: Cluster | None) -> dict[str, list[float]]:
    """Milliseconds of each summary, and of the yardstick, RUNS times each."""
    runtime = await Runtime.start(settings, clock=FakeClock(NOW))
    figures: dict[str, list[float]] = {}
    try:
        coordinator = await runtime.db.read.users.by_channel_id("telegram", "9001")
        with usage(server) as used:
            for _ in range(RUNS):
                for name, scope in SCOPES.items():
                    for period in (Period.ALL_TIME, Period.FISCAL_YEAR):
                        started = time.perf_counter()
                        summary = await summaries.summarise(
                            runtime.db, coordinator, scope, period, now=NOW,
                            tz=runtime.settings.tz, overdue_after=WEEK)
                        figures.setdefault(f"{name}, {period.name.lower()}", []).append(
                            (time.perf_counter() - started) * 1000)
                        if scope.kind is ScopeKind.PROVINCE and period is Period.ALL_TIME:
                            figures["total"] = [summary.total]
                started = time.perf_counter()
                await runtime.db.read.conn.execute_fetchall(
                    "SELECT district_code, child_foreign, count(*) FROM cases"
                    " GROUP BY district_code, child_foreign")
                figures.setdefault("yardstick", []).append(
                    (time.perf_counter() - started) * 1000)
        figures["cpu"] = [used.own, used.server, used.wall]
    finally:
        await runtime.close()
    return figures


def first_cases(db: Database, prepared: exports.Prepared) -> Iterator[tuple]:
    """The export's case list, cut at the first EXPORTED cases."""
    rows = exports.case_rows(db, prepared)
    assert rows is not None
    return itertools.islice(rows, EXPORTED)


async def export(settings: Settings, folder: Path, server: Cluster | None
                 ) -> dict[str, float]:
    """Seconds to stream the first EXPORTED cases of the list, and for the XLSX (on SQLite:
    xlsxwriter is nearly all of it, whatever the backend) and the CSV of them; cases
    listed; the peak resident memory growth in MB while writing the workbook; processor
    seconds of the bench and the server over these."""
    runtime = await Runtime.start(settings, clock=FakeClock(NOW))
    figures: dict[str, float] = {}
    try:
        coordinator = await runtime.db.read.users.by_channel_id("telegram", "9001")
        assert coordinator is not None
        prepared = await exports.prepare(
            runtime.db, coordinator, Scope(ScopeKind.PROVINCE), Period.ALL_TIME,
            ReportKind.XLSX, now=NOW, tz=runtime.settings.tz, overdue_after=WEEK,
            language="th")
        t, geography, tz = translator("th"), runtime.geography, runtime.settings.tz
        with usage(server) as used:
            started = time.perf_counter()
            rows = first_cases(runtime.db, prepared)
            figures["listed"] = await asyncio.to_thread(lambda: sum(1 for _ in rows))
            figures["stream"] = time.perf_counter() - started
            if server is None:
                peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                started = time.perf_counter()
                await asyncio.to_thread(
                    reports.write_xlsx, folder / "export.xlsx", prepared.summary, t,
                    geography, title="bench", cases=first_cases(runtime.db, prepared), tz=tz,
                    organisations=prepared.organisations)
                figures["xlsx"] = time.perf_counter() - started
                figures["grown"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                    - peak_before) // 1024
            started = time.perf_counter()
            await asyncio.to_thread(reports.write_csv, folder / "export.csv", t, geography,
                                    first_cases(runtime.db, prepared), tz=tz,
                                    organisations=prepared.organisations)
            figures["csv"] = time.perf_counter() - started
        figures |= {"own": used.own, "server": used.server, "wall": used.wall}
    finally:
        await runtime.close()
    return figures


async def move_to_postgresql(path: Path, server: Cluster) -> tuple[str, float, float]:
    """The SQLite benchmark database copied into a new PostgreSQL one, whose tallies are
    then recounted there; its URL, and the seconds of the copy and of the recount."""
    url = await server.create_database("bench_summaries")
    async with PostgresDatabase(url) as db:
        await db.migrate()
    started = time.perf_counter()
    await copy_database(path, url)
    copied = time.perf_counter() - started
    started = time.perf_counter()
    async with PostgresDatabase(url) as db, db.unit_of_work() as uow:
        await uow.tallies.rebuild()
        await uow.commit()
    return url, copied, time.perf_counter() - started


def _row(name: str, values: list[str], target: str = "") -> None:
    print(f"{name:<46}" + "".join(f"{value:>13}" for value in values) + f"{target:>11}")


def report(built: float, moved: tuple[float, float] | None,
           by_backend: dict[str, tuple[dict[str, list[float]], dict[str, float]]]) -> None:
    backends = list(by_backend)
    sums, _ = by_backend[backends[0]]
    print(f"summaries: {int(sums['total'][0]):,} cases (generated and written into SQLite in"
          f" {built:.0f} s)" + (f"; copied into PostgreSQL by COPY in {moved[0]:.0f} s, its"
                                f" tallies recounted there in {moved[1]:.1f} s" if moved else ""))
    print(f"machine: {machine()}")
    if "postgresql" in by_backend:
        print(f"postgresql: {SERVER}")
    ratio = len(backends) == 2
    _row(f"figure (median of {RUNS}; min-max)", backends + (["pg/sqlite"] if ratio else []),
         "target")

    def compare(name: str, key: str, unit: str, target: str = "") -> None:
        values = {backend: by_backend[backend][0][key] if unit == "ms"
                  else [by_backend[backend][1].get(key, -1.0)] for backend in backends}
        cells = [f"{statistics.median(v):.0f} {unit}" if unit == "ms"
                 else f"{v[0]:.1f} {unit}" if v[0] >= 0 else "-" for v in values.values()]
        if ratio and unit in ("ms", "s") and min(v[0] for v in values.values()) > 0:
            pg, lite = (statistics.median(values[each]) for each in ("postgresql", "sqlite"))
            cells.append(f"{pg / lite:.2f}x")
        _row(name, cells, target)
        if unit == "ms":
            _row("  min-max", [f"{min(v):.0f}-{max(v):.0f}" for v in values.values()])

    for name in SCOPES:
        for period in ("all_time", "fiscal_year"):
            compare(f"{name} summary, every section, {period.replace('_', ' ')}",
                    f"{name}, {period}", "ms", "< 300 ms")
    compare("  yardstick: one GROUP BY over cases", "yardstick", "ms")
    listed = int(by_backend[backends[0]][1]["listed"])
    compare(f"export case list streamed, {listed:,} cases", "stream", "s")
    compare(f"XLSX export, tables and {listed:,} cases", "xlsx", "s", "< 8 s")
    compare("  peak memory growth writing it", "grown", "MB")
    compare(f"CSV case list, {listed:,} cases", "csv", "s")
    for backend, (sums, exported) in by_backend.items():
        own, server, wall = sums["cpu"]
        print(f"CPU, {backend}: summaries: bench {own:.1f} s, server {server:.1f} s over"
              f" {wall:.1f} s; exports: bench {exported['own']:.1f} s, server"
              f" {exported['server']:.1f} s over {exported['wall']:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cases", type=int, nargs="?", default=CASES)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = folder / "bench.db"
        sqlite = make_settings(folder, database_path=path)
        built = asyncio.run(build(sqlite, arguments.cases))
        by_backend = {}
        if arguments.backend != "postgresql":
            by_backend["sqlite"] = (asyncio.run(timings(sqlite, None)),
                                    asyncio.run(export(sqlite, folder, None)))
        moved = None
        if arguments.backend != "sqlite":
            with cluster() as server:
                url, copied, recounted = asyncio.run(move_to_postgresql(path, server))
                moved = (copied, recounted)
                postgresql = make_settings(folder, database_path=path, database_url=url)
                by_backend["postgresql"] = (asyncio.run(timings(postgresql, server)),
                                            asyncio.run(export(postgresql, folder, server)))
    report(built, moved, by_backend)


if __name__ == "__main__":
    main()
