"""Follow-up reminders through the real Application: each kind at its time, quiet hours,
cancellation, escalation, restarts, Telegram failures, and the buttons on reminders.

The clock is injected: tests move it forward and run one wake-up of the reminder job.
"""

from datetime import timedelta

import pytest

from bot.domain.models import (
    Outcome,
    ReferralStatus,
    ReminderKind,
    ReminderStatus,
    Role,
    User,
)
from bot.runtime import Runtime
from bot.services import referrals, reminders, users
from handlers.app import build_application
from handlers.reminders import queue_due_reminders
from tests.conftest import START, FakeClock, add_user
from tests.handlers.conftest import COORDINATOR, TEACHER, ChatHarness
from tests.support.cases import by_need, register_and_send
from tests.support.telegram_fake import FakeUser, RecordingRequest

# START is Monday 24 Nov 2025, 10:00 in Bangkok.
PRIMARY = FakeUser(id=2001, first_name="Malai", language_code="en")  # primary ESA 1
WELFARE = FakeUser(id=3001, first_name="Suda", language_code="en")  # social development


@pytest.fixture
async def focal_points(runtime: Runtime, coordinator: User, teacher: User) -> None:
    """Two focal points; everyone reads English."""
    for person, unit in ((PRIMARY, "spp1_samutprakan"), (WELFARE, "msdhs_pso_samutprakan")):
        await add_user(runtime, Role.FOCAL_POINT, unit, str(person.id), person.first_name,
                       inviter=coordinator, language="en")
    for user in (coordinator, teacher):
        await users.set_language(runtime.db, user, "en", runtime.now())


async def wake(chat: ChatHarness, runtime: Runtime) -> int:
    """The reminders job's round, and the outbox's delivery it wakes; messages sent."""
    await queue_due_reminders(runtime)
    return await chat.deliver()


def reminders_to(chat: ChatHarness, person: FakeUser, marker: str = "⏰") -> list[str]:
    return [text for text in chat.request.texts(person.id) if marker in text]


async def _education(runtime: Runtime, teacher: User) -> int:
    """A case with one need, schooling, sent to primary service area 1."""
    changes = await register_and_send(runtime, teacher, needs=("EDUCATION",))
    return by_need(changes, "EDUCATION").view.referral.id


async def test_an_unanswered_referral_reminds_the_unit_then_tells_the_coordinators(
    chat: ChatHarness, runtime: Runtime, clock: FakeClock, teacher: User, focal_points: None
) -> None:
    await _education(runtime, teacher)

    clock.now = START + timedelta(days=3) - timedelta(minutes=1)  # Thursday 09:59
    await wake(chat, runtime)
    assert reminders_to(chat, PRIMARY) == []

    clock.now = START + timedelta(days=3)  # three working days later
    await wake(chat, runtime)
    [reminder] = reminders_to(chat, PRIMARY)
    assert "SPK-2568-00001" in reminder and "waited 3 days" in reminder
    assert "สมชาย" not in reminder  # no name in a reminder
    labels = [label for label, _ in chat.buttons(PRIMARY)]
    assert labels == ["✅ Accept", "✖ Decline", "💤 Tomorrow", "💤 In a week"]

    clock.now = START + timedelta(days=7)
    await wake(chat, runtime)
    escalation = chat.last_text(COORDINATOR)
    assert "waited 7 days" in escalation and "Primary ESA 1 has not answered" in escalation
    await wake(chat, runtime)  # nothing is sent twice
    assert len(reminders_to(chat, PRIMARY)) == 1
    assert len(reminders_to(chat, COORDINATOR, "⚠️")) == 1


async def test_working_days_skip_the_weekend(
    chat: ChatHarness, runtime: Runtime, clock: FakeClock, teacher: User, focal_points: None
) -> None:
    clock.now = START + timedelta(days=4)  # Friday 10:00
    await _education(runtime, teacher)

    clock.now = START + timedelta(days=8) - timedelta(minutes=1)  # Tuesday 09:59
    await wake(chat, runtime)
    assert reminders_to(chat, PRIMARY) == []
    clock.now = START + timedelta(days=9)  # Wednesday 10:00: Mon, Tue, Wed
    await wake(chat, runtime)
    assert len(reminders_to(chat, PRIMARY)) == 1


