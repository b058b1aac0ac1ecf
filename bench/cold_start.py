"""Cold start with 1,000,000 cases (target: answering within 2 s), printed.

- The database is built first, outside the timings, as `bench.summaries` builds it (a
  million generated cases with their referrals, tallies counted), plus some users.
- Cold start to answering: the real bot (`panong run`) is started as a new process against
  that database, talking HTTP to the sandbox's Bot API served here; a `/help` from a
  registered teacher is already waiting when the process is spawned. The figure runs from
  the spawn to the bot's sendMessage reaching the Bot API: the interpreter, the imports,
  `Runtime.start`, PTB's start-up (getMe, the command menus, deleteWebhook) and the
  answer itself. The time of the process's first Bot API call and of its first getUpdates
  split it into before and after the database is ready.
- `Runtime.start` alone, in this process, and its parts (migrations with nothing to apply,
  the directory load, `summaries.ensure_tallies`), so the reader sees where the time goes.
- The same start the first time after upgrading to the tallies (migration 0008): the tallies
  are counted from a million cases once, so that start pays for it, and none after it.

Each figure is the median of RUNS starts. The database was just written, so the operating
system's file cache holds it; the start is also timed with the database's pages dropped
from that cache first (as after a reboot), where the system allows it.
Run: `make bench`, or `.venv/bin/python -m bench.cold_start [cases]`.
"""

import asyncio
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from bench.summaries import NOW, build
from bot.config import PROJECT_ROOT, Settings
from bot.directory import load_directory
from bot.domain.models import Role
from bot.geography import Geography
from bot.runtime import Runtime
from bot.services import summaries
from sandbox.botapi import BotApi, JSONDict, Upload
from sandbox.run import BOT_USERNAME, SANDBOX_TOKEN
from sandbox.server import build_web_app
from storage.database import Database
from tests.conftest import FakeClock, add_user, make_settings

CASES = 1_000_000
RUNS = 3
TEACHERS, FOCAL_POINTS = 200, 40
SENDER = 300_000  # the first teacher added here: the one who asks for /help
FOCAL_UNITS = ("spp1_samutprakan", "dole_d1103", "msdhs_pso_samutprakan")


async def add_people(path: Path) -> None:
    """Teachers and focal points besides `build`'s coordinator and teacher, each with a
    language, so that their first message does not stop to store one."""
    runtime = await Runtime.start(make_settings(path.parent, database_path=path),
                                  clock=FakeClock(NOW))
    try:
        coordinator = await runtime.db.read.users.by_channel_id("telegram", "9001")
        for n in range(TEACHERS):
            await add_user(runtime, Role.TEACHER, "school_wat_phraek_sa", str(SENDER + n),
                           inviter=coordinator, language="en")
        for n in range(FOCAL_POINTS):
            await add_user(runtime, Role.FOCAL_POINT, FOCAL_UNITS[n % len(FOCAL_UNITS)],
                           str(SENDER + TEACHERS + n), inviter=coordinator, language="en")
    finally:
        await runtime.close()


async def forget_tallies(path: Path) -> None:
    """As before migration 0008's first start: the tallies not counted yet."""
    db = Database(path)
    await db.open()
    try:
        async with db.unit_of_work() as uow:
            for table in ("tally_people", "tally_causes", "tally_needs", "tally_referrals",
                          "tally_accept_days"):
                await uow.conn.execute(f"DELETE FROM {table}")
            await uow.conn.execute("DELETE FROM bot_state WHERE key = ?",
                                   (summaries.TALLIES_BUILT,))
            await uow.commit()
        await db.writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await db.close()


# --- Runtime.start in this process ----------------------------------------------------


