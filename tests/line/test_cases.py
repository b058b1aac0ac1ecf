"""A person's cases and referrals on LINE after the registration: /mycases and the case
card, the holder's withdrawals and moves, typed notes (from a group too), /inbox and
/queue, and every notice's buttons; through the real webhook server, against a recording
stand-in of line-bot-sdk's messaging client."""

from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from linebot.v3.messaging import FlexMessage, ReplyMessageRequest

from bot.config import Settings
from bot.domain.models import Outcome, ReferralStatus, Role, User
from bot.flows.callback_data import SnoozeButton
from bot.i18n import translator
from bot.presenters import plain
from bot.runtime import Runtime
from bot.services import referrals
from handlers.reminders import queue_due_reminders
from line import cases, notes, reminders
from line import referrals as line_referrals
from tests.conftest import START, FakeClock, add_user
from tests.support.cases import by_need, register_and_send, register_case
from tests.support.line import (
    GROUP,
    PERSON,
    RecordingMessaging,
    flex_buttons,
    flex_texts,
    group_postback,
    in_group,
    line_focal_point,
    line_teacher,
    line_user,
    post,
    postback,
    text,
    webhook_app,
    within_limits,
)
from tests.support.line_openapi import request_errors

TEACHER = "U" + "4" * 32  # a teacher on LINE; PERSON is a focal point of primary ESA 1
t = translator("th")  # LINE says the people here read Thai


def said(key: str, **params: Any) -> str:
    return plain(t(key, **params))


def last_reply(messaging: RecordingMessaging) -> ReplyMessageRequest:
    """The last reply, after checking it against LINE's limits and LINE's OpenAPI."""
    reply = messaging.replies[-1]
    within_limits(reply.messages)
    assert request_errors("POST", "/v2/bot/message/reply", {}, reply.to_dict()) == []
    return reply


def texts(reply: ReplyMessageRequest) -> list[str]:
    return [message.text for message in reply.messages if not isinstance(message, FlexMessage)]


def choices_of(reply: ReplyMessageRequest) -> list[tuple[str, str]]:
    """The quick replies under the answer (what the person was owed comes before it)."""
    answer = reply.messages[-1]
    return [(item.action.label, item.action.data)
            for item in (answer.quick_reply.items if answer.quick_reply else [])]


def pushed_to(messaging: RecordingMessaging, chat: str) -> list[Any]:
    return [message for request, _ in messaging.pushes if request.to == chat
            for message in request.messages]


async def status_of(runtime: Runtime, referral_id: int) -> ReferralStatus:
    referral = await runtime.db.read.referrals.get(referral_id)
    assert referral is not None
    return referral.status


# --- /mycases and /case -----------------------------------------------------------------


async def test_mycases_pages_through_the_teachers_cases_and_opens_one_as_a_card(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User
) -> None:
    teacher = await line_teacher(webhook, runtime, coordinator, TEACHER)
    for name in ("สมชาย", "สมศรี", "มานี", "มานะ", "ปิติ", "ชูใจ"):
        await register_case(runtime, teacher, given_name=name)

    await post(webhook, text("/mycases", TEACHER))
    [first] = last_reply(messaging).messages
    labels = [label for label, _ in choices_of(last_reply(messaging))]
    assert len(labels) == 6 and labels[-1] == said("button-next")
    assert first.text.startswith(said("mycases-title", total=6, page=1, pages=2))
    await post(webhook, postback(choices_of(last_reply(messaging))[-1][1], TEACHER))
    second = choices_of(last_reply(messaging))
    assert [label for label, _ in second][-1] == said("button-previous")
    [(label, open_case)] = second[:-1]
    code = label.split()[-1]

    await post(webhook, postback(open_case, TEACHER))
    [card] = last_reply(messaging).messages
    assert isinstance(card, FlexMessage)
    assert card.alt_text == said("case-card-title", code=code)  # no name in notifications
    shown = flex_texts(card)
    assert shown[0] == said("case-card-title", code=code) and "ใจดี" in " ".join(shown)
    case = await runtime.db.read.cases.by_code(code)
    assert case is not None
    assert [data for _, data in flex_buttons(card)] == [  # its needs are not sent yet
        f"ca:{case.id}:send", f"ca:{case.id}:moved", f"ca:{case.id}:remind"]


