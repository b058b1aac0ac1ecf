"""Two bot processes share the work on PostgreSQL, Telegram's updates reaching them by
webhook; one is SIGKILLed in the middle of an update under the chat load, the other goes
on. What the issue asks: no confirmed case lost, no referral duplicated, each reminder
once; and the update the dead process was handling is handled by the other.

The load is the chat crash test's (`tests/test_chat_crash.py`): ten teachers register a
child each through the wizard, starting a little apart; four focal points accept the
referral waiting in their unit's inbox; the reminders of twelve referrals left unanswered
for a year go out, to their unit and to the coordinator, while both processes run the
reminders job every 0.2 s. The stand-in holds up the answer to the first teacher's Confirm
(the case is committed, the teacher not told): the process handling it is the one killed,
found by the chat's advisory lock, so that the kill lands mid-update for certain. Nothing
else stops: the people go on, their updates now going to the survivor, and the teacher
whose "saved" died with the process does what a person would (/new, and is shown the
child as maybe registered already).

Telegram's part is played here: a deliverer posts each update the stand-in queues to the
port the two processes share (SO_REUSEPORT: the kernel picks one), with the secret, and
posts it again until one answers 200.
"""

import asyncio
import contextlib
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from bot.config import Settings
from handlers.webhook import SECRET_HEADER
from sandbox.botapi import BotApi
from storage.locks import lock_key
from tests.conftest import make_settings
from tests.support.bot_process import (
    TELEGRAM_WEBHOOK_URL,
    arrived,
    free_port,
    kill,
    start_telegram_worker,
    stop,
)
from tests.support.botapi_people import People
from tests.test_chat_crash import (
    COORDINATOR,
    OVERDUE_REFERRALS,
    REMINDED_UNIT_FOCAL_POINT,
    accept,
    acceptance_notices,
    after,
    every_reminder_arrived,
    prepare_world,
    register,
    reminders_so_far,
    saved,
    telegram,  # noqa: F401  (the chat crash test's fixture: its people on a stand-in)
    the_bot_failed,
    the_focal_points,
    the_teachers,
    took_it,
)

SECRET = "worker-crash-test-secret"
TEACHERS = 10
START_EVERY = 0.3
FOCAL_POINTS_START = (0.5, 1.5, 3.0, 4.5)


@pytest.fixture
async def settings(tmp_path: Path, database_url: str) -> Settings:
    settings = make_settings(tmp_path, database_url=database_url)
    await prepare_world(settings)
    return settings


async def deliver(api: BotApi, port: int) -> None:
    """Telegram's webhook delivery: the oldest update first, posted until answered 200.
    (The stand-in keeps its queue to itself: its getUpdates refuses while a webhook is set.)"""
    url = f"http://127.0.0.1:{port}{TELEGRAM_WEBHOOK_URL.removeprefix('https://bot.example')}"
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while True:
            if not api._updates:
                await api._updates_signal.wait(1)
                continue
            update = api._updates[0]
            try:
                async with session.post(url, json=update,
                                        headers={SECRET_HEADER: SECRET}) as response:
                    taken = response.status == 200
            except (aiohttp.ClientError, TimeoutError):
                taken = False
            if taken:
                api._updates.popleft()
            else:
                await asyncio.sleep(0.1)


