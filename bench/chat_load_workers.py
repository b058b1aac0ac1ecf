"""Chat load on PostgreSQL with 1 and 2 worker processes (issue 18), beside SQLite, printed.

Who: the people of `bench.chat_load` (teachers through the 23-step wizard, focal points
accepting a referral), fewer of them by default so that the whole run stays under five
minutes on two shared cores; saturated (nobody thinks: everyone taps again the instant the
bot is done with their previous update).

How, for the worker processes: a throwaway PostgreSQL server (`tests.support.postgres`),
a fresh database holding the people, and the bot as it is deployed for several processes:
`panong run` (`panong run --workers 2` for two) taking Telegram's updates by webhook, with
the secret token, into the inbox shared through the database, one chat at a time across
the processes by its advisory lock. This process plays Telegram: it posts each person's
update to the webhook port the workers share, and serves the Bot API over HTTP (Telegram's
side of `bench.lean_botapi`: answers as Telegram would, keeps each chat's last keyboards).
Update to reply: from the post to the bot's first message sent or edited in the person's
chat (else its answer to the pressed button), as the stand-in receives it. The bot is done
with an update when the inbox marks it handled: this process reads that from the inbox
every few milliseconds (one indexed query on a connection of its own), and the person taps
again then.

Beside them, in this run and with the same people: Panong in process on SQLite
(`bench.chat_load`'s saturated phase), and the anchor of every ratio, PTB alone making the
same Bot API calls (the calls Panong made replayed through a bare ConversationHandler, in
process, with no database). The processes over HTTP pay what a deployment pays and the
anchor does not (HTTP both ways, a database server): the ratio says what that costs.

CPU: seconds of CPU (user + system, from /proc) used during the measured phase by each
worker process, by the PostgreSQL server (postmaster and every backend, including those
that ended), and by this driver (Telegram's part: posting the updates, the Bot API
stand-in, watching the inbox). On a machine of two cores all of them share the cores, so
the figures say what a machine with more cores would give.

Run: `make bench`, or `.venv/bin/python -m bench.chat_load_workers [teachers]
[focal points] [--repeat N]` (defaults 50 and 16, once: about three minutes on two
shared cores).
"""

import argparse
import asyncio
import contextlib
import json
import os
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiohttp import web
from telegram import Update

from bench.chat_load import (
    Journey,
    Person,
    Recording,
    Result,
    _ms,
    panong,
    populate,
    same_messages,
)
from bench.lean_botapi import TelegramSide, chat_of
from bot.config import PROJECT_ROOT, Settings
from bot.runtime import Runtime
from handlers.webhook import SECRET_HEADER
from tests.conftest import FakeClock
from tests.support.bot_process import free_port
from tests.support.postgres import PostgresServer
from tests.support.telegram_fake import BOT_USER, FakeUser

TEACHERS = 50
FOCAL_POINTS = 16
WORKERS = (1, 2)
TOKEN = f"{BOT_USER['id']}:BENCH"
SECRET = "chat-load-bench-secret"
WEBHOOK_PATH = "/telegram/webhook"
INBOX_POLL_SECONDS = 0.005
# Form fields of a Bot API call whose values PTB sends as JSON.
JSON_FIELDS = frozenset({"reply_markup", "entities", "link_preview_options"})
TICKS = os.sysconf("SC_CLK_TCK")


