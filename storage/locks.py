"""Locks that keep a piece of work to one bot process at a time, across every process on
the database: a chat's updates (`bot.inbox`), a scheduled job's round.

On PostgreSQL they are session-level advisory locks, all held on one connection the
process opens for them alone: the server drops every lock of a session the moment its
connection ends, so a process killed in the middle of an update frees its chats at once,
with no lease to wait out and no clock to trust. The same connection LISTENs for what any
process received. If that connection is lost while the process lives, its locks are gone
with it: `lost` is set, and the process must stop (its supervisor starts it again) rather
than go on handling chats another process may now take.

On SQLite one process serves the database: every lock is granted at once; the process
keeps its own tasks apart.
"""

import asyncio
import hashlib
import logging
import os
from collections.abc import Callable

import asyncpg

from storage.inbox import RECEIVED

log = logging.getLogger(__name__)


def lock_key(name: str) -> int:
    """The advisory lock's 64-bit key for `name`, the same in every process (Python's own
    `hash` differs between processes)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big",
                          signed=True)


class SoleProcess:
    """SQLite: the only process, which holds everything."""

    def __init__(self) -> None:
        self.lost = asyncio.Event()

    async def open(self, received: Callable[[], None]) -> None:
        """Nothing to open: updates are received in this process, which wakes itself."""

    async def take(self, name: str) -> bool:
        return True

    async def release(self, name: str) -> None:
        """Nothing held."""

    async def close(self) -> None:
        """Nothing open."""


class AdvisoryLocks:
    """PostgreSQL: advisory locks on a connection of their own."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.lost = asyncio.Event()
        self._conn: asyncpg.Connection | None = None
        self._turn = asyncio.Lock()  # one statement at a time on the connection

    async def open(self, received: Callable[[], None]) -> None:
        """Call `received` whenever any process stores an update."""
        async with self._turn:
            conn = await self._connection()
            await conn.add_listener(RECEIVED, lambda *_: received())

    async def _connection(self) -> asyncpg.Connection:
        """The lock connection, opened the first time a lock is wanted."""
        if self._conn is None:
            # Named by the process, so that an administrator (or a test) sees who holds what.
            self._conn = await asyncpg.connect(
                self.url, server_settings={"application_name": f"panong-locks:{os.getpid()}"})
            self._conn.add_termination_listener(self._terminated)
        return self._conn

    def _terminated(self, _: object) -> None:
        if self._conn is not None:  # not closed by `close`
            log.error("the connection holding this process's locks was lost")
            self.lost.set()

    async def take(self, name: str) -> bool:
        """Whether this process now holds `name` (False: another process does)."""
        async with self._turn:
            conn = await self._connection()
            return bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)",
                                            lock_key(name)))

    async def release(self, name: str) -> None:
        if self._conn is None or self.lost.is_set():
            return
        async with self._turn:
            await self._conn.execute("SELECT pg_advisory_unlock($1)", lock_key(name))

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()  # and with it, every lock still held


ProcessLocks = SoleProcess | AdvisoryLocks
