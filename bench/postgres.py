"""A throwaway PostgreSQL server for the benchmarks, and what they need around it.

- `cluster()`: Debian's PostgreSQL (initdb and pg_ctl, as the unprivileged `postgres` user
  when run as root) in a temporary folder, on a unix socket and a free port of 127.0.0.1,
  removed afterwards. fsync and synchronous_commit stay on, as a deployment has them:
  figures with fsync off say nothing about a server that keeps what it confirmed. The data
  lives on disk (not /dev/shm), and text sorts by its bytes (locale C), as SQLite's and
  the test server's do.
- `Cluster.cpu()`: processor seconds the server's processes have used, so that a figure
  can say what the server and the benchmark each took of the two shared cores.
- `copy_database()`: a SQLite benchmark database copied into PostgreSQL table by table
  with COPY, so that both backends are timed on the same rows.

Not the test suite's server (tests/support/postgres.py): that one is tuned the other way
(fsync off, data in memory, small buffers), right for tests and wrong for figures.
"""

import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from storage.postgres import PostgresDatabase

BIN = Path(os.environ.get("PANONG_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
TICKS = os.sysconf("SC_CLK_TCK")
SETTINGS = {"fsync": "on", "synchronous_commit": "on", "shared_buffers": "256MB",
            "max_wal_size": "4GB", "max_connections": "50"}
SERVER = ("a throwaway PostgreSQL 15 cluster of this run, on 127.0.0.1, "
          + ", ".join(f"{name}={value}" for name, value in SETTINGS.items()))


@dataclass
class Cluster:
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def database_url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    async def create_database(self, name: str) -> str:
        """A new empty database; its URL."""
        conn = await asyncpg.connect(self.url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return self.database_url(name)

    def cpu(self) -> float:
        """Processor seconds used by the server: the postmaster's own and its finished
        children's (which it reaps), and those of the children still running."""
        postmaster = int((self.folder / "data" / "postmaster.pid").read_text().split()[0])
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone meanwhile
            pid, parent = int(entry.name), int(fields[1])
            if pid == postmaster:
                total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
            elif parent == postmaster:
                total += int(fields[11]) + int(fields[12])
        return total / TICKS


def _as_owner(command: list[str], folder: Path) -> list[str]:
    """initdb refuses to run as root: run it, and pg_ctl, as `postgres` then."""
    if os.geteuid() != 0:
        return command
    shutil.chown(folder, "postgres")
    return ["runuser", "-u", "postgres", "--", *command]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def cluster() -> Iterator[Cluster]:
    """A server of our own for the length of the benchmark."""
    if not (BIN / "initdb").exists():
        raise SystemExit(f"no PostgreSQL server in {BIN} (PANONG_POSTGRES_BIN): install"
                         " Debian's postgresql-15, or run the benchmark with --backend sqlite")
    folder = Path(tempfile.mkdtemp(prefix="panong-bench-pg-"))
    os.chmod(folder, 0o755)
    data, port = folder / "data", _free_port()
    subprocess.run(_as_owner([str(BIN / "initdb"), "-D", str(data), "-U", "postgres",
                              "--auth=trust", "-E", "UTF8", "--locale=C"], folder),
                   check=True, capture_output=True)
    options = " ".join(["-c listen_addresses=127.0.0.1", f"-p {port}", f"-k {folder}",
                        *(f"-c {name}={value}" for name, value in SETTINGS.items())])
    subprocess.run(_as_owner([str(BIN / "pg_ctl"), "-D", str(data), "-o", options,
                              "-l", str(folder / "log"), "-w", "start"], folder),
                   check=True, capture_output=True)
    try:
        yield Cluster(folder, port)
    finally:
        subprocess.run(_as_owner([str(BIN / "pg_ctl"), "-D", str(data), "-m", "fast",
                                  "stop"], folder), check=False, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Usage:
    """Wall time, and the processor time of the benchmark and of the server meanwhile."""

    wall: float = 0.0
    own: float = 0.0
    server: float = 0.0

    def describe(self) -> str:
        return (f"CPU: bench {self.own:.1f} s, postgres {self.server:.1f} s"
                f" over {self.wall:.1f} s wall")


@contextmanager
def usage(server: Cluster | None) -> Iterator[Usage]:
    measured = Usage()
    wall, own = time.perf_counter(), time.process_time()
    before = server.cpu() if server else 0.0
    try:
        yield measured
    finally:
        measured.wall = time.perf_counter() - wall
        measured.own = time.process_time() - own
        measured.server = (server.cpu() - before) if server else 0.0


def machine() -> str:
    """What the figures were taken on, and how busy it was."""
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "?")
    one, five, _ = os.getloadavg()
    return (f"{os.cpu_count()} cores ({model}), shared with whatever else runs:"
            f" load average {one:.1f} (1 min), {five:.1f} (5 min)")


async def copy_database(sqlite_path: Path, url: str) -> dict[str, int]:
    """Every row of the SQLite database at `sqlite_path` into the migrated, empty
    PostgreSQL database at `url`, by COPY in one transaction, as pg_restore loads a dump:
    foreign keys left unchecked meanwhile, and each table's secondary indexes dropped
    before its rows and built again after them (building an index over a million rows
    costs a fraction of keeping it up to date row by row); then identities realigned and
    ANALYZE. Rows copied per table."""
    source = sqlite3.connect(sqlite_path)
    target = await asyncpg.connect(url)
    copied = {}
    try:
        tables = [row[0] for row in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'")]
        async with target.transaction():
            await target.execute("SET LOCAL session_replication_role = replica")
            await target.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for table in tables:
                cursor = source.execute(f"SELECT * FROM {table}")
                columns = [column[0] for column in cursor.description]
                indexes = await target.fetch(
                    "SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid)"
                    " AS definition FROM pg_index i LEFT JOIN pg_constraint c"
                    " ON c.conindid = i.indexrelid WHERE i.indrelid = $1::regclass"
                    " AND c.oid IS NULL", table)
                for index in indexes:
                    await target.execute(f"DROP INDEX {index['name']}")
                copied[table] = 0
                await target.execute(f"DELETE FROM {table}")
                while rows := cursor.fetchmany(50_000):
                    await target.copy_records_to_table(table, records=rows, columns=columns)
                    copied[table] += len(rows)
                for index in indexes:
                    await target.execute(index["definition"])
    finally:
        source.close()
        await target.close()
    async with PostgresDatabase(url) as db:
        await db.realign_identities()
        async with db.pool.acquire() as raw:
            await raw.execute("ANALYZE")
    return copied
