"""Copy a SQLite deployment into an empty PostgreSQL database (`panong copy-db`).

A province outgrows its SQLite file; nothing it holds may be lost on the way:
- the tables come from the two catalogs, not from a list kept here: a table or column one
  side has and the other has not stops the copy before anything is written, naming it;
- the SQLite file is read in one read transaction, so the copy is one consistent moment
  even while the bot still writes (WAL lets it);
- the rows go into PostgreSQL with COPY, streamed in batches (a province holds hundreds of
  thousands of rows), in foreign-key order, all in one transaction: a failure leaves the
  target as empty as it was;
- SQLite lets a column hold any type (text in an INTEGER column, bytes in a TEXT one, from
  old code or a hand edit): each value is converted to its PostgreSQL column's type, and
  one that cannot be is named by table, column and rowid, never printed (it may be a
  child's data);
- afterwards the id sequences continue after the copied ids, and every table is counted
  on both sides.
"""

import asyncio
import logging
import math
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, tzinfo
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg

from storage.database import migration_files
from storage.postgres import PostgresDatabase

log = logging.getLogger(__name__)

# Rows read from SQLite at a time: memory stays flat whatever the size of a table.
BATCH_ROWS = 5000
# Each side's own record of its schema: never copied.
OWN_TABLES = {"schema_migrations"}
# Text that is a whole number as SQLite reads one (not Python's 1_000 nor other scripts'
# digits).
WHOLE_NUMBER = re.compile(r"\s*[+-]?[0-9]+\s*")


class CopyRefused(Exception):
    """The copy cannot be done as things are; the message says why and what to do."""


@dataclass(frozen=True)
class TableCount:
    table: str
    sqlite: int
    postgresql: int

    @property
    def matches(self) -> bool:
        return self.sqlite == self.postgresql


@dataclass(frozen=True)
class CopyResult:
    counts: list[TableCount]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(count.sqlite for count in self.counts)

    @property
    def mismatched(self) -> list[TableCount]:
        return [count for count in self.counts if not count.matches]


class _Unconvertible(Exception):
    """A value its column's type cannot hold: the stored type is named, not the value."""


def _storage_class(value: object) -> str:
    return {int: "integer", float: "real", str: "text", bytes: "blob"}.get(type(value),
                                                                         type(value).__name__)


def _text(value: Any) -> str:
    if type(value) is str:
        if "\x00" in value:  # PostgreSQL's text cannot hold NUL
            raise _Unconvertible("text with a NUL character")
        return value
    if type(value) in (int, float):
        return str(value)  # as SQLite's own CAST(value AS TEXT) writes it
    if type(value) is bytes:
        try:
            return _text(value.decode("utf-8"))
        except UnicodeDecodeError:
            raise _Unconvertible("blob that is not UTF-8 text") from None
    raise _Unconvertible(_storage_class(value))


def _integer(value: Any) -> int:
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    if type(value) is str and WHOLE_NUMBER.fullmatch(value):
        return int(value)
    raise _Unconvertible(_storage_class(value))


def _real(value: Any) -> float:
    if type(value) in (int, float):
        return float(value)
    if type(value) is str:
        try:
            number = float(value)
        except ValueError:
            raise _Unconvertible("text that is not a number") from None
        if math.isfinite(number):
            return number
        raise _Unconvertible("text that is not a finite number")
    raise _Unconvertible(_storage_class(value))


def _bytes(value: Any) -> bytes:
    if type(value) is bytes:
        return value
    if type(value) is str:
        return value.encode("utf-8")
    raise _Unconvertible(_storage_class(value))


def _boolean(value: Any) -> bool:
    if value in (0, 1) and type(value) is int:
        return bool(value)
    raise _Unconvertible(_storage_class(value))


# PostgreSQL's name of a column's type (information_schema's data_type) -> conversion.
_CONVERSIONS: dict[str, Callable[[Any], Any]] = {
    "text": _text, "character varying": _text,
    "bigint": _integer, "integer": _integer, "smallint": _integer,
    "double precision": _real, "real": _real,
    "bytea": _bytes, "boolean": _boolean,
}


@dataclass(frozen=True)
class _Table:
    name: str
    columns: tuple[str, ...]
    types: tuple[str, ...]


async def copy_to_postgres(source: Path, url: str, tz: tzinfo = UTC,
                           batch: int = BATCH_ROWS) -> CopyResult:
    """`copy_database` into the PostgreSQL database at `url`; a server that cannot be
    reached or refuses the login is a `CopyRefused` that says why."""
    target = PostgresDatabase(url, tz)
    try:
        await target.open()
    except (OSError, asyncpg.PostgresError) as error:
        raise CopyRefused(f"PostgreSQL cannot be reached: {error}") from None
    try:
        return await copy_database(source, target, batch)
    finally:
        await target.close()


