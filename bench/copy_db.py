"""`panong copy-db` speed: a SQLite deployment of CASES generated cases copied into an empty
PostgreSQL database, printed as rows a second beside an anchor measured in the same run:
the same rows merely read out of SQLite (no conversion, no PostgreSQL), so the ratio says
what the conversion and the COPY add to reading.

The server is the one the tests use (PANONG_TEST_POSTGRES_URL, a superuser's URL without
a database name); a database named copydb_bench_PID is made and dropped.
Run: `.venv/bin/python -m bench.copy_db [cases]`.
"""

import asyncio
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import asyncpg

from bot.domain.models import Role
from bot.runtime import Runtime
from storage.copy import copy_to_postgres
from tests.conftest import FakeClock, add_user, make_settings
from tests.support import dataset

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


async def admin(server: str, sql: str) -> None:
    conn = await asyncpg.connect(server + "/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def main(cases: int) -> None:
    server = os.environ.get("PANONG_TEST_POSTGRES_URL", "").rstrip("/")
    if not server:
        sys.exit("set PANONG_TEST_POSTGRES_URL to a PostgreSQL server (see the README)")
    name = f"copydb_bench_{os.getpid()}"
    with tempfile.TemporaryDirectory() as folder:
        path = await build(Path(folder), cases)
        read_rows, read_seconds = read_everything(path)
        await admin(server, f"CREATE DATABASE {name}")
        try:
            started = time.perf_counter()
            result = await copy_to_postgres(path, f"{server}/{name}")
            seconds = time.perf_counter() - started
        finally:
            await admin(server, f"DROP DATABASE IF EXISTS {name}")
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