async def test_a_case_is_opened_only_by_those_who_may_and_asked_for_with_its_code(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, teacher: User
) -> None:
    await register_case(runtime, teacher)  # a Telegram teacher's case
    await line_teacher(webhook, runtime, coordinator, TEACHER)

    await post(webhook, text("/case SPK-2568-00001", TEACHER))
    assert texts(last_reply(messaging)) == [said("error-case-not-found", code="SPK-2568-00001")]
    await post(webhook, postback("case:SPK-2568-00001", TEACHER))  # a forged button
    assert texts(last_reply(messaging)) == [said("error-case-not-found", code="SPK-2568-00001")]
    await post(webhook, text("/case", TEACHER))
    assert texts(last_reply(messaging)) == [said("case-usage")]

    await post(webhook, text("/mycases", TEACHER))
    assert texts(last_reply(messaging)) == [said("mycases-empty")]


# --- the holder's actions from the card -------------------------------------------------


async def test_a_line_teacher_withdraws_a_referral_with_a_reason_from_the_card(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User
) -> None:
    teacher = await line_teacher(webhook, runtime, coordinator, TEACHER)
    changes = await register_and_send(runtime, teacher)
    rid = by_need(changes, "EDUCATION").view.referral.id

    await post(webhook, text("/case SPK-2568-00001", TEACHER))
    [card] = last_reply(messaging).messages
    withdraw = dict(flex_buttons(card))[said("button-withdraw")]
    await post(webhook, postback(withdraw, TEACHER))
    assert texts(last_reply(messaging)) == [said("withdraw-which")]
    which = [data for _, data in choices_of(last_reply(messaging))]
    assert f"rf:{rid}:withdraw" in which and len(which) == 2

    await post(webhook, postback(f"rf:{rid}:withdraw", TEACHER))
    reasons = choices_of(last_reply(messaging))
    assert [data for _, data in reasons][-2:] == [f"nt:{rid}:withdraw", f"rf:{rid}:keep"]
    await post(webhook, postback(f"rf:{rid}:keep", TEACHER))
    assert texts(last_reply(messaging)) == [said("nothing-changed")]
    assert await status_of(runtime, rid) is ReferralStatus.SENT

    await post(webhook, postback(f"rfc:{rid}:withdraw:no_longer_needed", TEACHER))
    assert texts(last_reply(messaging)) == [said("withdraw-done", code="SPK-2568-00001",
                                                 need=t("need-EDUCATION"))]
    referral = await runtime.db.read.referrals.get(rid)
    assert referral is not None and referral.status is ReferralStatus.CANCELLED
    assert referral.reason == "no_longer_needed"

    await post(webhook, postback(f"rfc:{rid}:withdraw:sent_by_mistake", TEACHER))  # again
    assert texts(last_reply(messaging)) == [said("error-stale")]
    assert (await runtime.db.read.referrals.get(rid)).reason == "no_longer_needed"


async def test_a_line_teacher_records_a_move_and_sends_the_needs_to_the_new_districts_units(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User
) -> None:
    teacher = await line_teacher(webhook, runtime, coordinator, TEACHER)
    [change] = await register_and_send(runtime, teacher, needs=("EDUCATION",))
    case_id = change.view.referral.case_id

    await post(webhook, postback(f"ca:{case_id}:moved", TEACHER))
    districts = choices_of(last_reply(messaging))
    assert texts(last_reply(messaging)) == [said("move-ask-district")]
    assert len(districts) == len(runtime.geography.districts)
    elsewhere = next(data for _, data in districts if not data.endswith(":1101"))
    await post(webhook, postback(elsewhere, TEACHER))

    case = await runtime.db.read.cases.get(case_id)
    assert case is not None and case.district_code == elsewhere.rsplit(":", 1)[1]
    after = [data for _, data in choices_of(last_reply(messaging))]
    assert after == [f"mp:{case_id}:reroute", f"mp:{case_id}:keep"]
    await post(webhook, postback(f"mp:{case_id}:reroute", TEACHER))
    assert texts(last_reply(messaging))[0].startswith(said("plan-sent"))
    assert await status_of(runtime, change.view.referral.id) is ReferralStatus.CANCELLED


