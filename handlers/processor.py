"""Updates from different chats run concurrently; the updates of one chat stay in order.

PTB's default processes one update at a time, which caps a bot at one update per round
trip to Telegram. `concurrent_updates(True)` lifts the cap but lets two messages from the
same teacher race each other through the wizard. This processor takes the middle road:
a lock per chat (per user where an update has no chat), created on demand and dropped as
soon as nobody holds or waits for it, so memory follows the number of busy chats.
"""

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class _ChatLock:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[object, _ChatLock] = {}

    @staticmethod
    def ordering_key(update: object) -> object | None:
        if not isinstance(update, Update):
            return None
        if update.effective_chat is not None:
            return ("chat", update.effective_chat.id)
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
        return None

    @property
    def busy_chats(self) -> int:
        return len(self._locks)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = self.ordering_key(update)
        if key is None:
            await coroutine
            return
        entry = self._locks.get(key)
        if entry is None:
            entry = self._locks[key] = _ChatLock()
        entry.users += 1
        try:
            async with entry.lock:
                await coroutine
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up: locks are made per chat as updates arrive."""

    async def shutdown(self) -> None:
        """Nothing to release: every lock is dropped when its last update finishes."""
