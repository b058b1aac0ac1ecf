"""Small facts the bot learns about itself, such as its @username."""

from storage.sql import Connection

BOT_USERNAME = "bot_username"


class BotStateRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, key: str) -> str | None:
        rows = await self.conn.execute_fetchall(
            "SELECT value FROM bot_state WHERE key = ?", (key,)
        )
        return rows[0][0] if rows else None

    async def put(self, key: str, value: str) -> None:
        await self.conn.execute(
            "INSERT INTO bot_state (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
