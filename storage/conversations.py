"""Chat-framework state as JSON: half-filled wizards and the step each conversation is on."""

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from storage.sql import Connection, chunks, hold_named_locks, placeholders

# Rows written by one statement: a few thousand bound values, far below SQLite's limit.
ROWS_PER_STATEMENT = 500
# The kind of `conversation_data` rows that hold each user's data: their wizard drafts,
# keyed by the user's id on the channel (the same as handlers/persistence.py's USER_DATA).
USER_DATA = "user"


def _now() -> str:
    return datetime.now(UTC).isoformat()


class ConversationEnd(BaseModel):
    """A conversation that ends with the write its last step makes, in the same
    transaction: the user's data without the conversation's draft (`data`, JSON; None when
    nothing is left) and no state for the conversation. So a crash right after the commit
    cannot bring back a wizard whose case is already saved."""

    model_config = ConfigDict(frozen=True)

    kind: str
    data_key: str
    data: str | None
    conversation: str
    state_key: str


class ConversationRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def load_data(self, kind: str) -> dict[str, Any]:
        rows = await self.conn.execute_fetchall(
            "SELECT data_key, data FROM conversation_data WHERE kind = ?", (kind,)
        )
        return {row["data_key"]: json.loads(row["data"]) for row in rows}

    async def get_data(self, kind: str, key: str) -> Any:
        """One key's data, or None."""
        rows = await self.conn.execute_fetchall(
            "SELECT data FROM conversation_data WHERE kind = ? AND data_key = ?", (kind, key))
        return json.loads(rows[0]["data"]) if rows else None

    async def put_data(self, kind: str, rows: Mapping[str, str | None]) -> None:
        """Each key's data, given as JSON text (None: delete it)."""
        now = _now()
        await self._upsert(
            "INSERT INTO conversation_data (kind, data_key, data, updated_at) VALUES {rows}"
            " ON CONFLICT (kind, data_key) DO UPDATE"
            " SET data = excluded.data, updated_at = excluded.updated_at",
            [(kind, key, data, now) for key, data in rows.items() if data is not None])
        await self._delete("DELETE FROM conversation_data WHERE kind = ? AND data_key IN {keys}",
                           kind, [key for key, data in rows.items() if data is None])

    async def hold(self, rows: Iterable[tuple[str, str]]) -> None:
        """Keep other transactions from writing these rows ((kind or conversation name,
        key)) until this one ends, once those writing them now have ended. A writer that
        decides what to write from what it knows in memory holds the rows first, so that
        it decides after any transaction that changed them committed."""
        await hold_named_locks(self.conn, (f"conversation:{kind}\n{key}" for kind, key in rows))

    async def end(self, ending: ConversationEnd) -> None:
        await self.hold([(ending.kind, ending.data_key), (ending.conversation, ending.state_key)])
        await self.put_data(ending.kind, {ending.data_key: ending.data})
        await self.put_states({(ending.conversation, ending.state_key): None})

    async def expire_data(self, kind: str, before: datetime) -> list[str]:
        """Delete the data of every key not written since `before`; the keys deleted."""
        rows = await self.conn.execute_fetchall(
            "DELETE FROM conversation_data WHERE kind = ? AND updated_at < ?"
            " RETURNING data_key", (kind, before.astimezone(UTC).isoformat()))
        return sorted(row[0] for row in rows)

    async def load_states(self, name: str) -> dict[str, Any]:
        rows = await self.conn.execute_fetchall(
            "SELECT state_key, state FROM conversation_states WHERE name = ?", (name,)
        )
        return {row["state_key"]: json.loads(row["state"]) for row in rows}

    async def get_state(self, name: str, key: str) -> Any:
        """One conversation's state, or None."""
        rows = await self.conn.execute_fetchall(
            "SELECT state FROM conversation_states WHERE name = ? AND state_key = ?",
            (name, key))
        return json.loads(rows[0]["state"]) if rows else None

    async def put_states(self, rows: Mapping[tuple[str, str], str | None]) -> None:
        """Each (conversation name, key)'s state, given as JSON text (None: delete it)."""
        now = _now()
        await self._upsert(
            "INSERT INTO conversation_states (name, state_key, state, updated_at) VALUES {rows}"
            " ON CONFLICT (name, state_key) DO UPDATE"
            " SET state = excluded.state, updated_at = excluded.updated_at",
            [(name, key, state, now) for (name, key), state in rows.items()
             if state is not None])
        for name in {name for (name, _), state in rows.items() if state is None}:
            await self._delete(
                "DELETE FROM conversation_states WHERE name = ? AND state_key IN {keys}", name,
                [key for (each, key), state in rows.items() if each == name and state is None])

    # A round may write hundreds of rows. One statement each (or executemany) steps SQLite
    # once per row, and aiosqlite's thread waits for the interpreter lock after each step
    # while the event loop is busy; one statement of many rows steps once.

    async def _upsert(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        for chunk in chunks(rows, ROWS_PER_STATEMENT):
            values = ", ".join([f"({placeholders(len(chunk[0]))})"] * len(chunk))
            await self.conn.execute(sql.format(rows=values),
                                    [value for row in chunk for value in row])

    async def _delete(self, sql: str, scope: str, keys: list[str]) -> None:
        for chunk in chunks(keys, ROWS_PER_STATEMENT):
            await self.conn.execute(sql.format(keys=f"({placeholders(len(chunk))})"),
                                    [scope, *chunk])
