"""LINE in the whole sandbox: the bot's real LINE webhook and sender, talking over HTTP to
the sandbox's LINE stand-in, beside its Telegram side, on one database."""

import asyncio
from collections.abc import Callable
from datetime import timedelta

from bot.domain.models import Role
from bot.services import onboarding
from sandbox.run import Sandbox
from tests.support.webchat import WebChat

COORDINATOR = 100003  # the demo coordinator, on Telegram


async def until(sandbox: Sandbox, condition: Callable[[], bool], seconds: float = 20) -> None:
    """Wait, on the LINE stand-in's change feed, until `condition` holds."""
    seen = 0
    async with asyncio.timeout(seconds):
        while not condition():
            seen, _ = await sandbox.line.changes(seen, wait=1)


def bot_texts(sandbox: Sandbox, chat_id: str) -> list[str]:
    return [entry["message"].get("text", "") for entry in sandbox.line.transcript(chat_id)
            if entry["from"] == "bot"]


async def test_a_teacher_joins_on_line_and_the_coordinator_on_telegram_is_told(
    sandbox: Sandbox, web: WebChat
) -> None:
    """`web`: the demo people, the coordinator among them, have all joined on Telegram."""
    assert sandbox.runtime is not None
    db = sandbox.runtime.db
    coordinator = await db.read.users.by_channel_id("telegram", str(COORDINATOR))
    assert coordinator is not None
    issued = await onboarding.create_invite(
        db, coordinator, role=Role.TEACHER, organisation_id="school_wat_phraek_sa",
        valid_for=timedelta(days=1), now=sandbox.runtime.now())

    await until(sandbox, lambda: len(sandbox.line.rich_menus()) == 6)  # made beside the bot
    person = sandbox.line.add_person("Kru Malee", "th")
    await until(sandbox, lambda: len(bot_texts(sandbox, person)) == 1)  # the answer to the follow
    sandbox.line.send_text(person, f"/start {issued.invite.code}")
    await until(sandbox, lambda: len(bot_texts(sandbox, person)) == 2)

    assert "ครู" in bot_texts(sandbox, person)[-1] and "/new" in bot_texts(sandbox, person)[-1]
    joined = await db.read.users.by_channel_id("line", person)
    assert joined is not None and joined.display_name == "Kru Malee"
    await until(sandbox, lambda: any("Kru Malee" in m.get("text", "")
                            for m in sandbox.api.messages(COORDINATOR)))
    assert sandbox.line.pushes_this_month() == 0  # every answer was a free reply

    menu = sandbox.line.person(person)["rich_menu"]  # the teacher's, in Thai, below the chat
    assert menu is not None and menu["chatBarText"] == "เมนู"
    help_button = next(area["action"] for area in menu["areas"]
                       if area["action"]["data"] == "mn:/help")
    sandbox.line.press(person, help_button["data"])
    await until(sandbox, lambda: len(bot_texts(sandbox, person)) == 3)
    assert "/new" in bot_texts(sandbox, person)[-1]
