"""`panong copy-db` speed: a SQLite deployment of CASES generated cases copied into an empty
PostgreSQL database, printed as rows a second beside an anchor measured in the same run:
the same rows merely read out of SQLite (no conversion, no PostgreSQL), so the ratio says
what the conversion and the COPY add to reading.

The server is the tests' throwaway one (tests/support/postgres.py), started for the run.
Run: `.venv/bin/python -m bench.copy_db [cases]`.
"""

import asyncio
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from bot.domain.models import Role
from bot.runtime import Runtime
from storage.copy import copy_to_postgres
from tests.conftest import FakeClock, add_user, make_settings
from tests.support import dataset
from tests.support.postgres import PostgresServer

CASES = 20_000


async def build(folder: Path, cases: int) -> Path:
    runtime = await Runtime.start(make_settings(folder), clock=FakeClock())
    try:
        teacher = await add_user(runtime, Role.TEACHER, "school_wat_phraek_sa", "1001")
        generated = dataset.generate(cases, seed=18, start=runtime.now(), days=365)
        await dataset.write(runtime.db, generated, teacher_id=teacher.id)
    finally:
        await runtime.close()
    return folder / "panong.db"


def read_everything(path: Path) -> tuple[int, float]:
    """The anchor: every row of every table read out of SQLite, nothing done with it."""
    started = time.perf_counter()
    conn = sqlite3.connect(path)
    rows = 0
    try:
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            cursor = conn.execute(f"SELECT * FROM {table}")
            while batch := cursor.fetchmany(5000):
                rows += len(batch)
    finally:
        conn.close()
    return rows, time.perf_counter() - started


async def main(cases: int) -> None:
    server = PostgresServer.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = await build(Path(folder), cases)
            read_rows, read_seconds = read_everything(path)
            started = time.perf_counter()
            result = await copy_to_postgres(path, await server.create_database())
            seconds = time.perf_counter() - started
    finally:
        server.stop()
    biggest = sorted(result.counts, key=lambda count: -count.sqlite)[:4]
    print(f"copy-db, {cases:,} generated cases: {result.rows:,} rows "
          f"({', '.join(f'{c.table} {c.sqlite:,}' for c in biggest)}, ...)")
    print(f"  copy (connect, migrate, COPY, realign, count): {seconds:.2f} s, "
          f"{result.rows / seconds:,.0f} rows/s; counts match: {not result.mismatched}")
    print(f"  anchor, the same rows read from SQLite only: {read_seconds:.2f} s, "
          f"{read_rows / read_seconds:,.0f} rows/s")
    print(f"  copy / read: {seconds / read_seconds:.1f}x the time")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else CASES))