async def test_accepting_cancels_the_reminder_and_a_stalled_referral_asks_for_news(
    chat: ChatHarness, runtime: Runtime, clock: FakeClock, teacher: User, focal_points: None
) -> None:
    rid = await _education(runtime, teacher)
    primary = await runtime.db.read.users.by_channel_id("telegram", str(PRIMARY.id))
    await referrals.accept(runtime.db, primary, rid, now=runtime.now(),
                           policy=runtime.settings.reminder_policy)

    clock.now = START + timedelta(days=8)
    await wake(chat, runtime)
    assert reminders_to(chat, PRIMARY) == []
    assert reminders_to(chat, COORDINATOR, "⚠️") == []

    clock.now = START + timedelta(days=30)
    await wake(chat, runtime)
    [stalled] = reminders_to(chat, PRIMARY)
    assert "accepted <code>" not in stalled and "30 days ago" in stalled
    assert "Record the outcome" in [label for label, _ in chat.buttons(PRIMARY)]
    kinds = {r.kind: r.status for r in await _reminders_of(runtime, rid)}
    assert kinds[ReminderKind.UNANSWERED] is ReminderStatus.CANCELLED
    assert kinds[ReminderKind.STALLED] is ReminderStatus.SENT


async def _reminders_of(runtime: Runtime, referral_id: int) -> list:
    rows = await runtime.db.read.conn.execute_fetchall(
        "SELECT id FROM reminders WHERE referral_id = ? ORDER BY id", (referral_id,))
    return [await runtime.db.read.reminders.get(row[0]) for row in rows]


async def test_quiet_hours_hold_reminders_until_the_morning(
    chat: ChatHarness, runtime: Runtime, clock: FakeClock, teacher: User, focal_points: None
) -> None:
    clock.now = START + timedelta(hours=11)  # Monday 21:00
    await _education(runtime, teacher)

    clock.now = START + timedelta(days=3, hours=11)  # Thursday 21:00: due, but quiet
    await wake(chat, runtime)
    assert reminders_to(chat, PRIMARY) == []
    clock.now = START + timedelta(days=4, hours=-3, minutes=-1)  # Friday 06:59
    await wake(chat, runtime)
    assert reminders_to(chat, PRIMARY) == []
    clock.now = START + timedelta(days=4, hours=-3)  # Friday 07:00
    await wake(chat, runtime)
    assert len(reminders_to(chat, PRIMARY)) == 1


async def test_an_open_question_reminds_the_teacher_who_answers_from_the_reminder(
    chat: ChatHarness, runtime: Runtime, clock: FakeClock, teacher: User, focal_points: None
) -> None:
    rid = await _education(runtime, teacher)
    primary = await runtime.db.read.users.by_channel_id("telegram", str(PRIMARY.id))
    await referrals.ask_information(runtime.db, primary, rid, "Which grade?", now=runtime.now(),
                                    policy=runtime.settings.reminder_policy)

    clock.now = START + timedelta(days=2)
    await wake(chat, runtime)
    assert "waits for your answer" in chat.last_text(TEACHER)

    assert "Type your answer" in await chat.press(TEACHER, "Answer")
    await chat.send(TEACHER, "Grade 5")
    referral = await runtime.db.read.referrals.get(rid)
    assert referral is not None and referral.status is ReferralStatus.SENT


