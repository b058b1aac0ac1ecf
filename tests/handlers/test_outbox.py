"""The outbox under Telegram's failures: what a committed change owes somebody waits out an
outage and arrives when Telegram is back, in order per chat, once; what never gets through
is listed for the coordinators; a person who blocked the bot is marked unreachable."""

import uuid
from http import HTTPStatus

from bot.domain.models import User
from bot.runtime import Runtime
from bot.services import reminders
from bot.services.delivery import FIRST_RETRY, LONGEST_RETRY, MAX_ATTEMPTS
from bot.services.notices import Notice
from bot.services.outbox import owe_notices
from tests.conftest import FakeClock
from tests.handlers.conftest import COORDINATOR, ChatHarness


def joined_notices(chat: ChatHarness) -> list[str]:
    """What reached the coordinator: here, only the notices that people joined through
    their invites."""
    return chat.request.texts(COORDINATOR.id)


def fail_every_try(chat: ChatHarness, runtime: Runtime, status: int = HTTPStatus.BAD_GATEWAY,
                   **kwargs: object) -> None:
    """One send's worth of failures: the first try and every quick retry of the request
    layer."""
    for _ in range(runtime.settings.telegram_retries + 1):
        chat.request.fail_next("sendMessage", status, **kwargs)  # type: ignore[arg-type]


async def test_a_notice_telegram_does_not_take_waits_and_arrives_once_it_is_back(
    chat: ChatHarness, runtime: Runtime, clock: FakeClock, teacher: User
) -> None:
    fail_every_try(chat, runtime)
    assert await chat.deliver() == 0
    assert joined_notices(chat) == []
    [owed] = await runtime.db.read.outbox.pending(10)
    assert owed.attempts == 1 and owed.last_error
    assert str(uuid.UUID(owed.retry_key)) == owed.retry_key  # as LINE's X-Line-Retry-Key

    clock.advance(seconds=FIRST_RETRY.total_seconds() - 1)
    assert await chat.deliver() == 0  # not before its pause is over

    clock.advance(seconds=1)
    assert await chat.deliver() == 1
    assert len(joined_notices(chat)) == 1
    assert await runtime.db.read.outbox.pending(10) == []
    assert await chat.deliver() == 0  # nothing twice


async def test_a_429_is_tried_again_after_the_wait_telegram_asked_for(
    chat: ChatHarness, runtime: Runtime, clock: FakeClock, teacher: User
) -> None:
    fail_every_try(chat, runtime, HTTPStatus.TOO_MANY_REQUESTS, retry_after=7)
    await chat.deliver()
    clock.advance(seconds=6)
    assert await chat.deliver() == 0
    clock.advance(seconds=1)
    assert await chat.deliver() == 1


async def test_one_chats_messages_keep_their_order_when_the_first_must_wait(
    chat: ChatHarness, runtime: Runtime, clock: FakeClock, teacher: User
) -> None:
    later = Notice(channel="telegram", channel_user_id=str(COORDINATOR.id), language="en",
                   key="invite-redeemed-notice", params={"name": "Second Person"},
                   names={"organisation": {"th": "x", "en": "Somewhere"}},
                   labels={"role": "role-teacher"})
    async with runtime.db.unit_of_work() as uow:
        await owe_notices(uow, [later], runtime.now())
        await uow.commit()
    fail_every_try(chat, runtime)

    await chat.deliver()
    assert joined_notices(chat) == []  # the second waits behind the first

    clock.advance(seconds=FIRST_RETRY.total_seconds())
    assert await chat.deliver() == 2
    first, second = joined_notices(chat)
    assert "Kru Somsri" in first and "Second Person" in second


async def test_a_notice_that_never_gets_through_is_listed_as_undelivered(
    chat: ChatHarness, runtime: Runtime, clock: FakeClock, teacher: User, coordinator: User
) -> None:
    for _ in range(MAX_ATTEMPTS):
        fail_every_try(chat, runtime)
        await chat.deliver()
        clock.advance(seconds=LONGEST_RETRY.total_seconds())

    assert joined_notices(chat) == []
    assert await runtime.db.read.outbox.pending(10) == []
    found = await reminders.overview(runtime.db, coordinator, now=runtime.now())
    assert found.failed_count == 1 and found.failed[0].chat_id == str(COORDINATOR.id)
    assert "Bad Gateway" in (found.failed[0].last_error or "")
    assert "Could not be delivered: 1" in await chat.send(COORDINATOR, "/reminders")


async def test_a_person_who_blocked_the_bot_is_marked_unreachable_and_not_tried_again(
    chat: ChatHarness, runtime: Runtime, clock: FakeClock, teacher: User, coordinator: User
) -> None:
    chat.request.block_chat(COORDINATOR.id)
    await chat.deliver()
    calls = len(chat.request.calls_to("sendMessage"))
    clock.advance(days=1)
    await chat.deliver()

    assert len(chat.request.calls_to("sendMessage")) == calls
    assert (await runtime.db.read.users.get(coordinator.id)).unreachable_since is not None
    found = await reminders.overview(runtime.db, None, now=runtime.now())
    assert [m.last_error for m in found.failed] == ["blocked"]


async def test_a_sent_notice_keeps_nothing_of_what_it_said(
    chat: ChatHarness, runtime: Runtime, teacher: User
) -> None:
    await chat.deliver()
    rows = await runtime.db.read.conn.execute_fetchall("SELECT status, payload FROM outbox")
    assert [tuple(row) for row in rows] == [("sent", "{}")]


async def test_a_chat_that_fails_holds_up_no_other_chat(
    chat: ChatHarness, runtime: Runtime, teacher: User
) -> None:
    to_teacher = Notice(channel="telegram", channel_user_id=teacher.channel_user_id,
                        language="en", key="import-leads-notice",
                        params={"count": 3, "waiting": 3})
    async with runtime.db.unit_of_work() as uow:
        await owe_notices(uow, [to_teacher], runtime.now())
        await uow.commit()
    chat.request.block_chat(COORDINATOR.id)  # the older row, to the coordinator, fails

    assert await chat.deliver() == 1
    assert any("3" in text for text in chat.request.texts(int(teacher.channel_user_id)))
