"""The LINE adapter's tests run through its real webhook server, against a recording
stand-in of line-bot-sdk's messaging client (`tests.support.line`)."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from bot.runtime import Runtime
from line.events import LineAdapter
from line.inbox import LineInbox
from line.sender import LineSender
from line.webhook import build_webhook
from tests.conftest import make_settings
from tests.support.line import SECRET, RecordingMessaging


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, line_channel_secret=SECRET,
                         line_channel_access_token="line-test-token", line_push_budget=10,
                         line_push_warn_at=2)


@pytest.fixture
def messaging() -> RecordingMessaging:
    return RecordingMessaging()


@pytest.fixture
async def webhook(runtime: Runtime, messaging: RecordingMessaging
                  ) -> AsyncIterator[TestClient[Any, Any]]:
    inbox = LineInbox(runtime, LineAdapter(runtime, messaging))  # type: ignore[arg-type]
    runtime.outbox.register("line", LineSender(messaging, runtime))  # type: ignore[arg-type]
    async with TestClient(TestServer(build_webhook(runtime, inbox))) as client:
        yield client