async def _ms(step: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await step()
    return (time.perf_counter() - started) * 1000


async def runtime_start(path: Path, *, uncounted: bool = False) -> dict[str, float]:
    """Milliseconds of one `Runtime.start`, then of its parts one by one (the same calls,
    in the same order, as `Runtime.start` makes them); `uncounted`: each time with the
    tallies not counted yet."""
    settings = make_settings(path.parent, database_path=path)
    times: dict[str, float] = {}
    if uncounted:
        await forget_tallies(path)
    started = time.perf_counter()
    runtime = await Runtime.start(settings, clock=FakeClock(NOW))
    times["whole"] = (time.perf_counter() - started) * 1000
    await runtime.close()

    if uncounted:
        await forget_tallies(path)
    geography = Geography.load(settings.province_code)
    started = time.perf_counter()
    organisations = load_directory(settings.directory_path, geography)
    times["directory file"] = (time.perf_counter() - started) * 1000
    db = Database(settings.database_path, settings.tz)
    try:
        times["open"] = await _ms(db.open)
        times["migrate"] = await _ms(db.migrate)

        async def replace() -> None:
            async with db.unit_of_work() as uow:
                await uow.organisations.replace_all(organisations)
                await uow.commit()

        times["directory into the database"] = await _ms(replace)
        times["ensure_tallies"] = await _ms(lambda: summaries.ensure_tallies(db))
    finally:
        await db.close()
    return times


# --- the real bot as a process ----------------------------------------------------------


class TimedBotApi(BotApi):
    """The sandbox's Bot API, noting when the bot's calls arrive."""

    def __init__(self) -> None:
        super().__init__(SANDBOX_TOKEN, username=BOT_USERNAME)
        self.first_call: float | None = None
        self.first_poll: float | None = None
        self.answered_at: float | None = None
        self.answered = asyncio.Event()

    async def call(self, method: str, raw: JSONDict, files: dict[str, Upload]) -> Any:
        now = time.perf_counter()
        if self.first_call is None:
            self.first_call = now
        if method == "getUpdates" and self.first_poll is None:
            self.first_poll = now
        result = await super().call(method, raw, files)
        if method == "sendMessage" and str(raw.get("chat_id")) == str(SENDER) \
                and self.answered_at is None:
            self.answered_at = time.perf_counter()
            self.answered.set()
        return result


def _command() -> list[str]:
    script = Path(sys.executable).with_name("panong")  # what `make run` starts
    if script.exists():
        return [str(script), "run"]
    return [sys.executable, "-m", "bot.cli", "run"]


def evictable() -> bool:
    return hasattr(os, "posix_fadvise")


def evict(path: Path) -> None:
    """Drop the database's pages from the operating system's file cache (written out
    first: only clean pages can be dropped)."""
    for name in (path, path.with_name(path.name + "-wal")):
        if name.exists():
            fd = os.open(name, os.O_RDONLY)
            try:
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


async def start_to_answer(settings: Settings, log: Path, *, uncounted: bool = False,
                          evicted: bool = False) -> dict[str, float]:
    """Seconds from spawning `panong run` to its answer, to its first Bot API call and to
    its first getUpdates; `uncounted`: with the tallies not counted yet; `evicted`: with
    the database out of the file cache."""
    if uncounted:
        await forget_tallies(settings.database_path)
    if evicted:
        await asyncio.to_thread(evict, settings.database_path)
    api = TimedBotApi()
    api.add_user(SENDER, "Somsri", "en")
    api.send_text(SENDER, "/help")  # waiting for the bot before it exists
    runner = web.AppRunner(build_web_app(api), shutdown_timeout=0.5)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    await web.SockSite(runner, sock).start()
    env = {**os.environ,
           "PANONG_TELEGRAM_TOKEN": SANDBOX_TOKEN,
           "PANONG_BASE_URL": f"{url}/bot",
           "PANONG_BASE_FILE_URL": f"{url}/file/bot",
           "PANONG_DATABASE_PATH": str(settings.database_path)}
    try:
        with log.open("ab") as output:
            spawned = time.perf_counter()
            bot = await asyncio.create_subprocess_exec(
                *_command(), cwd=PROJECT_ROOT, env=env, stdin=asyncio.subprocess.DEVNULL,
                stdout=output, stderr=output)
            try:
                waiting = asyncio.ensure_future(api.answered.wait())
                exited = asyncio.ensure_future(bot.wait())
                await asyncio.wait({waiting, exited}, timeout=120,
                                   return_when=asyncio.FIRST_COMPLETED)
                waiting.cancel()
                exited.cancel()
                if api.answered_at is None:
                    said = await asyncio.to_thread(log.read_text, errors="replace")
                    raise RuntimeError(f"the bot did not answer; the end of its log:\n"
                                       f"{said[-3000:]}")
                bot.send_signal(signal.SIGTERM)
                await asyncio.wait_for(bot.wait(), timeout=30)
            finally:
                if bot.returncode is None:
                    bot.kill()
                    await bot.wait()
    finally:
        api.close()
        await runner.cleanup()
    assert api.first_call is not None and api.first_poll is not None
    return {"answer": api.answered_at - spawned, "first call": api.first_call - spawned,
            "first poll": api.first_poll - spawned}


async def imports_only() -> float:
    """Seconds from spawning a new interpreter to its having imported what `panong run`
    imports before it starts."""
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import bot.cli, handlers.app; print('imported', flush=True)",
        cwd=PROJECT_ROOT, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE)
    assert process.stdout is not None
    line = await process.stdout.readline()
    imported = time.perf_counter() - started
    if await process.wait() != 0 or line.strip() != b"imported":
        raise RuntimeError("importing the bot failed")
    return imported