async def test_a_line_teacher_is_reminded_of_a_case_on_a_typed_day(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User
) -> None:
    teacher = await line_teacher(webhook, runtime, coordinator, TEACHER)
    case = await register_case(runtime, teacher)

    await post(webhook, postback(f"ca:{case.id}:remind", TEACHER))
    menu = [data for _, data in choices_of(last_reply(messaging))]
    assert menu == [f"rm:{case.id}:{days}" for days in (1, 3, 7, 14)] + [f"nt:{case.id}:remind"]
    await post(webhook, postback(f"rm:{case.id}:1", TEACHER))
    assert texts(last_reply(messaging)) == [said("remind-set", date="25 พ.ย. 2568")]

    await post(webhook, postback(f"nt:{case.id}:remind", TEACHER))
    assert texts(last_reply(messaging)) == [said("note-ask-remind", code=case.code)]
    await post(webhook, text("วันอังคาร", TEACHER))  # not a date: asked again
    assert texts(last_reply(messaging)) == [said("error-date-format")]
    await post(webhook, text("1/12/2568", TEACHER))
    assert texts(last_reply(messaging)) == [said("remind-set", date="1 ธ.ค. 2568")]
    follow_ups = await runtime.db.read.conn.execute_fetchall(
        "SELECT COUNT(*) FROM reminders WHERE case_id = ? AND kind = 'follow_up'", (case.id,))
    assert follow_ups[0][0] == 2
    await post(webhook, text("2/12/2568", TEACHER))  # the note is over
    assert texts(last_reply(messaging)) == [said("not-understood")]


# --- typed notes ------------------------------------------------------------------------


async def test_a_question_pressed_in_a_line_group_is_typed_privately_and_answered_on_line(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User
) -> None:
    teacher = await line_teacher(webhook, runtime, coordinator, TEACHER)
    await line_focal_point(webhook, runtime, coordinator, PERSON)
    await post(webhook, in_group("/linkgroup"))
    [change] = await register_and_send(runtime, teacher, needs=("EDUCATION",))
    rid = change.view.referral.id
    await runtime.outbox.drain()
    [shown] = pushed_to(messaging, GROUP)
    assert (said("button-ask"), f"nt:{rid}:ask") in [
        (item.action.display_text, item.action.data) for item in shown.quick_reply.items]

    await post(webhook, group_postback(f"nt:{rid}:ask"))
    assert texts(last_reply(messaging)) == [said("line-note-asked-privately")]
    [prompt] = pushed_to(messaging, PERSON)
    assert prompt.text == said("note-ask-ask", code="SPK-2568-00001", need=t("need-EDUCATION"),
                               limit=referrals.NOTE_LIMIT)

    await post(webhook, text("เด็กมีสูติบัตรหรือไม่", PERSON))
    assert texts(last_reply(messaging)) == [said("note-saved-ask", code="SPK-2568-00001")]
    assert await status_of(runtime, rid) is ReferralStatus.INFO_REQUESTED

    await runtime.outbox.drain()
    [notice] = pushed_to(messaging, TEACHER)
    assert "เด็กมีสูติบัตรหรือไม่" in notice.text
    assert (said("button-answer"), f"nt:{rid}:answer") in [
        (item.action.label, item.action.data) for item in notice.quick_reply.items]
    within_limits([notice])

    await post(webhook, postback(f"nt:{rid}:answer", TEACHER))
    assert "SPK-2568-00001" in texts(last_reply(messaging))[0]
    await post(webhook, text("มีครับ อยู่กับยาย", TEACHER))
    assert texts(last_reply(messaging)) == [said("note-saved-answer", code="SPK-2568-00001")]
    assert await status_of(runtime, rid) is ReferralStatus.SENT

    await runtime.outbox.drain()
    told = [message.text for chat in (GROUP, PERSON) for message in pushed_to(messaging, chat)]
    assert any("มีครับ อยู่กับยาย" in words for words in told)  # the unit is told


async def test_with_the_months_pushes_spent_the_group_is_told_to_type_in_the_bots_chat(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, teacher: User, settings: Settings
) -> None:
    await line_focal_point(webhook, runtime, coordinator, PERSON)
    await post(webhook, in_group("/linkgroup"))
    [change] = await register_and_send(runtime, teacher, needs=("EDUCATION",))
    rid = change.view.referral.id
    await runtime.outbox.drain()
    pushes = len(messaging.pushes)
    settings.line_push_budget = 0

    await post(webhook, group_postback(f"nt:{rid}:ask"))
    assert texts(last_reply(messaging)) == [said("line-note-open-chat")]
    assert len(messaging.pushes) == pushes  # nothing pushed beyond the budget

    await post(webhook, text("ผู้ปกครองติดต่อได้ทางไหน", PERSON))  # typed in the bot's chat
    assert said("note-saved-ask", code="SPK-2568-00001") in texts(last_reply(messaging))
    assert await status_of(runtime, rid) is ReferralStatus.INFO_REQUESTED