async def holder_of(database_url: str, chat_id: int) -> int | None:
    """The process (its pid) holding the chat's advisory lock, from the lock connection's
    name (`storage.locks`)."""
    key = lock_key(f"inbox:telegram:chat:{chat_id}")
    conn = await asyncpg.connect(database_url)
    try:
        name = await conn.fetchval(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a"
            " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted"
            " AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 1",
            (key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF)
    finally:
        await conn.close()
    return int(name.rsplit(":", 1)[1]) if name else None


async def unhandled(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM inbox WHERE handled_at IS NULL"))
    finally:
        await conn.close()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_a_worker_killed_mid_update_loses_no_case_and_repeats_no_referral_or_reminder(
    settings: Settings, telegram: tuple[BotApi, str], tmp_path: Path,  # noqa: F811
) -> None:
    api, url = telegram
    assert settings.database_url is not None
    port = free_port()
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    teachers, focal_points = the_teachers()[:TEACHERS], the_focal_points()
    held_teacher = teachers[0]  # the answer to their Confirm hangs (`answer`)
    workers = [await start_telegram_worker(
        settings, url, port, SECRET, log, outbox_lease_seconds="3") for log in logs]
    delivery = asyncio.create_task(deliver(api, port))

    async with People(api).following() as people:
        load = {teacher.id: asyncio.create_task(after(n * START_EVERY, register, people,
                                                      teacher))
                for n, teacher in enumerate(teachers)}
        load |= {focal.id: asyncio.create_task(after(start, accept, people, focal))
                 for start, focal in zip(FOCAL_POINTS_START, focal_points, strict=True)}
        try:
            def ready_to_kill() -> bool:
                failed = [t for t in load.values() if t.done() and t.exception()]
                for task in failed:
                    task.result()  # the person's failure, in their words
                assert all(w.returncode is None for w in workers), the_bot_failed(logs[0])
                return (held_teacher.held is not None and held_teacher.held.is_set()
                        and sum(bool(t.code) for t in teachers) >= 3)

            await people.wait(None, ready_to_kill, "the held Confirm", seconds=90)
            pid = await holder_of(settings.database_url, held_teacher.id)
            [dying] = [w for w in workers if w.pid == pid]
            [survivor] = [w for w in workers if w is not dying]
            # Other teachers whose update the dying process has in hand lose its answer
            # too: the survivor handles the update again, too late to answer a button
            # (Telegram refuses an answer to an old query), so they look again, as the
            # held teacher does. Which they are depends on the kernel's choice of process.
            in_hand = [t for t in teachers[1:] if not load[t.id].done()
                       and await holder_of(settings.database_url, t.id) == pid]
            for teacher in (held_teacher, *in_hand):
                load.pop(teacher.id).cancel()
            await kill(dying)
            at_kill = await saved(settings)
            api.release_stalls()
            # Committed, never told: the teacher finds the child saved when they look.
            held_teacher.saved_unseen = bool(at_kill.codes_of(held_teacher.id))
            assert held_teacher.saved_unseen and held_teacher.code is None
            told_at_kill = {t.id: t.code for t in teachers if t.code}

            load[held_teacher.id] = asyncio.create_task(register(people, held_teacher))
            for teacher in in_hand:
                if codes := at_kill.codes_of(teacher.id):
                    # Saved before the kill: the teacher finds it among their cases.
                    [teacher.code] = codes
                    continue
                # Perhaps saved by the survivor's second handling of their Confirm: the
                # wizard's duplicate step then shows it, and they take it.
                teacher.saved_unseen = True
                load[teacher.id] = asyncio.create_task(register(people, teacher))
            for task in load.values():
                await task
            assert all(took_it(people, focal) for focal in focal_points)
            await people.wait(None, lambda: every_reminder_arrived(api)
                              and acceptance_notices(api) > 0, lambda: reminders_so_far(api),
                              seconds=60)
            await asyncio.sleep(1)  # five more reminder rounds: nothing more may come
            assert survivor.returncode is None
            assert await stop(survivor) == 0, the_bot_failed(logs[1])
        finally:
            for task in load.values():
                task.cancel()
            delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await delivery
            for worker in workers:
                await kill(worker)

    after_all = await saved(settings)
    # Every update handled, the one the dead process was handling by the survivor.
    assert await unhandled(settings.database_url) == 0
    # No confirmed case lost, and none twice: each teacher has the one case they were told
    # of; the held teacher's, saved by the dead process, was found again, not registered
    # again.
    for teacher_id, code in told_at_kill.items():
        assert code in after_all.codes_of(teacher_id)
    for teacher in teachers:
        assert after_all.codes_of(teacher.id) == [teacher.code], teacher.id
    assert held_teacher.code == at_kill.codes_of(held_teacher.id)[0]
    assert held_teacher.duplicates == [held_teacher.code]
    # No referral twice: one per case and need.
    assert [r for r in after_all.referrals if r[2] != 1] == []
    # Each waiting referral accepted once, by its unit's focal point; its sender told once.
    assert sorted(after_all.sent) == sorted((f.unit, "accepted", f.id, 1) for f in focal_points)
    assert acceptance_notices(api) == 1
    # Every reminder reached its chat once, both processes running the reminders job.
    unit = arrived(api, REMINDED_UNIT_FOCAL_POINT, "⏰")
    coordinators = arrived(api, COORDINATOR, "⚠️")
    assert len(unit) == OVERDUE_REFERRALS and set(unit.values()) == {1}, unit
    assert len(coordinators) == OVERDUE_REFERRALS and set(coordinators.values()) == {1}, \
        coordinators
