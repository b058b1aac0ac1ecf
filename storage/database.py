"""The one class that owns the database.

Writes go through a single connection, one unit of work at a time, each inside
`BEGIN IMMEDIATE` so that SQLite takes the write lock up front instead of failing half-way.
Reads that need no transaction use a second, read-only connection, which WAL lets run
beside the writer.

What is deleted does not linger: every connection overwrites deleted content with zeros
(`secure_delete`), the write-ahead log is truncated after an erasure (`checkpoint`) and
never kept larger than `JOURNAL_SIZE_LIMIT` after a checkpoint. The database, its WAL and
its backups are readable by their owner only, in a folder only they may open.
"""

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, tzinfo
from importlib import resources
from pathlib import Path

import aiosqlite

from bot.errors import DatabaseBusy
from storage.cases import index_every_name
from storage.repositories import Repositories, UnitOfWork
from storage.sql import SqliteConnection
from storage.users import KnownUsers

log = logging.getLogger(__name__)

# How long a write waits for a lock held by another connection before giving up.
BUSY_TIMEOUT_SECONDS = 10.0
# What the WAL is cut back to after a checkpoint: one automatic checkpoint's worth (1,000
# pages of 4 KiB), so that old page images do not sit in a grown log.
JOURNAL_SIZE_LIMIT = 4 * 1024 * 1024
# The database and its backups: the owner's only. SQLite gives the -wal and -shm files the
# database file's mode.
FILE_MODE = 0o600
FOLDER_MODE = 0o700
# What a migration's SQL cannot compute (keys made by Python code), filled in by Python in
# the same transaction, after the SQL: number -> step.
_DATA_STEPS = {18: index_every_name}


