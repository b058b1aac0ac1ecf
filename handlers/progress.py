"""Progress of work done in a worker thread, shown by editing one chat message."""

import asyncio
import concurrent.futures
from collections.abc import Callable

from telegram import Message
from telegram.error import TelegramError

from handlers.errors import is_not_modified

BAR_WIDTH = 10


def bar(done: int, total: int) -> str:
    filled = min(BAR_WIDTH, BAR_WIDTH * done // max(total, 1))
    return "▓" * filled + "░" * (BAR_WIDTH - filled)


class Progress:
    """Called from the worker thread with how much is done; edits the message on the bot's
    loop. `settled()` waits for every edit, so that none lands after the last word."""

    def __init__(self, message: Message, render: Callable[[int], str]) -> None:
        self.message, self.render = message, render
        self.loop = asyncio.get_running_loop()
        self.edits: list[concurrent.futures.Future[None]] = []

    def __call__(self, done: int) -> None:
        self.edits.append(asyncio.run_coroutine_threadsafe(
            edit_status(self.message, self.render(done)), self.loop))

    async def settled(self) -> None:
        await asyncio.gather(*(asyncio.wrap_future(edit) for edit in self.edits),
                             return_exceptions=True)


async def edit_status(message: Message, text: str) -> None:
    try:
        await message.edit_text(text)
    except TelegramError as error:
        if not is_not_modified(error):
            raise
