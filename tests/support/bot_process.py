"""The real bot as a separate `panong run` process, talking HTTP to a sandbox Bot API that
runs inside the test and outlives it: for the fault tests that SIGKILL the bot mid-work and
start it again on the same database (`tests/test_reminder_crash.py`,
`tests/test_chat_crash.py`)."""

import asyncio
import os
import re
import signal
import socket
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp import web

from bot.config import PROJECT_ROOT, Settings
from sandbox.botapi import BotApi
from sandbox.line_server import API_DATA_PREFIX, API_PREFIX
from sandbox.run import BOT_USERNAME, LINE_SANDBOX_SECRET, LINE_SANDBOX_TOKEN, SANDBOX_TOKEN
from sandbox.server import build_web_app

CASE_CODE = re.compile(r"SPK-\d{4}-\d{5}")


@asynccontextmanager
async def serve_bot_api(api: BotApi) -> AsyncIterator[str]:
    """The stand-in over HTTP on a free loopback port, for as long as the block runs: its
    base URL. Long polls still open at the end are answered (with nothing) first."""
    runner = web.AppRunner(build_web_app(api), shutdown_timeout=0.5)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    await web.SockSite(runner, sock).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        api.close()
        await runner.cleanup()


async def start_bot(settings: Settings, url: str,
                    log: Path | None = None) -> asyncio.subprocess.Process:
    """`panong run` on the settings' database, polling the stand-in at `url`; reminders
    looked for every 0.2 s and never held for quiet hours. Its output goes to `log`, or
    nowhere."""
    return await _panong_run(settings, {
        "PANONG_TELEGRAM_TOKEN": SANDBOX_TOKEN,
        "PANONG_BASE_URL": f"{url}/bot",
        "PANONG_BASE_FILE_URL": f"{url}/file/bot",
        "PANONG_BOT_USERNAME": BOT_USERNAME}, log)


# Where the stand-in believes Telegram posts the updates (it takes only HTTPS); the test's
# deliverer posts them to the bot's webhook port itself.
TELEGRAM_WEBHOOK_URL = "https://bot.example/telegram/webhook"


async def start_telegram_worker(settings: Settings, url: str, webhook_port: int,
                                secret: str, log: Path | None = None, workers: int = 1,
                                **more: str) -> asyncio.subprocess.Process:
    """`panong run` taking Telegram's updates by webhook on `webhook_port` (shared with
    the other workers), on the settings' database (PostgreSQL at `database_url`), calling
    the stand-in at `url`; `panong run --workers N` for more than one. `more`: other
    PANONG_ settings, by name."""
    return await _panong_run(settings, {
        "PANONG_TELEGRAM_TOKEN": SANDBOX_TOKEN,
        "PANONG_BASE_URL": f"{url}/bot",
        "PANONG_BASE_FILE_URL": f"{url}/file/bot",
        "PANONG_BOT_USERNAME": BOT_USERNAME,
        "PANONG_TELEGRAM_WEBHOOK_URL": TELEGRAM_WEBHOOK_URL,
        "PANONG_TELEGRAM_WEBHOOK_SECRET": secret,
        "PANONG_LINE_WEBHOOK_PORT": str(webhook_port),
        **({"PANONG_DATABASE_URL": settings.database_url} if settings.database_url else {}),
        **{f"PANONG_{name.upper()}": value for name, value in more.items()}}, log,
        ["--workers", str(workers)] if workers != 1 else [])


async def start_line_bot(settings: Settings, url: str, webhook_port: int,
                         log: Path | None = None) -> asyncio.subprocess.Process:
    """`panong run` on LINE alone, calling the LINE stand-in at `url` (its api host under
    `/line/api`, its api-data host under `/line/api-data`) and taking its webhooks on
    `webhook_port`."""
    return await _panong_run(settings, {
        "PANONG_LINE_CHANNEL_SECRET": LINE_SANDBOX_SECRET,
        "PANONG_LINE_CHANNEL_ACCESS_TOKEN": LINE_SANDBOX_TOKEN,
        "PANONG_LINE_API_BASE_URL": f"{url}{API_PREFIX}",
        "PANONG_LINE_API_DATA_BASE_URL": f"{url}{API_DATA_PREFIX}",
        "PANONG_LINE_WEBHOOK_PORT": str(webhook_port)}, log)


async def _panong_run(settings: Settings, channel: dict[str, str], log: Path | None,
                      args: list[str] | None = None) -> asyncio.subprocess.Process:
    env = {**os.environ, **channel,
           "PANONG_DATABASE_PATH": str(settings.database_path),
           "PANONG_QUIET_HOURS": "[0, 0]",  # never quiet, whenever the test runs
           "PANONG_REMINDER_INTERVAL_SECONDS": "0.2"}
    if log is None:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", *(args or []), cwd=PROJECT_ROOT, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    with log.open("ab") as output:  # the process keeps its own copy of the descriptor
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", *(args or []), cwd=PROJECT_ROOT, env=env,
            stdout=output, stderr=output)


def free_port() -> int:
    """A loopback port nobody listens on now (for a process that binds it itself)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def kill(bot: asyncio.subprocess.Process) -> None:
    """SIGKILL, if it is still running: no clean-up of any kind, as in a power cut."""
    if bot.returncode is None:
        bot.send_signal(signal.SIGKILL)
    await bot.wait()


async def stop(bot: asyncio.subprocess.Process) -> int:
    """SIGTERM, as a service manager stops it; its exit status."""
    bot.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(bot.wait(), timeout=15)


def arrived(api: BotApi, chat_id: int, marker: str) -> Counter[str]:
    """How many times each case's message marked `marker` (a reminder's ⏰, an
    escalation's ⚠️) reached the chat, by case code."""
    return Counter(CASE_CODE.search(m["text"])[0]  # type: ignore[index]
                   for m in api.messages(chat_id) if marker in m.get("text", ""))


async def until(api: BotApi, condition: Callable[[], bool], seconds: float = 30) -> None:
    """Wait, on the stand-in's change feed, until `condition` holds (`seconds` at most)."""
    seen = 0
    async with asyncio.timeout(seconds):
        while not condition():
            seen, _ = await api.changes(seen, wait=1)