def migration_files(dialect: str) -> list[tuple[int, str, str]]:
    """(number, name, sql) of every `NNNN_name.sql` file of `dialect` ("sqlite" or
    "postgresql"), in order."""
    found = []
    for entry in (resources.files("storage.migrations") / dialect).iterdir():
        stem, dot, suffix = entry.name.partition(".")
        if suffix != "sql" or not dot:
            continue
        number, _, name = stem.partition("_")
        found.append((int(number), name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [number for number, _, _ in found]
    if len(set(numbers)) != len(numbers):
        raise RuntimeError(f"two migrations share a number: {numbers}")
    return found


class SqliteUnitOfWork(UnitOfWork):
    async def _commit(self) -> None:
        await self.conn.commit()


class Database:
    def __init__(self, path: Path, tz: tzinfo = UTC,
                 busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        """`tz`: the deployment's zone; summaries count cases by their local day.
        `busy_timeout`: seconds a write waits for a lock held elsewhere before it fails
        with `DatabaseBusy`."""
        self.path = path
        self.tz = tz
        self.busy_timeout_ms = round(busy_timeout * 1000)
        self._writer: SqliteConnection | None = None
        self._reader: SqliteConnection | None = None
        self._read: Repositories | None = None
        self._write_lock = asyncio.Lock()
        # Who is talking, asked on every update (see `KnownUsers`); watching from `migrate`.
        self.known_users = KnownUsers()
        # Set when a transaction that wrote into the outbox commits: the dispatcher wakes.
        self.owed = asyncio.Event()

    async def open(self) -> None:
        await asyncio.to_thread(_create_private, self.path)
        self._writer = await self._connect()
        await self._writer.execute("PRAGMA journal_mode = WAL")
        # FULL: a commit is on disk before the answer that confirms it is sent, even across
        # a power cut (NORMAL may lose the last commits; see docs/benchmarks.md for the cost).
        await self._writer.execute("PRAGMA synchronous = FULL")
        self._reader = await self._connect()
        await self._reader.execute("PRAGMA query_only = ON")
        self._read = Repositories(self._reader, self.tz)

    async def _connect(self) -> SqliteConnection:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, never implicitly.
        conn = await SqliteConnection(
            lambda: sqlite3.connect(self.path, isolation_level=None), iter_chunk_size=64)
        conn.row_factory = sqlite3.Row
        await conn.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")
        await conn.execute("PRAGMA foreign_keys = ON")
        # Per connection: zero what is deleted, in the database file and in the WAL's pages.
        await conn.execute("PRAGMA secure_delete = ON")
        await conn.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}")
        return conn

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._writer = self._reader = self._read = None
        self.known_users = KnownUsers()  # the triggers went with the connection

    async def __aenter__(self) -> "Database":
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def writer(self) -> SqliteConnection:
        if self._writer is None:
            raise RuntimeError("the database is not open")
        return self._writer

    @property
    def read(self) -> Repositories:
        """Repositories on the read-only connection: committed data, no transaction."""
        if self._read is None:
            raise RuntimeError("the database is not open")
        return self._read

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """One transaction. When another process holds the database past the busy timeout,
        `DatabaseBusy` is raised and nothing is written."""
        async with self._write_lock:
            conn = self.writer
            try:
                await conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                if _is_busy(error):
                    raise DatabaseBusy() from error
                raise
            uow = SqliteUnitOfWork(conn, self.tz, self.known_users, self.owed)
            try:
                yield uow
            except sqlite3.OperationalError as error:
                if _is_busy(error):
                    raise DatabaseBusy() from error
                raise
            finally:
                if not uow.committed:
                    await conn.rollback()
                    self.known_users.rolled_back()

    async def checkpoint(self) -> bool:
        """Copy the WAL into the database file and truncate it to nothing, so that no page
        image from before the last commit stays on disk (after an erasure). Outside any
        transaction. False when a reader elsewhere (a backup) kept part of the log."""
        async with self._write_lock:
            rows = await self.writer.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
        busy = rows[0][0]
        if busy:
            log.warning("the WAL could not be truncated: another connection is reading")
        return not busy

    async def migrate(self) -> list[str]:
        """Apply the migrations not yet recorded, each in its own transaction."""
        conn = self.writer
        async with self._write_lock:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            rows = await conn.execute_fetchall("SELECT version FROM schema_migrations")
            done = {row[0] for row in rows}
            applied = []
            for number, name, sql in migration_files("sqlite"):
                if number in done:
                    continue
                # executescript() would commit on its own; run the statements in our
                # transaction instead so that a failing migration leaves nothing behind.
                await conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _split_statements(sql):
                        await conn.execute(statement)
                    if number in _DATA_STEPS:
                        await _DATA_STEPS[number](conn)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at)"
                        " VALUES (?, ?, ?)",
                        (number, name, datetime.now(UTC).isoformat()),
                    )
                    await conn.commit()
                except BaseException:
                    await conn.rollback()
                    raise
                applied.append(f"{number:04d}_{name}")
                log.info("applied migration %04d_%s", number, name)
            await self.known_users.watch(conn)
            return applied

    async def backup(self, target: Path) -> None:
        """Copy the live database to `target` with SQLite's online backup API."""
        await backup_database(self.path, target)


def _is_busy(error: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY, or one of its extended codes: another connection holds the lock."""
    return error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY


def _split_statements(sql: str) -> list[str]:
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buffer.strip()[:80]}")
    return statements


async def backup_database(source: Path, target: Path) -> None:
    """Online backup: safe while the bot writes, consistent to one moment.

    The copy is written beside the target and renamed into place, so a failed backup never
    leaves a half-written file where a good one is expected.
    """
    partial = await asyncio.to_thread(_prepare_backup, source, target)
    async with aiosqlite.connect(source) as src:
        await src.execute(f"PRAGMA busy_timeout = {round(BUSY_TIMEOUT_SECONDS * 1000)}")
        # The target is used from aiosqlite's worker thread, not the one that opened it.
        dst = sqlite3.connect(partial, check_same_thread=False)
        try:
            await src.backup(dst)
        finally:
            dst.close()
    await asyncio.to_thread(partial.replace, target)


def _prepare_backup(source: Path, target: Path) -> Path:
    if not source.exists():
        raise FileNotFoundError(source)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    _create_private(partial)
    return partial


def _create_private(path: Path) -> None:
    """Make the folder (the owner's only, when it is new) and the file (empty, the owner's
    only) before SQLite opens it; an existing file is narrowed to the owner too, with its
    -wal and -shm."""
    path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE))
    for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if each.exists():
            each.chmod(FILE_MODE)
