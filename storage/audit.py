"""The audit trail: who did what, when, with the record before and after."""

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from storage.sql import Connection, hold_named_locks


class AuditEntry(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _dump(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


class AuditRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def record(
        self,
        *,
        at: datetime,
        actor_id: int | None,
        action: str,
        entity: str,
        entity_id: str | int,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        await self.conn.execute(
            "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, before, after)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (at.isoformat(), actor_id, action, entity, str(entity_id), _dump(before),
             _dump(after)),
        )

    async def count_lookups(self, actor_id: int, action: str, *, since: datetime) -> int:
        """How often `actor_id` did `action` since then; entries written at the same instant
        are one look-up (it may name several cases). Read through `audit_actor`.

        A limit counts, then records: the actor's look-ups are held until the transaction
        ends (`hold_named_locks`), so that two look-ups at once, in two processes, count one
        another instead of both finding room for one more."""
        await hold_named_locks(self.conn, [f"lookups:{actor_id}:{action}"])
        rows = await self.conn.execute_fetchall(
            "SELECT count(DISTINCT at) FROM audit_log WHERE actor_id = ? AND at >= ?"
            " AND action = ?", (actor_id, since.isoformat(), action))
        return rows[0][0]

    async def for_entity(self, entity: str, entity_id: str | int) -> list[AuditEntry]:
        rows = await self.conn.execute_fetchall(
            "SELECT * FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id",
            (entity, str(entity_id)),
        )
        return [
            AuditEntry(
                **{**dict(row), "before": json.loads(row["before"] or "null"),
                   "after": json.loads(row["after"] or "null")}
            )
            for row in rows
        ]

    async def erase_notes(self, entity: str, entity_ids: list[str], placeholder: str) -> int:
        """Blank the typed notes (questions, answers, reasons) of these entities' entries:
        people write names and phone numbers into them. How many entries were changed."""
        changed = 0
        for entity_id in entity_ids:
            for entry in await self.for_entity(entity, entity_id):
                if entry.after and entry.after.get("note"):
                    await self.conn.execute(
                        "UPDATE audit_log SET after = ? WHERE id = ?",
                        (_dump({**entry.after, "note": placeholder}), entry.id))
                    changed += 1
        return changed
