"""Telegram's webhook: a request without the secret given to Telegram is refused and
nothing is stored; one with it is stored before Telegram is answered 200, and handled
after; an update Telegram sends again is not handled twice."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from bot.runtime import Runtime
from handlers.webhook import SECRET_HEADER, add_telegram_route
from storage.inbox import ReceivedEvent
from tests.conftest import FakeClock, make_settings

SECRET = "a-webhook-secret-for-tests"
UPDATE = {"update_id": 41, "message": {
    "message_id": 7, "date": 0, "text": "/help",
    "chat": {"id": 1001, "type": "private"},
    "from": {"id": 1001, "is_bot": False, "first_name": "Somsri"}}}


@pytest.fixture
def settings(tmp_path: Any, database_url: str | None) -> Settings:
    return make_settings(tmp_path, database_url=database_url,
                         telegram_webhook_url="https://bot.example/telegram/webhook",
                         telegram_webhook_secret=SECRET)


class Held:
    """A handler that takes updates and does not get to finish them while the test looks."""

    def __init__(self) -> None:
        self.started: list[ReceivedEvent] = []
        self.release = asyncio.Event()

    async def __call__(self, received: ReceivedEvent) -> None:
        self.started.append(received)
        await self.release.wait()


@pytest.fixture
async def webhook(runtime: Runtime) -> AsyncIterator[TestClient[Any, Any]]:
    app = web.Application()
    add_telegram_route(app, runtime)
    async with TestClient(TestServer(app)) as client:
        yield client


async def _stored(runtime: Runtime) -> list[tuple[str, str, str, bool]]:
    rows = await runtime.db.read.conn.execute_fetchall(
        "SELECT channel, event_id, chat_id, handled_at IS NOT NULL FROM inbox ORDER BY id")
    return [(row[0], row[1], row[2], bool(row[3])) for row in rows]


@pytest.mark.parametrize("secret", [None, "", "somebody-elses-secret", SECRET + "x"])
async def test_a_request_without_the_right_secret_is_refused_and_stores_nothing(
    webhook: TestClient[Any, Any], runtime: Runtime, secret: str | None
) -> None:
    headers = {} if secret is None else {SECRET_HEADER: secret}
    response = await webhook.post("/telegram/webhook", json=UPDATE, headers=headers)

    assert response.status == 401
    assert await _stored(runtime) == []


async def test_an_update_is_stored_before_telegram_is_answered_and_handled_after(
    webhook: TestClient[Any, Any], runtime: Runtime, clock: FakeClock
) -> None:
    held = Held()
    runtime.inbox.register("telegram", held)

    response = await webhook.post("/telegram/webhook", json=UPDATE,
                                  headers={SECRET_HEADER: SECRET})

    assert response.status == 200
    assert await _stored(runtime) == [("telegram", "41", "chat:1001", False)]
    assert [event.body for event in held.started] == [UPDATE]
    held.release.set()
    await asyncio.gather(*runtime.inbox.handling)
    assert await _stored(runtime) == [("telegram", "41", "chat:1001", True)]


async def test_an_update_telegram_sends_again_is_not_handled_twice(
    webhook: TestClient[Any, Any], runtime: Runtime
) -> None:
    held = Held()
    held.release.set()
    runtime.inbox.register("telegram", held)

    for _ in range(2):
        response = await webhook.post("/telegram/webhook", json=UPDATE,
                                      headers={SECRET_HEADER: SECRET})
        assert response.status == 200
        await asyncio.gather(*runtime.inbox.handling)

    assert len(held.started) == 1
    assert len(await _stored(runtime)) == 1


async def test_a_body_that_is_not_an_update_is_refused(
    webhook: TestClient[Any, Any], runtime: Runtime
) -> None:
    response = await webhook.post("/telegram/webhook", data=b"{not json",
                                  headers={SECRET_HEADER: SECRET})

    assert response.status == 400
    assert await _stored(runtime) == []
