"""LINE in tests: a recording stand-in for line-bot-sdk's messaging client, and webhook
events built, signed and posted as LINE would (nothing calls LINE)."""

import asyncio
import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from linebot.v3.messaging import (
    ApiException,
    FlexMessage,
    Message,
    PushMessageRequest,
    ReplyMessageRequest,
)

from bot.domain.models import Role, User
from bot.runtime import Runtime
from bot.services import onboarding, users
from line.events import LineAdapter
from line.inbox import LineInbox
from line.webhook import HANDLING, build_webhook

SECRET = "line-test-secret"
PERSON = "U" + "1" * 32
GROUP = "C" + "2" * 32


class RecordingMessaging:
    """Stands in for `AsyncMessagingApi` (and `AsyncMessagingApiBlob`): records each reply
    and push the bot asks for, and hands out the content of files people sent (`sent`);
    `fail_next_push` makes the next pushes fail as LINE would answer, `replies_expired`
    every reply (its token too old)."""

    def __init__(self) -> None:
        self.replies: list[ReplyMessageRequest] = []
        self.pushes: list[tuple[PushMessageRequest, str | None]] = []
        self.failures: list[ApiException] = []
        self.contents: dict[str, bytes] = {}
        self.fetched: list[str] = []
        self.replies_expired = False
        self.menus_linked: list[tuple[str, str]] = []  # (user id, rich menu id)

    async def get_message_content(self, message_id: str) -> bytearray:
        self.fetched.append(message_id)
        if message_id not in self.contents:
            raise ApiException(status=404, reason="Not Found")
        return bytearray(self.contents[message_id])

    def sent(self, file_name: str, data: bytes, user: str = PERSON) -> dict[str, Any]:
        """A file message event from `user`, its content kept for the bot to fetch."""
        message_id = str(len(self.contents) + 100)
        self.contents[message_id] = data
        return event("message", {"type": "user", "userId": user},
                     message={"id": message_id, "type": "file", "fileName": file_name,
                              "fileSize": len(data)})

    async def reply_message(self, request: ReplyMessageRequest) -> None:
        if self.replies_expired:
            raise ApiException(status=400, reason="Invalid reply token")
        self.replies.append(request)

    async def push_message_with_http_info(self, request: PushMessageRequest,
                                          x_line_retry_key: str | None = None) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.pushes.append((request, x_line_retry_key))

    async def link_rich_menu_id_to_user(self, user_id: str, rich_menu_id: str) -> None:
        self.menus_linked.append((user_id, rich_menu_id))

    async def get_profile(self, user_id: str) -> SimpleNamespace:
        return SimpleNamespace(display_name="Kru Malee", language="th")

    async def get_group_summary(self, group_id: str) -> SimpleNamespace:
        return SimpleNamespace(group_name="Primary ESA 1 referrals")

    def fail_next_push(self, status: int, reason: str) -> None:
        self.failures.append(ApiException(status=status, reason=reason))

    def replied(self) -> list[str]:
        """The replies' texts (a template's alt text; an image's address)."""
        return [getattr(message, "text", None) or getattr(message, "alt_text", None)
                or getattr(message, "original_content_url", "")
                for request in self.replies for message in request.messages]


def event(kind: str, source: dict[str, str], **fields: Any) -> dict[str, Any]:
    return {"type": kind, "mode": "active", "timestamp": 1764640000000,
            "webhookEventId": uuid.uuid4().hex.upper()[:26],
            "deliveryContext": {"isRedelivery": False}, "source": source,
            "replyToken": uuid.uuid4().hex, **fields}


def text(words: str, user: str = PERSON) -> dict[str, Any]:
    return event("message", {"type": "user", "userId": user},
                 message={"id": "1", "type": "text", "quoteToken": "q", "text": words})


def postback(data: str, user: str = PERSON, **params: str) -> dict[str, Any]:
    """A tap on a postback action; `params`: what a picker sends with it (date=...)."""
    return event("postback", {"type": "user", "userId": user},
                 postback={"data": data, **({"params": params} if params else {})})


def signed(*events: dict[str, Any], secret: str = SECRET) -> tuple[str, dict[str, str]]:
    body = json.dumps({"destination": "U" + "0" * 32, "events": list(events)})
    digest = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return body, {"X-Line-Signature": base64.b64encode(digest).decode(),
                  "Content-Type": "application/json"}


async def post(client: TestClient[Any, Any], *events: dict[str, Any]) -> int:
    """Post the events as LINE would, and wait until the bot has handled them."""
    body, headers = signed(*events)
    response = await client.post("/line/webhook", data=body, headers=headers)
    await asyncio.gather(*client.app[HANDLING])
    return response.status