class HttpBotApi(TelegramSide):
    """The Bot API over HTTP for the worker processes: Telegram's answers, and when each
    waiting person was first answered."""

    def __init__(self) -> None:
        super().__init__()
        self._waiting: dict[int, float | None] = {}  # chat -> when first answered
        self._queries: dict[str, int] = {}  # pressed button's query id -> chat
        self.starts = 0  # getMe calls: one per process starting

    def expect(self, chat_id: int, update: dict[str, Any]) -> None:
        """Before posting `update` of `chat_id`."""
        self._waiting[chat_id] = None
        if query := update.get("callback_query"):
            self._queries[query["id"]] = chat_id

    def replied_at(self, chat_id: int) -> float | None:
        return self._waiting.pop(chat_id, None)

    async def call(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        form = await request.post()
        params: dict[str, Any] = dict(form)
        markup = params.get("reply_markup")
        for key in JSON_FIELDS & params.keys():
            params[key] = json.loads(str(params[key]))
        if method == "getMe":
            self.starts += 1
        chat = (self._queries.pop(str(params.get("callback_query_id")), None)
                if method == "answerCallbackQuery" else chat_of(params))
        if chat is not None and chat in self._waiting and self._waiting[chat] is None:
            self._waiting[chat] = time.perf_counter()
        body = self.reply(method, params, str(markup) if markup is not None else None)
        return web.Response(body=body, content_type="application/json")


class InboxWatch:
    """Tells waiting people when the bot has marked their update handled in the inbox."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._waiting: dict[str, asyncio.Event] = {}  # update id -> set once handled
        self._floor = 0  # every inbox row up to this id is handled

    def expect(self, update_id: int) -> asyncio.Event:
        done = asyncio.Event()
        self._waiting[str(update_id)] = done
        return done

    async def run(self) -> None:
        conn = await asyncpg.connect(self.url)
        try:
            while True:
                rows = await conn.fetch(
                    "SELECT id, event_id, handled_at IS NOT NULL AS handled FROM inbox"
                    " WHERE id > $1 ORDER BY id", self._floor)
                contiguous = True
                for row in rows:
                    if row["handled"]:
                        if done := self._waiting.pop(row["event_id"], None):
                            done.set()
                        if contiguous:
                            self._floor = row["id"]
                    else:
                        contiguous = False
                await asyncio.sleep(INBOX_POLL_SECONDS)
        finally:
            await conn.close()


class WebhookPerson(Person):
    """A person whose updates go to the workers' webhook."""

    def __init__(self, session: aiohttp.ClientSession, webhook: str, watch: InboxWatch,
                 api: HttpBotApi, user: FakeUser, result: Result, choice: int) -> None:
        super().__init__(None, api, user, result, choice=choice)
        self.session, self.webhook, self.watch = session, webhook, watch

    async def handled(self, update: Update) -> float | None:
        data = update.to_dict()
        self.api.expect(self.id, data)
        done = self.watch.expect(update.update_id)
        async with self.session.post(self.webhook, json=data,
                                     headers={SECRET_HEADER: SECRET}) as response:
            if response.status != 200:
                raise RuntimeError(f"the webhook answered {response.status}")
        await asyncio.wait_for(done.wait(), timeout=60)
        return self.api.replied_at(self.id)


def cpu_seconds(pid: int, exited_children: bool = True) -> float:
    """CPU (user + system) used by the process and, when asked, by its children that
    ended."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if exited_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICKS


def children(pid: int) -> list[int]:
    return [int(child) for child in
            Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def tree_cpu(pid: int) -> float:
    """The process's CPU and that of all its descendants, living or ended."""
    return cpu_seconds(pid) + sum(tree_cpu(child) for child in children(pid))


@dataclass
class Cpu:
    workers: list[float] = field(default_factory=list)
    server: float = 0.0
    driver: float = 0.0


class CpuMeter:
    """CPU used between `start` and `stop` by each worker, the server and this process."""

    def __init__(self, bot_pid: int, several: bool, postmaster: int) -> None:
        self.bot_pid, self.several, self.postmaster = bot_pid, several, postmaster

    def _workers(self) -> dict[int, float]:
        pids = children(self.bot_pid) if self.several else [self.bot_pid]
        return {pid: cpu_seconds(pid) for pid in pids}

    def _now(self) -> tuple[dict[int, float], float, float]:
        own = os.times()
        return self._workers(), tree_cpu(self.postmaster), own.user + own.system

    def start(self) -> None:
        self._started = self._now()

    def stop(self) -> Cpu:
        workers, server, driver = self._now()
        before, server_before, driver_before = self._started
        return Cpu([seconds - before.get(pid, 0.0) for pid, seconds in workers.items()],
                   server - server_before, driver - driver_before)


@contextlib.asynccontextmanager
async def stand_in(api: HttpBotApi) -> AsyncIterator[str]:
    """The Bot API on a free loopback port: its base URL."""
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", api.call)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        await runner.cleanup()


async def start_bot(database_url: str, api_url: str, port: int, workers: int,
                    log: Path) -> asyncio.subprocess.Process:
    """`panong run` as deployed for several processes: PostgreSQL, Telegram by webhook."""
    env = {**os.environ,
           "PANONG_ENV_FILE": "/dev/null",
           "PANONG_TELEGRAM_TOKEN": TOKEN,
           "PANONG_BASE_URL": f"{api_url}/bot",
           "PANONG_BASE_FILE_URL": f"{api_url}/file/bot",
           "PANONG_BOT_USERNAME": BOT_USER["username"],
           "PANONG_TELEGRAM_WEBHOOK_URL": f"https://bot.example{WEBHOOK_PATH}",
           "PANONG_TELEGRAM_WEBHOOK_SECRET": SECRET,
           "PANONG_LINE_WEBHOOK_PORT": str(port),
           "PANONG_DATABASE_URL": database_url}
    args = ["--workers", str(workers)] if workers != 1 else []
    with log.open("ab") as output:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", *args, cwd=PROJECT_ROOT, env=env,
            stdout=output, stderr=output)


