"""The outbox: messages owed to chats, written with the change that owes them."""

import json
import uuid
from collections.abc import Iterable, Sequence, Set
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.domain.models import OutboxKind, OutboxMessage
from storage.sql import SKIP_LOCKED_SQL, Connection, Dialect, Row, chunks, placeholders

# Bound values per statement, well inside SQLite's limit.
_CHUNK = 500
# Read the pending rows through their index: SQLite must be told (see `_ready`).
_PENDING_SQL: dict[Dialect, str] = {"sqlite": "INDEXED BY outbox_pending", "postgresql": ""}
# Inside the NOT EXISTS of the claims: keeps PostgreSQL from turning it into an anti-join,
# for which it reads every pending row (a sequential scan: 69 ms with 100,000 owed); left a
# subquery, it seeks the chat's earlier rows in `outbox_chat` for each row read (0.4 ms).
_PER_ROW_SQL: dict[Dialect, str] = {"sqlite": "", "postgresql": " OFFSET 0"}
# Of the chats named ("outbox:channel:chat_id"), those this transaction could lock: another
# claimer holds the rest. None where the writer is alone.
_LOCK_CHATS_SQL: dict[Dialect, str | None] = {
    "sqlite": None,
    "postgresql": "SELECT name FROM unnest(?::text[]) AS name"
                  " WHERE pg_try_advisory_xact_lock(hashtextextended(name, 0))",
}
# Claim the rows `ids` if they may still be sent now, read again: pending, due and not
# taken; every earlier row of the chat still owed is among `ids` (so none waits to be
# retried, nor was passed over by the read); and no row of the chat, earlier or later, is
# taken by another sender (on PostgreSQL rows commit in any order of their ids).
# Parameters: until, the ids, now twice, the ids again, now.
_CLAIM = ("UPDATE outbox AS o SET claimed_until = ? WHERE o.id IN ({ids})"
          " AND o.status = 'pending' AND o.next_attempt_at <= ?"
          " AND (o.claimed_until IS NULL OR o.claimed_until <= ?)"
          " AND NOT EXISTS (SELECT 1 FROM outbox AS e WHERE e.status = 'pending'"
          "  AND e.channel = o.channel AND e.chat_id = o.chat_id"
          "  AND ((e.id < o.id AND e.id NOT IN ({ids})) OR e.claimed_until > ?){per_row})"
          " RETURNING *")

def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _message(row: Row) -> OutboxMessage:
    values = dict(row)
    values["payload"] = json.loads(values["payload"])
    return OutboxMessage(**{key: value for key, value in values.items()
                            if key in OutboxMessage.model_fields})


class Owed(BaseModel):
    """A message to write into the outbox."""

    model_config = ConfigDict(frozen=True)

    channel: str
    chat_id: str
    language: str | None
    kind: OutboxKind
    payload: dict[str, Any] = {}
    case_id: int | None = None
    referral_id: int | None = None
    reminder_id: int | None = None
    message_id: str | None = None
    dedup_key: str | None = None


class OutboxRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # Whether this connection's transaction owes anything: the dispatcher is woken when
        # it commits (see `storage.database.UnitOfWork`).
        self.added = False

    async def add(self, owed: Sequence[Owed], now: datetime) -> None:
        """Due at once. A row whose `dedup_key` is already pending is the same message."""
        if not owed:
            return
        self.added = True
        await self.conn.executemany(
            "INSERT INTO outbox (channel, chat_id, language, kind, payload, case_id,"
            " referral_id, reminder_id, message_id, dedup_key, retry_key, status,"
            " next_attempt_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)"
            " ON CONFLICT (dedup_key) WHERE status = 'pending' DO NOTHING",
            [(o.channel, o.chat_id, o.language, o.kind,
              json.dumps(o.payload, ensure_ascii=False), o.case_id, o.referral_id,
              o.reminder_id, o.message_id, o.dedup_key, str(uuid.uuid4()), _iso(now), _iso(now))
             for o in owed])

    async def claim(self, now: datetime, until: datetime, limit: int,
                    channels: Sequence[str], per_chat: int,
                    skip: Set[tuple[str, str]] = frozenset()) -> list[OutboxMessage]:
        """Take up to `limit` rows that may be sent now, the oldest first, at most
        `per_chat` of a chat and none of the chats in `skip` (the caller is still sending
        to them), until `until`. A row waits while an earlier row of its chat is still owed
        and not ready (waiting to be retried, or taken by a sender), so that each chat gets
        its messages in order. Runs inside the caller's transaction.

        Several processes may claim at once (PostgreSQL). The rows read are locked and
        those another claimer holds passed over (SKIP_LOCKED_SQL); the chats are then
        locked (`_lock_chats`), and a chat's rows claimed only if the rule still holds once
        it is (`_CLAIM`): read again after the lock, it sees what another claimer committed
        meanwhile. So two claimers never take one row, nor rows of one chat at once. (A
        chat's rows are claimed in one statement: `chunks` of whole chats.)"""
        rows = await self._ready(now, channels, limit, skip, lock=True)
        chosen: dict[tuple[str, str], list[int]] = {}
        for row in rows:
            ids = chosen.setdefault((row["channel"], row["chat_id"]), [])
            if len(ids) < per_chat:
                ids.append(row["id"])
        taken: list[Row] = []
        at = _iso(now)
        for chats in chunks(await self._lock_chats(chosen), _CHUNK // per_chat or 1):
            ids = [row_id for chat in chats for row_id in chosen[chat]]
            taken += await self.conn.execute_fetchall(
                _CLAIM.format(ids=placeholders(len(ids)),
                              per_row=_PER_ROW_SQL[self.conn.dialect]),
                (_iso(until), *ids, at, at, *ids, at))
        return sorted((_message(row) for row in taken), key=lambda message: message.id)

    async def _lock_chats(self, chats: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Of these chats, those this transaction now holds until it ends; a chat another
        claimer holds is left for later. (SQLite's writer is alone: all of them.)"""
        wanted = {f"outbox:{channel}:{chat_id}": (channel, chat_id)
                  for channel, chat_id in chats}
        sql = _LOCK_CHATS_SQL[self.conn.dialect]
        if sql is None or not wanted:
            return list(wanted.values())
        rows = await self.conn.execute_fetchall(sql, (list(wanted),))
        return [wanted[row[0]] for row in rows]

    async def owes(self, channel: str, chat_id: str) -> bool:
        rows = await self.conn.execute_fetchall(
            "SELECT 1 FROM outbox WHERE status = 'pending' AND channel = ? AND chat_id = ?"
            " LIMIT 1", (channel, chat_id))
        return bool(rows)

    async def claim_chat(self, channel: str, chat_id: str, now: datetime, until: datetime,
                         limit: int) -> list[OutboxMessage]:
        """Take the chat's oldest owed rows not being sent, whenever they were due (a
        reply carries them now), up to `limit`; none while one of its rows is being
        sent, or another process is claiming the chat's rows, so that the chat's order
        holds."""
        if not await self._lock_chats([(channel, chat_id)]):
            return []
        at = _iso(now)
        busy = await self.conn.execute_fetchall(
            "SELECT 1 FROM outbox WHERE status = 'pending' AND channel = ? AND chat_id = ?"
            " AND claimed_until > ? LIMIT 1", (channel, chat_id, at))
        if busy:
            return []
        rows = await self.conn.execute_fetchall(
            "SELECT * FROM outbox WHERE status = 'pending' AND channel = ? AND chat_id = ?"
            " ORDER BY id LIMIT ?", (channel, chat_id, limit))
        taken = [_message(row) for row in rows]
        await self._set_claim([m.id for m in taken], until)
        return taken

    async def _set_claim(self, ids: Sequence[int], until: datetime) -> None:
        for chunk in chunks(list(ids), _CHUNK):
            await self.conn.execute(
                f"UPDATE outbox SET claimed_until = ? WHERE id IN ({placeholders(len(chunk))})",
                (_iso(until), *chunk))

    async def claim_preview(self, now: datetime, channels: Sequence[str]) -> bool:
        """Whether `claim` would take anything now."""
        return bool(await self._ready(now, channels, 1, frozenset(), lock=False))

    async def _ready(self, now: datetime, channels: Sequence[str], limit: int,
                     skip: Set[tuple[str, str]], *, lock: bool) -> list[Row]:
        """Rows that may be sent now, the oldest first; those of chats in `skip` are read
        and left out, so `limit` counts them too (a busy chat's rows are few: PER_CHAT).
        Read through the pending rows in order of id, stopping at `limit`: left to itself
        SQLite searches by channel and sorts, reading every pending row at each claim
        (29 ms, in the write lock, with 10,000 owed; `bench/outbox.py`). With `lock`, the
        rows are locked as they are read, passing over those another claimer holds."""
        if not channels:
            return []
        at, dialect = _iso(now), self.conn.dialect
        rows = list(await self.conn.execute_fetchall(
            f"SELECT * FROM outbox AS o {_PENDING_SQL[dialect]}"
            " WHERE o.status = 'pending'"
            f" AND o.channel IN ({placeholders(len(channels))})"
            " AND o.next_attempt_at <= ? AND (o.claimed_until IS NULL OR o.claimed_until <= ?)"
            " AND NOT EXISTS (SELECT 1 FROM outbox AS e WHERE e.status = 'pending'"
            "  AND e.channel = o.channel AND e.chat_id = o.chat_id AND e.id < o.id"
            f"  AND (e.next_attempt_at > ? OR e.claimed_until > ?){_PER_ROW_SQL[dialect]})"
            " ORDER BY o.id LIMIT ?" + (SKIP_LOCKED_SQL[dialect] if lock else ""),
            (*channels, at, at, at, at, limit)))
        return [row for row in rows if (row["channel"], row["chat_id"]) not in skip]

    async def get(self, message_id: int) -> OutboxMessage | None:
        rows = await self.conn.execute_fetchall("SELECT * FROM outbox WHERE id = ?",
                                                (message_id,))
        return _message(rows[0]) if rows else None

    async def sent(self, message_id: int, now: datetime) -> bool:
        """Delivered. What it said is not kept: the change it reported is in the database,
        and the text may carry a note somebody typed."""
        cursor = await self.conn.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
            " payload = '{}', claimed_until = NULL WHERE id = ? AND status = 'pending'",
            (_iso(now), message_id))
        return cursor.rowcount == 1

    async def retry(self, message_id: int, error: str, at: datetime) -> None:
        await self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,"
            " claimed_until = NULL WHERE id = ? AND status = 'pending'",
            (error[:200], _iso(at), message_id))

    async def release(self, message_ids: Sequence[int]) -> None:
        """Rows taken but not tried: free to be taken again at once."""
        for ids in chunks(list(message_ids), _CHUNK):
            await self.conn.execute(
                "UPDATE outbox SET claimed_until = NULL"
                f" WHERE id IN ({placeholders(len(ids))}) AND status = 'pending'", tuple(ids))

    async def release_left_behind(self) -> None:
        """At a dispatcher's start: free the rows a killed process had taken. On SQLite one
        bot process serves the database, so whatever is taken was taken by its
        predecessor: all of it. On PostgreSQL other processes may be sending what they
        took: a killed one's rows come free when their lease ends."""
        if self.conn.dialect == "sqlite":
            await self.release_all()

    async def release_all(self) -> None:
        await self.conn.execute(
            "UPDATE outbox SET claimed_until = NULL"
            " WHERE status = 'pending' AND claimed_until IS NOT NULL")

    async def failed(self, message_id: int, error: str) -> None:
        await self.conn.execute(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?,"
            " claimed_until = NULL WHERE id = ? AND status = 'pending'",
            (error[:200], message_id))

    async def cancelled(self, message_id: int) -> None:
        await self.conn.execute(
            "UPDATE outbox SET status = 'cancelled', payload = '{}', claimed_until = NULL"
            " WHERE id = ? AND status = 'pending'", (message_id,))

    async def failed_messages(self, limit: int) -> tuple[int, list[OutboxMessage]]:
        count = await self.conn.execute_fetchall(
            "SELECT count(*) FROM outbox WHERE status = 'failed'")
        rows = await self.conn.execute_fetchall(
            "SELECT * FROM outbox WHERE status = 'failed' ORDER BY id DESC LIMIT ?", (limit,))
        return count[0][0], [_message(row) for row in rows]

    async def pending(self, limit: int) -> list[OutboxMessage]:
        """Owed and not sent yet, the oldest first."""
        rows = await self.conn.execute_fetchall(
            "SELECT * FROM outbox WHERE status = 'pending' ORDER BY id LIMIT ?", (limit,))
        return [_message(row) for row in rows]

    async def forget_case(self, case_id: int) -> None:
        """An erased case: no notice about it keeps what it said (a typed answer may
        describe the child), and none still owed is sent. Referral messages and reminders
        owed stay: they are composed when sent, from what is left of the case."""
        await self.conn.execute(
            "UPDATE outbox SET status = 'cancelled'"
            " WHERE case_id = ? AND status = 'pending' AND kind = 'notice'", (case_id,))
        await self.conn.execute(
            "UPDATE outbox SET payload = '{}'"
            " WHERE case_id = ? AND kind = 'notice' AND payload != '{}'", (case_id,))
