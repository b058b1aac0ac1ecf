"""The real Application, its bot talking to an in-process recording Bot API."""

import asyncio
import itertools
import threading
from collections.abc import AsyncIterator

import pytest
from telegram import Update
from telegram.ext import Application

from bot.runtime import Runtime
from handlers.app import build_application
from handlers.context import RUNTIME_KEY
from handlers.progress import Progress
from sandbox.botapi import Upload
from tests.support.telegram_fake import (
    FakeUser,
    RecordingRequest,
    callback_update,
    location_update,
    text_update,
)

_file_updates = itertools.count(900_000_001)


class ChatHarness:
    """Drives the bot as people would: typing, pressing the buttons they see."""

    def __init__(self, app: Application, request: RecordingRequest) -> None:
        self.app = app
        self.request = request

    async def process(self, *updates: Update) -> None:
        """Handle the updates (at once, when several), then let the outbox deliver what
        they owe people: the bot does both, the second a moment later. What was owed
        before (a change a test made through a service) is delivered first, as it would
        have been by then."""
        await self.deliver()
        await asyncio.gather(*(self.app.process_update(update) for update in updates))
        await self.deliver()

    async def deliver(self) -> int:
        """Deliver what the outbox holds that may go now; how many messages went."""
        runtime: Runtime = self.app.bot_data[RUNTIME_KEY]
        return await runtime.outbox.drain()

    async def send(self, user: FakeUser, text: str) -> str:
        await self.process(text_update(self.app.bot, user, text))
        return self.last_text(user)

    async def send_file(self, user: FakeUser, file_name: str, data: bytes,
                        mime_type: str | None = None) -> str:
        """The user sends a document; the bot can download it like any other."""
        if user.id not in self.request.api.users:
            self.request.api.add_user(user.id, user.first_name, user.language_code)
        message = self.request.api.send_document(user.id, Upload(file_name, data, mime_type))
        await self.process(Update.de_json(
            {"update_id": next(_file_updates), "message": message}, self.app.bot))
        return self.last_text(user)

    async def share_location(self, user: FakeUser, latitude: float, longitude: float) -> str:
        await self.process(location_update(self.app.bot, user, latitude, longitude))
        return self.last_text(user)

    def buttons(self, user: FakeUser) -> list[tuple[str, str]]:
        return self.request.buttons(user.id)

    async def press(self, user: FakeUser, label: str, chat_id: int | None = None) -> str:
        """Press the button whose label contains `label` on the newest keyboard of the chat
        (the user's private chat unless `chat_id` names a group)."""
        chat = user.id if chat_id is None else chat_id
        buttons = self.request.buttons(chat)
        matches = [data for text, data in buttons if label in text]
        if len(matches) != 1:
            raise AssertionError(f"{len(matches)} buttons match {label!r}: {buttons}")
        message = self.request.keyboard_message(chat)
        await self.process(callback_update(self.app.bot, user, matches[0], message))
        return self.last_text(user)

    async def press_data(self, user: FakeUser, data: str) -> str:
        """Press a button with any data (a forged one, say) under the user's newest message."""
        message = self.request.last_message(user.id)
        await self.process(callback_update(self.app.bot, user, data, message))
        return self.last_text(user)

    def last_text(self, user: FakeUser) -> str:
        """The newest message in the user's private chat, as it reads now."""
        return self.request.newest_text(user.id)

    def alerts(self) -> list[str]:
        return [call.params.get("text", "") for call in
                self.request.calls_to("answerCallbackQuery") if call.params.get("text")]


async def start_app(runtime: Runtime, request: RecordingRequest) -> Application:
    app = build_application(runtime, request=request, rate_limit=False)
    await app.initialize()
    return app


@pytest.fixture
async def chat(runtime: Runtime) -> AsyncIterator[ChatHarness]:
    request = RecordingRequest()
    app = await start_app(runtime, request)
    try:
        yield ChatHarness(app, request)
    finally:
        await app.shutdown()


def pause_progress(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Make a worker thread that reports progress (a file written, a list read) stop at
    its first report: `reached` is set then, and it goes on once `release` is set (or
    fails after 10 s, telling that the bot did not answer anyone meanwhile)."""
    reached, release = threading.Event(), threading.Event()
    original = Progress.__call__

    def pause(self: Progress, done: int) -> None:
        original(self, done)
        reached.set()
        assert release.wait(timeout=10), "the teacher was not answered meanwhile"

    monkeypatch.setattr(Progress, "__call__", pause)
    return reached, release


# The fixtures in tests/conftest.py create these users with these Telegram ids.
TEACHER = FakeUser(id=1001, first_name="Somsri", language_code="en")
OTHER_TEACHER = FakeUser(id=1002, first_name="Anan", language_code="th")
COORDINATOR = FakeUser(id=9001, first_name="Prasert", language_code="en")
STRANGER = FakeUser(id=5555, first_name="Nobody", language_code="th")
