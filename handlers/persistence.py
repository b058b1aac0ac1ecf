"""PTB persistence on Panong's own database, so half-filled wizards survive a restart.

Only user data (the wizard drafts) and conversation states are kept, as JSON: no pickles
of Telegram objects, and nothing that is not needed. Bot and chat data stay in memory.
"""

import json
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from storage.database import Database

ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]

USER_DATA = "user"


class SQLitePersistence(BasePersistence[dict[str, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(self, db: Database, update_interval: float) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db = db

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        stored = await self.db.read.conversations.load_data(USER_DATA)
        return {int(key): value for key, value in stored.items()}

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        async with self.db.unit_of_work() as uow:
            if data:
                await uow.conversations.put_data(USER_DATA, str(user_id), data)
            else:
                await uow.conversations.drop_data(USER_DATA, str(user_id))
            await uow.commit()

    async def drop_user_data(self, user_id: int) -> None:
        async with self.db.unit_of_work() as uow:
            await uow.conversations.drop_data(USER_DATA, str(user_id))
            await uow.commit()

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        """The database is written only by this process: memory is never behind it."""

    async def get_conversations(self, name: str) -> ConversationDict:
        stored = await self.db.read.conversations.load_states(name)
        return {tuple(json.loads(key)): state for key, state in stored.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        async with self.db.unit_of_work() as uow:
            await uow.conversations.put_state(name, json.dumps(list(key)), new_state)
            await uow.commit()

    # Chat data, bot data and callback data are not stored (see store_data above); PTB
    # still requires the methods.
    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        """Not stored."""

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        """Not stored."""

    async def update_callback_data(self, data: object) -> None:
        """Not stored."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Not stored."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        """Not stored."""

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        """Not stored."""

    async def flush(self) -> None:
        """Every update is committed as it is made: nothing is buffered."""
