"""Importing a list of 100,000 rows (issue 6's target: under 10 s; issue 16's: an XLSX read
and checked in under 5 s, and the bot's peak memory under 100 MB over idle), printed:

- reading and checking every row in a child process (CSV, and XLSX with python-calamine),
  then saving them in one transaction with the duplicate checks against what is already
  there (50,000 earlier rows, a quarter of them repeated);
- the anchor for the XLSX reader: merely iterating the same workbook's rows with openpyxl
  (what read it until issue 16) and with python-calamine, in this run;
- the same save on a throwaway PostgreSQL cluster in the same run (issue 18's target, the
  same 10 s), with the processor time of the bench and of the server (`--backend sqlite`
  leaves it out); the rows carry no identity number, so the number of cases already
  registered does not enter the figure;
- the bot process's peak resident memory over idle while it imports each file, measured in a
  process of its own (`tests.support.import_memory`), beside the largest child's peak.

Run: `make bench`, or `.venv/bin/python -m bench.imports`.
"""

import argparse
import asyncio
import io
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import python_calamine

from bench.postgres import cluster, machine, usage
from bot import imports as lists
from bot.import_process import read_apart
from bot.runtime import Runtime
from bot.services import imports
from tests.conftest import FakeClock, make_settings

ROWS = 100_000
EARLIER = 50_000
NOW = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
HEADER = ["เลขอ้างอิง", "ชื่อ", "นามสกุล", "เพศ", "วันเกิด", "อำเภอ", "ตำบล", "เบอร์โทรผู้ปกครอง"]
DISTRICTS = ("เมืองสมุทรปราการ", "บางบ่อ", "บางพลี", "พระประแดง", "พระสมุทรเจดีย์", "บางเสาธง")


def rows(count: int, first: int = 0) -> list[list[str]]:
    return [[f"OBEC-{n:07d}", "สมชาย", "ใจดี", "ชาย" if n % 2 else "หญิง",
             f"{1 + n % 28}/{1 + n % 12}/{2552 + n % 8}", DISTRICTS[n % 6], "",
             f"08{n % 100_000_000:08d}"] for n in range(first, first + count)]


def as_csv(table: list[list[str]]) -> bytes:
    return "\n".join(",".join(row) for row in [HEADER, *table]).encode("utf-8-sig")


def as_xlsx(table: list[list[str]]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in [HEADER, *table]:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def _iterate_openpyxl(path: Path) -> None:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for _ in workbook.worksheets[0].iter_rows(values_only=True):
        pass


def _iterate_calamine(path: Path) -> None:
    for _ in python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0) \
            .iter_rows():
        pass