async def invite_code(runtime: Runtime, coordinator: User, role: Role = Role.TEACHER,
                      unit: str = "school_wat_phraek_sa") -> str:
    issued = await onboarding.create_invite(runtime.db, coordinator, role=role,
                                            organisation_id=unit, valid_for=timedelta(days=7),
                                            now=runtime.now())
    return issued.invite.code


def in_group(words: str, user: str = PERSON) -> dict[str, Any]:
    return event("message", {"type": "group", "groupId": GROUP, "userId": user},
                 message={"id": "2", "type": "text", "quoteToken": "q", "text": words})


def group_postback(data: str, user: str = PERSON) -> dict[str, Any]:
    return event("postback", {"type": "group", "groupId": GROUP, "userId": user},
                 postback={"data": data})


async def line_user(webhook: TestClient[Any, Any], runtime: Runtime, coordinator: User,
                    person: str, role: Role, organisation: str) -> User:
    """Someone who joined on LINE with an invite (their LINE speaks Thai)."""
    code = await invite_code(runtime, coordinator, role, organisation)
    await post(webhook, text(f"/start {code}", user=person))
    user = await runtime.db.read.users.by_channel_id("line", person)
    assert user is not None
    return user


async def line_focal_point(webhook: TestClient[Any, Any], runtime: Runtime,
                           coordinator: User, person: str) -> User:
    return await line_user(webhook, runtime, coordinator, person, Role.FOCAL_POINT,
                           "spp1_samutprakan")


async def line_teacher(webhook: TestClient[Any, Any], runtime: Runtime,
                       coordinator: User, person: str) -> User:
    return await line_user(webhook, runtime, coordinator, person, Role.TEACHER,
                           "school_wat_phraek_sa")


async def line_person(webhook: TestClient[Any, Any], runtime: Runtime, coordinator: User,
                      role: Role, unit: str, person: str = PERSON,
                      language: str = "en") -> User:
    """Someone who joined on LINE with an invite, in `language`."""
    user = await line_user(webhook, runtime, coordinator, person, role, unit)
    return await users.set_language(runtime.db, user, language, runtime.now())


def quick_replies(request: PushMessageRequest | ReplyMessageRequest) -> list[tuple[str, str]]:
    last = request.messages[-1]
    return [(item.action.label, item.action.data)
            for item in (last.quick_reply.items if last.quick_reply else [])]


def _utf16(value: str) -> int:
    return len(value.encode("utf-16-le")) // 2


def parts(value: Any) -> Iterator[dict[str, Any]]:
    """Every object inside a message's JSON (its quick replies, a card's boxes...)."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from parts(item)
    elif isinstance(value, list):
        for item in value:
            yield from parts(item)


def within_limits(messages: list[Message]) -> None:
    """What LINE refuses: over 5 messages, 13 quick replies, 20-unit labels, 300-character
    data, 5,000-character texts, 400-character alt texts (ours)."""
    assert 1 <= len(messages) <= 5
    for message in messages:
        body = message.to_dict()
        items = (body.get("quickReply") or {}).get("items", [])
        assert len(items) <= 13, len(items)
        assert _utf16(body.get("text", "")) <= 5000
        assert _utf16(body.get("altText", "")) <= 400
        for part in parts(body):
            if "label" in part:
                assert 1 <= _utf16(part["label"]) <= 20, part["label"]
            if "data" in part:
                assert len(part["data"]) <= 300


def answer(messaging: RecordingMessaging) -> list[Message]:
    """The last reply's messages, checked against LINE's limits."""
    messages = messaging.replies[-1].messages
    within_limits(messages)
    return messages


def actions(message: Message) -> list[dict[str, Any]]:
    """Every action on a message: its quick replies, and a card's buttons."""
    return [part["action"] for part in parts(message.to_dict()) if "action" in part]


def flex_texts(message: FlexMessage) -> list[str]:
    """Every text a card shows, in order."""
    found: list[str] = []

    def walk(component: Any) -> None:
        if getattr(component, "text", None):
            found.append(component.text)
        for child in getattr(component, "contents", None) or []:
            walk(child)

    walk(message.contents.header)
    walk(message.contents.body)
    return found


def flex_buttons(message: FlexMessage) -> list[tuple[str, str]]:
    footer = message.contents.footer
    return [(button.action.label, button.action.data)
            for button in (footer.contents if footer else [])]


def webhook_app(runtime: Runtime, messaging: RecordingMessaging) -> web.Application:
    """The bot's LINE webhook on `runtime`, talking to `messaging` (its api and api-data
    hosts alike), its events stored and handled as in production."""
    adapter = LineAdapter(runtime, messaging, blob=messaging)  # type: ignore[arg-type]
    return build_webhook(runtime, LineInbox(runtime, adapter))
