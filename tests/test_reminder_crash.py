"""SIGKILL the bot in the middle of sending a batch of reminders, start it again, and count
what arrived: every reminder, none twice, when the kill lands while Telegram had not yet
taken the message; exactly that one message twice when Telegram had taken it and the
answer was lost with the process (the documented at-least-once window).

The bot runs as a real `panong run` process talking HTTP to the sandbox's Bot API, which
runs here, in the test, and outlives the bot.
"""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.domain.models import Role
from bot.runtime import Runtime
from sandbox.botapi import BotApi
from sandbox.run import BOT_USERNAME, SANDBOX_TOKEN
from tests.conftest import FakeClock, add_user, make_settings
from tests.support.bot_process import arrived, kill, serve_bot_api, start_bot, stop, until
from tests.support.cases import register_and_send

CASES = 12  # each: one reminder to the unit, one escalation to the coordinator
FOCAL_POINT, COORDINATOR = 2001, 9001


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
    async with serve_bot_api(api) as url:
        yield api, url


async def kill_then_restart(settings: Settings, api: BotApi, url: str, *,
                            accepted: bool) -> tuple[Counter[str], Counter[str]]:
    stalled = api.stall("sendMessage", after=CASES // 2, accept=accepted)
    bot = await start_bot(settings, url)
    try:
        await asyncio.wait_for(stalled.wait(), timeout=30)
    finally:
        await kill(bot)
    api.release_stalls()

    bot = await start_bot(settings, url)
    try:
        await until(api, lambda: len(arrived(api, FOCAL_POINT, "⏰")) == CASES
                    and len(arrived(api, COORDINATOR, "⚠️")) == CASES)
        await asyncio.sleep(1)  # several more wake-ups: nothing more may come
        assert await stop(bot) == 0
    finally:
        await kill(bot)
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
