"""What only the PostgreSQL backend does: placeholders translated, other processes heard."""

import asyncio

import pytest

from bot.domain.models import User
from bot.runtime import Runtime
from storage.outbox import Owed
from storage.postgres import PostgresDatabase, translate
from tests.conftest import START


def test_question_marks_are_numbered_in_order() -> None:
    assert translate("SELECT * FROM t WHERE a = ? AND b IN (?, ?)") == (
        "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)", None)


def test_names_are_numbered_once_each_and_given_back_in_order() -> None:
    assert translate("INSERT INTO t (a, b, c) VALUES (:now, :code, :now)") == (
        "INSERT INTO t (a, b, c) VALUES ($1, $2, $1)", ("now", "code"))


def test_quoted_text_and_casts_are_left_alone() -> None:
    sql = "SELECT 'is it ? or :this', x::text, 'it''s ?' FROM t WHERE y = ?"
    assert translate(sql) == (
        "SELECT 'is it ? or :this', x::text, 'it''s ?' FROM t WHERE y = $1", None)


def test_both_kinds_in_one_statement_are_refused() -> None:
    with pytest.raises(ValueError, match="both"):
        translate("SELECT ? , :name")


async def _eventually(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    """Poll `condition` for up to five seconds: a notification crosses processes."""
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(what)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_another_process_owing_a_message_wakes_this_ones_dispatcher(
        database_url: str) -> None:
    async with PostgresDatabase(database_url) as mine, \
            PostgresDatabase(database_url) as other:
        await mine.migrate()
        await other.migrate()
        async with other.unit_of_work() as uow:
            await uow.outbox.add([Owed(channel="telegram", chat_id="1", language="th",
                                       kind="notice", payload={})], START)
            await uow.commit()
        await _eventually(mine.owed.is_set, "the other process's commit was not heard")


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_without_its_listening_connection_a_process_remembers_no_user(
        runtime: Runtime, coordinator: User) -> None:
    db = runtime.db
    assert isinstance(db, PostgresDatabase)
    known = db.known_users
    channel = coordinator.channel_user_id
    assert await known.by_channel_id(db.read.users, "telegram", channel) == coordinator
    assert known._users, "a user was remembered while changes were heard"

    db._listener.terminate()  # type: ignore[union-attr]
    await _eventually(lambda: not known._users, "still remembered")
    await known.by_channel_id(db.read.users, "telegram", channel)
    assert not known._users
    assert db.owed.is_set()
