"""One-time invitations that turn a stranger into a user with a role."""

from datetime import datetime

import aiosqlite

from bot.domain.models import Invite


class InviteRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def add(self, invite: Invite) -> None:
        await self.conn.execute(
            "INSERT INTO invites (code, role, organisation_id, created_by, created_at,"
            " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            (invite.code, invite.role, invite.organisation_id, invite.created_by,
             invite.created_at.isoformat(), invite.expires_at.isoformat()),
        )

    async def get(self, code: str) -> Invite | None:
        rows = await self.conn.execute_fetchall("SELECT * FROM invites WHERE code = ?", (code,))
        return Invite(**dict(rows[0])) if rows else None

    async def mark_used(self, code: str, user_id: int, now: datetime) -> bool:
        """Claim the invite; False when somebody else claimed it first."""
        cursor = await self.conn.execute(
            "UPDATE invites SET used_by = ?, used_at = ? WHERE code = ? AND used_by IS NULL",
            (user_id, now.isoformat(), code),
        )
        return cursor.rowcount == 1
