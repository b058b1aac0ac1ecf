"""Several bot processes on one PostgreSQL database share the inbox: one chat's updates are
handled in the order they came and one at a time, whichever process takes them, and a
process that dies in the middle of an update leaves it to another. Each `Inbox` here has
its own lock connection, so two of them are two processes as far as the server can tell.
`panong run --workers N` starts N processes, starts again one that dies, and refuses a
database only one process may serve."""

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from bot import inbox as inbox_module
from bot.cli import main
from bot.inbox import Inbox
from bot.runtime import Runtime
from sandbox.botapi import BotApi
from sandbox.run import BOT_USERNAME, SANDBOX_TOKEN
from storage.inbox import ReceivedEvent
from storage.locks import AdvisoryLocks
from tests.conftest import FakeClock, make_settings
from tests.support.bot_process import (
    free_port,
    kill,
    serve_bot_api,
    start_telegram_worker,
    stop,
)

ON_POSTGRESQL = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

CHAT = "chat:1001"


@pytest.fixture
async def runtime(tmp_path: Path, database_url: str) -> AsyncIterator[Runtime]:
    runtime = await Runtime.start(make_settings(tmp_path, database_url=database_url),
                                  clock=FakeClock())
    try:
        yield runtime
    finally:
        await runtime.close()


def second_process(runtime: Runtime, database_url: str) -> Inbox:
    """Another process's inbox on the same database: its own lock connection."""
    return Inbox(runtime.db, runtime.now, AdvisoryLocks(database_url), interval=0.05)


class Recorder:
    """Handles updates slowly, noting which process handled which and how many at once."""

    def __init__(self) -> None:
        self.handled: list[tuple[str, str]] = []  # (event id, process)
        self.at_once = 0
        self.most_at_once = 0
        self._changed = asyncio.Event()

    async def until(self, handled: int) -> None:
        while len(self.handled) < handled:
            self._changed.clear()
            await self._changed.wait()

    def handler(self, process: str):  # type: ignore[no-untyped-def]
        async def handle(received: ReceivedEvent) -> None:
            self.at_once += 1
            self.most_at_once = max(self.most_at_once, self.at_once)
            await asyncio.sleep(0.01)
            self.handled.append((received.event_id, process))
            self.at_once -= 1
            self._changed.set()
        return handle


