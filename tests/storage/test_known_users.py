"""The users known by chat id: asked on every update, never behind a committed change."""

import asyncio
from datetime import UTC, datetime

from bot.domain.models import User
from bot.runtime import Runtime
from bot.services import users
from bot.services.access import identify

WHEN = datetime(2025, 11, 24, 3, 0, tzinfo=UTC)


async def test_a_user_once_read_is_answered_from_memory(
    runtime: Runtime, teacher: User
) -> None:
    first = await identify(runtime.db, "telegram", teacher.channel_user_id)
    assert first is not None
    assert await identify(runtime.db, "telegram", teacher.channel_user_id) is first


async def test_a_deactivation_counts_from_the_next_update(
    runtime: Runtime, coordinator: User, teacher: User
) -> None:
    assert (await identify(runtime.db, "telegram", teacher.channel_user_id)).active
    await users.set_user_active(runtime.db, coordinator, teacher.id, False, WHEN)
    known = await identify(runtime.db, "telegram", teacher.channel_user_id)
    assert known is not None and not known.active


async def test_a_new_language_counts_from_the_next_update(
    runtime: Runtime, teacher: User
) -> None:
    await identify(runtime.db, "telegram", teacher.channel_user_id)
    await users.set_language(runtime.db, teacher, "en", WHEN)
    known = await identify(runtime.db, "telegram", teacher.channel_user_id)
    assert known is not None and known.language == "en"


async def test_any_committed_write_to_users_is_seen_whatever_its_sql(
    runtime: Runtime, teacher: User
) -> None:
    await identify(runtime.db, "telegram", teacher.channel_user_id)
    async with runtime.db.unit_of_work() as uow:
        await uow.conn.execute("UPDATE users SET role = 'coordinator' WHERE id = ?",
                               (teacher.id,))
        # Not committed yet: the committed row is still the teacher.
        assert (await identify(runtime.db, "telegram", teacher.channel_user_id)).role == "teacher"
        await uow.commit()
    known = await identify(runtime.db, "telegram", teacher.channel_user_id)
    assert known is not None and known.role == "coordinator"


async def test_a_rolled_back_write_changes_nothing(runtime: Runtime, teacher: User) -> None:
    before = await identify(runtime.db, "telegram", teacher.channel_user_id)
    async with runtime.db.unit_of_work() as uow:
        await uow.conn.execute("UPDATE users SET active = 0 WHERE id = ?", (teacher.id,))
    assert await identify(runtime.db, "telegram", teacher.channel_user_id) is before


async def test_strangers_are_never_remembered(runtime: Runtime) -> None:
    assert await identify(runtime.db, "telegram", "424242") is None
    assert runtime.db.known_users._users == {}


class _SlowRead:
    """A users repository whose read returns only when told to."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.release = asyncio.Event()

    async def by_channel_id(self, channel: str, channel_user_id: str) -> User:
        await self.release.wait()
        return self.user


async def test_a_read_overlapping_a_committed_change_is_not_kept(
    runtime: Runtime, coordinator: User, teacher: User
) -> None:
    known = runtime.db.known_users
    slow = _SlowRead(teacher)
    reading = asyncio.create_task(
        known.by_channel_id(slow, "telegram", teacher.channel_user_id))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    await users.set_user_active(runtime.db, coordinator, teacher.id, False, WHEN)
    slow.release.set()
    assert await reading is teacher  # what it read, from before the change...
    known_now = await identify(runtime.db, "telegram", teacher.channel_user_id)
    assert known_now is not None and not known_now.active  # ...is not what is kept
