"""Pushes counted per channel and month."""

from storage.sql import Connection


class UsageRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def pushes(self, channel: str, month: str) -> int:
        rows = await self.conn.execute_fetchall(
            "SELECT pushes FROM channel_usage WHERE channel = ? AND month = ?",
            (channel, month))
        return rows[0][0] if rows else 0

    async def add_pushes(self, channel: str, month: str, count: int) -> int:
        """Count `count` more; the month's total."""
        rows = await self.conn.execute_fetchall(
            "INSERT INTO channel_usage (channel, month, pushes) VALUES (?, ?, ?)"
            " ON CONFLICT (channel, month)"
            " DO UPDATE SET pushes = channel_usage.pushes + excluded.pushes"
            " RETURNING pushes", (channel, month, count))
        return rows[0][0]

    async def mark_warned(self, channel: str, month: str) -> bool:
        """Whether this is the month's first warning."""
        cursor = await self.conn.execute(
            "UPDATE channel_usage SET warned = 1 WHERE channel = ? AND month = ? AND warned = 0",
            (channel, month))
        return cursor.rowcount == 1
