"""Chat-framework state as JSON: half-filled wizards and the step each conversation is on."""

import json
from collections.abc import Mapping
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

    async def put_data(self, kind: str, rows: Mapping[str, str | None]) -> None:
        """Each key's data, given as JSON text (None: delete it), in two statements at
        most, whatever the number of keys."""
        now = _now()
        await self._upsert_and_delete(
            "INSERT INTO conversation_data (kind, data_key, data, updated_at)"
            " VALUES (?, ?, ?, ?)"
            " ON CONFLICT (kind, data_key) DO UPDATE"
            " SET data = excluded.data, updated_at = excluded.updated_at",
            [(kind, key, data, now) for key, data in rows.items() if data is not None],
            "DELETE FROM conversation_data WHERE kind = ? AND data_key = ?",
            [(kind, key) for key, data in rows.items() if data is None],
        )

    async def load_states(self, name: str) -> dict[str, Any]:
        rows = await self.conn.execute_fetchall(
            "SELECT state_key, state FROM conversation_states WHERE name = ?", (name,)
        )
        return {row["state_key"]: json.loads(row["state"]) for row in rows}

    async def put_states(self, rows: Mapping[tuple[str, str], str | None]) -> None:
        """Each (conversation name, key)'s state, given as JSON text (None: delete it), in
        two statements at most."""
        now = _now()
        await self._upsert_and_delete(
            "INSERT INTO conversation_states (name, state_key, state, updated_at)"
            " VALUES (?, ?, ?, ?)"
            " ON CONFLICT (name, state_key) DO UPDATE"
            " SET state = excluded.state, updated_at = excluded.updated_at",
            [(name, key, state, now) for (name, key), state in rows.items()
             if state is not None],
            "DELETE FROM conversation_states WHERE name = ? AND state_key = ?",
            [(name, key) for (name, key), state in rows.items() if state is None],
        )

    async def _upsert_and_delete(self, upsert: str, upserts: list[tuple[Any, ...]],
                                 delete: str, deletes: list[tuple[Any, ...]]) -> None:
        if upserts:
            await self.conn.executemany(upsert, upserts)
        if deletes:
            await self.conn.executemany(delete, deletes)