async def test_a_note_begun_before_a_restart_is_finished_after_it(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, teacher: User, settings: Settings, clock: FakeClock
) -> None:
    await line_focal_point(webhook, runtime, coordinator, PERSON)
    [change] = await register_and_send(runtime, teacher, needs=("EDUCATION",))
    rid = change.view.referral.id
    await post(webhook, postback(f"rf:{rid}:decline"))
    other = choices_of(last_reply(messaging))[-1][1]
    assert other == f"nt:{rid}:decline"
    await post(webhook, postback(other))
    assert "/cancel" in texts(last_reply(messaging))[0]

    restarted = await Runtime.start(settings, clock=clock)  # a new process, the same db
    again = RecordingMessaging()
    try:
        async with TestClient(TestServer(webhook_app(restarted, again))) as client:
            await post(client, text("เด็กย้ายไปต่างจังหวัดแล้ว"))
            assert texts(again.replies[-1]) == [said("note-saved-decline")]
            await post(client, text("อีกข้อความหนึ่ง"))  # not taken for another note
            assert texts(again.replies[-1]) == [said("not-understood")]
    finally:
        await restarted.close()
    referral = await runtime.db.read.referrals.get(rid)
    assert referral is not None and referral.status is ReferralStatus.DECLINED
    assert referral.reason == "other"


async def test_a_note_is_cancelled_and_a_sticker_is_not_a_note(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, teacher: User
) -> None:
    await line_focal_point(webhook, runtime, coordinator, PERSON)
    [change] = await register_and_send(runtime, teacher, needs=("EDUCATION",))
    rid = change.view.referral.id
    await post(webhook, postback(f"nt:{rid}:ask"))

    sticker = text("x")
    sticker["message"] = {"id": "3", "type": "sticker", "quoteToken": "q", "packageId": "1",
                          "stickerId": "1", "stickerResourceType": "STATIC"}
    await post(webhook, sticker)
    assert texts(last_reply(messaging)) == [said("error-text-expected")]
    await post(webhook, text("/cancel"))
    assert texts(last_reply(messaging)) == [said("note-cancelled")]
    await post(webhook, text("คำถาม"))
    assert texts(last_reply(messaging)) == [said("not-understood")]
    assert await status_of(runtime, rid) is ReferralStatus.SENT

    await post(webhook, postback(f"rf:{rid}:accept"))
    await post(webhook, postback(f"nt:{rid}:ask"))  # an old message's button
    stale, now = last_reply(messaging).messages[:2]
    assert stale.text == said("error-stale") and "SPK-2568-00001" in now.text
    assert now.quick_reply.items[0].action.data == f"rf:{rid}:start"
    await post(webhook, text("คำถาม"))  # no note was begun
    assert texts(last_reply(messaging)) == [said("not-understood")]


# --- reminders' buttons -----------------------------------------------------------------


async def test_a_line_focal_point_snoozes_a_reminder_and_nobody_else_may(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, teacher: User, clock: FakeClock
) -> None:
    await line_focal_point(webhook, runtime, coordinator, PERSON)
    await line_teacher(webhook, runtime, coordinator, TEACHER)
    await register_and_send(runtime, teacher, needs=("EDUCATION",))
    await runtime.outbox.drain()
    clock.now = START + timedelta(days=3)
    await queue_due_reminders(runtime)
    await runtime.outbox.drain()
    reminder = pushed_to(messaging, PERSON)[-1]
    within_limits([reminder])
    choices = {item.action.label: item.action.data for item in reminder.quick_reply.items}
    snooze = choices[said("button-snooze-1")]
    assert said("button-accept") in choices

    await post(webhook, postback(snooze, TEACHER))  # not theirs
    assert texts(last_reply(messaging)) == [said("error-permission")]
    await post(webhook, postback(snooze))
    assert texts(last_reply(messaging)) == [said("reminder-snoozed", date="28 พ.ย. 2568")]


