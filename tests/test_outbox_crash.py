"""SIGKILL the real bot between a change's commit and the messages it owes, start it again,
and count what arrived: every referral message owed to the unit, each once.

The changes were committed before the bot started (eight referrals sent), so every
message they owe is in the outbox. The stand-in holds up the unit's fourth message without
taking it, the bot is killed while it waits, and the restarted bot must deliver the rest.
"""

import asyncio
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

REFERRALS = 8
FOCAL_POINT, COORDINATOR, TEACHER = 2001, 9001, 1001
SHOWN = "📨"  # a referral message


@pytest.fixture
async def settings(tmp_path: Path) -> Settings:
    settings = make_settings(tmp_path)
    runtime = await Runtime.start(settings, clock=FakeClock())
    try:
        coordinator = await add_user(runtime, Role.COORDINATOR, "peo_samutprakan",
                                     str(COORDINATOR), "Khun Prasert", language="en")
        teacher = await add_user(runtime, Role.TEACHER, "school_wat_phraek_sa", str(TEACHER),
                                 "Kru Somsri", inviter=coordinator, language="en")
        await add_user(runtime, Role.FOCAL_POINT, "spp1_samutprakan", str(FOCAL_POINT),
                       "Khun Malai", inviter=coordinator, language="en")
        for _ in range(REFERRALS):
            await register_and_send(runtime, teacher, needs=("EDUCATION",))
    finally:
        await runtime.close()
    return settings


async def test_a_kill_between_the_commit_and_the_send_loses_no_message_and_repeats_none(
    settings: Settings, tmp_path: Path
) -> None:
    api = BotApi(SANDBOX_TOKEN, username=BOT_USERNAME)
    for chat_id in (FOCAL_POINT, COORDINATOR, TEACHER):
        api.add_user(chat_id, f"Person {chat_id}", "en")
    async with serve_bot_api(api) as url:
        held = api.stall("sendMessage", after=3, chat_id=FOCAL_POINT)
        bot = await start_bot(settings, url, tmp_path / "bot.log")
        try:
            await asyncio.wait_for(held.wait(), timeout=30)
        finally:
            await kill(bot)
        assert sum(arrived(api, FOCAL_POINT, SHOWN).values()) == 3
        api.release_stalls()

        bot = await start_bot(settings, url, tmp_path / "bot.log")
        try:
            await until(api, lambda: len(arrived(api, FOCAL_POINT, SHOWN)) == REFERRALS)
            await asyncio.sleep(1)  # several more rounds: nothing more may come
            assert await stop(bot) == 0
        finally:
            await kill(bot)

    shown = arrived(api, FOCAL_POINT, SHOWN)
    assert len(shown) == REFERRALS and set(shown.values()) == {1}, shown
