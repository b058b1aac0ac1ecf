"""Files kept for a short-lived link: only for the token, only in time, only for a user
still active, and gone once expired."""

from datetime import timedelta

from bot.domain.models import User
from bot.runtime import Runtime
from bot.services import downloads, users
from tests.conftest import FakeClock

MINUTES = timedelta(minutes=15)


async def offer(runtime: Runtime, owner: User, content: bytes = b"figures") -> str:
    return await downloads.offer(runtime.db, owner, content, file_name="panong.xlsx",
                                 content_type="application/octet-stream", now=runtime.now(),
                                 valid_for=MINUTES)


async def test_a_file_is_fetched_by_its_token_only_while_it_is_valid_then_deleted(
    runtime: Runtime, clock: FakeClock, coordinator: User
) -> None:
    token = await offer(runtime, coordinator)
    assert len(token) >= 22  # at least 128 bits
    assert await downloads.fetch(runtime.db, "x" * len(token), now=runtime.now()) is None
    found = await downloads.fetch(runtime.db, token, now=runtime.now())
    assert found is not None and found.content == b"figures" and found.downloads == 1

    clock.advance(minutes=15)
    assert await downloads.fetch(runtime.db, token, now=runtime.now()) is None
    assert await runtime.db.read.downloads.count() == 0


async def test_the_clean_up_deletes_what_expired_and_keeps_what_did_not(
    runtime: Runtime, clock: FakeClock, coordinator: User
) -> None:
    await offer(runtime, coordinator)
    clock.advance(minutes=10)
    kept = await offer(runtime, coordinator)
    clock.advance(minutes=6)
    assert await downloads.forget_expired(runtime.db, now=runtime.now()) == 1
    assert await downloads.fetch(runtime.db, kept, now=runtime.now()) is not None


async def test_a_deactivated_users_link_stops_working(
    runtime: Runtime, coordinator: User, teacher: User
) -> None:
    token = await offer(runtime, teacher)
    await users.set_user_active(runtime.db, coordinator, teacher.id, False, runtime.now())
    assert await downloads.fetch(runtime.db, token, now=runtime.now()) is None


async def test_the_token_is_kept_only_as_its_hash_and_not_in_the_audit_trail(
    runtime: Runtime, coordinator: User
) -> None:
    token = await offer(runtime, coordinator)
    await downloads.fetch(runtime.db, token, now=runtime.now())
    rows = await runtime.db.read.conn.execute_fetchall("SELECT token_hash FROM downloads")
    assert token not in rows[0][0]
    audit = await runtime.db.read.conn.execute_fetchall("SELECT * FROM audit_log")
    assert all(token not in str(tuple(row)) for row in audit)
