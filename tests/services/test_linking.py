"""One person on two apps: a code made on one links the other to the same account."""

from datetime import timedelta

import pytest

from bot.domain.models import User
from bot.errors import AlreadyRegistered, ChannelAlreadyLinked, LinkCodeInvalid
from bot.flows.session import begin
from bot.runtime import Runtime
from bot.services import linking, users
from bot.services.recipients import target
from tests.conftest import FakeClock

LINE_ID = "U" + "4" * 32


async def test_a_teacher_on_telegram_links_line_and_is_the_same_account_on_both(
    runtime: Runtime, teacher: User
) -> None:
    await users.set_language(runtime.db, teacher, "en", runtime.now())
    made = await linking.make_code(runtime.db, teacher, now=runtime.now())
    assert linking.is_link_code(made.code)

    linked = (await linking.link(runtime.db, code=made.code, channel="line",
                                 channel_user_id=LINE_ID, now=runtime.now())).user

    on_line = await begin(runtime, channel="line", channel_user_id=LINE_ID,
                          language_code=None, joining=False)
    on_telegram = await begin(runtime, channel="telegram", channel_user_id="1001",
                              language_code="th", joining=False)
    assert on_line.actor is not None and on_telegram.actor is not None
    assert on_line.actor.id == on_telegram.actor.id == teacher.id == linked.id
    assert (on_line.language, on_telegram.language) == ("en", "en")  # one account's
    assert on_line.actor.role is teacher.role
    assert on_line.actor.organisation_id == teacher.organisation_id
    assert await runtime.db.read.users.channels(teacher.id) == {
        "telegram": "1001", "line": LINE_ID}


async def test_notices_go_to_the_app_used_last(runtime: Runtime, teacher: User) -> None:
    made = await linking.make_code(runtime.db, teacher, now=runtime.now())
    await linking.link(runtime.db, code=made.code, channel="line", channel_user_id=LINE_ID,
                       now=runtime.now())
    now_on_line = await runtime.db.read.users.get(teacher.id)
    assert target(now_on_line, "th")[:2] == ("line", LINE_ID)

    await begin(runtime, channel="telegram", channel_user_id="1001", language_code=None,
                joining=False)

    back = await runtime.db.read.users.get(teacher.id)
    assert target(back, "th")[:2] == ("telegram", "1001")


async def test_a_code_works_once_for_a_quarter_of_an_hour_and_not_for_someone_already_in(
    runtime: Runtime, teacher: User, other_teacher: User, clock: FakeClock
) -> None:
    made = await linking.make_code(runtime.db, teacher, now=runtime.now())
    with pytest.raises(AlreadyRegistered):  # the other teacher's own chat is theirs
        await linking.link(runtime.db, code=made.code, channel="telegram",
                           channel_user_id="1002", now=runtime.now())
    await linking.link(runtime.db, code=made.code, channel="line", channel_user_id=LINE_ID,
                       now=runtime.now())
    with pytest.raises(LinkCodeInvalid):  # used
        await linking.link(runtime.db, code=made.code, channel="line",
                           channel_user_id="U" + "5" * 32, now=runtime.now())

    again = await linking.make_code(runtime.db, teacher, now=runtime.now())
    with pytest.raises(ChannelAlreadyLinked):  # one chat per app
        await linking.link(runtime.db, code=again.code, channel="line",
                           channel_user_id="U" + "6" * 32, now=runtime.now())

    late = await linking.make_code(runtime.db, other_teacher, now=runtime.now())
    clock.advance(seconds=linking.VALID_FOR.total_seconds() + 1)
    with pytest.raises(LinkCodeInvalid):
        await linking.link(runtime.db, code=late.code, channel="line",
                           channel_user_id="U" + "7" * 32, now=runtime.now())
    assert await runtime.db.read.users.by_channel_id("line", "U" + "7" * 32) is None
    assert timedelta(minutes=10) <= linking.VALID_FOR <= timedelta(hours=1)


async def test_a_deactivated_account_cannot_be_linked(
    runtime: Runtime, teacher: User, coordinator: User
) -> None:
    made = await linking.make_code(runtime.db, teacher, now=runtime.now())
    await users.set_user_active(runtime.db, coordinator, teacher.id, False, runtime.now())
    with pytest.raises(Exception) as refused:
        await linking.link(runtime.db, code=made.code, channel="line",
                           channel_user_id=LINE_ID, now=runtime.now())
    assert type(refused.value).__name__ == "AccountDeactivated"
    assert await runtime.db.read.users.by_channel_id("line", LINE_ID) is None
