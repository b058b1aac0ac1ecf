"""People who may use Panong."""

import time
from collections.abc import Iterable
from datetime import datetime

import aiosqlite

from bot.domain.models import Role, User
from storage.sql import Connection, Row, placeholders


def _user(row: Row) -> User:
    return User(**{key: value for key, value in dict(row).items() if key != "invited_by"})


class UserRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # Whether this connection's transaction changed a user or a user's chat: what
        # `KnownUsers` remembers is forgotten when it commits (and, on PostgreSQL, in every
        # other process too: see `storage.postgres`).
        self.changed = False

    async def by_channel_id(self, channel: str, channel_user_id: str) -> User | None:
        """The person using this chat, on whichever channel they joined."""
        rows = await self.conn.execute_fetchall(
            "SELECT u.* FROM user_channels AS c JOIN users AS u ON u.id = c.user_id"
            " WHERE c.channel = ? AND c.channel_user_id = ?",
            (channel, channel_user_id),
        )
        return _user(rows[0]) if rows else None

    async def channels(self, user_id: int) -> dict[str, str]:
        """Each channel the person uses, with their chat there."""
        rows = await self.conn.execute_fetchall(
            "SELECT channel, channel_user_id FROM user_channels WHERE user_id = ?",
            (user_id,))
        return {row[0]: row[1] for row in rows}

    async def active_on(self, channel: str) -> list[tuple[str, User]]:
        """Each active person who uses `channel`, with their chat there."""
        rows = await self.conn.execute_fetchall(
            "SELECT c.channel_user_id AS chat, u.* FROM user_channels AS c"
            " JOIN users AS u ON u.id = c.user_id WHERE c.channel = ? AND u.active = 1"
            " ORDER BY u.id", (channel,))
        return [(row["chat"], _user(row)) for row in rows]

    async def add_channel(self, user_id: int, channel: str, channel_user_id: str,
                          now: datetime) -> None:
        self.changed = True
        await self.conn.execute(
            "INSERT INTO user_channels (channel, channel_user_id, user_id, linked_at)"
            " VALUES (?, ?, ?, ?)", (channel, channel_user_id, user_id, now.isoformat()))

    async def set_home(self, user_id: int, channel: str, channel_user_id: str) -> None:
        """Where notices to the person go from now on."""
        self.changed = True
        await self.conn.execute(
            "UPDATE users SET channel = ?, channel_user_id = ? WHERE id = ?",
            (channel, channel_user_id, user_id))

    async def get(self, user_id: int) -> User | None:
        rows = await self.conn.execute_fetchall("SELECT * FROM users WHERE id = ?", (user_id,))
        return _user(rows[0]) if rows else None

    async def many(self, user_ids: Iterable[int]) -> list[User]:
        ids = list(user_ids)
        if not ids:
            return []
        rows = await self.conn.execute_fetchall(
            f"SELECT * FROM users WHERE id IN ({placeholders(len(ids))})", ids)
        return [_user(row) for row in rows]

    async def add(
        self,
        *,
        channel: str,
        channel_user_id: str,
        display_name: str,
        role: Role,
        organisation_id: str,
        language: str | None,
        invited_by: int | None,
        now: datetime,
    ) -> User:
        self.changed = True
        rows = await self.conn.execute_fetchall(
            "INSERT INTO users (channel, channel_user_id, display_name, role, organisation_id,"
            " language, active, invited_by, created_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)"
            " RETURNING *",
            (channel, channel_user_id, display_name, role, organisation_id, language,
             invited_by, now.isoformat()),
        )
        user = _user(rows[0])
        await self.add_channel(user.id, channel, channel_user_id, now)
        return user

    async def set_language(self, user_id: int, language: str | None) -> None:
        self.changed = True
        await self.conn.execute("UPDATE users SET language = ? WHERE id = ?", (language, user_id))

    async def set_active(self, user_id: int, active: bool) -> None:
        self.changed = True
        await self.conn.execute(
            "UPDATE users SET active = ? WHERE id = ?", (int(active), user_id)
        )

    async def count(self) -> int:
        rows = await self.conn.execute_fetchall("SELECT count(*) FROM users")
        return rows[0][0]

    async def page(self, *, offset: int, limit: int) -> list[User]:
        """Users, active first and newest first."""
        rows = await self.conn.execute_fetchall(
            "SELECT * FROM users ORDER BY active DESC, id DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [_user(row) for row in rows]

    async def active_with_role(self, role: Role, organisation_id: str | None = None) -> list[User]:
        """Active users with this role, in one organisation when given: whom to tell."""
        sql, params = "SELECT * FROM users WHERE active = 1 AND role = ?", [role]
        if organisation_id is not None:
            sql += " AND organisation_id = ?"
            params.append(organisation_id)
        rows = await self.conn.execute_fetchall(sql + " ORDER BY id", params)
        return [_user(row) for row in rows]

    async def set_unreachable(self, user_id: int, since: datetime | None) -> None:
        self.changed = True
        await self.conn.execute(
            "UPDATE users SET unreachable_since = ? WHERE id = ?",
            (since.isoformat() if since else None, user_id))

    async def set_undelivered(self, channel: str, channel_user_id: str,
                              since: datetime) -> None:
        """Keeps the earliest moment when several messages failed."""
        self.changed = True
        await self.conn.execute(
            "UPDATE users SET undelivered_since = ? WHERE channel = ? AND channel_user_id = ?"
            " AND undelivered_since IS NULL",
            (since.isoformat(), channel, channel_user_id))

    async def undelivered(self, limit: int) -> list[User]:
        rows = await self.conn.execute_fetchall(
            "SELECT * FROM users WHERE undelivered_since IS NOT NULL"
            " ORDER BY undelivered_since LIMIT ?", (limit,))
        return [_user(row) for row in rows]

    async def clear_undelivered(self, user_id: int, since: datetime) -> None:
        """Only the failure they were told of: one recorded meanwhile stays."""
        self.changed = True
        await self.conn.execute(
            "UPDATE users SET undelivered_since = NULL WHERE id = ? AND undelivered_since = ?",
            (user_id, since.isoformat()))


class KnownUsers:
    """The users the bot heard from lately, by chat id: every update starts by asking who
    is talking, and the answer rarely changes.

    Correct because every change to users (and to the chats they use) is seen: on SQLite
    `watch` puts temporary triggers on the writer connection; on PostgreSQL the unit of
    work says whether it changed users (`UserRepository.changed`) and tells the other
    processes with a NOTIFY. When such a transaction commits, everything known is
    forgotten at once, so a deactivation, a role or a new language counts from the next
    update. Until changes are seen (`seeing_changes`) nothing is remembered. A change made
    outside the bot (an administrator's sqlite3 or psql) is not seen; an entry is trusted
    for `max_age` seconds at most, so it shows within that.
    Strangers are never remembered: an invite may make them a user at any moment.
    """

    def __init__(self, max_age: float = 60.0, size: int = 10_000) -> None:
        self.max_age = max_age
        self.size = size
        self._users: dict[tuple[str, str], tuple[float, User]] = {}
        self._watching = False
        self._changed = False  # set by the triggers, in the writer's thread
        self._generation = 0  # moves on at each forgetting: older reads are not kept

    async def watch(self, writer: aiosqlite.Connection) -> None:
        """Learn of every change to users made through `writer` (once the table exists)."""
        await writer.create_function("panong_users_changed", 0, self._users_changed)
        present = {row[0] for row in await writer.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name IN ('users', 'user_channels')")}
        for table in sorted(present):
            for event in ("INSERT", "UPDATE", "DELETE"):
                await writer.execute(
                    f"CREATE TEMP TRIGGER IF NOT EXISTS panong_{table}_{event.lower()}"
                    f" AFTER {event} ON main.{table} BEGIN SELECT panong_users_changed(); END")
        self.seeing_changes()

    def seeing_changes(self, seen: bool = True) -> None:
        """Whether every change to users is seen from now on (`forget` is called): only
        then are users remembered."""
        self._watching = seen
        if not seen:
            self.forget()

    def _users_changed(self) -> None:
        self._changed = True

    def committed(self) -> None:
        """A transaction on the writer committed: forget everyone if it changed users."""
        if self._changed:
            self._changed = False
            self.forget()

    def rolled_back(self) -> None:
        self._changed = False

    def forget(self) -> None:
        self._users.clear()
        self._generation += 1

    async def by_channel_id(self, users: UserRepository, channel: str,
                            channel_user_id: str) -> User | None:
        """The user, from memory when known and fresh, else read with `users`."""
        key = (channel, channel_user_id)
        known = self._users.get(key)
        now = time.monotonic()
        if known is not None and known[0] > now:
            return known[1]
        generation = self._generation
        user = await users.by_channel_id(channel, channel_user_id)
        # A read that overlapped a change to users may have seen either side of it.
        if user is not None and self._watching and generation == self._generation:
            if key not in self._users and len(self._users) >= self.size:
                self._users.pop(next(iter(self._users)))
            self._users[key] = (now + self.max_age, user)
        return user
