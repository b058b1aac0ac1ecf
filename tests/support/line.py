"""LINE in tests: a recording stand-in for line-bot-sdk's messaging client, and webhook
events built, signed and posted as LINE would (nothing calls LINE)."""

import asyncio
import base64
import hashlib
import hmac
import json
import uuid
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from aiohttp.test_utils import TestClient
from linebot.v3.messaging import ApiException, PushMessageRequest, ReplyMessageRequest

from bot.domain.models import Role, User
from bot.runtime import Runtime
from bot.services import onboarding
from line.webhook import HANDLING

SECRET = "line-test-secret"
PERSON = "U" + "1" * 32
GROUP = "C" + "2" * 32


class RecordingMessaging:
    """Stands in for `AsyncMessagingApi`: records each reply and push the bot asks for;
    `fail_next_push` makes the next pushes fail as LINE would answer, `replies_expired`
    every reply (its token too old)."""

    def __init__(self) -> None:
        self.replies: list[ReplyMessageRequest] = []
        self.pushes: list[tuple[PushMessageRequest, str | None]] = []
        self.failures: list[ApiException] = []
        self.replies_expired = False
        self.menus_linked: list[tuple[str, str]] = []  # (user id, rich menu id)

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
        return [message.text for request in self.replies for message in request.messages]


def event(kind: str, source: dict[str, str], **fields: Any) -> dict[str, Any]:
    return {"type": kind, "mode": "active", "timestamp": 1764640000000,
            "webhookEventId": uuid.uuid4().hex.upper()[:26],
            "deliveryContext": {"isRedelivery": False}, "source": source,
            "replyToken": uuid.uuid4().hex, **fields}


def text(words: str, user: str = PERSON) -> dict[str, Any]:
    return event("message", {"type": "user", "userId": user},
                 message={"id": "1", "type": "text", "quoteToken": "q", "text": words})


def postback(data: str, user: str = PERSON) -> dict[str, Any]:
    return event("postback", {"type": "user", "userId": user}, postback={"data": data})


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


async def line_focal_point(webhook: TestClient[Any, Any], runtime: Runtime,
                           coordinator: User, person: str) -> User:
    code = await invite_code(runtime, coordinator, Role.FOCAL_POINT, "spp1_samutprakan")
    await post(webhook, text(f"/start {code}", user=person))
    user = await runtime.db.read.users.by_channel_id("line", person)
    assert user is not None
    return user


def quick_replies(request: PushMessageRequest | ReplyMessageRequest) -> list[tuple[str, str]]:
    last = request.messages[-1]
    return [(item.action.label, item.action.data)
            for item in (last.quick_reply.items if last.quick_reply else [])]
