"""Files waiting, for a few minutes, to be fetched by the person they were made for."""

from datetime import UTC, datetime

from pydantic import BaseModel

from storage.sql import Connection


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class Download(BaseModel):
    id: int
    user_id: int
    content_type: str
    file_name: str
    content: bytes
    expires_at: datetime
    downloads: int


class DownloadRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, token_hash: str, user_id: int, *, content_type: str, file_name: str,
                  content: bytes, now: datetime, expires_at: datetime) -> int:
        rows = await self.conn.execute_fetchall(
            "INSERT INTO downloads (token_hash, user_id, content_type, file_name, content,"
            " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (token_hash, user_id, content_type, file_name, content, _iso(now),
             _iso(expires_at)))
        return rows[0][0]

    async def take(self, token_hash: str, now: datetime) -> Download | None:
        """The unexpired file of this token, for a user still active; counted as fetched."""
        rows = await self.conn.execute_fetchall(
            "UPDATE downloads SET downloads = downloads + 1 WHERE token_hash = ?"
            " AND expires_at > ? AND user_id IN (SELECT id FROM users WHERE active = 1)"
            " RETURNING id, user_id, content_type, file_name, content, expires_at, downloads",
            (token_hash, _iso(now)))
        return Download(**dict(rows[0])) if rows else None

    async def forget_expired(self, now: datetime) -> int:
        """Delete the files whose links have expired; how many."""
        cursor = await self.conn.execute("DELETE FROM downloads WHERE expires_at <= ?",
                                         (_iso(now),))
        return cursor.rowcount

    async def count(self) -> int:
        rows = await self.conn.execute_fetchall("SELECT count(*) FROM downloads")
        return rows[0][0]
