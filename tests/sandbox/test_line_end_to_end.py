"""LINE in the whole sandbox: the bot's real LINE webhook and sender, talking over HTTP to
the sandbox's LINE stand-in, beside its Telegram side, on one database."""

import asyncio
from collections.abc import Callable
from datetime import timedelta

from bot.domain.models import ReferralStatus, Role
from bot.flows.callback_data import PlanButton, WizardButton
from bot.services import onboarding
from line.wizard import PICKED
from sandbox.run import Sandbox
from tests.support import line_openapi
from tests.support.line import parts
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

def _last_actions(sandbox: Sandbox, chat_id: str) -> dict[str, dict]:
    """The wizard's (and the plan's) buttons on the bot's last message, by the value or the
    action they carry."""
    last = [e for e in sandbox.line.transcript(chat_id) if e["from"] == "bot"][-1]["message"]
    found = {}
    for part in parts(last):
        action = part.get("action")
        if not isinstance(action, dict) or "data" not in action:
            continue
        pressed = WizardButton.unpack(action["data"])
        found[pressed.value.partition(".")[0] if pressed else action["data"]] = action
    return found


async def test_a_teacher_registers_a_child_on_line_and_sends_its_plan(
    sandbox: Sandbox, web: WebChat
) -> None:
    """The wizard's questions, its date picker, a location, the summary card and the plan,
    all over HTTP to the stand-in, which takes them as LINE would (and LINE's OpenAPI file
    agrees)."""
    assert sandbox.runtime is not None
    db, line = sandbox.runtime.db, sandbox.line
    coordinator = await db.read.users.by_channel_id("telegram", str(COORDINATOR))
    issued = await onboarding.create_invite(
        db, coordinator, role=Role.TEACHER, organisation_id="school_wat_phraek_sa",
        valid_for=timedelta(days=1), now=sandbox.runtime.now())
    person = line.add_person("Kru Malee", "th")
    await until(sandbox, lambda: len(bot_texts(sandbox, person)) == 1)

    async def then(act: Callable[[], object]) -> None:
        before = len(bot_texts(sandbox, person))
        act()
        await until(sandbox, lambda: len(bot_texts(sandbox, person)) > before)

    def tap(value: str, picked: str | None = None) -> Callable[[], object]:
        return lambda: line.press(person, _last_actions(sandbox, person)[value]["data"],
                                  picked=picked)

    await then(lambda: line.send_text(person, f"/start {issued.invite.code}"))
    await then(lambda: line.send_text(person, "/new"))
    await then(lambda: line.send_text(person, "สมชาย"))
    for value in ("_skip", "_skip", "male", "none", "thai"):
        await then(tap(value))
    await then(tap(PICKED, picked="2014-03-15"))
    for value in ("1101", "_page1", "unknown"):
        await then(tap(value))
    await then(lambda: line.send_text(person, "ซอย 5"))
    await then(lambda: line.send_location(person, 13.5991, 100.5968, "บ้าน", "สมุทรปราการ"))
    for value in ("yes", "LOW_INCOME", "_skip", "_skip", "given", "EDUCATION", "done",
                  "school"):
        await then(tap(value))
    last = [e for e in line.transcript(person) if e["from"] == "bot"][-1]["message"]
    assert last["type"] == "flex"
    await then(tap("confirm"))
    teacher = await db.read.users.by_channel_id("line", person)
    assert teacher is not None and await db.read.cases.count_for_teacher(teacher.id) == 1
    send = next(data for data in _last_actions(sandbox, person)
                if (pressed := PlanButton.unpack(data)) and pressed.action == "send")
    await then(lambda: line.press(person, send))
    [referral] = await db.read.referrals.for_case(PlanButton.unpack(send).case_id)
    assert referral.status is ReferralStatus.SENT
    assert line_openapi.call_errors(line) == []
    assert line.pushes_this_month() == 0  # every answer was a free reply


async def test_a_coordinator_on_line_imports_a_file_and_downloads_the_workbook(
    sandbox: Sandbox, web: WebChat
) -> None:
    """Over HTTP all the way: the file from the stand-in's api-data host, the workbook from
    the bot's own server at the link in the Download button."""
    import aiohttp

    from tests.test_imports import ROWS, THAI_HEADER, csv_bytes

    assert sandbox.runtime is not None
    db = sandbox.runtime.db
    coordinator = await db.read.users.by_channel_id("telegram", str(COORDINATOR))
    assert coordinator is not None
    issued = await onboarding.create_invite(
        db, coordinator, role=Role.COORDINATOR, organisation_id="peo_samutprakan",
        valid_for=timedelta(days=1), now=sandbox.runtime.now())
    person = sandbox.line.add_person("Khun Suda", "en")
    await until(sandbox, lambda: len(bot_texts(sandbox, person)) == 1)
    sandbox.line.send_text(person, f"/start {issued.invite.code}")
    await until(sandbox, lambda: len(bot_texts(sandbox, person)) == 2)

    sandbox.line.send_file(person, "obec.csv", csv_bytes(THAI_HEADER, ROWS))
    await until(sandbox, lambda: any("Added: 2" in text for text in bot_texts(sandbox, person)))
    sandbox.line.send_text(person, "/export")

    def links() -> list[str]:
        """The Download buttons' links: the rejected rows', then the workbook's."""
        return [entry["message"]["template"]["actions"][0]["uri"]
                for entry in sandbox.line.transcript(person)
                if entry["from"] == "bot" and entry["message"].get("type") == "template"]

    await until(sandbox, lambda: len(links()) == 2, seconds=60)
    async with aiohttp.ClientSession() as session, session.get(links()[-1]) as got:
        assert got.status == 200
        assert (await got.read())[:2] == b"PK"  # a workbook (a zip)
