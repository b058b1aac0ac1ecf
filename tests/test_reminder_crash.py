"""SIGKILL the bot in the middle of sending a batch of reminders, start it again, and count
what arrived: every reminder, whether the kill lands before Telegram took the messages
being sent or after it took them and the answers were lost with the process. What may
arrive twice is the documented at-least-once window: in each chat, the one message being
sent at the moment of the kill (chats are served side by side).

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
from tests.support.cases import delivered_back_then, register_and_send

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
        await delivered_back_then(runtime)
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


def assert_all_arrived_at_most_the_ones_in_flight_twice(unit: Counter[str],
                                                         coordinators: Counter[str]) -> int:
    """Every reminder and escalation arrived; in each chat at most one message, the one
    being sent (or just sent, and not yet marked so) at the kill, arrived twice. How many
    arrived twice."""
    assert set(unit) == set(coordinators) and len(unit) == CASES
    for arrivals in (unit, coordinators):
        assert set(arrivals.values()) <= {1, 2} and sum(arrivals.values()) <= CASES + 1
    return sum(unit.values()) + sum(coordinators.values()) - 2 * CASES


async def test_a_kill_before_telegram_took_the_message_loses_nothing(
    settings: Settings, telegram: tuple[BotApi, str]
) -> None:
    api, url = telegram
    unit, coordinators = await kill_then_restart(settings, api, url, accepted=False)

    assert_all_arrived_at_most_the_ones_in_flight_twice(unit, coordinators)


async def test_a_kill_after_telegram_took_the_message_repeats_only_what_was_in_flight(
    settings: Settings, telegram: tuple[BotApi, str]
) -> None:
    api, url = telegram
    unit, coordinators = await kill_then_restart(settings, api, url, accepted=True)

    assert assert_all_arrived_at_most_the_ones_in_flight_twice(unit, coordinators) >= 1