async def copy_database(source: Path, target: PostgresDatabase,
                        batch: int = BATCH_ROWS) -> CopyResult:
    """Migrate `target` (open), check it is empty and has the source's tables, copy every
    row of the SQLite file at `source` in one transaction, realign the id sequences, and
    count each table on both sides (the SQLite side in the snapshot that was copied)."""
    if not await asyncio.to_thread(source.exists):  # connecting would create it
        raise FileNotFoundError(source)
    started = time.perf_counter()
    sqlite = await aiosqlite.connect(source, isolation_level=None)
    try:
        await sqlite.execute("PRAGMA query_only = ON")
        await sqlite.execute("BEGIN")  # one snapshot, from the first read to the last count
        await _check_version(sqlite, source)
        await target.migrate()
        async with target.pool.acquire() as raw:
            tables = await _tables(raw)
            await _check_same_tables(sqlite, tables)
            async with raw.transaction():
                await raw.execute(
                    f"LOCK TABLE {', '.join(table.name for table in tables)} IN EXCLUSIVE MODE")
                await _check_empty(raw, tables)
                async with _foreign_keys_checked_after(raw):
                    for table in tables:
                        await _copy_table(sqlite, raw, table, batch)
        await target.realign_identities()
        counts = []
        async with target.pool.acquire() as raw:
            for table in tables:
                [(theirs,)] = await sqlite.execute_fetchall(f"SELECT count(*) FROM {table.name}")
                ours = await raw.fetchval(f"SELECT count(*) FROM {table.name}")
                counts.append(TableCount(table.name, theirs, ours))
        await sqlite.execute("ROLLBACK")
    finally:
        await sqlite.close()
    return CopyResult(counts, time.perf_counter() - started)


async def _check_version(sqlite: aiosqlite.Connection, source: Path) -> None:
    """The source at the schema this version of Panong reads: then its tables are the
    ones the PostgreSQL migrations make."""
    try:
        rows = await sqlite.execute_fetchall("SELECT version FROM schema_migrations")
    except sqlite3.DatabaseError:  # not SQLite, or no schema_migrations table
        raise CopyRefused(f"{source} is not a Panong SQLite database.") from None
    have = {row[0] for row in rows}
    known = {number for number, _, _ in migration_files("sqlite")}
    if have - known:
        raise CopyRefused("The SQLite database was migrated by a newer Panong (migrations "
                          f"{sorted(have - known)}): copy it with that version.")
    if known - have:
        raise CopyRefused("The SQLite database lacks migrations "
                          f"{sorted(known - have)}: run `panong migrate` on it first (with "
                          "PANONG_DATABASE_URL unset).")


async def _tables(raw: asyncpg.Connection) -> list[_Table]:
    """The target's tables from PostgreSQL's catalog, each after those its foreign keys
    point to."""
    rows = await raw.fetch(
        "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c"
        " JOIN information_schema.tables t USING (table_schema, table_name)"
        " WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
        " ORDER BY c.table_name, c.ordinal_position")
    columns: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        if row["table_name"] not in OWN_TABLES:
            columns.setdefault(row["table_name"], []).append(
                (row["column_name"], row["data_type"]))
    references: dict[str, set[str]] = {name: set() for name in columns}
    for row in await raw.fetch(
            "SELECT conrelid::regclass::text AS source, confrelid::regclass::text AS target"
            " FROM pg_constraint WHERE contype = 'f'"
            " AND connamespace = current_schema()::regnamespace"):
        if row["source"] in references and row["target"] != row["source"]:
            references[row["source"]].add(row["target"])
    try:
        order = list(TopologicalSorter(
            {name: sorted(refs) for name, refs in sorted(references.items())}).static_order())
    except CycleError as error:
        raise CopyRefused(f"Tables refer to each other in a cycle ({error.args[1]}): copy-db"
                          " cannot order them.") from None
    tables = []
    for name in order:
        for column, kind in columns[name]:
            if kind not in _CONVERSIONS:
                raise CopyRefused(f"Column {name}.{column} has the PostgreSQL type {kind!r},"
                                  " which copy-db does not know how to fill.")
        tables.append(_Table(name, tuple(column for column, _ in columns[name]),
                             tuple(kind for _, kind in columns[name])))
    return tables


