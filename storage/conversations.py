"""Chat-framework state as JSON: half-filled wizards and the step each conversation is on."""

import json
from datetime import UTC, datetime
from typing import Any

import aiosqlite


def _now() -> str:
    return datetime.now(UTC).isoformat()


class ConversationRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def load_data(self, kind: str) -> dict[str, Any]:
        rows = await self.conn.execute_fetchall(
            "SELECT data_key, data FROM conversation_data WHERE kind = ?", (kind,)
        )
        return {row["data_key"]: json.loads(row["data"]) for row in rows}

    async def put_data(self, kind: str, key: str, data: Any) -> None:
        await self.conn.execute(
            "INSERT INTO conversation_data (kind, data_key, data, updated_at)"
            " VALUES (?, ?, ?, ?)"
            " ON CONFLICT (kind, data_key) DO UPDATE"
            " SET data = excluded.data, updated_at = excluded.updated_at",
            (kind, key, json.dumps(data, ensure_ascii=False), _now()),
        )

    async def drop_data(self, kind: str, key: str) -> None:
        await self.conn.execute(
            "DELETE FROM conversation_data WHERE kind = ? AND data_key = ?", (kind, key)
        )

    async def load_states(self, name: str) -> dict[str, Any]:
        rows = await self.conn.execute_fetchall(
            "SELECT state_key, state FROM conversation_states WHERE name = ?", (name,)
        )
        return {row["state_key"]: json.loads(row["state"]) for row in rows}

    async def put_state(self, name: str, key: str, state: Any) -> None:
        if state is None:
            await self.conn.execute(
                "DELETE FROM conversation_states WHERE name = ? AND state_key = ?", (name, key)
            )
            return
        await self.conn.execute(
            "INSERT INTO conversation_states (name, state_key, state, updated_at)"
            " VALUES (?, ?, ?, ?)"
            " ON CONFLICT (name, state_key) DO UPDATE"
            " SET state = excluded.state, updated_at = excluded.updated_at",
            (name, key, json.dumps(state), _now()),
        )