async def until(condition: Any, bot: asyncio.subprocess.Process, log: Path,
                seconds: float = 60) -> None:
    async with asyncio.timeout(seconds):
        while not condition():
            if bot.returncode is not None:
                raise RuntimeError(f"the bot ended; its output is in {log}")
            await asyncio.sleep(0.05)


async def through_workers(server: PostgresServer, workers: int, teachers: int,
                          focal_points: int, folder: Path) -> tuple[Result, Cpu]:
    """The people through `workers` bot processes on a fresh database of `server`."""
    url = await server.create_database()
    try:
        settings = Settings(_env_file=None, telegram_token=TOKEN, database_url=url,
                            database_path=folder / "unused.db")
        runtime = await Runtime.start(settings, clock=FakeClock())
        try:
            people = await populate(runtime, teachers, focal_points)
        finally:
            await runtime.close()
        return await _drive(url, server, workers, people, folder)
    finally:
        await server.drop_database(url)


async def _drive(url: str, server: PostgresServer, workers: int,
                 people: list[tuple[FakeUser, Journey]], folder: Path) -> tuple[Result, Cpu]:
    api = HttpBotApi()
    port = free_port()
    log = folder / f"workers-{workers}.log"
    result = Result()
    async with stand_in(api) as api_url:
        bot = await start_bot(url, api_url, port, workers, log)
        try:
            await until(lambda: api.starts >= workers and _listening(port), bot, log)
            await asyncio.sleep(1)  # each process past its start-up
            watch = InboxWatch(url)
            watching = asyncio.create_task(watch.run())
            postmaster = int((server.data / "postmaster.pid").read_text().split()[0])
            meter = CpuMeter(bot.pid, workers != 1, postmaster)
            webhook = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
            async with aiohttp.ClientSession() as session:
                meter.start()
                started = time.perf_counter()
                async with asyncio.TaskGroup() as everybody:
                    for n, (user, journey) in enumerate(people):
                        person = WebhookPerson(session, webhook, watch, api, user, result, n)
                        everybody.create_task(journey(person))
                result.seconds = time.perf_counter() - started
                cpu = meter.stop()
            watching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watching
        finally:
            if bot.returncode is None:
                bot.terminate()
            await asyncio.wait_for(bot.wait(), timeout=30)
    return result, cpu


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("teachers", type=int, nargs="?", default=TEACHERS)
    parser.add_argument("focal_points", type=int, nargs="?", default=FOCAL_POINTS)
    parser.add_argument("--repeat", type=int, default=1, help="run everything N times")
    args = parser.parse_args()
    teachers, focal_points = args.teachers, args.focal_points
    server = PostgresServer.start()
    try:
        print(f"chat load over webhook: {teachers:,} teachers registering and "
              f"{focal_points} focal points accepting a referral, saturated; PostgreSQL "
              f"{server.version} (throwaway, fsync off), {os.cpu_count()} cores")
        for round_ in range(args.repeat):
            _round(server, teachers, focal_points, round_ + 1, args.repeat)
    finally:
        server.stop()


