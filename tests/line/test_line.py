"""The LINE adapter through its real webhook server: signed events in, replies and pushes
out to a recording stand-in of line-bot-sdk's messaging client (nothing calls LINE)."""

import asyncio
import uuid
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from linebot.v3.messaging import ApiException, PushMessageRequest

from bot.config import Settings
from bot.domain.models import Role, User
from bot.flows.callback_data import LanguageButton
from bot.i18n import translator
from bot.presenters import plain
from bot.runtime import Runtime
from bot.services import linking, onboarding
from bot.services.notices import Notice
from bot.services.outbox import owe_notices
from line.webhook import HANDLING
from tests.conftest import FakeClock
from tests.support.cases import register_and_send
from tests.support.line import (
    GROUP,
    PERSON,
    RecordingMessaging,
    event,
    in_group,
    invite_code,
    line_focal_point,
    post,
    postback,
    quick_replies,
    signed,
    text,
)


async def test_a_request_without_a_good_signature_is_refused_and_changes_nothing(
    webhook: TestClient[Any, Any], messaging: RecordingMessaging, caplog: pytest.LogCaptureFixture
) -> None:
    body, headers = signed(text("/help"), secret="somebody-else")
    forged = await webhook.post("/line/webhook", data=body, headers=headers)
    unsigned = await webhook.post("/line/webhook", data=body,
                                  headers={"Content-Type": "application/json"})

    assert (forged.status, unsigned.status) == (400, 400)
    assert messaging.replies == []
    assert "wrong signature" in caplog.text and "no signature" in caplog.text
    assert "/help" not in caplog.text  # the body is not logged


async def test_a_stranger_is_told_how_to_get_access_and_joins_with_an_invite(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User
) -> None:
    follow = event("follow", {"type": "user", "userId": PERSON}, follow={"isUnblocked": False})
    assert await post(webhook, follow) == 200
    assert messaging.replied() == [plain(translator("th")("not-registered"))]

    await post(webhook, text(f"/start {await invite_code(runtime, coordinator)}"))

    joined = await runtime.db.read.users.by_channel_id("line", PERSON)
    assert joined is not None and joined.role is Role.TEACHER
    assert joined.display_name == "Kru Malee"
    assert "/new" in messaging.replied()[-1]  # the teacher's help follows the welcome
    owed = await runtime.db.read.outbox.pending(10)
    assert [(row.channel, row.payload["key"]) for row in owed] == [
        ("telegram", "invite-redeemed-notice")]  # the coordinator, on Telegram, is told
    assert "<" not in messaging.replied()[-1]  # LINE shows plain text: no markup


async def test_a_used_invite_is_refused_in_the_persons_language(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User
) -> None:
    code = await invite_code(runtime, coordinator)
    await post(webhook, text(f"/start {code}"))
    other = "U" + "3" * 32
    await post(webhook, text(f"/start {code}", user=other))
    assert await runtime.db.read.users.by_channel_id("line", other) is None
    assert messaging.replied()[-1] == plain(translator("th")("error-invite-used"))


async def test_language_is_chosen_with_quick_replies_and_forged_data_changes_nothing(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User
) -> None:
    await post(webhook, text(f"/start {await invite_code(runtime, coordinator)}"))
    await post(webhook, text("/language"))
    [asked] = messaging.replies[-1].messages
    items = asked.quick_reply.items
    assert [item.action.label for item in items] == ["ไทย", "English"]
    assert all(len(item.action.data) <= 300 for item in items)

    await post(webhook, postback("forged:data"))
    assert (await runtime.db.read.users.by_channel_id("line", PERSON)).language == "th"

    await post(webhook, postback(LanguageButton(language="en").pack()))
    assert (await runtime.db.read.users.by_channel_id("line", PERSON)).language == "en"
    assert "English" in messaging.replied()[-1]


async def test_a_focal_point_links_a_line_group_which_then_gets_the_units_referrals(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, teacher: User
) -> None:
    stranger = "U" + "9" * 32
    await post(webhook, in_group("/linkgroup", user=stranger))
    assert messaging.replied()[-1] == plain(translator("th")("not-registered"))
    code = await invite_code(runtime, coordinator, Role.FOCAL_POINT, "spp1_samutprakan")
    await post(webhook, text(f"/start {code}"))

    await post(webhook, in_group("/linkgroup"))
    await post(webhook, in_group("hello everyone"))  # not the bot's: no answer

    chat = await runtime.db.read.referrals.unit_chat("spp1_samutprakan")
    assert chat is not None and (chat.channel, chat.chat_id) == ("line", GROUP)
    assert "ประถมศึกษาสมุทรปราการ เขต 1" in messaging.replied()[-1]  # the unit's name
    replies = len(messaging.replies)
    await register_and_send(runtime, teacher, needs=("EDUCATION",))
    await runtime.outbox.drain()
    [(pushed, _)] = [(r, k) for r, k in messaging.pushes if r.to == GROUP]
    assert "SPK-2568-00001" in pushed.messages[0].text
    assert len(messaging.replies) == replies

    await post(webhook, event("leave", {"type": "group", "groupId": GROUP}))
    assert await runtime.db.read.referrals.unit_chat("spp1_samutprakan") is None


