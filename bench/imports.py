"""Importing a list of 100,000 rows (issue 6's target: under 10 s), printed: reading and
checking every row (CSV and XLSX), then saving them in one transaction with the duplicate
checks against what is already there (50,000 earlier rows, a quarter of them repeated).

Run: `make bench`, or `.venv/bin/python -m bench.imports`.
"""

import asyncio
import io
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import openpyxl

from bot import imports as lists
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


async def run(folder: Path) -> dict[str, float]:
    settings = make_settings(folder, database_path=folder / "bench.db")
    runtime = await Runtime.start(settings, clock=FakeClock(NOW))
    today = NOW.astimezone(settings.tz).date()
    figures = {}
    try:
        earlier = lists.read(as_csv(rows(EARLIER)), "earlier.csv", runtime.geography, today)
        await imports.import_list(runtime.db, None, earlier, file_name="earlier.csv", now=NOW)
        table = rows(ROWS, first=EARLIER * 3 // 4)  # a quarter overlaps the earlier list
        csv_data, xlsx_data = as_csv(table), as_xlsx(table)
        started = time.perf_counter()
        parsed = await asyncio.to_thread(lists.read, csv_data, "list.csv", runtime.geography,
                                         today)
        figures["read"] = time.perf_counter() - started
        started = time.perf_counter()
        result = await imports.import_list(runtime.db, None, parsed, file_name="list.csv",
                                           now=NOW)
        figures["save"] = time.perf_counter() - started
        figures["added"], figures["already"] = result.added, result.already
        started = time.perf_counter()
        await asyncio.to_thread(lists.read, xlsx_data, "list.xlsx", runtime.geography, today)
        figures["xlsx"] = time.perf_counter() - started
    finally:
        await runtime.close()
    return figures


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        figures = asyncio.run(run(Path(folder)))
    total = figures["read"] + figures["save"]
    print(f"imports: a list of {ROWS:,} rows, {EARLIER:,} already imported")
    print(f"{'figure':<52} {'value':>10} {'target':>10}")
    print(f"{'read and check every row (CSV)':<52} {figures['read']:>8.1f} s")
    print(f"{'save: duplicate checks and one transaction':<52} {figures['save']:>8.1f} s")
    print(f"{'import, in all':<52} {total:>8.1f} s {'< 10 s':>10}")
    print(f"{'  rows added, rows already known':<52} "
          f"{int(figures['added']):>6,} {int(figures['already']):>6,}")
    print(f"{'read and check every row (XLSX)':<52} {figures['xlsx']:>8.1f} s")


if __name__ == "__main__":
    main()
