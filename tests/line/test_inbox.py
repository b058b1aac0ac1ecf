"""LINE's events are stored before LINE is answered and handled after: a crash between the
two loses none, a restart handles each once and in order, and an event LINE sends again is
not handled twice."""

import asyncio
import base64
import hashlib
import hmac
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from linebot.v3.webhooks import Event

from bot.domain.models import User
from bot.i18n import translator
from bot.presenters import plain
from bot.runtime import Runtime
from line.events import LineAdapter
from line.inbox import LineInbox
from line.webhook import HANDLING, build_webhook
from tests.conftest import FakeClock
from tests.support.line import (
    PERSON,
    SECRET,
    RecordingMessaging,
    invite_code,
    post,
    signed,
    text,
)

OTHER = "U" + "4" * 32


class Fails:
    """An adapter with a bug that this event always hits."""

    async def handle(self, event: Event) -> None:
        raise RuntimeError("a bug")


class DiesBeforeHandling:
    """An adapter in a process about to die: it takes the events and never gets to them."""

    async def handle(self, event: Event) -> None:
        await asyncio.Event().wait()


async def _stored(runtime: Runtime) -> list[tuple[str, bool]]:
    rows = await runtime.db.read.conn.execute_fetchall(
        "SELECT event_id, body IS NULL AND handled_at IS NOT NULL FROM inbox"
        " ORDER BY id")
    return [(row[0], bool(row[1])) for row in rows]


async def _crash_after_taking(runtime: Runtime, *events: dict[str, Any]) -> None:
    """The webhook answers LINE 200 for `events`, then the process dies before handling."""
    inbox = LineInbox(runtime, DiesBeforeHandling())  # type: ignore[arg-type]
    async with TestClient(TestServer(build_webhook(runtime, inbox))) as client:
        body, headers = signed(*events)
        response = await client.post("/line/webhook", data=body, headers=headers)
        assert response.status == 200
        for task in inbox.handling:
            task.cancel()
        await asyncio.gather(*inbox.handling, return_exceptions=True)


async def test_an_event_is_stored_before_line_is_answered_and_only_its_id_kept_once_handled(
    webhook: TestClient[Any, Any], runtime: Runtime, coordinator: User
) -> None:
    sent = text("/help")
    await post(webhook, sent)

    assert await _stored(runtime) == [(sent["webhookEventId"], True)]


async def test_events_taken_before_a_crash_are_handled_once_in_order_before_new_ones(
    runtime: Runtime, messaging: RecordingMessaging, coordinator: User
) -> None:
    joining = text(f"/start {await invite_code(runtime, coordinator)}")
    asking, elsewhere = text("/language"), text("/help", user=OTHER)
    await _crash_after_taking(runtime, joining, asking, elsewhere)
    assert await runtime.db.read.users.by_channel_id("line", PERSON) is None
    assert [handled for _, handled in await _stored(runtime)] == [False, False, False]

    inbox = LineInbox(runtime, LineAdapter(runtime, messaging))  # type: ignore[arg-type]
    assert await inbox.recover() == 3
    async with TestClient(TestServer(build_webhook(runtime, inbox))) as client:
        await post(client, text("/help"))  # a new event of the same chat waits its turn

    t = translator("th")
    assert len(messaging.replies) == 4
    to_person = [plain(reply.messages[0].text) for reply in messaging.replies
                 if reply.messages[0].text != plain(t("not-registered"))]  # the stranger's
    assert [text.startswith(plain(t("start-welcome", name="Kru Malee")))
            for text in to_person] == [False, False, True]
    assert "/new" in to_person[0]  # joined: the teacher's help follows the welcome
    assert to_person[1] == plain(t("language-ask"))
    assert all(handled for _, handled in await _stored(runtime))
    assert await LineInbox(runtime, LineAdapter(runtime, messaging)).recover() == 0


async def test_an_event_taken_up_after_its_reply_token_expired_still_makes_its_change(
    runtime: Runtime, messaging: RecordingMessaging, coordinator: User
) -> None:
    await _crash_after_taking(runtime, text(f"/start {await invite_code(runtime, coordinator)}"))

    messaging.replies_expired = True
    inbox = LineInbox(runtime, LineAdapter(runtime, messaging))  # type: ignore[arg-type]
    await inbox.recover()
    await asyncio.gather(*inbox.handling)

    joined = await runtime.db.read.users.by_channel_id("line", PERSON)
    assert joined is not None  # the invite was redeemed
    assert joined.undelivered_since is not None  # and the person will be told their
    assert all(handled for _, handled in await _stored(runtime))  # answer was lost


async def test_an_event_line_sends_again_is_not_handled_twice(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User
) -> None:
    await post(webhook, text(f"/start {await invite_code(runtime, coordinator)}"))
    asked = text("/language")
    await post(webhook, asked)
    again = {**asked, "deliveryContext": {"isRedelivery": True}}
    assert await post(webhook, again) == 200

    assert len(messaging.replies) == 2
    assert len(await _stored(runtime)) == 2


async def test_a_request_without_a_good_signature_stores_nothing(
    webhook: TestClient[Any, Any], runtime: Runtime
) -> None:
    body, headers = signed(text("/help"), secret="somebody-else")
    assert (await webhook.post("/line/webhook", data=body, headers=headers)).status == 400
    assert await _stored(runtime) == []
    assert webhook.app[HANDLING] == set()


async def test_an_event_whose_handling_fails_is_not_taken_up_at_every_start(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = LineInbox(runtime, Fails())  # type: ignore[arg-type]
    async with TestClient(TestServer(build_webhook(runtime, inbox))) as client:
        assert await post(client, text("/help")) == 200

    assert "a line update could not be handled" in caplog.text
    assert [handled for _, handled in await _stored(runtime)] == [True]
    assert await LineInbox(runtime, Fails()).recover() == 0  # type: ignore[arg-type]


async def test_the_ids_of_events_handled_a_week_ago_are_forgotten(
    webhook: TestClient[Any, Any], runtime: Runtime, clock: FakeClock
) -> None:
    old = text("/help")
    await post(webhook, old)
    clock.advance(days=7, hours=1)
    new = text("/help")
    await post(webhook, new)

    assert await _stored(runtime) == [(new["webhookEventId"], True)]


async def test_a_signed_body_without_events_is_refused_and_stores_nothing(
    webhook: TestClient[Any, Any], runtime: Runtime
) -> None:
    body, headers = signed()
    for broken in ('{"destination": "U0"}', '{"events": "none"}', "[1]"):
        digest = hmac.new(SECRET.encode(), broken.encode(), hashlib.sha256).digest()
        headers["X-Line-Signature"] = base64.b64encode(digest).decode()
        assert (await webhook.post("/line/webhook", data=broken, headers=headers)).status == 400
    assert (await webhook.post("/line/webhook", data=body,  # LINE's "Verify": no events
                               headers=signed()[1])).status == 200
    assert await _stored(runtime) == []