async def test_a_person_who_blocks_the_account_is_marked_unreachable(
    webhook: TestClient[Any, Any], runtime: Runtime, coordinator: User
) -> None:
    await post(webhook, text(f"/start {await invite_code(runtime, coordinator)}"))
    await post(webhook, event("unfollow", {"type": "user", "userId": PERSON}))
    person = await runtime.db.read.users.by_channel_id("line", PERSON)
    assert person is not None and person.unreachable_since is not None


def notice(n: int) -> Notice:
    return Notice(channel="line", channel_user_id=PERSON, language="en",
                  key="import-leads-notice", params={"count": n, "waiting": n})


async def owe(runtime: Runtime, count: int) -> None:
    async with runtime.db.unit_of_work() as uow:
        await owe_notices(uow, [notice(n) for n in range(1, count + 1)], runtime.now())
        await uow.commit()


async def test_owed_notices_are_pushed_five_to_a_push_with_a_retry_key(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging
) -> None:
    await owe(runtime, 6)
    messaging.fail_next_push(500, "Internal Server Error")

    await runtime.outbox.drain()
    assert messaging.pushes == []
    runtime.clock.advance(seconds=30)  # type: ignore[attr-defined]
    await runtime.outbox.drain()

    assert [len(request.messages) for request, _ in messaging.pushes] == [5, 1]
    keys = [key for _, key in messaging.pushes]
    assert all(str(uuid.UUID(key)) == key for key in keys) and keys[0] != keys[1]
    texts = [m.text for request, _ in messaging.pushes for m in request.messages]
    assert texts == [plain(translator("en")("import-leads-notice", count=n, waiting=n))
                     for n in range(1, 7)]  # in the order owed
    assert await runtime.db.read.usage.pushes("line", "2025-11") == 2


async def test_a_retried_push_of_the_same_rows_carries_the_same_retry_key(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    clock: FakeClock
) -> None:
    """LINE took the first push but its answer was lost: the retry is the same push, and
    LINE will not deliver it twice (it answers 409, which counts as sent)."""
    await owe(runtime, 2)
    taken: list[str | None] = []
    original = messaging.push_message_with_http_info

    async def lost_answer(request: PushMessageRequest, x_line_retry_key: str | None = None
                          ) -> None:
        taken.append(x_line_retry_key)
        if len(taken) == 1:
            raise ApiException(status=500, reason="answer lost")
        if len(taken) == 2:
            raise ApiException(status=409, reason="Conflict")
        await original(request, x_line_retry_key)

    messaging.push_message_with_http_info = lost_answer  # type: ignore[method-assign]
    await runtime.outbox.drain()
    clock.advance(seconds=30)
    await runtime.outbox.drain()

    assert taken[0] == taken[1]
    assert await runtime.db.read.outbox.pending(10) == []


async def test_when_the_months_pushes_run_low_coordinators_are_told_and_then_notices_wait(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, clock: FakeClock
) -> None:
    for _ in range(10):  # the budget: ten pushes, one notice each, an hour apart
        await owe(runtime, 1)
        await runtime.outbox.drain()
        clock.advance(hours=1)
    assert len(messaging.pushes) == 10
    warnings = [row for row in await runtime.db.read.outbox.pending(100)
                if row.payload.get("key") == "pushes-running-low"]
    assert len(warnings) == 1 and warnings[0].chat_id == coordinator.channel_user_id

    await owe(runtime, 1)
    await runtime.outbox.drain()
    assert len(messaging.pushes) == 10  # the eleventh waits for next month
    [waiting] = [row for row in await runtime.db.read.outbox.pending(100)
                 if row.channel == "line"]
    assert waiting.next_attempt_at.astimezone(runtime.settings.tz).day == 1


def test_an_invites_line_link_opens_the_account_with_the_invite_typed_in() -> None:
    assert onboarding.line_start_link("@abc1234x", "Zx9-_q") == (
        "https://line.me/R/oaMessage/%40abc1234x/?/start%20Zx9-_q")


async def test_what_a_person_is_owed_goes_free_with_the_next_reply_to_them(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, settings: Settings
) -> None:
    """With the month's pushes used up, notices wait; the person's next message is
    answered with them, in the same (free) reply, in the order owed."""
    await post(webhook, text(f"/start {await invite_code(runtime, coordinator)}"))
    settings.line_push_budget = 0
    await owe(runtime, 2)
    await runtime.outbox.drain()
    assert messaging.pushes == []

    await post(webhook, text("/help"))

    [reply] = messaging.replies[-1:]
    texts = [message.text for message in reply.messages]
    assert len(texts) == 3 and "/new" in texts[0]
    assert texts[1:] == [plain(translator("en")("import-leads-notice", count=n, waiting=n))
                         for n in (1, 2)]
    assert [row for row in await runtime.db.read.outbox.pending(10)
            if row.channel == "line"] == []
    assert await runtime.db.read.usage.pushes("line", "2025-11") == 0


