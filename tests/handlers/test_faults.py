"""Faults the bot must ride out: odd updates, a locked database, and personal data kept out
of the logs."""

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest
from telegram import Update

from bot.domain.models import User
from bot.runtime import Runtime
from handlers.app import build_application
from storage.postgres import PostgresDatabase
from tests.handlers.conftest import TEACHER, ChatHarness
from tests.support.journeys import answer_from_nationality, answer_up_to_identity
from tests.support.telegram_fake import (
    RecordingRequest,
    channel_post_update,
    document_update,
    edited_text_update,
    sticker_update,
    text_update,
)


def _odd_updates(bot: object) -> list[Update]:
    """Updates nothing in Panong expects."""
    return [
        channel_post_update(bot, "hello channel"),
        edited_text_update(bot, TEACHER, "an edit"),
        document_update(bot, TEACHER, "broken.xlsx", "application/vnd.ms-excel"),
        sticker_update(bot, TEACHER),
        Update.de_json({"update_id": 990_001}, bot),  # a kind this PTB does not know
        Update.de_json({"update_id": 990_002, "message": {
            "message_id": 5, "date": 0, "chat": {"id": -77, "type": "group", "title": "g"},
            "from": TEACHER.as_dict(), "new_chat_members": [TEACHER.as_dict()]}}, bot),
        Update.de_json({"update_id": 990_003, "message": {
            "message_id": 6, "date": 0, "chat": {"id": -77, "type": "group", "title": "g"},
            "from": TEACHER.as_dict(), "text": "chatter in a group"}}, bot),
    ]


async def test_one_odd_update_never_blocks_the_ones_behind_it(
    runtime: Runtime, teacher: User
) -> None:
    """Through the processor, as in production: each odd update is dealt with (or ignored)
    and the teacher's next message is still answered."""
    request = RecordingRequest()
    app = build_application(runtime, request=request, rate_limit=False)
    async with app:
        await app.start()
        try:
            for update in _odd_updates(app.bot):
                await app.update_queue.put(update)
            await app.update_queue.put(text_update(app.bot, TEACHER, "/help"))
            seen = 0
            async with asyncio.timeout(10):
                while not any("What you can do" in text for text in request.texts(TEACHER.id)):
                    seen, _ = await request.api.changes(seen, wait=1)
        finally:
            await app.stop()
    teacher_texts = "\n".join(request.texts(TEACHER.id))
    assert "Editing a sent message does not change an answer" in teacher_texts
    assert not request.texts(-77)  # nothing said in a group that did not ask for it


@pytest.mark.sqlite_only  # a second sqlite3 connection; the PostgreSQL twins follow
async def test_writes_wait_for_a_lock_held_elsewhere_and_then_succeed(
    chat: ChatHarness, runtime: Runtime, teacher: User
) -> None:
    """Another process (a backup, an administrator's sqlite3) holds the write lock for a
    second: the confirmation waits, then saves the case whole."""
    await answer_up_to_identity(chat, TEACHER)
    await chat.press(TEACHER, "No document")
    await answer_from_nationality(chat, TEACHER)
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        other = sqlite3.connect(runtime.settings.database_path, timeout=1)
        other.execute("BEGIN IMMEDIATE")
        locked.set()
        release.wait(timeout=5)
        time.sleep(1)
        other.rollback()
        other.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert await asyncio.to_thread(locked.wait, 5)
    release.set()
    started = time.monotonic()
    saved = await chat.press(TEACHER, "Confirm")
    holder.join()
    assert time.monotonic() - started >= 0.5  # it waited for the lock
    assert "SPK-2568-00001" in saved
    case = await runtime.db.read.cases.by_code("SPK-2568-00001")
    assert case is not None and case.needs == ("CONSUMABLES", "EDUCATION")


