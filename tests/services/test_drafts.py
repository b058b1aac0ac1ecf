"""Abandoned drafts expire after PANONG_DRAFT_EXPIRY_DAYS, and go when their author is
deactivated."""

from datetime import UTC, datetime, timedelta

from bot.domain.models import User
from bot.runtime import Runtime
from bot.services import drafts, linking, users
from storage.conversations import USER_DATA

DRAFT = '{"registration": {"given_name": "สมหญิง", "guardian_phone": "0812345678"}}'


async def _write(runtime: Runtime, **drafts_by_key: str) -> None:
    async with runtime.db.unit_of_work() as uow:
        await uow.conversations.put_data(USER_DATA, drafts_by_key)
        await uow.commit()


async def test_only_drafts_older_than_the_expiry_are_deleted_and_that_is_audited(
    runtime: Runtime,
) -> None:
    await _write(runtime, **{"1001": DRAFT, "1002": DRAFT})
    now = datetime.now(UTC) + timedelta(days=29)

    assert await drafts.expire_drafts(runtime.db, now=now, older_than=timedelta(days=30)) == []
    assert await runtime.db.read.audit.for_entity("conversation_data", USER_DATA) == []
    async with runtime.db.unit_of_work() as uow:
        await uow.conn.execute("UPDATE conversation_data SET updated_at = ?"
                               " WHERE data_key = '1001'",
                               ((now - timedelta(days=31)).isoformat(),))
        await uow.commit()

    expired = await drafts.expire_drafts(runtime.db, now=now, older_than=timedelta(days=30))

    assert expired == ["1001"]
    assert list(await runtime.db.read.conversations.load_data(USER_DATA)) == ["1002"]
    [entry] = await runtime.db.read.audit.for_entity("conversation_data", USER_DATA)
    assert (entry.action, entry.actor_id, entry.after) == ("drafts.expire", None, {"users": 1})


async def test_deactivating_a_user_deletes_their_drafts_and_nobody_elses(
    runtime: Runtime, coordinator: User, teacher: User, other_teacher: User
) -> None:
    await _write(runtime, **{teacher.channel_user_id: DRAFT,
                             other_teacher.channel_user_id: DRAFT})

    await users.set_user_active(runtime.db, coordinator, teacher.id, False, runtime.now())

    assert list(await runtime.db.read.conversations.load_data(USER_DATA)) == [
        other_teacher.channel_user_id]


async def test_deactivating_a_user_linked_on_two_apps_deletes_the_drafts_on_both(
    runtime: Runtime, coordinator: User, teacher: User, other_teacher: User
) -> None:
    made = await linking.make_code(runtime.db, teacher, now=runtime.now())
    on_line = "U" + "5" * 32
    await linking.link(runtime.db, code=made.code, channel="line", channel_user_id=on_line,
                       now=runtime.now())
    await _write(runtime, **{teacher.channel_user_id: DRAFT, on_line: DRAFT,
                             other_teacher.channel_user_id: DRAFT})

    await users.set_user_active(runtime.db, coordinator, teacher.id, False, runtime.now())

    assert list(await runtime.db.read.conversations.load_data(USER_DATA)) == [
        other_teacher.channel_user_id]