async def run(folder: Path) -> tuple[dict[str, float], lists.ParsedList, lists.ParsedList]:
    """The figures on SQLite; the two lists read, for another backend to save."""
    settings = make_settings(folder, database_path=folder / "bench.db")
    runtime = await Runtime.start(settings, clock=FakeClock(NOW))
    today = NOW.astimezone(settings.tz).date()
    figures: dict[str, float] = {}

    def read(source: Path) -> lists.ParsedList:
        return read_apart(source, source.name, runtime.geography, today,
                          folder / f"{source.name}.checked", limits=settings.import_limits,
                          process=settings.import_process)

    try:
        earlier_csv = folder / "earlier.csv"
        earlier_csv.write_bytes(as_csv(rows(EARLIER)))
        earlier = read(earlier_csv)
        await imports.import_list(runtime.db, None, earlier, file_name="earlier.csv", now=NOW)
        table = rows(ROWS, first=EARLIER * 3 // 4)  # a quarter overlaps the earlier list
        listed_csv, listed_xlsx = folder / "list.csv", folder / "list.xlsx"
        listed_csv.write_bytes(as_csv(table))
        listed_xlsx.write_bytes(as_xlsx(table))
        del table
        started = time.perf_counter()
        parsed = await asyncio.to_thread(read, listed_csv)
        figures["read"] = time.perf_counter() - started
        with usage(None) as used:
            result = await imports.import_list(runtime.db, None, parsed, file_name="list.csv",
                                               now=NOW)
        figures["save"], figures["save_cpu"] = used.wall, used.own
        figures["added"], figures["already"] = result.added, result.already
        started = time.perf_counter()
        checked = await asyncio.to_thread(read, listed_xlsx)
        figures["xlsx"] = time.perf_counter() - started
        figures["xlsx_rows"] = checked.accepted
        figures["openpyxl"] = _timed(lambda: _iterate_openpyxl(listed_xlsx))
        figures["calamine"] = _timed(lambda: _iterate_calamine(listed_xlsx))
    finally:
        await runtime.close()
    return figures, earlier, parsed


async def save_on_postgresql(folder: Path, earlier: lists.ParsedList,
                             parsed: lists.ParsedList) -> dict[str, float]:
    """The same two imports into a throwaway PostgreSQL cluster: the second one timed, with
    the processor time of the bench and of the server."""
    with cluster() as server:
        url = await server.create_database("bench_imports")
        runtime = await Runtime.start(make_settings(folder, database_url=url),
                                      clock=FakeClock(NOW))
        try:
            await imports.import_list(runtime.db, None, earlier, file_name="earlier.csv",
                                      now=NOW)
            with usage(server) as used:
                result = await imports.import_list(runtime.db, None, parsed,
                                                   file_name="list.csv", now=NOW)
        finally:
            await runtime.close()
    return {"pg_save": used.wall, "pg_own": used.own, "pg_server": used.server,
            "pg_added": result.added, "pg_already": result.already}


def memory(folder: Path) -> dict[str, float]:
    """The bot's peak over idle importing each list, in a process that did nothing else."""
    measured = subprocess.run(
        [sys.executable, "-m", "tests.support.import_memory", str(folder / "list.csv"),
         str(folder / "list.xlsx")], check=True, capture_output=True, text=True).stdout
    figures = {}
    for kind, line in zip(("csv", "xlsx"), measured.splitlines(), strict=True):
        figure = json.loads(line)
        figures[f"{kind}_peak"] = figure["peak_over_idle_mb"]
        figures[f"{kind}_child"] = figure["largest_child_mb"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both",
                        help="postgresql and both are the same here: SQLite's figures are"
                             " the anchor")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        figures, earlier, parsed = asyncio.run(run(folder))
        figures |= memory(folder)
        if arguments.backend != "sqlite":
            figures |= asyncio.run(save_on_postgresql(folder, earlier, parsed))
    total = figures["read"] + figures["save"]
    print(f"imports: a list of {ROWS:,} rows, {EARLIER:,} already imported")
    print(f"machine: {machine()}")
    print(f"{'figure':<58} {'value':>10} {'target':>10}")
    print(f"{'read and check every row (CSV, child process)':<58} {figures['read']:>8.1f} s")
    print(f"{'save: duplicate checks and one transaction (SQLite)':<58}"
          f" {figures['save']:>8.1f} s")
    print(f"{'import, in all (SQLite)':<58} {total:>8.1f} s {'< 10 s':>10}")
    print(f"{'  rows added, rows already known':<58} "
          f"{int(figures['added']):>6,} {int(figures['already']):>6,}")
    print(f"{'  CPU of the save: the bench (SQLite works in it)':<58}"
          f" {figures['save_cpu']:>8.1f} s")
    if "pg_save" in figures:
        print(f"{'save, the same list, PostgreSQL (throwaway cluster)':<58}"
              f" {figures['pg_save']:>8.1f} s {figures['pg_save'] / figures['save']:>9.2f}x")
        print(f"{'import, in all (PostgreSQL)':<58} {figures['read'] + figures['pg_save']:>8.1f} s"
              f" {'< 10 s':>10}")
        print(f"{'  rows added, rows already known':<58} "
              f"{int(figures['pg_added']):>6,} {int(figures['pg_already']):>6,}")
        print(f"{'  CPU of the save: bench, postgres':<58} {figures['pg_own']:>8.1f} s"
              f" {figures['pg_server']:>8.1f} s")
    print(f"{'read and check every row (XLSX, calamine, child process)':<58} "
          f"{figures['xlsx']:>8.1f} s {'< 5 s':>10}")
    print(f"{'  anchor: iterate the workbook with openpyxl (read-only)':<58} "
          f"{figures['openpyxl']:>8.1f} s")
    print(f"{'  anchor: iterate the workbook with python-calamine':<58} "
          f"{figures['calamine']:>8.1f} s")
    for kind in ("csv", "xlsx"):
        print(f"{f'bot peak memory over idle, importing the {kind.upper()}':<58} "
              f"{figures[f'{kind}_peak']:>7.1f} MB {'< 100 MB':>10}")
    print(f"{'  the child reading them, at its peak (not the bot)':<58} "
          f"{max(figures['csv_child'], figures['xlsx_child']):>7.1f} MB")


if __name__ == "__main__":
    main()