@pytest.mark.sqlite_only
async def test_a_lock_held_past_the_busy_timeout_is_told_and_saves_nothing(
    chat: ChatHarness, runtime: Runtime, teacher: User
) -> None:
    """A lock held longer than the busy timeout: the teacher is told the database is busy,
    no half of the case is written, and the same Confirm works once the lock is gone."""
    await answer_up_to_identity(chat, TEACHER)
    await chat.press(TEACHER, "No document")
    await answer_from_nationality(chat, TEACHER)
    await runtime.db.writer.execute("PRAGMA busy_timeout = 200")  # 10 s in production
    other = sqlite3.connect(runtime.settings.database_path)
    other.execute("BEGIN IMMEDIATE")
    try:
        await chat.press(TEACHER, "Confirm")
    finally:
        other.rollback()
        other.close()
    assert chat.alerts()[-1].startswith("The database is busy right now")
    for query in ("SELECT count(*) FROM children", "SELECT count(*) FROM cases",
                  "SELECT count(*) FROM referrals",
                  "SELECT count(*) FROM audit_log WHERE action = 'case.register'"):
        assert (await runtime.db.read.conn.execute_fetchall(query))[0][0] == 0, query
    assert "SPK-2568-00001" in await chat.press(TEACHER, "Confirm")


@asynccontextmanager
async def _cases_locked_elsewhere(runtime: Runtime) -> AsyncIterator[asyncpg.Connection]:
    """Another process (an administrator's psql, a migration) holds a lock on cases that
    lets reads through and no write, until the block ends."""
    other = await asyncpg.connect(runtime.settings.database_url)
    try:
        async with other.transaction():
            await other.execute("LOCK TABLE cases IN SHARE MODE")
            yield other
    finally:
        await other.close()


async def _waiting_for_the_lock(other: asyncpg.Connection) -> bool:
    return await other.fetchval(
        "SELECT count(*) > 0 FROM pg_locks WHERE NOT granted"
        " AND relation = 'cases'::regclass")


@pytest.mark.postgresql_only
async def test_on_postgresql_writes_wait_for_a_lock_held_elsewhere_and_then_succeed(
    chat: ChatHarness, runtime: Runtime, teacher: User
) -> None:
    await answer_up_to_identity(chat, TEACHER)
    await chat.press(TEACHER, "No document")
    await answer_from_nationality(chat, TEACHER)
    async with _cases_locked_elsewhere(runtime) as other:
        confirming = asyncio.create_task(chat.press(TEACHER, "Confirm"))
        deadline = time.monotonic() + 5
        while not await _waiting_for_the_lock(other):  # it waits for the lock
            assert time.monotonic() < deadline and not confirming.done()
            await asyncio.sleep(0.01)
    assert "SPK-2568-00001" in await confirming
    case = await runtime.db.read.cases.by_code("SPK-2568-00001")
    assert case is not None and case.needs == ("CONSUMABLES", "EDUCATION")


@pytest.mark.postgresql_only
async def test_on_postgresql_a_lock_held_past_the_busy_timeout_is_told_and_saves_nothing(
    chat: ChatHarness, runtime: Runtime, teacher: User
) -> None:
    await answer_up_to_identity(chat, TEACHER)
    await chat.press(TEACHER, "No document")
    await answer_from_nationality(chat, TEACHER)
    db = runtime.db
    assert isinstance(db, PostgresDatabase)
    await db.close()  # each connection's lock_timeout is set when it opens
    db.busy_timeout_ms = 200  # 10 s in production
    await db.open()
    async with _cases_locked_elsewhere(runtime):
        await chat.press(TEACHER, "Confirm")
    assert chat.alerts()[-1].startswith("The database is busy right now")
    for query in ("SELECT count(*) FROM children", "SELECT count(*) FROM cases",
                  "SELECT count(*) FROM referrals",
                  "SELECT count(*) FROM audit_log WHERE action = 'case.register'"):
        assert (await runtime.db.read.conn.execute_fetchall(query))[0][0] == 0, query
    assert "SPK-2568-00001" in await chat.press(TEACHER, "Confirm")


async def test_no_name_identity_number_or_phone_reaches_the_logs(
    chat: ChatHarness, runtime: Runtime, teacher: User, caplog: pytest.LogCaptureFixture
) -> None:
    """At the level the bot runs at (INFO), from every logger, PTB's included."""
    with caplog.at_level(logging.INFO):
        await answer_up_to_identity(chat, TEACHER)
        await chat.press(TEACHER, "Thai ID")
        await chat.send(TEACHER, "1-2345-45678-78-1")
        await answer_from_nationality(chat, TEACHER, nationality="Thai")
        await chat.press(TEACHER, "Confirm")
        await chat.send(TEACHER, "/case SPK-2568-00001")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in ("Thida", "1234545678781", "1-2345-45678-78-1", "812345678",
                   "081-234-5678", "081 234 5678", "Daw Hla"):
        assert secret not in logged, secret
