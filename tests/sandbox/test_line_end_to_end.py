"""LINE in the whole sandbox: the bot's real LINE webhook and sender, talking over HTTP to
the sandbox's LINE stand-in, beside its Telegram side, on one database. The journeys that
run for Telegram (`test_end_to_end.py`) run for LINE too, and one crosses the channels."""

import asyncio
import io
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import openpyxl
from aiohttp import web
from pydantic import SecretStr

from bot.config import Settings
from bot.domain.models import Outcome, ReferralStatus, Role, Sex
from bot.flows.callback_data import ReferralButton, ReferralChoiceButton
from bot.runtime import Runtime
from bot.services.registration import CaseDraft
from line.conversation import recall
from sandbox.line_server import API_DATA_PREFIX, API_PREFIX, WebhookDeliverer, build_line_app
from sandbox.lineapi import LineApi
from sandbox.run import Sandbox
from tests.conftest import FakeClock, make_settings
from tests.support import line_openapi
from tests.support.line_phones import LinePhones
from tests.support.webchat import WebChat, WebPerson

COORDINATOR = 100003  # the demo coordinator, on Telegram
SOMCHAI = WebPerson(100005, "สมชาย (สพป.1)")  # the demo focal point of Primary ESA 1, Thai
UNIT = "spp1_samutprakan"  # Primary ESA 1: schooling for a child of Mueang Samut Prakan
CHILD = "สมชาย"  # the name `LinePhones.register_child` types


async def test_a_teacher_joins_on_line_and_the_coordinator_on_telegram_is_told(
    sandbox: Sandbox, web: WebChat
) -> None:
    """`web`: the demo people, the coordinator among them, have all joined on Telegram."""
    assert sandbox.runtime is not None
    db = sandbox.runtime.db
    phones = LinePhones(sandbox.line)
    coordinator = await db.read.users.by_channel_id("telegram", str(COORDINATOR))
    await phones.until(lambda: len(sandbox.line.rich_menus()) == 6)  # made beside the bot

    person = await phones.join(sandbox.runtime, "Kru Malee", Role.TEACHER,
                               "school_wat_phraek_sa", inviter=coordinator)

    assert "ครู" in phones.texts(person)[-1] and "/new" in phones.texts(person)[-1]
    joined = await db.read.users.by_channel_id("line", person)
    assert joined is not None and joined.display_name == "Kru Malee"
    await phones.until(lambda: any("Kru Malee" in m.get("text", "")
                                   for m in sandbox.api.messages(COORDINATOR)))
    assert sandbox.line.pushes_this_month() == 0  # every answer was a free reply

    menu = sandbox.line.person(person)["rich_menu"]  # the teacher's, in Thai, below the chat
    assert menu is not None and menu["chatBarText"] == "เมนู"
    help_button = next(area["action"] for area in menu["areas"]
                       if area["action"]["data"] == "mn:/help")
    answer = await phones.press(person, help_button["data"])
    assert "/new" in answer[-1]["text"]


async def test_a_teacher_registers_a_child_on_line_and_sends_its_plan(
    sandbox: Sandbox, web: WebChat
) -> None:
    """The wizard's questions, its date picker, a location, the summary card and the plan,
    all over HTTP to the stand-in, which takes them as LINE would (and LINE's OpenAPI file
    agrees)."""
    assert sandbox.runtime is not None
    db, line = sandbox.runtime.db, sandbox.line
    phones = LinePhones(line)
    teacher = await phones.join(sandbox.runtime, "Kru Malee", Role.TEACHER,
                                "school_wat_phraek_sa")

    case_id = await phones.register_child(teacher)

    user = await db.read.users.by_channel_id("line", teacher)
    assert user is not None and await db.read.cases.count_for_teacher(user.id) == 1
    [referral] = await db.read.referrals.for_case(case_id)
    assert referral.status is ReferralStatus.SENT and referral.organisation_id == UNIT
    assert any(message["type"] == "flex" for message in phones.bot_messages(teacher))
    assert line_openapi.call_errors(line) == []
    assert line.pushes_this_month() == 0  # every answer was a free reply


