"""The whole sandbox, as `make run` starts it without a token, on a free port."""

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from sandbox.people import DEMO_PEOPLE
from sandbox.run import Sandbox
from tests.conftest import FakeClock, make_settings
from tests.support.webchat import WebChat, WebPerson


@pytest.fixture
async def sandbox(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Sandbox]:
    settings = make_settings(tmp_path, telegram_token=None, sandbox_port=0,
                             sandbox_database_path=tmp_path / "sandbox.db")
    async with Sandbox(settings, clock=clock) as running:
        yield running


@pytest.fixture
async def web(sandbox: Sandbox) -> AsyncIterator[WebChat]:
    async with aiohttp.ClientSession() as session:
        chat = WebChat(session, sandbox.url)
        for person in DEMO_PEOPLE:  # everybody seeded has been welcomed
            await chat.wait_for_answer(WebPerson(person.id), since=0)
        yield chat