async def test_a_reminder_in_the_units_line_group_is_snoozed_there(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, teacher: User, clock: FakeClock
) -> None:
    await line_focal_point(webhook, runtime, coordinator, PERSON)
    await post(webhook, in_group("/linkgroup"))
    await register_and_send(runtime, teacher, needs=("EDUCATION",))
    await runtime.outbox.drain()
    clock.now = START + timedelta(days=3)
    await queue_due_reminders(runtime)
    await runtime.outbox.drain()
    reminder = pushed_to(messaging, GROUP)[-1]
    choices = {item.action.label: item.action.data for item in reminder.quick_reply.items}

    snooze = choices[said("button-snooze-1")]
    await post(webhook, group_postback(snooze))

    assert texts(last_reply(messaging)) == [said("reminder-snoozed", date="28 พ.ย. 2568")]
    pressed = SnoozeButton.unpack(snooze)
    assert pressed is not None
    pressed_one = await runtime.db.read.reminders.get(pressed.reminder_id)
    assert pressed_one is not None and pressed_one.status != "pending"
    pending = await runtime.db.read.reminders.pending_for(referral_id=pressed_one.referral_id)
    assert any(again.kind is pressed_one.kind
               and again.due_at.date() == (clock.now + timedelta(days=1)).date()
               for again in pending)


async def test_a_line_teacher_answers_that_the_child_moved_and_says_where(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, clock: FakeClock
) -> None:
    teacher = await line_teacher(webhook, runtime, coordinator, TEACHER)
    primary = await add_user(runtime, Role.FOCAL_POINT, "spp1_samutprakan", "2001",
                             inviter=coordinator)
    [change] = await register_and_send(runtime, teacher, needs=("EDUCATION",))
    rid = change.view.referral.id
    await referrals.accept(runtime.db, primary, rid, now=runtime.now())
    await referrals.complete(runtime.db, primary, rid, Outcome.ENROLLED_SCHOOL,
                             now=runtime.now(), policy=runtime.settings.reminder_policy)
    clock.now = START + timedelta(days=30)
    await queue_due_reminders(runtime)
    await runtime.outbox.drain()
    asked = pushed_to(messaging, TEACHER)[-1]
    answers = {item.action.data.rsplit(":", 1)[1]: item.action.data
               for item in asked.quick_reply.items}
    assert set(answers) == {"yes", "no", "moved", "unknown"}

    await post(webhook, postback(answers["moved"], TEACHER))
    moved, where = last_reply(messaging).messages[:2]
    assert moved.text == said("attendance-answered-moved", code="SPK-2568-00001")
    assert where.text == said("move-ask-district")
    await post(webhook, postback(answers["moved"], TEACHER))  # answered already
    assert texts(last_reply(messaging))[0] == said("error-stale")

    district = [(item.action.label, item.action.data) for item in where.quick_reply.items]
    await post(webhook, postback(district[-1][1], TEACHER))
    case = await runtime.db.read.cases.get(change.view.referral.case_id)
    assert case is not None and case.district_code == district[-1][1].rsplit(":", 1)[1]


# --- /inbox and /queue ------------------------------------------------------------------


async def test_a_units_inbox_pages_and_opens_a_referral_with_its_choices(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, teacher: User
) -> None:
    await line_focal_point(webhook, runtime, coordinator, PERSON)
    for name in ("สมชาย", "สมศรี", "มานี", "มานะ", "ปิติ", "ชูใจ"):
        await register_and_send(runtime, teacher, needs=("EDUCATION",), given_name=name)

    await post(webhook, text("/inbox"))
    shown = choices_of(last_reply(messaging))
    assert len(shown) == 6 and shown[-1][0] == said("button-next")
    assert not any(name in texts(last_reply(messaging))[0] for name in ("สมชาย", "ชูใจ"))
    await post(webhook, postback(shown[0][1]))
    referral = last_reply(messaging).messages[0]
    assert [data.split(":")[-1] for _, data in choices_of(last_reply(messaging))] == [
        "accept", "decline", "ask"]
    assert "SPK-2568-0000" in referral.text

    await post(webhook, text("/queue"))  # a focal point has no queue
    assert texts(last_reply(messaging)) == [said("error-permission")]