# --- the report -------------------------------------------------------------------------


def _median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else CASES
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        built = asyncio.run(build(path, count))
        asyncio.run(add_people(path))
        settings, log = make_settings(path.parent, database_path=path), Path(folder) / "bot.log"

        interpreter = statistics.median(asyncio.run(imports_only()) for _ in range(RUNS))
        inside = [asyncio.run(runtime_start(path)) for _ in range(RUNS)]
        process = [asyncio.run(start_to_answer(settings, log)) for _ in range(RUNS)]
        uncached = [asyncio.run(start_to_answer(settings, log, evicted=True))
                    for _ in range(RUNS if evictable() else 0)]
        upgrade_inside = [asyncio.run(runtime_start(path, uncounted=True))
                          for _ in range(RUNS)]
        upgrade_process = [asyncio.run(start_to_answer(settings, log, uncounted=True))
                           for _ in range(RUNS)]

    print(f"cold start: {count:,} cases, {TEACHERS + FOCAL_POINTS + 2} users "
          f"(generated and written in {built:.0f} s); median of {RUNS} starts")
    print(f"{'figure':<60} {'value':>10} {'target':>10}")
    print(f"{'spawning `panong run` to its answer to /help':<60} "
          f"{_median(process, 'answer'):>8.2f} s {'< 2 s':>10}")
    print(f"{'  to its first Bot API call (imports, Runtime.start, PTB)':<60} "
          f"{_median(process, 'first call'):>8.2f} s")
    print(f"{'    of which a new interpreter importing the bot':<60} {interpreter:>8.2f} s")
    print(f"{'  to its first getUpdates (after getMe, menus, deleteWebhook)':<60} "
          f"{_median(process, 'first poll'):>8.2f} s")
    if uncached:
        print(f"{'the same, the database first dropped from the file cache':<60} "
              f"{_median(uncached, 'answer'):>8.2f} s {'< 2 s':>10}")
    print(f"{'Runtime.start in process, tallies already counted':<60} "
          f"{_median(inside, 'whole'):>7.0f} ms")
    for part in ("directory file", "open", "migrate", "directory into the database",
                 "ensure_tallies"):
        print(f"{'  ' + part:<60} {_median(inside, part):>7.0f} ms")
    print("first start after the tallies migration (they are counted):")
    print(f"{'  spawning `panong run` to its answer to /help':<60} "
          f"{_median(upgrade_process, 'answer'):>8.2f} s")
    print(f"{'  Runtime.start in process':<60} {_median(upgrade_inside, 'whole'):>7.0f} ms")
    print(f"{'  ensure_tallies alone (counting them)':<60} "
          f"{_median(upgrade_inside, 'ensure_tallies'):>7.0f} ms")


if __name__ == "__main__":
    main()
