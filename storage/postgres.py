"""The PostgreSQL backend: the same repositories as SQLite's, on a pool of asyncpg connections.

Several bot processes may share one database, on one machine or several, so nothing here
relies on being the only writer:
- each unit of work is a READ COMMITTED transaction on a connection of its own; what must
  not be done twice is guarded in the SQL itself (a conditional update for the first press,
  an atomic increment for tallies and case numbers, `FOR UPDATE SKIP LOCKED` for claims);
- a lock held too long, a deadlock or a serialization failure gives `DatabaseBusy`, as
  SQLite's busy timeout does, and nothing of the transaction is kept;
- what other processes must learn at once goes out with the commit as a NOTIFY: a change
  to users (each process forgets the users it remembered) and messages owed (each
  dispatcher wakes). A dedicated connection listens.

Repositories are written with SQLite's placeholders (`?` and `:name`); `translate` turns
them into PostgreSQL's `$1`, once per statement text.
"""

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import Any

import asyncpg

from bot.errors import DatabaseBusy
from storage.repositories import Repositories, UnitOfWork
from storage.sql import Dialect, Params
from storage.users import KnownUsers

log = logging.getLogger(__name__)

USERS_CHANGED = "panong_users"
OWED = "panong_owed"
# Taken while migrating, so that processes starting together migrate one after another.
MIGRATION_LOCK = 0x70616E6F6E67  # "panong"
# The tables that hold what a person typed about a child: vacuumed after an erasure.
PERSONAL_TABLES = ("children", "cases", "case_name_keys", "referrals", "referral_messages",
                   "audit_log", "conversation_data", "conversation_states", "outbox", "leads",
                   "downloads", "inbox")
_BUSY = (asyncpg.exceptions.LockNotAvailableError, asyncpg.exceptions.DeadlockDetectedError,
         asyncpg.exceptions.SerializationError, asyncpg.exceptions.QueryCanceledError)


@lru_cache(maxsize=2048)
def translate(sql: str) -> tuple[str, tuple[str, ...] | None]:
    """`sql` with `?` and `:name` placeholders numbered `$1`, `$2`, ... as PostgreSQL reads
    them, and the names in order when they were named (None when positional). Quoted text
    and `::type` casts are left alone."""
    out: list[str] = []
    names: list[str] = []
    numbered: dict[str, int] = {}
    count = 0
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        if char == "'":
            end = sql.index("'", i + 1)
            while end + 1 < n and sql[end + 1] == "'":  # '' inside a literal
                end = sql.index("'", end + 2)
            out.append(sql[i:end + 1])
            i = end + 1
        elif char == "?":
            count += 1
            out.append(f"${count}")
            i += 1
        elif (char == ":" and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_")
              and (i == 0 or sql[i - 1] != ":")):
            end = i + 1
            while end < n and (sql[end].isalnum() or sql[end] == "_"):
                end += 1
            name = sql[i + 1:end]
            if name not in numbered:
                names.append(name)
                numbered[name] = len(names)
            out.append(f"${numbered[name]}")
            i = end
        elif char == ":" and i + 1 < n and sql[i + 1] == ":":
            out.append("::")
            i += 2
        else:
            out.append(char)
            i += 1
    if names and count:
        raise ValueError(f"both ? and :name placeholders in {sql[:80]}")
    return "".join(out), (tuple(names) if names else None)


def _arguments(names: tuple[str, ...] | None, parameters: Params) -> Sequence[Any]:
    if names is None:
        return tuple(parameters)  # type: ignore[arg-type]
    values: Mapping[str, Any] = parameters  # type: ignore[assignment]
    return [values[name] for name in names]


class Executed:
    """What an UPDATE, INSERT or DELETE touched, as sqlite3's cursor says it."""

    __slots__ = ("rowcount",)

    def __init__(self, status: str) -> None:
        last = status.rsplit(" ", 1)[-1]
        self.rowcount = int(last) if last.isdigit() else -1


class PgConnection:
    """An asyncpg connection (or the pool, for reads outside a transaction) answering as
    the repositories ask: `execute`, `execute_fetchall`, `executemany`."""

    dialect: Dialect = "postgresql"

    def __init__(self, raw: asyncpg.Connection | asyncpg.Pool) -> None:
        self.raw = raw

    async def execute(self, sql: str, parameters: Params = ()) -> Executed:
        text, names = translate(sql)
        try:
            return Executed(await self.raw.execute(text, *_arguments(names, parameters)))
        except _BUSY as error:
            raise DatabaseBusy() from error

    async def execute_fetchall(self, sql: str, parameters: Params = ()) -> list[asyncpg.Record]:
        text, names = translate(sql)
        try:
            return await self.raw.fetch(text, *_arguments(names, parameters))
        except _BUSY as error:
            raise DatabaseBusy() from error

    async def executemany(self, sql: str, parameters: Iterable[Params]) -> None:
        text, names = translate(sql)
        rows = [_arguments(names, each) for each in parameters]
        if not rows:
            return
        try:
            await self.raw.executemany(text, rows)
        except _BUSY as error:
            raise DatabaseBusy() from error


class PgUnitOfWork(UnitOfWork):
    # Who announces: a process does not act twice on its own commits.
    sender = ""

    async def _commit(self) -> None:
        announce = [f"NOTIFY {name}, '{self.sender}'" for name, wanted in
                    ((USERS_CHANGED, self.users.changed), (OWED, self.outbox.added)) if wanted]
        # One round trip: the notices go out with the commit, or not at all.
        await self.conn.execute("; ".join([*announce, "COMMIT"]))


async def _roll_back(raw: asyncpg.Connection) -> None:
    """ROLLBACK; a connection that cannot say it (broken, or cancelled mid-statement) is
    closed, and the pool opens a new one: nothing of the transaction was kept either way."""
    try:
        await raw.execute("ROLLBACK")
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
        log.warning("a connection could not roll back and was closed")
        raw.terminate()