def _round(server: PostgresServer, teachers: int, focal_points: int, number: int,
           rounds: int) -> None:
    script: dict[str, Recording] = {}
    with tempfile.TemporaryDirectory() as folder:
        sqlite = asyncio.run(panong(Path(folder), teachers, focal_points, script=script))
    anchor = asyncio.run(same_messages(teachers, focal_points, script))
    measured: dict[int, tuple[Result, Cpu]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for workers in WORKERS:
            measured[workers] = asyncio.run(
                through_workers(server, workers, teachers, focal_points, Path(folder)))
    print()
    if rounds > 1:
        print(f"round {number} of {rounds}")
    print(f"{'run':<34} {'updates/s':>9} {'ratio':>6} {'p50':>10} {'p99':>10} "
          f"{'CPU ms/update: bot':>18} {'server':>7} {'driver':>7}   CPU s of each worker, "
          f"server, driver / wall s")
    rows: list[tuple[str, Result, Cpu | None]] = [
        ("PTB alone, same calls (anchor)", anchor, None),
        ("Panong in process, SQLite", sqlite, None)]
    rows += [(f"Panong, PostgreSQL, {w} worker{'s' if w > 1 else ''}", *measured[w])
             for w in WORKERS]
    for label, result, cpu in rows:
        line = (f"{label:<34} {result.rate:>9,.0f} {result.rate / anchor.rate:>6.0%} "
                f"{_ms(result.quantile(50)):>10} {_ms(result.quantile(99)):>10}")
        if cpu is None:  # one process: bot and driver together
            line += f" {result.cpu_per_update * 1000:>18.1f}"
        else:
            per = [seconds * 1000 / len(result.latencies)
                   for seconds in (sum(cpu.workers), cpu.server, cpu.driver)]
            line += (f" {per[0]:>18.1f} {per[1]:>7.1f} {per[2]:>7.1f}   "
                     f"{' + '.join(f'{s:.1f}' for s in cpu.workers)}, {cpu.server:.1f}, "
                     f"{cpu.driver:.1f} / {result.seconds:.1f}")
        print(line)
    (one, _), (two, two_cpu) = (measured[w] for w in WORKERS)
    print(f"2 workers / 1 worker: {two.rate / one.rate:.2f}x (target >= 1.6x where the "
          f"cores allow); one process / PTB same calls: SQLite in process "
          f"{sqlite.rate / anchor.rate:.0%}, PostgreSQL worker {one.rate / anchor.rate:.0%} "
          f"(target >= 60%)")
    busy = sum(two_cpu.workers) + two_cpu.server + two_cpu.driver
    print(f"cores busy with 2 workers: {busy / two.seconds:.2f} of {os.cpu_count()} "
          f"(the rest went to other work on the machine); with a core for each worker and "
          f"the server's and driver's own, the bot's CPU per update would allow about "
          f"{1000 / (sum(two_cpu.workers) * 1000 / len(two.latencies)):,.0f} updates/s "
          f"per worker")
    for label, result, _ in rows:
        if result.unanswered:
            print(f"warning: {label}: the bot said nothing to {result.unanswered} updates")


if __name__ == "__main__":
    main()
