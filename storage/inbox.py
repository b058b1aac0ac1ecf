"""What the messengers posted, between its arrival and its handling (`bot.inbox`)."""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from storage.sql import Connection, Dialect, placeholders

# Heard by every bot process listening on PostgreSQL: something was received.
RECEIVED = "panong_inbox"
# Sent with the transaction that stores updates, so that it reaches the listeners only once
# they are committed (SQLite has one process, woken in memory).
_ANNOUNCE_SQL: dict[Dialect, str | None] = {
    "sqlite": None,
    "postgresql": f"NOTIFY {RECEIVED}",
}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class ReceivedEvent(BaseModel):
    """An update as its messenger sent it, waiting to be handled."""

    model_config = ConfigDict(frozen=True)

    id: int
    channel: str
    event_id: str
    chat_id: str
    body: dict[str, Any]


def _received(row: Any) -> ReceivedEvent:
    return ReceivedEvent(id=row[0], channel=row[1], event_id=row[2], chat_id=row[3],
                         body=json.loads(row[4]))


class InboxRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, channel: str, events: Sequence[tuple[str, str, dict[str, Any]]],
                  now: datetime) -> list[ReceivedEvent | None]:
        """(the messenger's event id, chat id, body) of each update; each one stored, or None
        for one already received (the messenger sending it again)."""
        stored: list[ReceivedEvent | None] = []
        for event_id, chat_id, body in events:
            rows = await self.conn.execute_fetchall(
                "INSERT INTO inbox (channel, event_id, chat_id, body, received_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel, event_id) DO NOTHING"
                " RETURNING id",
                (channel, event_id, chat_id, json.dumps(body, ensure_ascii=False), _iso(now)))
            stored.append(ReceivedEvent(id=rows[0][0], channel=channel, event_id=event_id,
                                        chat_id=chat_id, body=body) if rows else None)
        announce = _ANNOUNCE_SQL[self.conn.dialect]
        if announce is not None and any(stored):
            await self.conn.execute(announce)
        return stored

    async def waiting_chats(self, channels: Sequence[str], limit: int) -> list[tuple[str, str]]:
        """(channel, chat) of the chats with updates not yet handled, the one waiting
        longest first."""
        if not channels:
            return []
        rows = await self.conn.execute_fetchall(
            "SELECT channel, chat_id FROM inbox WHERE handled_at IS NULL"
            f" AND channel IN ({placeholders(len(channels))})"
            " GROUP BY channel, chat_id ORDER BY min(id) LIMIT ?", (*channels, limit))
        return [(row[0], row[1]) for row in rows]

    async def unhandled_of(self, channel: str, chat_id: str, limit: int) -> list[ReceivedEvent]:
        """The chat's oldest updates not yet handled, in the order they came."""
        rows = await self.conn.execute_fetchall(
            "SELECT id, channel, event_id, chat_id, body FROM inbox WHERE handled_at IS NULL"
            " AND channel = ? AND chat_id = ? ORDER BY id LIMIT ?", (channel, chat_id, limit))
        return [_received(row) for row in rows]

    async def unhandled(self) -> list[ReceivedEvent]:
        """Every update not yet handled, in the order they came."""
        rows = await self.conn.execute_fetchall(
            "SELECT id, channel, event_id, chat_id, body FROM inbox"
            " WHERE handled_at IS NULL ORDER BY id")
        return [_received(row) for row in rows]

    async def handled(self, event_id: int, now: datetime) -> bool:
        """Done with: its body is erased, its id kept to recognise it if sent again. False
        when it already was (another process handled it)."""
        cursor = await self.conn.execute(
            "UPDATE inbox SET body = NULL, handled_at = ? WHERE id = ? AND handled_at IS NULL",
            (_iso(now), event_id))
        return cursor.rowcount == 1

    async def forget(self, handled_before: datetime) -> int:
        """Drop the ids of updates handled before then (no longer sent again)."""
        cursor = await self.conn.execute(
            "DELETE FROM inbox WHERE handled_at IS NOT NULL AND handled_at < ?",
            (_iso(handled_before),))
        return cursor.rowcount
