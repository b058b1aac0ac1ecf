"""The LINE adapter's tests run through its real webhook server, against a recording
stand-in of line-bot-sdk's messaging client (`tests.support.line`)."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from bot.runtime import Runtime
from line.sender import LineSender
from tests.conftest import make_settings
from tests.support.line import SECRET, RecordingMessaging, webhook_app


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    return make_settings(tmp_path, database_url=database_url, line_channel_secret=SECRET,
                         line_channel_access_token="line-test-token", line_push_budget=10,
                         line_push_warn_at=2,
                         line_public_url="https://panong.example.org/line/webhook")


@pytest.fixture
def messaging() -> RecordingMessaging:
    return RecordingMessaging()


@pytest.fixture
async def webhook(runtime: Runtime, messaging: RecordingMessaging
                  ) -> AsyncIterator[TestClient[Any, Any]]:
    runtime.outbox.register("line", LineSender(messaging, runtime))  # type: ignore[arg-type]
    async with TestClient(TestServer(webhook_app(runtime, messaging))) as client:
        yield client