async def _keep_session(connection: asyncpg.Connection) -> None:
    """What the pool runs when a connection comes back: nothing. asyncpg's default (unlock
    advisory locks, close cursors, unlisten, reset settings) costs a round trip per
    statement outside a transaction; no code here leaves any of those behind: units of work
    end with COMMIT or ROLLBACK, locks are taken per transaction, and listening has its
    own connection."""


class PostgresDatabase:
    """`storage.interface.Database` on PostgreSQL."""

    dialect: Dialect = "postgresql"

    def __init__(self, url: str, tz: tzinfo = UTC, busy_timeout: float = 10.0,
                 pool_size: int = 10) -> None:
        """`url`: postgresql://user:password@host:port/database. `busy_timeout`: seconds a
        statement waits for a lock before `DatabaseBusy`. `pool_size`: connections kept."""
        self.url = url
        self.tz = tz
        self.busy_timeout_ms = round(busy_timeout * 1000)
        self.pool_size = pool_size
        self._pool: asyncpg.Pool | None = None
        self._listener: asyncpg.Connection | None = None
        self._read: Repositories | None = None
        self.known_users = KnownUsers()
        self.owed = asyncio.Event()
        # Signs this process's notices (a hex word: safe inside the NOTIFY's quotes).
        self.sender = secrets.token_hex(8)

    async def open(self) -> None:
        self._pool = await asyncpg.create_pool(
            self.url, min_size=1, max_size=self.pool_size, reset=_keep_session,
            server_settings={"lock_timeout": str(self.busy_timeout_ms),
                             "application_name": "panong"})
        self._read = Repositories(PgConnection(self._pool), self.tz)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.remove_termination_listener(self._deaf)
            await self._listener.close()
        if self._pool is not None:
            await self._pool.close()
        self._pool = self._listener = self._read = None
        self.known_users = KnownUsers()

    async def __aenter__(self) -> "PostgresDatabase":
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the database is not open")
        return self._pool

    @property
    def read(self) -> Repositories:
        """Repositories on the pool: committed data, each statement on its own."""
        if self._read is None:
            raise RuntimeError("the database is not open")
        return self._read

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """One transaction on a connection of its own."""
        async with self.pool.acquire() as raw:
            conn = PgConnection(raw)
            await raw.execute("BEGIN")
            uow = PgUnitOfWork(conn, self.tz, self.known_users, self.owed)
            uow.sender = self.sender
            try:
                yield uow
            except _BUSY as error:
                raise DatabaseBusy() from error
            finally:
                if not uow.committed:
                    await _roll_back(raw)
                    self.known_users.rolled_back()

    async def realign_identities(self) -> None:
        """After rows were written with their ids (a copy, a bulk load): each table's id
        sequence continues after its largest id, so that the next row gets a new one."""
        async with self.pool.acquire() as raw:
            tables = await raw.fetch(
                "SELECT table_name FROM information_schema.columns WHERE table_schema ="
                " current_schema() AND column_name = 'id' AND is_identity = 'YES'")
            for (table,) in tables:
                await raw.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)")

    async def checkpoint(self) -> bool:
        """After an erasure: vacuum the tables that held it, so that the erased rows leave
        the tables' pages rather than wait for autovacuum. PostgreSQL does not overwrite
        the bytes it frees, nor its write-ahead log: the guide asks for encrypted disks."""
        async with self.pool.acquire() as raw:
            await raw.execute("VACUUM " + ", ".join(PERSONAL_TABLES))
        return True

    async def migrate(self) -> list[str]:
        """Apply the migrations not yet recorded, each in its own transaction; one process
        at a time. Then listen for what other processes announce."""
        from storage.database import migration_files  # the files' loader, shared

        applied = []
        async with self.pool.acquire() as raw:
            await raw.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            try:
                await raw.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY,"
                    " name TEXT NOT NULL, applied_at TEXT NOT NULL)")
                done = {row[0] for row in await raw.fetch("SELECT version FROM schema_migrations")}
                for number, name, sql in migration_files("postgresql"):
                    if number in done:
                        continue
                    async with raw.transaction():
                        await raw.execute(sql)
                        await raw.execute(
                            "INSERT INTO schema_migrations (version, name, applied_at)"
                            " VALUES ($1, $2, $3)", number, name, datetime.now(UTC).isoformat())
                    applied.append(f"{number:04d}_{name}")
                    log.info("applied migration %04d_%s", number, name)
            finally:
                await raw.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
        await self._listen()
        return applied

    async def _listen(self) -> None:
        """Hear other processes' commits: forget the users remembered, wake the dispatcher."""
        if self._listener is not None:
            return
        self._listener = await asyncpg.connect(self.url)
        await self._listener.add_listener(USERS_CHANGED, self._on_notice(self.known_users.forget))
        await self._listener.add_listener(OWED, self._on_notice(self.owed.set))
        self._listener.add_termination_listener(self._deaf)
        self.known_users.seeing_changes()

    def _deaf(self, *_: object) -> None:
        """The listening connection is gone (the server restarted): other processes'
        changes are no longer heard, so users are read on every update again, and the
        dispatcher finds what is owed at its next look."""
        log.warning("lost the connection that listens for other processes' changes")
        self.known_users.seeing_changes(False)
        self.owed.set()

    def _on_notice(self, react: Callable[[], None]) -> Callable[..., None]:
        """A listener acting on other processes' notices; this one's own commits acted
        already (`UnitOfWork.commit`)."""
        def heard(_connection: object, _pid: int, _channel: str, sender: str) -> None:
            if sender != self.sender:
                react()
        return heard
