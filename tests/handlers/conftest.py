"""The real Application, its bot talking to an in-process recording Bot API."""

from collections.abc import AsyncIterator

import pytest
from telegram.ext import Application

from bot.runtime import Runtime
from handlers.app import build_application
from tests.support.telegram_fake import (
    FakeUser,
    RecordingRequest,
    callback_update,
    location_update,
    text_update,
)


class ChatHarness:
    """Drives the bot as people would: typing, pressing the buttons they see."""

    def __init__(self, app: Application, request: RecordingRequest) -> None:
        self.app = app
        self.request = request

    async def send(self, user: FakeUser, text: str) -> str:
        await self.app.process_update(text_update(self.app.bot, user, text))
        return self.last_text(user)

    async def share_location(self, user: FakeUser, latitude: float, longitude: float) -> str:
        await self.app.process_update(location_update(self.app.bot, user, latitude, longitude))
        return self.last_text(user)

    def buttons(self, user: FakeUser) -> list[tuple[str, str]]:
        return self.request.buttons(user.id)

    async def press(self, user: FakeUser, label: str) -> str:
        """Press the button whose label contains `label` on the newest keyboard."""
        matches = [data for text, data in self.buttons(user) if label in text]
        if len(matches) != 1:
            raise AssertionError(f"{len(matches)} buttons match {label!r}: {self.buttons(user)}")
        return await self.press_data(user, matches[0])

    async def press_data(self, user: FakeUser, data: str) -> str:
        message = self.request.last_message(user.id)
        await self.app.process_update(callback_update(self.app.bot, user, data, message))
        return self.last_text(user)

    def last_text(self, user: FakeUser) -> str:
        texts = self.request.texts(user.id)
        return texts[-1] if texts else ""

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


# The fixtures in tests/conftest.py create these users with these Telegram ids.
TEACHER = FakeUser(id=1001, first_name="Somsri", language_code="en")
OTHER_TEACHER = FakeUser(id=1002, first_name="Anan", language_code="th")
COORDINATOR = FakeUser(id=9001, first_name="Prasert", language_code="en")
STRANGER = FakeUser(id=5555, first_name="Nobody", language_code="th")
