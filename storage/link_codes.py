"""One-time codes that link a second channel to a person's account."""

from datetime import UTC, datetime

from storage.sql import Connection


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class LinkCodeRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, code: str, user_id: int, *, now: datetime,
                  expires_at: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO link_codes (code, user_id, created_at, expires_at)"
            " VALUES (?, ?, ?, ?)", (code, user_id, _iso(now), _iso(expires_at)))

    async def use(self, code: str, now: datetime) -> int | None:
        """The person the code belongs to, if it is unused and unexpired; it is used up."""
        rows = await self.conn.execute_fetchall(
            "UPDATE link_codes SET used_at = ? WHERE code = ? AND used_at IS NULL"
            " AND expires_at > ? RETURNING user_id", (_iso(now), code, _iso(now)))
        return rows[0][0] if rows else None