async def test_a_child_back_in_school_is_checked_on_and_a_no_reopens_the_case(
    chat: ChatHarness, runtime: Runtime, clock: FakeClock, teacher: User, focal_points: None
) -> None:
    rid = await _education(runtime, teacher)
    primary = await runtime.db.read.users.by_channel_id("telegram", str(PRIMARY.id))
    policy = runtime.settings.reminder_policy
    await referrals.accept(runtime.db, primary, rid, now=runtime.now(), policy=policy)
    await referrals.complete(runtime.db, primary, rid, Outcome.ENROLLED_SCHOOL,
                             now=runtime.now(), policy=policy)
    scheduled = [(r.kind, r.due_at, r.detail) for r in await _reminders_of(runtime, rid)
                 if r.status is ReminderStatus.PENDING]
    assert [(kind, detail) for kind, _, detail in scheduled] == [
        (ReminderKind.ATTENDANCE, "30"), (ReminderKind.ATTENDANCE, "90"),
        (ReminderKind.ATTENDANCE, "180"), (ReminderKind.DATA_ROUND, "2026-03-31")]
    # A week before the data round, in the morning.
    assert scheduled[-1][1].astimezone(runtime.settings.tz).isoformat() == \
        "2026-03-24T09:00:00+07:00"

    clock.now = START + timedelta(days=30)
    await wake(chat, runtime)
    assert "still attending?" in chat.last_text(TEACHER)
    assert await chat.press(TEACHER, "Yes") != ""
    assert "still attending. Thank you" in chat.last_text(TEACHER)

    clock.now = START + timedelta(days=90)
    await wake(chat, runtime)
    await chat.press(TEACHER, "No, dropped out")
    assert "dropped out again" in chat.last_text(TEACHER)
    assert "/queue" in chat.last_text(COORDINATOR)
    case = await runtime.db.read.cases.by_code("SPK-2568-00001")
    assert case is not None and case.status == "referred"
    pending = [r for r in await _reminders_of(runtime, rid) if r.status is ReminderStatus.PENDING]
    assert pending == []  # no more checks on a child who left


async def test_reminders_due_while_the_bot_was_down_are_sent_once_after_it_starts(
    runtime: Runtime, clock: FakeClock, teacher: User, focal_points: None
) -> None:
    await _education(runtime, teacher)
    settings = runtime.settings
    await runtime.close()  # the bot is down for ten days

    clock.now = START + timedelta(days=10)
    restarted = await Runtime.start(settings, clock=clock)
    request = RecordingRequest()
    app = build_application(restarted, request=request, rate_limit=False)
    await app.initialize()
    try:
        for _ in range(2):
            await queue_due_reminders(restarted)
            await restarted.outbox.drain()
    finally:
        await app.shutdown()
        await restarted.close()
        runtime.db = restarted.db  # the fixture closes the runtime it made
    assert len([t for t in request.texts(PRIMARY.id) if "⏰" in t]) == 1
    assert len([t for t in request.texts(9001) if "has not answered" in t]) == 1


async def test_a_failure_that_outlasts_the_retries_is_sent_again_by_a_later_wake_up(
    chat: ChatHarness, runtime: Runtime, clock: FakeClock, teacher: User, focal_points: None
) -> None:
    """The request layer retries a failed call a few times at once (handlers.retries); when
    Telegram still fails, the reminder stays in the outbox: after its retry_after for a
    429, with back-off for a network error."""
    await _education(runtime, teacher)
    await chat.deliver()  # the referral itself, before Telegram starts failing
    clock.now = START + timedelta(days=3)
    retries = runtime.settings.telegram_retries
    for _ in range(retries + 1):
        chat.request.fail_next("sendMessage", 502, "Bad Gateway")
    await wake(chat, runtime)
    assert reminders_to(chat, PRIMARY) == []
    clock.advance(seconds=29)
    await wake(chat, runtime)
    assert reminders_to(chat, PRIMARY) == []  # back-off: 30 s, 2 min, 8 min... per attempt
    clock.advance(seconds=1)
    for _ in range(retries + 1):
        chat.request.fail_next("sendMessage", 429, "Too Many Requests: retry after 1",
                               retry_after=1)
    await wake(chat, runtime)
    assert reminders_to(chat, PRIMARY) == []
    clock.advance(seconds=1)
    await wake(chat, runtime)
    assert len(reminders_to(chat, PRIMARY)) == 1
    await wake(chat, runtime)
    assert len(reminders_to(chat, PRIMARY)) == 1