async def test_an_answer_with_quick_replies_comes_after_what_is_owed_so_they_show(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, settings: Settings
) -> None:
    """LINE shows quick replies under the chat's last message only."""
    await post(webhook, text(f"/start {await invite_code(runtime, coordinator)}"))
    settings.line_push_budget = 0
    await owe(runtime, 1)
    await runtime.outbox.drain()

    await post(webhook, text("/language"))

    *owed, asked = messaging.replies[-1].messages
    assert [message.text for message in owed] == [
        plain(translator("en")("import-leads-notice", count=1, waiting=1))]
    assert asked.text == plain(translator("th")("language-ask"))
    assert asked.quick_reply is not None


async def test_a_telegram_teacher_links_line_and_a_line_teacher_gets_a_code_for_telegram(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    teacher: User, coordinator: User
) -> None:
    made = await linking.make_code(runtime.db, teacher, now=runtime.now())
    await post(webhook, text(f"/start {made.code}"))
    assert messaging.replied()[-1].startswith(plain(translator("th")(
        "link-done", role=translator("th")("role-teacher"), organisation="x"))[:20])
    assert (await runtime.db.read.users.by_channel_id("line", PERSON)).id == teacher.id

    other = "U" + "8" * 32
    await post(webhook, text(f"/start {await invite_code(runtime, coordinator)}", user=other))
    await post(webhook, text("/link", user=other))
    [code] = [word for word in messaging.replied()[-1].split() if word.startswith("link-")]
    assert linking.is_link_code(code)


async def test_a_line_focal_point_accepts_a_referral_first_and_the_second_is_told_who_took_it(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, teacher: User
) -> None:
    other = "U" + "a" * 32
    malee = await line_focal_point(webhook, runtime, coordinator, PERSON)
    await line_focal_point(webhook, runtime, coordinator, other)
    changes = await register_and_send(runtime, teacher, needs=("EDUCATION",))
    rid = changes[0].view.referral.id
    await runtime.outbox.drain()

    [shown] = [request for request, _ in messaging.pushes if request.to == PERSON]
    choices = dict(quick_replies(shown))
    assert "สมชาย" not in shown.messages[0].text  # no name before accepting
    accept = next(data for label, data in choices.items() if "รับ" in label)

    await post(webhook, postback(accept))
    answer = [m.text for m in messaging.replies[-1].messages]
    assert any("สมชาย" in text for text in answer)  # the details, in her own chat
    referral = await runtime.db.read.referrals.get(rid)
    assert referral.accepted_by == malee.id

    await post(webhook, postback(accept, user=other))
    late = [m.text for m in messaging.replies[-1].messages]
    assert "Kru Malee" in late[0] and not any("สมชาย" in text for text in late)
    assert (await runtime.db.read.referrals.get(rid)).accepted_by == malee.id


async def test_a_line_focal_point_declines_with_a_reason_from_quick_replies(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, teacher: User
) -> None:
    await line_focal_point(webhook, runtime, coordinator, PERSON)
    rid = (await register_and_send(runtime, teacher, needs=("EDUCATION",)))[0].view.referral.id
    await runtime.outbox.drain()
    [shown] = [request for request, _ in messaging.pushes if request.to == PERSON]
    decline = [data for _, data in quick_replies(shown)][1]

    await post(webhook, postback(decline))
    reasons = quick_replies(messaging.replies[-1])
    assert len(reasons) == 6 and all(len(label) <= 20 for label, _ in reasons)
    assert reasons[-1][1] == f"nt:{rid}:decline"  # another reason, typed
    await post(webhook, postback(reasons[0][1]))

    referral = await runtime.db.read.referrals.get(rid)
    assert referral.status == "declined" and referral.reason == "outside_area"
    await post(webhook, postback("rc:999999:decline:nonsense"))  # forged: nothing changes
    assert (await runtime.db.read.referrals.get(rid)).status == "declined"


async def test_accepting_in_a_line_group_sends_the_details_privately_only(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, teacher: User
) -> None:
    await line_focal_point(webhook, runtime, coordinator, PERSON)
    await post(webhook, in_group("/linkgroup"))
    await register_and_send(runtime, teacher, needs=("EDUCATION",))
    await runtime.outbox.drain()
    [shown] = [request for request, _ in messaging.pushes if request.to == GROUP]
    accept = quick_replies(shown)[0][1]

    body, headers = signed(event("postback", {"type": "group", "groupId": GROUP,
                                              "userId": PERSON}, postback={"data": accept}))
    await webhook.post("/line/webhook", data=body, headers=headers)
    await asyncio.gather(*webhook.app[HANDLING])

    in_the_group = [m.text for m in messaging.replies[-1].messages]
    assert not any("สมชาย" in text for text in in_the_group)
    [private] = [request for request, _ in messaging.pushes if request.to == PERSON]
    assert "สมชาย" in private.messages[0].text