async def test_two_focal_points_press_accept_in_their_units_line_group_at_once(
    sandbox: Sandbox, web: WebChat
) -> None:
    """One takes the referral, the other is told who did; the child's details go to the
    taker's own chat, never the group; the outcome they record reaches the teacher."""
    assert sandbox.runtime is not None
    runtime, line = sandbox.runtime, sandbox.line
    phones = LinePhones(line)
    teacher = await phones.join(runtime, "Kru Malee", Role.TEACHER, "school_wat_phraek_sa",
                                language="en")
    dao = await phones.join(runtime, "Dao", Role.FOCAL_POINT, UNIT, language="en")
    fon = await phones.join(runtime, "Fon", Role.FOCAL_POINT, UNIT, language="en")
    group = line.add_group("ESA 1 referrals", [dao, fon])
    linked = await phones.send(dao, "/linkgroup", group)
    assert "now receives the referrals of" in linked[-1]["text"]

    case_id = await phones.register_child(teacher)
    [referral] = await runtime.db.read.referrals.for_case(case_id)
    accept = ReferralButton(referral_id=referral.id, action="accept").pack()
    await phones.until(lambda: any(a["data"] == accept for a in phones.actions(group)))
    before = len(phones.bot_messages(group))

    line.press_together([dao, fon], accept, group)
    await phones.until(lambda: any("already took this referral" in text
                                   for text in phones.texts(group)[before:]))

    taken = await runtime.db.read.referrals.get(referral.id)
    assert taken is not None and taken.status is ReferralStatus.ACCEPTED
    taker = await runtime.db.read.users.get(taken.accepted_by)
    assert taker is not None
    winner, loser = (dao, fon) if taker.channel_user_id == dao else (fon, dao)
    said = "\n".join(phones.texts(group)[before:])
    assert said.count("You took this referral") == 1
    assert said.count(f"{taker.display_name} already took this referral") == 1
    await phones.until(lambda: any(CHILD in text for text in phones.texts(winner)))
    assert not any(CHILD in text for text in phones.texts(group))
    assert not any(CHILD in text for text in phones.texts(loser))
    await phones.until(lambda: any("Primary ESA 1 accepted" in text
                                   for text in phones.texts(teacher)))

    await phones.tap(winner, "Record the outcome", group)
    done = ReferralChoiceButton(referral_id=referral.id, action="complete",
                                value=Outcome.ENROLLED_SCHOOL.value).pack()
    await phones.press(loser, done, group)  # anyone of the unit may record it

    finished = await runtime.db.read.referrals.get(referral.id)
    assert finished is not None and finished.status is ReferralStatus.COMPLETED
    await phones.until(lambda: any("recorded the outcome" in text and "enrolled in a school"
                                   in text for text in phones.texts(teacher)))
    assert not any(CHILD in text for text in phones.texts(group))
    assert line_openapi.call_errors(line) == []


async def test_a_forged_or_foreign_press_on_line_changes_nothing(
    sandbox: Sandbox, web: WebChat
) -> None:
    """Postback data the bot never made, and a real button's data with another person's
    referral in it: a clear answer, and the referral stays as it was."""
    assert sandbox.runtime is not None
    runtime, line = sandbox.runtime, sandbox.line
    phones = LinePhones(line)
    teacher = await phones.join(runtime, "Kru Malee", Role.TEACHER, "school_wat_phraek_sa",
                                language="en")
    other = await phones.join(runtime, "Kru Nid", Role.TEACHER, "school_wat_khlong_mon",
                              language="en")
    stranger = await phones.join(runtime, "Lek", Role.FOCAL_POINT, "spp2_samutprakan",
                                 language="en")
    case_id = await phones.register_child(teacher)
    [referral] = await runtime.db.read.referrals.for_case(case_id)

    nonsense = await phones.answered(other, lambda: line.forge_press(other, "rf:x:accept;1"))
    withdraw = await phones.answered(other, lambda: line.forge_press(
        other, ReferralButton(referral_id=referral.id, action="withdraw").pack()))
    take = await phones.answered(stranger, lambda: line.forge_press(
        stranger, ReferralButton(referral_id=referral.id, action="accept").pack()))
    peek = await phones.answered(stranger, lambda: line.forge_press(
        stranger, ReferralButton(referral_id=referral.id, action="details").pack()))

    assert nonsense[-1]["text"] == "This button is no longer valid. Please use the latest " \
        "message."
    for answer in (withdraw, take, peek):
        assert [m["text"] for m in answer] == ["You are not allowed to do that."]
    unchanged = await runtime.db.read.referrals.get(referral.id)
    assert unchanged == referral
    assert not any(CHILD in text for person in (other, stranger)
                   for text in phones.texts(person))