async def test_a_focal_point_who_blocked_the_bot_is_replaced_by_the_coordinators(
    chat: ChatHarness, runtime: Runtime, clock: FakeClock, teacher: User, focal_points: None
) -> None:
    await _education(runtime, teacher)
    chat.request.block_chat(PRIMARY.id)
    clock.now = START + timedelta(days=3)

    await wake(chat, runtime)
    await wake(chat, runtime)

    instead = [t for t in chat.request.texts(COORDINATOR.id) if "cannot be reached" in t]
    assert len(instead) == 1 and "Malai" in instead[0] and "SPK-2568-00001" in instead[0]
    user = await runtime.db.read.users.by_channel_id("telegram", str(PRIMARY.id))
    assert user is not None and user.unreachable_since is not None

    chat.request.unblock_chat(PRIMARY.id)
    await chat.send(PRIMARY, "/inbox")  # they come back
    user = await runtime.db.read.users.by_channel_id("telegram", str(PRIMARY.id))
    assert user is not None and user.unreachable_since is None


async def test_snoozing_reminds_again_and_only_the_recipient_may_snooze(
    chat: ChatHarness, runtime: Runtime, clock: FakeClock, teacher: User, other_teacher: User,
    focal_points: None
) -> None:
    await _education(runtime, teacher)
    clock.now = START + timedelta(days=3)
    await wake(chat, runtime)
    [snooze] = [data for label, data in chat.buttons(PRIMARY) if "Tomorrow" in label]

    await chat.send(FakeUser(id=1002, first_name="Anan", language_code="en"), "/help")
    await chat.press_data(FakeUser(id=1002, first_name="Anan", language_code="en"), snooze)
    assert "You are not allowed to do that." in chat.alerts()

    await chat.press(PRIMARY, "Tomorrow")
    assert any("remind you again on" in alert for alert in chat.alerts())
    clock.advance(days=1)
    await wake(chat, runtime)
    assert len(reminders_to(chat, PRIMARY)) == 2


async def test_a_teacher_asks_to_be_reminded_of_a_case(
    chat: ChatHarness, runtime: Runtime, clock: FakeClock, teacher: User, focal_points: None
) -> None:
    await register_and_send(runtime, teacher)
    await chat.send(TEACHER, "/case SPK-2568-00001")
    await chat.press(TEACHER, "Remind me")
    assert "remind you on 25 Nov 2025" in await chat.press(TEACHER, "Tomorrow")

    await chat.send(TEACHER, "/case SPK-2568-00001")
    await chat.press(TEACHER, "Remind me")
    await chat.press(TEACHER, "On a date")
    assert "e.g. 15/1/2569" in chat.last_text(TEACHER)
    assert "a day after today" in await chat.send(TEACHER, "1/1/2568")
    assert "remind you on 5 Dec 2025" in await chat.send(TEACHER, "5/12/2568")

    clock.now = START + timedelta(days=1, hours=-1)  # Tuesday 09:00
    await wake(chat, runtime)
    assert "You asked me to remind you of <code>" not in chat.last_text(TEACHER)
    assert "You asked me to remind you of SPK-2568-00001" in chat.last_text(TEACHER)


async def test_coordinators_list_what_is_due_overdue_and_failed(
    chat: ChatHarness, runtime: Runtime, clock: FakeClock, teacher: User, focal_points: None
) -> None:
    await _education(runtime, teacher)
    clock.now = START + timedelta(days=2, hours=1)  # 22 hours before the first reminder
    listing = await chat.send(COORDINATOR, "/reminders")
    assert "Due in the next 24 hours: 1" in listing and "SPK-2568-00001" in listing
    assert "Overdue" in listing

    overview = await reminders.overview(runtime.db, None, now=START + timedelta(days=8))
    assert overview.overdue_count == 2 and overview.due_count == 0
    assert "not allowed" in await chat.send(TEACHER, "/reminders")
