"""Small pieces of SQL text shared by the repositories, and the connection they run on.

A repository is written once, in SQL both backends read: `?` and `:name` placeholders
(translated for PostgreSQL by `storage.postgres`), ISO-8601 UTC text for moments, 0/1 for
yes/no. Where the two dialects must differ, the repository keeps both texts side by side
in a dict keyed by `Connection.dialect` (named `..._SQL`), so a change to one is seen
beside the other.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any, Literal, Protocol, TypeVar

import aiosqlite

T = TypeVar("T")
Dialect = Literal["sqlite", "postgresql"]
Params = Sequence[Any] | Mapping[str, Any]


class Row(Protocol):
    """A row read by column name or by position (sqlite3.Row, asyncpg.Record)."""

    def __getitem__(self, key: int | str) -> Any: ...

    def keys(self) -> Iterable[str]: ...


class Executed(Protocol):
    rowcount: int


class Connection(Protocol):
    """What a repository may ask of the connection it is bound to."""

    dialect: Dialect

    async def execute(self, sql: str, parameters: Params = ...) -> Executed: ...

    async def execute_fetchall(self, sql: str, parameters: Params = ...) -> Iterable[Any]: ...

    async def executemany(self, sql: str, parameters: Iterable[Params]) -> Any: ...


class SqliteConnection(aiosqlite.Connection):
    """aiosqlite's connection, saying which dialect it speaks."""

    dialect: Dialect = "sqlite"


# --- what the two dialects say differently, twin beside twin ------------------------------

# The values of a column over a group's rows, joined by commas.
LIST_SQL: dict[Dialect, str] = {
    "sqlite": "group_concat({}, ',')",
    "postgresql": "string_agg({}, ',')",
}
# Whole days from one stored moment (ISO text) to a later one.
WHOLE_DAYS_SQL: dict[Dialect, str] = {
    "sqlite": "CAST(julianday({later}) - julianday({earlier}) AS INTEGER)",
    "postgresql": "CAST(floor(extract(epoch FROM CAST({later} AS timestamptz)"
                  " - CAST({earlier} AS timestamptz)) / 86400) AS BIGINT)",
}
# The local day (YYYY-MM-DD) of a stored moment, with one placeholder for `local_day_zone`.
# SQLite's date() takes a fixed offset: right for zones without summer time, as Thailand's;
# PostgreSQL knows the zone's rules.
LOCAL_DAY_SQL: dict[Dialect, str] = {
    "sqlite": "date({}, ?)",
    "postgresql": "to_char(CAST({} AS timestamptz) AT TIME ZONE ?, 'YYYY-MM-DD')",
}


# After a SELECT: lock the rows it read until the transaction ends, so that what a write
# after it changes is what was read, and a second writer waits and then reads what the
# first wrote. SQLite's writer is alone (BEGIN IMMEDIATE): there is nothing to lock.
FOR_UPDATE_SQL: dict[Dialect, str] = {
    "sqlite": "",
    "postgresql": " FOR UPDATE",
}
# After a SELECT that claims work: lock the rows it read and pass over those another
# transaction holds, so that two claimers at once take different rows.
SKIP_LOCKED_SQL: dict[Dialect, str] = {
    "sqlite": "",
    "postgresql": " FOR UPDATE SKIP LOCKED",
}
# Wait for, then hold until the transaction ends, the locks named by some texts: for a rule
# that counts rows and then adds one, or a writer that decides from what it holds in memory,
# which two transactions at once would both pass. Taken in one order, so that two holders
# never wait for each other. None where the writer is alone.
NAMED_LOCKS_SQL: dict[Dialect, str | None] = {
    "sqlite": None,
    "postgresql": "SELECT count(pg_advisory_xact_lock(key)) FROM (SELECT DISTINCT"
                  " hashtextextended(name, 0) AS key FROM unnest(CAST(? AS text[])) AS name"
                  " ORDER BY key) AS held",
}


async def hold_named_locks(conn: Connection, names: Iterable[str]) -> None:
    """Take the locks of `names` for the rest of `conn`'s transaction (NAMED_LOCKS_SQL)."""
    sql = NAMED_LOCKS_SQL[conn.dialect]
    if sql is not None:
        await conn.execute(sql, (list(names),))


def local_day_zone(dialect: Dialect, tz: tzinfo) -> str:
    """The value for LOCAL_DAY_SQL's placeholder: an offset in hours, or the zone's name."""
    if dialect == "postgresql":
        return str(tz)
    offset = datetime.now(UTC).astimezone(tz).utcoffset()
    return f"{(offset.total_seconds() if offset else 0) / 3600:+.2f} hours"


def placeholders(count: int) -> str:
    """`?, ?, ?` for `count` bound values: the inside of an IN (...) or a VALUES row."""
    return ", ".join("?" * count)


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """`items` in slices of at most `size`: one statement each, within SQLite's limit on
    bound values."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
