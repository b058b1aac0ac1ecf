"""Reminders: the schedule. Each one due becomes outbox rows (`storage.outbox`)."""

from collections.abc import Iterable
from datetime import UTC, datetime

from bot.domain.models import Reminder, ReminderKind, ReminderStatus
from storage.sql import SKIP_LOCKED_SQL, Connection, Row


def _iso(moment: datetime) -> str:
    """Stored in UTC, so that text comparison is time comparison."""
    return moment.astimezone(UTC).isoformat()


def _reminder(row: Row) -> Reminder:
    return Reminder(**dict(row))


class ReminderRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, *, kind: ReminderKind, case_id: int, due_at: datetime, now: datetime,
                  referral_id: int | None = None, user_id: int | None = None,
                  detail: str | None = None) -> Reminder:
        rows = await self.conn.execute_fetchall(
            "INSERT INTO reminders (kind, case_id, referral_id, user_id, due_at, status, detail,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?) RETURNING *",
            (kind, case_id, referral_id, user_id, _iso(due_at), detail, _iso(now),
             _iso(now)))
        return _reminder(rows[0])

    async def get(self, reminder_id: int) -> Reminder | None:
        rows = await self.conn.execute_fetchall(
            "SELECT * FROM reminders WHERE id = ?", (reminder_id,))
        return _reminder(rows[0]) if rows else None

    async def pending_for(self, *, referral_id: int | None = None,
                          case_id: int | None = None) -> list[Reminder]:
        column, value = ("referral_id", referral_id) if referral_id is not None \
            else ("case_id", case_id)
        rows = await self.conn.execute_fetchall(
            f"SELECT * FROM reminders WHERE {column} = ? AND status = 'pending' ORDER BY due_at",
            (value,))
        return [_reminder(row) for row in rows]

    async def cancel(self, reminder_ids: Iterable[int], now: datetime) -> None:
        await self.conn.executemany(
            "UPDATE reminders SET status = 'cancelled', updated_at = ?"
            " WHERE id = ? AND status = 'pending'",
            [(_iso(now), reminder_id) for reminder_id in reminder_ids])

    async def due(self, now: datetime, limit: int) -> list[Reminder]:
        """Pending reminders whose time has come, the oldest first, claimed until the
        transaction ends: another process waking at the same moment passes over them
        (SKIP_LOCKED_SQL) and takes the next ones, and once this one has marked them and
        committed, they are no longer pending to anyone. Each is expanded once."""
        rows = await self.conn.execute_fetchall(
            "SELECT * FROM reminders WHERE status = 'pending' AND due_at <= ?"
            " ORDER BY due_at, id LIMIT ?" + SKIP_LOCKED_SQL[self.conn.dialect],
            (_iso(now), limit))
        return [_reminder(row) for row in rows]

    async def set_status(self, reminder_id: int, status: ReminderStatus, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE reminders SET status = ?, updated_at = ? WHERE id = ?",
            (status, _iso(now), reminder_id))

    async def mark_answered(self, reminder_id: int, now: datetime) -> bool:
        """Record that the reminder was answered; False when it already was."""
        cursor = await self.conn.execute(
            "UPDATE reminders SET status = 'answered', updated_at = ?"
            " WHERE id = ? AND status = 'sent'", (_iso(now), reminder_id))
        return cursor.rowcount == 1

    async def set_statuses(self, changes: list[tuple[int, ReminderStatus]],
                           now: datetime) -> None:
        await self.conn.executemany(
            "UPDATE reminders SET status = ?, updated_at = ? WHERE id = ?",
            [(status, _iso(now), reminder_id) for reminder_id, status in changes])

    async def pending_between(self, start: datetime, end: datetime,
                              limit: int) -> tuple[int, list[Reminder]]:
        """How many pending reminders fall due in [start, end), and the first of them."""
        params = (_iso(start), _iso(end))
        where = " FROM reminders WHERE status = 'pending' AND due_at >= ? AND due_at < ?"
        count = await self.conn.execute_fetchall("SELECT count(*)" + where, params)
        rows = await self.conn.execute_fetchall(
            "SELECT *" + where + " ORDER BY due_at, id LIMIT ?", (*params, limit))
        return count[0][0], [_reminder(row) for row in rows]
