"""SIGKILL the bot in the middle of sending a batch of reminders, start it again, and count
what arrived: every reminder, none twice, when the kill lands while Telegram had not yet
taken the message; exactly that one message twice when Telegram had taken it and the
answer was lost with the process (the documented at-least-once window).

The bot runs as a real `panong run` process talking HTTP to the sandbox's Bot API, which
runs here, in the test, and outlives the bot.
"""

import asyncio
import os
import re
import signal
import socket
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiohttp import web

from bot.config import PROJECT_ROOT, Settings
from bot.domain.models import Role
from bot.runtime import Runtime
from sandbox.botapi import BotApi
from sandbox.run import BOT_USERNAME, SANDBOX_TOKEN
from sandbox.server import build_web_app
from tests.conftest import FakeClock, add_user, make_settings
from tests.support.cases import register_and_send

CASES = 12  # each: one reminder to the unit, one escalation to the coordinator
FOCAL_POINT, COORDINATOR = 2001, 9001
CODE = re.compile(r"SPK-2568-\d{5}")


@pytest.fixture
async def settings(tmp_path: Path) -> Settings:
    """A database with CASES referrals sent a year ago: all their reminders are due."""
    settings = make_settings(tmp_path)
    runtime = await Runtime.start(settings, clock=FakeClock())
    try:
        coordinator = await add_user(runtime, Role.COORDINATOR, "peo_samutprakan",
                                     str(COORDINATOR), "Khun Prasert", language="en")
        teacher = await add_user(runtime, Role.TEACHER, "school_wat_phraek_sa", "1001",
                                 "Kru Somsri", inviter=coordinator, language="en")
        await add_user(runtime, Role.FOCAL_POINT, "spp1_samutprakan", str(FOCAL_POINT),
                       "Khun Malai", inviter=coordinator, language="en")
        for _ in range(CASES):
            await register_and_send(runtime, teacher, needs=("EDUCATION",))
    finally:
        await runtime.close()
    return settings


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[BotApi, str]]:
    api = BotApi(SANDBOX_TOKEN, username=BOT_USERNAME)
    for user_id, name in ((FOCAL_POINT, "Malai"), (COORDINATOR, "Prasert"), (1001, "Somsri")):
        api.add_user(user_id, name, "en")
    runner = web.AppRunner(build_web_app(api), shutdown_timeout=0.5)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    await web.SockSite(runner, sock).start()
    try:
        yield api, f"http://127.0.0.1:{port}"
    finally:
        api.close()
        await runner.cleanup()


async def start_bot(settings: Settings, url: str) -> asyncio.subprocess.Process:
    env = {**os.environ,
           "PANONG_TELEGRAM_TOKEN": SANDBOX_TOKEN,
           "PANONG_BASE_URL": f"{url}/bot",
           "PANONG_BASE_FILE_URL": f"{url}/file/bot",
           "PANONG_DATABASE_PATH": str(settings.database_path),
           "PANONG_BOT_USERNAME": BOT_USERNAME,
           "PANONG_QUIET_HOURS": "[0, 0]",  # never quiet, whenever the test runs
           "PANONG_REMINDER_INTERVAL_SECONDS": "0.2"}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=PROJECT_ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)


def arrived(api: BotApi, chat_id: int, marker: str) -> Counter[str]:
    """How many times each case's reminder reached the chat."""
    return Counter(CODE.search(m["text"])[0] for m in api.messages(chat_id)  # type: ignore[index]
                   if marker in m.get("text", ""))


async def until(api: BotApi, condition: Callable[[], bool]) -> None:
    """Wait, on the stand-in's change feed, until `condition` holds (30 s at most)."""
    seen = 0
    async with asyncio.timeout(30):
        while not condition():
            seen, _ = await api.changes(seen, wait=1)


async def kill_then_restart(settings: Settings, api: BotApi, url: str, *,
                            accepted: bool) -> tuple[Counter[str], Counter[str]]:
    stalled = api.stall("sendMessage", after=CASES // 2, accept=accepted)
    bot = await start_bot(settings, url)
    try:
        await asyncio.wait_for(stalled.wait(), timeout=30)
        bot.send_signal(signal.SIGKILL)
        await bot.wait()
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
    api.release_stalls()

    bot = await start_bot(settings, url)
    try:
        await until(api, lambda: len(arrived(api, FOCAL_POINT, "⏰")) == CASES
                    and len(arrived(api, COORDINATOR, "⚠️")) == CASES)
        await asyncio.sleep(1)  # several more wake-ups: nothing more may come
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), timeout=15) == 0
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
    return arrived(api, FOCAL_POINT, "⏰"), arrived(api, COORDINATOR, "⚠️")


async def test_a_kill_before_telegram_took_the_message_loses_nothing_and_repeats_nothing(
    settings: Settings, telegram: tuple[BotApi, str]
) -> None:
    api, url = telegram
    unit, coordinators = await kill_then_restart(settings, api, url, accepted=False)

    assert len(unit) == CASES and set(unit.values()) == {1}
    assert len(coordinators) == CASES and set(coordinators.values()) == {1}


async def test_a_kill_after_telegram_took_the_message_repeats_that_one_message_only(
    settings: Settings, telegram: tuple[BotApi, str]
) -> None:
    api, url = telegram
    unit, coordinators = await kill_then_restart(settings, api, url, accepted=True)

    together = unit + coordinators
    assert len(together) == CASES  # every case's reminders arrived
    assert sorted(together.values()).count(3) == 1  # one message was sent twice
    assert sum(together.values()) == 2 * CASES + 1
