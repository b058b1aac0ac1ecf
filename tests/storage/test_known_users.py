"""The users known by chat id: asked on every update, never behind a committed change."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from bot.domain.models import User
from bot.runtime import Runtime
from bot.services import users
from bot.services.access import identify
from storage.postgres import PostgresDatabase

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


@pytest.mark.sqlite_only  # the triggers on SQLite's writer see it at the commit
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


async def _seen_soon(check: Callable[[], Awaitable[bool]], seconds: float = 5.0) -> bool:
    """Whether `check` comes true within `seconds` (well under `KnownUsers.max_age`, so
    that it is the notice that made it true, not the entry growing old)."""
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def _is_coordinator(runtime: Runtime, user: User) -> bool:
    known = await identify(runtime.db, "telegram", user.channel_user_id)
    return known is not None and known.role == "coordinator"


@pytest.mark.postgresql_only
async def test_a_committed_write_to_users_in_sql_of_its_own_is_seen_after_its_notice(
    runtime: Runtime, teacher: User
) -> None:
    """No repository method flagged the write: the COMMIT finds it in the transaction's
    counts and announces it, to this process too."""
    known = await identify(runtime.db, "telegram", teacher.channel_user_id)
    async with runtime.db.unit_of_work() as uow:
        await uow.conn.execute("UPDATE users SET role = 'coordinator' WHERE id = ?",
                               (teacher.id,))
        assert await identify(runtime.db, "telegram", teacher.channel_user_id) is known
        await uow.commit()
    assert await _seen_soon(lambda: _is_coordinator(runtime, teacher))


@pytest.mark.postgresql_only
async def test_a_write_to_users_committed_by_another_process_is_seen_after_its_notice(
    runtime: Runtime, coordinator: User, teacher: User
) -> None:
    async def inactive() -> bool:
        known = await identify(runtime.db, "telegram", teacher.channel_user_id)
        return known is not None and not known.active

    known = await identify(runtime.db, "telegram", teacher.channel_user_id)
    assert await identify(runtime.db, "telegram", teacher.channel_user_id) is known
    async with PostgresDatabase(runtime.settings.database_url or "") as other:
        await users.set_user_active(other, coordinator, teacher.id, False, WHEN)
        assert await _seen_soon(inactive)
        async with other.unit_of_work() as uow:  # and in SQL of its own
            await uow.conn.execute("UPDATE users SET role = 'coordinator' WHERE id = ?",
                                   (teacher.id,))
            await uow.commit()
        assert await _seen_soon(lambda: _is_coordinator(runtime, teacher))


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