async def test_a_line_teachers_child_is_helped_by_a_unit_on_telegram(
    sandbox: Sandbox, web: WebChat
) -> None:
    """A LINE teacher's referral, taken and completed by a unit on Telegram: the teacher
    is told on LINE, and a coordinator who joined on LINE finds it in the summary."""
    assert sandbox.runtime is not None
    runtime, line = sandbox.runtime, sandbox.line
    phones = LinePhones(line)
    teacher = await phones.join(runtime, "Kru Malee", Role.TEACHER, "school_wat_phraek_sa",
                                language="en")

    case_id = await phones.register_child(teacher)
    await web.catch_up()
    referral = await web.wait_for_answer(SOMCHAI, 0)
    assert "📨" in referral and CHILD not in referral
    details = await web.press(SOMCHAI, "รับเรื่อง")  # Accept
    assert CHILD in details
    await phones.until(lambda: any("Primary ESA 1 accepted" in text
                                   for text in phones.texts(teacher)))
    await web.press(SOMCHAI, "บันทึกผล")  # Record the outcome
    await web.press(SOMCHAI, "เข้าเรียนในโรงเรียน")  # enrolled in a school

    [done] = await runtime.db.read.referrals.for_case(case_id)
    assert done.status is ReferralStatus.COMPLETED
    await phones.until(lambda: any("recorded the outcome" in text
                                   for text in phones.texts(teacher)))

    inviter = await runtime.db.read.users.by_channel_id("telegram", str(COORDINATOR))
    coordinator = await phones.join(runtime, "Khun Suda", Role.COORDINATOR, "peo_samutprakan",
                                    language="en", inviter=inviter)
    summary = "\n".join(m["text"] for m in await phones.send(coordinator, "/summary"))
    assert "Children recorded: 1" in summary
    assert "completed 1 (enrolled in a school 1)" in summary  # the unit's, on Telegram

    await phones.send(coordinator, "/export")
    [link] = [message["template"]["actions"][0]["uri"]
              for message in phones.bot_messages(coordinator) if message["type"] == "template"]
    async with aiohttp.ClientSession() as session, session.get(link) as got:
        assert got.status == 200
        workbook = openpyxl.load_workbook(io.BytesIO(await got.read()), read_only=True)
    case = await runtime.db.read.cases.get(case_id)
    assert case is not None
    assert any(case.code in row for sheet in workbook.worksheets
               for row in sheet.iter_rows(values_only=True))


async def test_a_coordinator_on_line_imports_a_file_and_downloads_the_workbook(
    sandbox: Sandbox, web: WebChat
) -> None:
    """Over HTTP all the way: the file from the stand-in's api-data host, the workbook from
    the bot's own server at the link in the Download button."""
    from tests.test_imports import ROWS, THAI_HEADER, csv_bytes

    assert sandbox.runtime is not None
    line = sandbox.line
    phones = LinePhones(line)
    person = await phones.join(sandbox.runtime, "Khun Suda", Role.COORDINATOR,
                               "peo_samutprakan", language="en")

    line.send_file(person, "obec.csv", csv_bytes(THAI_HEADER, ROWS))
    await phones.until(lambda: any("Added: 2" in text for text in phones.texts(person)))
    line.send_text(person, "/export")

    def links() -> list[str]:
        """The Download buttons' links: the rejected rows', then the workbook's."""
        return [message["template"]["actions"][0]["uri"]
                for message in phones.bot_messages(person) if message["type"] == "template"]

    await phones.until(lambda: len(links()) == 2, seconds=60)
    async with aiohttp.ClientSession() as session, session.get(links()[-1]) as got:
        assert got.status == 200
        assert (await got.read())[:2] == b"PK"  # a workbook (a zip)


