"""LINE's webhook events between their arrival and their handling (`line.inbox`)."""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from storage.sql import Connection


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class ReceivedEvent(BaseModel):
    """An event as LINE sent it, waiting to be handled."""

    model_config = ConfigDict(frozen=True)

    id: int
    webhook_event_id: str
    chat_id: str
    body: dict[str, Any]


class LineEventRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, events: Sequence[tuple[str, str, dict[str, Any]]],
                  now: datetime) -> list[ReceivedEvent | None]:
        """(webhook event id, chat id, body) of each event; each one stored, or None for an
        event already received (LINE sending it again)."""
        stored: list[ReceivedEvent | None] = []
        for event_id, chat_id, body in events:
            rows = await self.conn.execute_fetchall(
                "INSERT INTO line_events (webhook_event_id, chat_id, body, received_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (webhook_event_id) DO NOTHING RETURNING id",
                (event_id, chat_id, json.dumps(body, ensure_ascii=False), _iso(now)))
            stored.append(ReceivedEvent(id=rows[0][0], webhook_event_id=event_id,
                                        chat_id=chat_id, body=body) if rows else None)
        return stored

    async def unhandled(self) -> list[ReceivedEvent]:
        """Every event not yet handled, in the order they came."""
        rows = await self.conn.execute_fetchall(
            "SELECT id, webhook_event_id, chat_id, body FROM line_events"
            " WHERE handled_at IS NULL ORDER BY id")
        return [ReceivedEvent(id=row[0], webhook_event_id=row[1], chat_id=row[2],
                              body=json.loads(row[3])) for row in rows]

    async def handled(self, event_id: int, now: datetime) -> None:
        """Done with: its body is erased, its id kept to recognise it if sent again."""
        await self.conn.execute(
            "UPDATE line_events SET body = NULL, handled_at = ? WHERE id = ?",
            (_iso(now), event_id))

    async def forget(self, handled_before: datetime) -> int:
        """Drop the ids of events handled before then (LINE no longer sends them again)."""
        cursor = await self.conn.execute(
            "DELETE FROM line_events WHERE handled_at IS NOT NULL AND handled_at < ?",
            (_iso(handled_before),))
        return cursor.rowcount
