"""Referrals, the messages that show them, and the units' linked group chats."""

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.domain.models import Referral, ReferralMessage, ReferralStatus, UnitChat
from storage.sql import FOR_UPDATE_SQL, Connection, Row, placeholders
from storage.tallies import TallyRepository

# Columns a transition may set besides the status; anything else is a programming error.
_SETTABLE = frozenset({"organisation_id", "awaiting_coordinator", "reason", "outcome",
                       "sent_at", "accepted_by", "accepted_at", "closed_at"})


def _referral(row: Row) -> Referral:
    return Referral(**dict(row))


def _stamp(value: Any) -> Any:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


class HistoryEntry(BaseModel):
    """One change to one of a case's referrals, from the audit log."""

    model_config = ConfigDict(frozen=True)

    referral_id: int
    at: datetime
    actor_name: str | None
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class ReferralRepository:
    def __init__(self, conn: Connection, tallies: TallyRepository) -> None:
        self.conn = conn
        self.tallies = tallies

    async def add(self, *, case_id: int, need: str, organisation_id: str | None,
                  status: ReferralStatus, created_by: int, now: datetime,
                  previous_id: int | None = None) -> Referral:
        sent = status is not ReferralStatus.PROPOSED
        rows = await self.conn.execute_fetchall(
            "INSERT INTO referrals (case_id, need, organisation_id, status,"
            " awaiting_coordinator, previous_id, created_by, sent_at, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
            (case_id, need, organisation_id, status,
             int(status is ReferralStatus.UNROUTED), previous_id, created_by,
             now.isoformat() if sent else None, now.isoformat(), now.isoformat()),
        )
        await self.tallies.count_referral(dict(rows[0]), 1)
        return _referral(rows[0])

    async def get(self, referral_id: int) -> Referral | None:
        rows = await self.conn.execute_fetchall(
            "SELECT * FROM referrals WHERE id = ?", (referral_id,))
        return _referral(rows[0]) if rows else None

    async def many(self, referral_ids: Iterable[int]) -> list[Referral]:
        ids = list(referral_ids)
        if not ids:
            return []
        rows = await self.conn.execute_fetchall(
            f"SELECT * FROM referrals WHERE id IN ({placeholders(len(ids))})", ids)
        return [_referral(row) for row in rows]

    async def for_case(self, case_id: int) -> list[Referral]:
        rows = await self.conn.execute_fetchall(
            "SELECT * FROM referrals WHERE case_id = ? ORDER BY id", (case_id,))
        return [_referral(row) for row in rows]

    async def transition(self, referral_id: int, *, from_: Iterable[ReferralStatus],
                         to: ReferralStatus, now: datetime, unit: str | None = None,
                         **changes: Any) -> tuple[Referral, Referral] | None:
        """Move the referral from one of `from_` to `to` in one conditional UPDATE: the
        referral as it was and as it is now.

        None when it was no longer in one of those states (or, with `unit`, no longer with
        that unit): somebody else changed it first. Never a check-then-write, so two people
        pressing at the same instant cannot both win, on SQLite or on PostgreSQL. The row is
        read locked first (FOR_UPDATE_SQL), so the version read is the one the UPDATE
        changes: the tallies move from what the winner changed, and a loser, which waits
        for the winner to commit and then reads its change, changes nothing. (Read without
        the lock, in READ COMMITTED, a second press could read the row before the first
        committed and count the change from a status it no longer had.)
        """
        unknown = set(changes) - _SETTABLE
        if unknown:
            raise ValueError(f"not a settable referral column: {sorted(unknown)}")
        states = list(from_)
        assignments = "".join(f", {column} = ?" for column in changes)
        sql = (f"UPDATE referrals SET status = ?, updated_at = ?{assignments}"
               f" WHERE id = ? AND status IN ({placeholders(len(states))})")
        params: list[Any] = [to, now.isoformat(), *(_stamp(v) for v in changes.values()),
                             referral_id, *states]
        if unit is not None:
            sql += " AND organisation_id = ?"
            params.append(unit)
        before = await self.conn.execute_fetchall(
            "SELECT * FROM referrals WHERE id = ?" + FOR_UPDATE_SQL[self.conn.dialect],
            (referral_id,))
        if not before:
            return None
        rows = await self.conn.execute_fetchall(sql + " RETURNING *", params)
        if not rows:
            return None
        await self.tallies.move_referral(before[0], rows[0])
        return _referral(before[0]), _referral(rows[0])

    async def clear_awaiting(self, referral_id: int, now: datetime) -> bool:
        """Take a referral out of the coordinators' queue; False when it was not in it."""
        cursor = await self.conn.execute(
            "UPDATE referrals SET awaiting_coordinator = 0, updated_at = ?"
            " WHERE id = ? AND awaiting_coordinator = 1", (now.isoformat(), referral_id))
        return cursor.rowcount == 1

    async def count_for_unit(self, organisation_id: str,
                             statuses: Iterable[ReferralStatus]) -> int:
        states = list(statuses)
        rows = await self.conn.execute_fetchall(
            "SELECT count(*) FROM referrals WHERE organisation_id = ?"
            f" AND status IN ({placeholders(len(states))})", (organisation_id, *states))
        return rows[0][0]

    async def page_for_unit(self, organisation_id: str, statuses: Iterable[ReferralStatus],
                            *, offset: int, limit: int) -> list[Referral]:
        """The unit's referrals in these states, the longest-waiting first."""
        states = list(statuses)
        rows = await self.conn.execute_fetchall(
            "SELECT * FROM referrals WHERE organisation_id = ?"
            f" AND status IN ({placeholders(len(states))})"
            " ORDER BY sent_at, id LIMIT ? OFFSET ?",
            (organisation_id, *states, limit, offset))
        return [_referral(row) for row in rows]

    async def count_awaiting(self) -> int:
        rows = await self.conn.execute_fetchall(
            "SELECT count(*) FROM referrals WHERE awaiting_coordinator = 1")
        return rows[0][0]

    async def page_awaiting(self, *, offset: int, limit: int) -> list[Referral]:
        """The coordinators' queue, oldest first."""
        rows = await self.conn.execute_fetchall(
            "SELECT * FROM referrals WHERE awaiting_coordinator = 1 ORDER BY id"
            " LIMIT ? OFFSET ?", (limit, offset))
        return [_referral(row) for row in rows]

    async def history(self, case_id: int) -> list[HistoryEntry]:
        rows = await self.conn.execute_fetchall(
            "SELECT r.id AS referral_id, a.at, u.display_name AS actor_name, a.action,"
            " a.before, a.after FROM referrals r"
            " JOIN audit_log a ON a.entity = 'referral' AND a.entity_id = CAST(r.id AS TEXT)"
            " LEFT JOIN users u ON u.id = a.actor_id"
            " WHERE r.case_id = ? ORDER BY a.id", (case_id,))
        return [HistoryEntry(**{**dict(row), "before": json.loads(row["before"] or "null"),
                                 "after": json.loads(row["after"] or "null")})
                for row in rows]

    # --- the messages that show a referral ------------------------------------------------

    async def add_messages(self, messages: Iterable[ReferralMessage]) -> None:
        await self.conn.executemany(
            "INSERT INTO referral_messages (referral_id, channel, chat_id, message_id,"
            " language) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [(m.referral_id, m.channel, m.chat_id, m.message_id, m.language)
             for m in messages])

    async def messages(self, referral_id: int) -> list[ReferralMessage]:
        rows = await self.conn.execute_fetchall(
            "SELECT * FROM referral_messages WHERE referral_id = ? ORDER BY chat_id, message_id",
            (referral_id,))
        return [ReferralMessage(**dict(row)) for row in rows]

    # --- units' group chats ---------------------------------------------------------------

    async def unit_chat(self, organisation_id: str) -> UnitChat | None:
        rows = await self.conn.execute_fetchall(
            "SELECT * FROM unit_chats WHERE organisation_id = ?", (organisation_id,))
        return UnitChat(**dict(rows[0])) if rows else None

    async def unit_chat_by_chat(self, channel: str, chat_id: str) -> UnitChat | None:
        rows = await self.conn.execute_fetchall(
            "SELECT * FROM unit_chats WHERE channel = ? AND chat_id = ?", (channel, chat_id))
        return UnitChat(**dict(rows[0])) if rows else None

    async def link_chat(self, chat: UnitChat) -> None:
        await self.conn.execute(
            "INSERT INTO unit_chats (organisation_id, channel, chat_id, title, language,"
            " linked_by, linked_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (organisation_id) DO UPDATE SET channel = excluded.channel,"
            " chat_id = excluded.chat_id, title = excluded.title,"
            " language = excluded.language, linked_by = excluded.linked_by,"
            " linked_at = excluded.linked_at",
            (chat.organisation_id, chat.channel, chat.chat_id, chat.title, chat.language,
             chat.linked_by, chat.linked_at.isoformat()))

    async def unlink_chat(self, channel: str, chat_id: str) -> str | None:
        """Forget the group; the unit it served, or None when it served none."""
        rows = await self.conn.execute_fetchall(
            "DELETE FROM unit_chats WHERE channel = ? AND chat_id = ? RETURNING organisation_id",
            (channel, chat_id))
        return rows[0][0] if rows else None