@ON_POSTGRESQL
async def test_one_chats_updates_go_in_order_and_one_at_a_time_across_two_processes(
    runtime: Runtime, database_url: str
) -> None:
    first = runtime.inbox
    second = second_process(runtime, database_url)
    recorder = Recorder()
    first.register("telegram", recorder.handler("first"))
    second.register("telegram", recorder.handler("second"))
    stop = asyncio.Event()
    running = [asyncio.create_task(inbox.run(stop)) for inbox in (first, second)]
    try:
        # Received by both processes in turn, as a proxy spreads requests: each tries to
        # take the chat as it stores, and the other hears of it. Bursts of five, the chat
        # left free between them, so that each process gets to take it.
        async with asyncio.timeout(30):
            for n in range(30):
                await (first, second)[(n % 5 + n // 5) % 2].receive(
                    "telegram", [(str(n), CHAT, {"n": n})])
                if n % 5 == 4:
                    await recorder.until(n + 1)
                    while first.handling or second.handling:
                        await asyncio.gather(*first.handling, *second.handling)
    finally:
        stop.set()
        await asyncio.gather(*running)

    assert [event_id for event_id, _ in recorder.handled] == [str(n) for n in range(30)]
    assert recorder.most_at_once == 1
    assert {process for _, process in recorder.handled} == {"first", "second"}


@ON_POSTGRESQL
async def test_an_update_a_dead_process_was_handling_is_handled_by_another(
    runtime: Runtime, database_url: str
) -> None:
    dying, survivor = runtime.inbox, second_process(runtime, database_url)
    reached = asyncio.Event()

    async def hangs(received: ReceivedEvent) -> None:
        reached.set()
        await asyncio.Event().wait()

    recorder = Recorder()
    dying.register("telegram", hangs)
    survivor.register("telegram", recorder.handler("survivor"))
    await dying.receive("telegram", [("1", CHAT, {}), ("2", CHAT, {})])
    await reached.wait()
    assert await survivor.take_up() == 0  # the chat is held: nothing taken

    await dying.locks.close()  # the process dies: the server drops its locks at once
    stop = asyncio.Event()
    running = asyncio.create_task(survivor.run(stop))
    try:
        async with asyncio.timeout(30):
            await recorder.until(2)
    finally:
        stop.set()
        await running
        for task in dying.handling:
            task.cancel()

    assert recorder.handled == [("1", "survivor"), ("2", "survivor")]


@ON_POSTGRESQL
async def test_a_process_that_loses_its_locks_stops_handling_and_leaves_the_update(
    runtime: Runtime, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stop would let the update finish; a loss may not wait for it.
    monkeypatch.setattr(inbox_module, "FINISH_SECONDS", 3600)
    reached, cancelled = asyncio.Event(), asyncio.Event()

    async def hangs(received: ReceivedEvent) -> None:
        reached.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    runtime.inbox.register("telegram", hangs)
    running = asyncio.create_task(runtime.inbox.run(asyncio.Event()))
    await runtime.inbox.receive("telegram", [("1", CHAT, {})])
    await reached.wait()
    conn = await asyncpg.connect(database_url)
    try:  # the server ends the lock connection (a restart, a network cut)
        await conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                           " WHERE application_name = $1", f"panong-locks:{os.getpid()}")
    finally:
        await conn.close()

    with pytest.raises(RuntimeError, match="locks were lost"):
        await asyncio.wait_for(running, 30)
    assert cancelled.is_set()
    assert [event.event_id for event in await runtime.db.read.inbox.unhandled()] == ["1"]


def test_several_workers_are_refused_on_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PANONG_ENV_FILE", "/dev/null")
    monkeypatch.setenv("PANONG_DATABASE_PATH", str(tmp_path / "panong.db"))
    monkeypatch.delenv("PANONG_DATABASE_URL", raising=False)

    assert main(["run", "--workers", "2"]) == 2
    assert "only on PostgreSQL" in capsys.readouterr().err
    assert not (tmp_path / "panong.db").exists()


async def lock_holders(database_url: str) -> set[int]:
    """The processes with a lock connection open (`storage.locks` names it by pid)."""
    conn = await asyncpg.connect(database_url)
    try:
        names = await conn.fetch("SELECT application_name FROM pg_stat_activity"
                                 " WHERE application_name LIKE 'panong-locks:%'")
    finally:
        await conn.close()
    return {int(row[0].rsplit(":", 1)[1]) for row in names}


def children_of(pid: int) -> set[int]:
    return {int(child) for child in
            Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


async def until_running(database_url: str, parent: int, count: int,
                        gone: int | None = None) -> set[int]:
    """The parent's children once `count` of them are serving (their lock connection
    open), and no other; `gone` no longer among them."""
    async with asyncio.timeout(60):
        while True:
            children = children_of(parent)
            if len(children) == count and gone not in children \
                    and children <= await lock_holders(database_url):
                return children
            await asyncio.sleep(0.2)  # the processes are not ours to be woken by


@ON_POSTGRESQL
async def test_panong_run_with_workers_starts_them_starts_a_dead_one_again_and_stops_all(
    tmp_path: Path, database_url: str
) -> None:
    settings = make_settings(tmp_path, database_url=database_url)
    async with serve_bot_api(BotApi(SANDBOX_TOKEN, username=BOT_USERNAME)) as url:
        parent = await start_telegram_worker(settings, url, free_port(), "a-secret-of-sixteen",
                                             tmp_path / "bot.log", workers=2)
        try:
            first = await until_running(database_url, parent.pid, 2)
            dead = min(first)
            os.kill(dead, signal.SIGKILL)
            second = await until_running(database_url, parent.pid, 2, gone=dead)
            assert len(first & second) == 1

            assert await stop(parent) == 0
            assert await lock_holders(database_url) == set()
        finally:
            await kill(parent)