async def _check_same_tables(sqlite: aiosqlite.Connection, tables: Sequence[_Table]) -> None:
    rows = await sqlite.execute_fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    theirs = {row[0] for row in rows} - OWN_TABLES
    ours = {table.name for table in tables}
    if unknown := sorted(theirs - ours):
        raise CopyRefused(f"The SQLite database has tables copy-db does not know: "
                          f"{', '.join(unknown)} (no such table in PostgreSQL). Nothing was "
                          "copied.")
    if missing := sorted(ours - theirs):
        raise CopyRefused(f"The SQLite database lacks the tables {', '.join(missing)} that "
                          "PostgreSQL has. Nothing was copied.")
    for table in tables:
        found = {row[1] for row in await sqlite.execute_fetchall(
            f"PRAGMA table_info({table.name})")}
        if differ := sorted(found.symmetric_difference(table.columns)):
            raise CopyRefused(f"Table {table.name} has different columns in SQLite and in "
                              f"PostgreSQL: {', '.join(differ)}. Nothing was copied.")


async def _check_empty(raw: asyncpg.Connection, tables: Sequence[_Table]) -> None:
    holding = [table.name for table in tables
               if await raw.fetchval(f"SELECT EXISTS (SELECT 1 FROM {table.name})")]
    if holding:
        raise CopyRefused(f"The PostgreSQL database already holds data (in {', '.join(holding)})."
                          " copy-db fills only a new, empty database: create one (see "
                          "docs/deployment.md). Nothing was copied.")


@asynccontextmanager
async def _foreign_keys_checked_after(raw: asyncpg.Connection) -> AsyncIterator[None]:
    """Each foreign key dropped while the rows come in and added again after them, in the
    same transaction, as pg_restore does: PostgreSQL then checks each key once over the
    whole table, rather than with a look-up per row (which made the copy four times as
    slow). A row that refers to nothing is refused all the same."""
    keys = await raw.fetch(
        "SELECT conrelid::regclass::text AS owner, conname, pg_get_constraintdef(oid) AS sql"
        " FROM pg_constraint WHERE contype = 'f'"
        " AND connamespace = current_schema()::regnamespace")
    for key in keys:
        await raw.execute(f'ALTER TABLE {key["owner"]} DROP CONSTRAINT "{key["conname"]}"')
    yield
    for key in keys:
        try:
            await raw.execute(f'ALTER TABLE {key["owner"]} ADD CONSTRAINT "{key["conname"]}"'
                              f' {key["sql"]}')
        except asyncpg.ForeignKeyViolationError:
            raise CopyRefused(
                f"Rows of {key['owner']} refer to rows that are not there ({key['sql']}); "
                "SQLite let them in with its foreign-key checks off. Nothing was "
                "copied.") from None


async def _copy_table(sqlite: aiosqlite.Connection, raw: asyncpg.Connection, table: _Table,
                      batch: int) -> None:
    convert = tuple(_CONVERSIONS[kind] for kind in table.types)
    select = f"SELECT rowid, {', '.join(table.columns)} FROM {table.name}"

    async def records() -> AsyncIterator[tuple[Any, ...]]:
        last = None
        async with sqlite.execute(select) as cursor:
            while rows := await _fetch(cursor, table, last, batch):
                for row in rows:
                    try:
                        yield tuple(None if value is None else to(value)
                                    for to, value in zip(convert, row[1:], strict=True))
                    except _Unconvertible:
                        raise _refuse_value(table, row) from None
                last = rows[-1][0]

    started = time.perf_counter()
    try:
        status = await raw.copy_records_to_table(table.name, records=records(),
                                                 columns=table.columns)
    except asyncpg.PostgresError as error:  # a NOT NULL, a foreign key: named, no values
        raise CopyRefused(f"PostgreSQL refused a row of {table.name}: {error.message}. "
                          "Nothing was copied.") from None
    log.info("copied %s: %s rows in %.1f s", table.name, status.rsplit(" ", 1)[-1],
             time.perf_counter() - started)


async def _fetch(cursor: aiosqlite.Cursor, table: _Table, last: int | None,
                 batch: int) -> list[Any]:
    """The next rows; text that is not UTF-8 (which only a hand-made edit can store)
    cannot even be read, so it is named by the rowid it follows."""
    try:
        return list(await cursor.fetchmany(batch))
    except sqlite3.OperationalError as error:
        if "decode" not in str(error):
            raise
        where = f"its first {batch} rows" if last is None else \
            f"the {batch} rows after rowid {last}"
        raise CopyRefused(f"{table.name} holds text that is not UTF-8, in {where}. Correct it "
                          "in the SQLite database and copy again. Nothing was copied.") from None


def _refuse_value(table: _Table, row: Sequence[Any]) -> CopyRefused:
    for column, kind, value in zip(table.columns, table.types, row[1:], strict=True):
        if value is None:
            continue
        try:
            _CONVERSIONS[kind](value)
        except _Unconvertible as error:
            return CopyRefused(f"{table.name}.{column}, rowid {row[0]}: the value (stored as "
                               f"{error}) cannot become PostgreSQL {kind}. Correct it in the "
                               "SQLite database and copy again. Nothing was copied.")
    raise AssertionError("no column refused")