async def test_the_coordinators_queue_offers_each_need_to_send(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, teacher: User
) -> None:
    await line_user(webhook, runtime, coordinator, PERSON, Role.COORDINATOR, "peo_samutprakan")
    case = await register_case(runtime, teacher)
    [proposed] = (await referrals.plan(runtime.db, teacher, case.id)).views
    rid = proposed.referral.id
    await referrals.choose_destination(runtime.db, teacher, rid, None, now=runtime.now())
    await referrals.send(runtime.db, teacher, case.id, now=runtime.now(), default_language="th")

    await post(webhook, text("/queue"))
    assert "SPK-2568-00001" in texts(last_reply(messaging))[0]
    assert choices_of(last_reply(messaging)) == [
        (plain(t("line-referral-choice", number="00001", need=t("need-EDUCATION"))),
         f"dl:{rid}:1")]


# --- forged and stale postbacks ---------------------------------------------------------


async def test_forged_postbacks_change_nothing_and_say_so(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, teacher: User
) -> None:
    [theirs] = await register_and_send(runtime, teacher, needs=("EDUCATION",))
    rid, case_id = theirs.view.referral.id, theirs.view.referral.case_id
    await line_teacher(webhook, runtime, coordinator, TEACHER)
    before = await runtime.db.read.cases.get(case_id)

    refused = {
        f"ca:{case_id}:withdraw": "error-permission",  # another teacher's case
        f"ca:{case_id}:moved": "error-permission",
        f"ca:{case_id}:remind": "error-permission",
        f"rm:{case_id}:1": "error-permission",
        f"md:{case_id}:1102": "error-permission",
        f"mp:{case_id}:reroute": "error-permission",
        f"rf:{rid}:withdraw": "error-permission",
        f"rfc:{rid}:withdraw:no_longer_needed": "error-permission",
        f"nt:{rid}:answer": "error-permission",
        f"nt:{rid}:ask": "error-permission",  # the unit's, not a teacher's
        f"ca:{case_id}:unknown": "error-stale",  # data the bot never made
        f"md:{case_id}:9999": "error-stale",
        f"rm:{case_id}:5": "error-stale",
        f"nt:{rid}:bogus": "error-stale",
        f"rfc:{rid}:withdraw:nonsense": "error-stale",
        "sz:99999:1": "error-permission",
        "at:99999:yes": "error-permission",
        f"rf:{rid}:dismiss": "error-permission",
    }
    for data, key in refused.items():
        await post(webhook, postback(data, TEACHER))
        assert texts(last_reply(messaging))[0] == said(key), data

    assert await status_of(runtime, rid) is ReferralStatus.SENT
    assert await runtime.db.read.cases.get(case_id) == before
    reminders_set = await runtime.db.read.conn.execute_fetchall(
        "SELECT COUNT(*) FROM reminders WHERE kind = 'follow_up'")
    assert reminders_set[0][0] == 0


def test_sending_from_the_card_is_left_to_the_plan_and_no_postback_is_claimed_twice() -> None:
    postbacks = [*cases.ROUTES.postbacks, *notes.ROUTES.postbacks,
                 *reminders.ROUTES.postbacks, *line_referrals.ROUTES.postbacks]
    samples = ["ca:1:send", "ca:1:withdraw", "ca:1:moved", "ca:1:remind", "nt:1:ask",
               "rf:1:withdraw", "rfc:1:withdraw:duplicate", "mc:1", "case:X", "md:1:1101",
               "mp:1:keep", "rm:1:1", "sz:1:1", "at:1:yes", "ip:1", "qp:1"]
    claims = {data: sum(postback.matches(data) for postback in postbacks) for data in samples}
    assert claims == {data: 0 if data == "ca:1:send" else 1 for data in samples}


async def test_with_the_months_pushes_spent_details_accepted_in_a_group_are_not_pushed(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, teacher: User, settings: Settings
) -> None:
    await line_focal_point(webhook, runtime, coordinator, PERSON)
    await post(webhook, in_group("/linkgroup"))
    [change] = await register_and_send(runtime, teacher, needs=("EDUCATION",))
    await runtime.outbox.drain()
    pushes = len(messaging.pushes)
    settings.line_push_budget = 0

    await post(webhook, group_postback(f"rf:{change.view.referral.id}:accept"))
    in_the_group = texts(last_reply(messaging))
    assert in_the_group[-1] == said("line-details-open-chat")
    assert not any("สมชาย" in words for words in in_the_group)
    assert len(messaging.pushes) == pushes
