"""One-time invitations that turn a stranger into a user with a role."""

from datetime import datetime

from bot.domain.models import Invite
from storage.sql import Connection

_PENDING = "used_by IS NULL AND revoked_at IS NULL AND expires_at > ?"


class InviteRepository:
    def __init__(self, conn: Connection) -> None:
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

    async def by_prefix(self, prefix: str) -> list[Invite]:
        """The invites whose code starts with `prefix` (case matters, as in the codes)."""
        rows = await self.conn.execute_fetchall(
            "SELECT * FROM invites WHERE code >= ? AND code < ?", (prefix, prefix + "~"))
        return [Invite(**dict(row)) for row in rows]

    async def count_pending(self, now: datetime) -> int:
        rows = await self.conn.execute_fetchall(
            f"SELECT count(*) FROM invites WHERE {_PENDING}", (now.isoformat(),))
        return rows[0][0]

    async def pending(self, now: datetime, *, offset: int, limit: int) -> list[Invite]:
        """Invites nobody has used, withdrawn or let expire; the soonest to expire first."""
        rows = await self.conn.execute_fetchall(
            f"SELECT * FROM invites WHERE {_PENDING} ORDER BY expires_at, code"
            " LIMIT ? OFFSET ?", (now.isoformat(), limit, offset))
        return [Invite(**dict(row)) for row in rows]

    async def revoke(self, code: str, by: int, now: datetime) -> bool:
        """Withdraw a pending invite; False when it was used or withdrawn meanwhile."""
        cursor = await self.conn.execute(
            f"UPDATE invites SET revoked_at = ?, revoked_by = ? WHERE code = ? AND {_PENDING}",
            (now.isoformat(), by, code, now.isoformat()))
        return cursor.rowcount == 1

    async def revoke_made_by(self, creator_id: int, by: int, now: datetime) -> list[str]:
        """Withdraw every pending invite `creator_id` made; their codes."""
        rows = await self.conn.execute_fetchall(
            f"UPDATE invites SET revoked_at = ?, revoked_by = ? WHERE created_by = ?"
            f" AND {_PENDING} RETURNING code",
            (now.isoformat(), by, creator_id, now.isoformat()))
        return sorted(row[0] for row in rows)

    async def mark_used(self, code: str, user_id: int, now: datetime) -> bool:
        """Claim the invite; False when somebody else claimed it first."""
        cursor = await self.conn.execute(
            "UPDATE invites SET used_by = ?, used_at = ? WHERE code = ? AND used_by IS NULL"
            " AND revoked_at IS NULL",
            (user_id, now.isoformat(), code),
        )
        return cursor.rowcount == 1