# --- a restart in the middle of the wizard ------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def _line_bot(settings: Settings, clock: FakeClock, port: int
                    ) -> AsyncIterator[Runtime]:
    """The LINE side of `panong run`: its runtime on the database, its webhook on `port`,
    its outbox; gone when the block ends, as when the process stops."""
    from line.webhook import HANDLING, line_channel

    runtime = await Runtime.start(settings, clock=clock)
    stop = asyncio.Event()
    try:
        async with line_channel(runtime) as webhook:
            runner = web.AppRunner(webhook, shutdown_timeout=1.0, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            outbox = asyncio.create_task(runtime.outbox.run(stop))
            try:
                yield runtime
                await asyncio.gather(*webhook[HANDLING])
            finally:
                stop.set()
                await outbox
                await runner.cleanup()
    finally:
        await runtime.close()


async def test_a_line_teacher_half_way_through_the_wizard_goes_on_after_a_restart(
    tmp_path: Path, clock: FakeClock
) -> None:
    """The bot stops while a teacher is at the wizard's fourth question; her answer, sent
    while it is down, waits at LINE and is taken by the next bot, which asks the fifth."""
    line = LineApi("restart-token", "restart-secret")
    line_runner = web.AppRunner(build_line_app(line), shutdown_timeout=1.0, access_log=None)
    await line_runner.setup()
    line_site = web.TCPSite(line_runner, "127.0.0.1", 0)
    await line_site.start()
    line_url = f"http://127.0.0.1:{line_runner.addresses[0][1]}"
    settings = make_settings(
        tmp_path, telegram_token=None, line_channel_secret=SecretStr("restart-secret"),
        line_channel_access_token=SecretStr("restart-token"),
        line_api_base_url=line_url + API_PREFIX, line_api_data_base_url=line_url
        + API_DATA_PREFIX)
    port = _free_port()
    deliverer = asyncio.create_task(WebhookDeliverer(
        line, f"http://127.0.0.1:{port}{settings.line_webhook_path}", retry_after=0.2).run())
    phones = LinePhones(line)
    try:
        async with _line_bot(settings, clock, port) as runtime:
            teacher = await phones.join(runtime, "Kru Malee", Role.TEACHER,
                                        "school_wat_phraek_sa", language="en")
            await phones.send(teacher, "/new")
            await phones.send(teacher, "Somchai")
            for value in ("_skip", "_skip"):
                await phones.press(teacher, phones.wizard_actions(teacher)[value]["data"])
            asked = phones.texts(teacher)[-1]
            sex = phones.wizard_actions(teacher)["male"]["data"]

        line.press(teacher, sex)  # nobody is there to take it
        await phones.until(lambda: line.pending_webhooks() == 1)
        assert phones.texts(teacher)[-1] == asked

        async with _line_bot(settings, clock, port) as runtime:
            await phones.until(lambda: phones.texts(teacher)[-1] != asked)
            doing = await recall(runtime.db, teacher)
            draft = CaseDraft.model_validate(doing.data["registration"])
            assert (doing.flow, draft.given_name, draft.sex) == ("registration", "Somchai",
                                                                 Sex.MALE)
            assert "none" in phones.wizard_actions(teacher)  # the next question: her papers
    finally:
        deliverer.cancel()
        line.close()
        await line_runner.cleanup()
    assert line_openapi.call_errors(line) == []

