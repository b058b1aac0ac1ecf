"""SIGKILL the bot in the middle of a chat load, start it again, let everybody finish, and
check what the issue asks: no confirmed case lost, no referral duplicated, wizards under way
resume, reminders delivered once.

The load: twenty teachers each register a child through the wizard, starting a little
apart; focal points of four units each open their inbox and accept the referral waiting
there (three before the kill, one after the restart); the reminders of twelve referrals
left unanswered for a year go out to their unit and to the coordinator. Everyone waits for
the bot's answer before their next step.

The kill waits until the load is well under way: some teachers have been told their case
is saved, others have been in the wizard long enough for their drafts to have been written
(three persistence intervals). Three answers are held up by the stand-in, so that the kill
lands where it matters for certain, not by luck: one teacher's "saved" (the case is in the
database, the teacher never heard), the notice of one focal point's acceptance to the
teacher who sent the referral (owed in the outbox; the focal point was told at once), and
one reminder (Telegram had not taken it). Then each person does what a person would: a
teacher told "saved" is done; any other sends /new and answers whatever the wizard asks
until it says saved, or, shown their own child as maybe registered already (the case was
saved, the answer saying so died with the bot), opens that case; a focal point not told
"you took it" opens the inbox again.

The bot runs as a real `panong run` process talking HTTP to the sandbox's Bot API, which
runs here, in the test, and outlives it (`tests/support/bot_process.py`).
"""

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest

from bot.config import Settings
from bot.domain.models import Role, User
from bot.flows.callback_data import WizardButton
from bot.runtime import Runtime
from bot.services import referrals
from bot.services.registration import ORDER, Step
from sandbox.botapi import BotApi
from sandbox.run import BOT_USERNAME, SANDBOX_TOKEN
from tests.conftest import FakeClock, add_user, make_settings
from tests.support.bot_process import (
    CASE_CODE,
    arrived,
    kill,
    serve_bot_api,
    start_bot,
    stop,
)
from tests.support.botapi_people import JSONDict, People
from tests.support.cases import delivered_back_then, register_and_send, register_case

# The children the teachers found: no two names alike, so that the wizard's duplicate
# check stays quiet unless one child is confirmed twice.
CHILDREN = ["Aung Lin", "Thiri Oo", "Kyaw Htun", "Hnin Win", "Zaw Naing", "Ei Kyi",
            "Min Myint", "Nandar Thant", "Htet Zaw", "Phyu Aye", "Soe Maung", "Wai Tun",
            "Yadanar Sein", "Khin Hlaing", "Myo Phyo", "Su Moe", "Thura Nyein",
            "Nilar Paing", "Pyae Shwe", "Zin Thein"]
FIRST_TEACHER = 100_001
COORDINATOR = 9001
SENDER, HELD_SENDER = 1001, 1002  # the teachers who sent the referrals waiting in inboxes
REMINDED_UNIT_FOCAL_POINT = 2001  # of Primary ESA 1, where the overdue referrals wait
ACCEPTING_UNITS = ("spp2_samutprakan", "spm_samutprakan", "dole_d1101",
                   "msdhs_pso_samutprakan")
FIRST_FOCAL_POINT = 3001
OVERDUE_REFERRALS = 12  # each: one reminder to the unit, one escalation to the coordinator
REMINDERS_BEFORE_THE_HOLD = 5  # the unit's next reminder is held up until the kill

START_EVERY = 0.3  # seconds between two teachers' /new
# Seconds into the load when the focal points look; the last looks after the restart.
FOCAL_POINTS_START = (0.5, 1.5, 3.0)
# A draft this many persistence intervals old has been written, however busy the bot.
WRITTEN_AFTER_INTERVALS = 3
MOST_ANSWERS = 40  # a wizard that asks more than this is going round in circles

SAVED = re.compile(r"Saved as case (SPK-\d{4}-\d{5})")
RESUMED, STARTED = "You have a registration under way", "Let's register the child"
INBOX, NOTHING_WAITING = "Your unit's open referrals", "Your unit has no open referrals"
TOOK_IT = "You took this referral"

P = TypeVar("P")


@dataclass
class Teacher:
    id: int
    given_name: str
    family_name: str
    phone: str
    hold_confirm: bool = False  # the bot's answer to this teacher's Confirm is held up
    saved_unseen: bool = False  # the case was saved, the answer saying so died with the bot
    held: asyncio.Event | None = None  # set once it is
    asked: list[tuple[float, Step]] = field(default_factory=list)  # each step, when asked
    code: str | None = None  # the case the bot said it saved
    greetings: list[str] = field(default_factory=list)  # how each /new was answered
    duplicates: list[str] = field(default_factory=list)  # cases the wizard called twins

    def step_asked_by(self, moment: float) -> Step | None:
        asked = [step for at, step in self.asked if at <= moment]
        return asked[-1] if asked else None

    def first_step_asked_after(self, moment: float) -> Step:
        return next(step for at, step in self.asked if at > moment)


@dataclass
class FocalPoint:
    id: int
    unit: str
    opened: list[str] = field(default_factory=list)  # the referral, each time opened


def the_teachers() -> list[Teacher]:
    return [Teacher(FIRST_TEACHER + n, *child.split(), phone=f"081-234-{5600 + n}",
                    hold_confirm=n == 0)
            for n, child in enumerate(CHILDREN)]


def the_focal_points() -> list[FocalPoint]:
    return [FocalPoint(FIRST_FOCAL_POINT + n, unit) for n, unit in enumerate(ACCEPTING_UNITS)]


# -- the world before the load -------------------------------------------------------------


@pytest.fixture
async def settings(tmp_path: Path) -> Settings:
    settings = make_settings(tmp_path)
    await prepare_world(settings)
    return settings


async def prepare_world(settings: Settings) -> None:
    """The overdue referrals, sent a year ago, all their reminders due; one referral sent
    today waiting in each accepting unit's inbox (the first unit's sent by HELD_SENDER);
    everybody speaking English."""
    clock = FakeClock()
    runtime = await Runtime.start(settings, clock=clock)
    try:
        coordinator = await add_user(runtime, Role.COORDINATOR, "peo_samutprakan",
                                     str(COORDINATOR), "Khun Prasert", language="en")
        sender, held_sender = [
            await add_user(runtime, Role.TEACHER, "school_wat_phraek_sa", str(chat_id), name,
                           inviter=coordinator, language="en")
            for chat_id, name in ((SENDER, "Kru Somsri"), (HELD_SENDER, "Kru Anan"))]
        await add_user(runtime, Role.FOCAL_POINT, "spp1_samutprakan",
                       str(REMINDED_UNIT_FOCAL_POINT), "Khun Malai", inviter=coordinator,
                       language="en")
        for _ in range(OVERDUE_REFERRALS):
            await register_and_send(runtime, sender, needs=("EDUCATION",))
        clock.now = datetime.now(UTC)  # the rest is from today: nothing else falls due
        for teacher in the_teachers():
            await add_user(runtime, Role.TEACHER, "school_wat_phraek_sa", str(teacher.id),
                           f"Kru {teacher.id}", inviter=coordinator, language="en")
        for n, focal in enumerate(the_focal_points()):
            await add_user(runtime, Role.FOCAL_POINT, focal.unit, str(focal.id),
                           f"Khun {focal.id}", inviter=coordinator, language="en")
            await send_schooling_to(runtime, held_sender if n == 0 else sender, focal.unit)
        await delivered_back_then(runtime)
    finally:
        await runtime.close()


async def send_schooling_to(runtime: Runtime, teacher: User, unit: str) -> None:
    case = await register_case(runtime, teacher, needs=("EDUCATION",))
    [proposed] = (await referrals.plan(runtime.db, teacher, case.id)).views
    await referrals.choose_destination(runtime.db, teacher, proposed.referral.id, unit,
                                       now=runtime.now())
    await referrals.send(runtime.db, teacher, case.id, now=runtime.now(),
                         default_language="en")


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[BotApi, str]]:
    api = BotApi(SANDBOX_TOKEN, username=BOT_USERNAME)
    everybody = [COORDINATOR, SENDER, HELD_SENDER, REMINDED_UNIT_FOCAL_POINT,
                 *(t.id for t in the_teachers()), *(f.id for f in the_focal_points())]
    for chat_id in everybody:
        api.add_user(chat_id, f"Person {chat_id}", "en")
    async with serve_bot_api(api) as url:
        yield api, url


# -- what people do ------------------------------------------------------------------------


def wizard_step(people: People, teacher: Teacher) -> tuple[Step, str, list[str]]:
    """The step the wizard asks now (its buttons name it), the question, and the labels of
    its buttons."""
    message_id, buttons = people.keyboard(teacher.id)
    pressed = WizardButton.unpack(buttons[0][1])
    assert pressed is not None, f"teacher {teacher.id} is not in the wizard: {buttons}"
    question = people.messages[teacher.id][message_id].get("text", "")
    return Step(pressed.step), question, [label for label, _ in buttons]


async def answer(people: People, teacher: Teacher, step: Step, labels: list[str]) -> str:
    """What the teacher answers when the wizard asks `step`: the journeys' answers
    (`tests/support/journeys.py`), about the teacher's own child."""
    typed = {Step.GIVEN_NAME: teacher.given_name, Step.FAMILY_NAME: teacher.family_name,
             Step.ADDRESS: "Soi Wat Bang Phli, behind the market",
             Step.GUARDIAN_NAME: "Daw Hla", Step.GUARDIAN_PHONE: teacher.phone}
    pressed = {Step.NICKNAME: "Skip", Step.SEX: "Female", Step.ID_TYPE: "No document",
               Step.NATIONALITY: "Myanmar", Step.BIRTH_DATE: "Date not known",
               Step.AGE: "11", Step.DISTRICT: "Bang Phli", Step.SUBDISTRICT: "Bang Phli Yai",
               Step.FOUND: "Found in person", Step.CAUSE: "Family necessity",
               Step.CONSENT: "Agreed", Step.WISH: "Back to a school",
               Step.SUMMARY: "Confirm", Step.DUPLICATES: "Register anyway"}
    if step in typed:
        return await people.send(teacher, typed[step])
    if step is Step.LOCATION:
        return await people.share_location(teacher, 13.6052, 100.7068)
    if step is Step.NEEDS:
        for need in ("Education", "Food and supplies"):
            if need in labels:  # not chosen yet: a chosen one reads "✅ Education"
                return await people.press(teacher, need)
        return await people.press(teacher, "Done")
    if step is Step.SUMMARY and teacher.hold_confirm and teacher.held is None:
        teacher.held = people.api.stall("editMessageText", chat_id=teacher.id)
    if step in pressed:
        return await people.press(teacher, pressed[step])
    raise AssertionError(f"teacher {teacher.id}: the wizard asks {step}, never asked here")


def greeting_then_question(messages: list[JSONDict]) -> JSONDict | None:
    """The answer to /new: "let's register" or "under way", then the question. Skips the
    answers to anything of the person's the bot took up again after the restart."""
    greeted = [n for n, message in enumerate(messages)
               if message.get("text", "").startswith((RESUMED, STARTED))]
    if not greeted:
        return None
    return next((m for m in messages[greeted[0]:] if m.get("reply_markup")), None)


async def register(people: People, teacher: Teacher) -> None:
    """/new, then whatever the wizard asks, until it says the case is saved."""
    before = people.newest(teacher.id)
    await people.send(teacher, "/new", greeting_then_question)
    [greeting, *_] = [m["text"] for m in people.bot_messages(teacher.id, after=before)
                      if m.get("text", "").startswith((RESUMED, STARTED))]
    teacher.greetings.append(greeting)
    for _ in range(MOST_ANSWERS):
        step, question, labels = wizard_step(people, teacher)
        teacher.asked.append((time.monotonic(), step))
        if step is Step.DUPLICATES:
            twins = CASE_CODE.findall(question)
            teacher.duplicates += twins
            if teacher.saved_unseen and teacher.code is None:
                # Never told "saved", the teacher finds their child saved after all.
                await people.press(teacher, twins[0])
                teacher.code = twins[0]
                return
        answered = await answer(people, teacher, step, labels)
        saved = SAVED.search(answered)
        if saved:
            teacher.code = saved[1]
            return
    raise AssertionError(f"teacher {teacher.id} is still in the wizard after {MOST_ANSWERS} "
                         f"answers; the last, to {step}, was answered {answered!r}")


def the_inbox(messages: list[JSONDict]) -> JSONDict | None:
    return next((m for m in messages
                 if m.get("text", "").startswith((INBOX, NOTHING_WAITING))), None)


async def accept(people: People, focal: FocalPoint) -> None:
    """/inbox, open the referral waiting there, and accept it, unless it is taken already."""
    if (await people.send(focal, "/inbox", the_inbox)).startswith(NOTHING_WAITING):
        return
    focal.opened.append(await people.press(focal, "Open"))
    if "accepted by" not in focal.opened[-1]:
        await people.press(focal, "Accept")


def took_it(people: People, focal: FocalPoint) -> bool:
    return any(TOOK_IT in alert for alert in people.alerts[focal.id])


async def after(seconds: float, journey: Callable[[People, P], Awaitable[None]],
                people: People, person: P) -> None:
    await asyncio.sleep(seconds)
    await journey(people, person)


# -- what the database holds ---------------------------------------------------------------


@dataclass
class Saved:
    cases: list[tuple[int, str]]  # (teacher's chat, case code), in the order saved
    referrals: list[tuple[str, str, int]]  # (case code, need, how many)
    # the referrals sent to the accepting units: (unit, status, taker's chat, accept entries)
    sent: list[tuple[str, str, int | None, int]]

    def codes_of(self, chat_id: int) -> list[str]:
        return [code for chat, code in self.cases if chat == chat_id]


async def saved(settings: Settings) -> Saved:
    runtime = await Runtime.start(settings)
    try:
        sql = runtime.db.read.conn.execute_fetchall
        cases = await sql("SELECT u.channel_user_id, c.code FROM cases c "
                          "JOIN users u ON u.id = c.teacher_id ORDER BY c.id")
        counts = await sql("SELECT c.code, r.need, COUNT(*) FROM referrals r "
                           "JOIN cases c ON c.id = r.case_id GROUP BY c.code, r.need")
        sent = await sql(
            "SELECT r.organisation_id, r.status, u.channel_user_id, "
            "(SELECT COUNT(*) FROM audit_log a WHERE a.entity = 'referral' "
            " AND a.entity_id = CAST(r.id AS TEXT) AND a.action = 'referral.accept') "
            "FROM referrals r LEFT JOIN users u ON u.id = r.accepted_by "
            "WHERE r.sent_at IS NOT NULL "
            f"AND r.organisation_id IN ({', '.join('?' * len(ACCEPTING_UNITS))})",
            ACCEPTING_UNITS)
    finally:
        await runtime.close()
    return Saved(cases=[(int(chat_id), code) for chat_id, code in cases],
                 referrals=[(code, need, count) for code, need, count in counts],
                 sent=[(unit, status, int(taker) if taker else None, entries)
                       for unit, status, taker, entries in sent])


# -- the test ------------------------------------------------------------------------------


def acceptance_notices(api: BotApi) -> int:
    """How many times the teacher whose referral waits in the held unit was told of its
    acceptance."""
    return sum(" accepted SPK-" in m.get("text", "") for m in api.messages(HELD_SENDER))


def every_reminder_arrived(api: BotApi) -> bool:
    return (len(arrived(api, REMINDED_UNIT_FOCAL_POINT, "⏰")) == OVERDUE_REFERRALS
            and len(arrived(api, COORDINATOR, "⚠️")) == OVERDUE_REFERRALS)


def reminders_so_far(api: BotApi) -> str:
    return (f"every reminder: {len(arrived(api, REMINDED_UNIT_FOCAL_POINT, '⏰'))} of "
            f"{OVERDUE_REFERRALS} reached the unit, "
            f"{len(arrived(api, COORDINATOR, '⚠️'))} the coordinator")


def the_bot_failed(log: Path) -> str:
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    return "\n".join(["the bot's last words:", *lines[-20:]])


async def kill_when(ready: Callable[[], bool], bot: asyncio.subprocess.Process,
                    people: People, load: list[asyncio.Task[None]], log: Path) -> float:
    """SIGKILL the bot once `ready` holds, and stop everybody where they are; when. A
    person's failure, or the bot's exit, ends the wait and fails the test."""

    def failed() -> list[asyncio.Task[None]]:
        return [task for task in load if task.done() and task.exception() is not None]

    try:
        await people.wait(None, lambda: ready() or bool(failed()) or bot.returncode is not None,
                          lambda: "the load to reach the point of the kill; "
                          + the_bot_failed(log), seconds=60)
        for task in failed():
            task.result()  # the person's failure, in their words
        assert bot.returncode is None, the_bot_failed(log)
    finally:
        await kill(bot)
        killed_at = time.monotonic()
        for task in load:
            task.cancel()
        await asyncio.gather(*load, return_exceptions=True)
    return killed_at


async def test_a_kill_under_the_chat_load_loses_no_case_repeats_nothing_and_wizards_resume(
    settings: Settings, telegram: tuple[BotApi, str], tmp_path: Path
) -> None:
    api, url = telegram
    log = tmp_path / "bot.log"
    written_after = WRITTEN_AFTER_INTERVALS * settings.persistence_interval_seconds
    teachers, focal_points = the_teachers(), the_focal_points()
    held_teacher, held_focal_point = teachers[0], focal_points[0]
    held_acceptance = api.stall("sendMessage", chat_id=HELD_SENDER)  # its notice hangs
    held_reminder = api.stall("sendMessage", after=REMINDERS_BEFORE_THE_HOLD,
                              chat_id=REMINDED_UNIT_FOCAL_POINT)

    async with People(api).following() as people:

        def ready_to_kill() -> bool:
            now, others = time.monotonic(), teachers[1:]
            told = [t for t in others if t.code]
            written = [t for t in others if not t.code and t.asked
                       and now - t.asked[0][0] >= written_after]
            looked = focal_points[1:len(FOCAL_POINTS_START)]
            return (held_teacher.held is not None and held_teacher.held.is_set()
                    and held_acceptance.is_set() and held_reminder.is_set()
                    and len(told) >= 3 and len(written) >= 4
                    and all(took_it(people, f) for f in looked))

        bot = await start_bot(settings, url, log)
        load = [asyncio.create_task(after(n * START_EVERY, register, people, teacher))
                for n, teacher in enumerate(teachers)]
        load += [asyncio.create_task(after(start, accept, people, focal))
                 for start, focal in zip(FOCAL_POINTS_START, focal_points, strict=False)]
        killed_at = await kill_when(ready_to_kill, bot, people, load, log)
        api.release_stalls()
        await asyncio.sleep(0.5)  # what the dead bot had already sent is taken in
        people.catch_up()
        for teacher in teachers:
            # A "saved" that reached the phone before the kill was read, even when the
            # teacher's journey was stopped before it took the message in.
            shown = [found[1] for message in people.bot_messages(teacher.id)
                     if (found := SAVED.search(message.get("text", "")))]
            if shown and not teacher.code:
                teacher.code = shown[-1]

        told_before = {t.id: t.code for t in teachers if t.code}
        at_kill = await saved(settings)
        for teacher in teachers:  # the held one for certain, maybe others who confirmed
            teacher.saved_unseen = not teacher.code and bool(at_kill.codes_of(teacher.id))
        # The step each draft had reached when last surely written (the wizard of a case
        # saved unseen ended with it).
        written = {t.id: step for t in teachers if not t.code and not t.saved_unseen
                   and (step := t.step_asked_by(killed_at - written_after)) is not None}
        # The kill landed between the held commit and its answer, while the acceptance's
        # notice was owed, and before the held reminder reached Telegram.
        assert held_teacher.code is None and len(at_kill.codes_of(held_teacher.id)) == 1
        assert took_it(people, held_focal_point)  # a hanging notice holds nobody's answer
        assert (held_focal_point.unit, "accepted", held_focal_point.id, 1) in at_kill.sent
        assert acceptance_notices(api) == 0
        assert sum(arrived(api, REMINDED_UNIT_FOCAL_POINT, "⏰").values()) \
            == REMINDERS_BEFORE_THE_HOLD

        restarted_at = time.monotonic()
        bot = await start_bot(settings, url, log)
        try:
            last_saved = max((t for t in teachers if t.code), key=lambda t: t.asked[-1][0])
            await people.send(last_saved, "/new", greeting_then_question)
            last_saved.greetings.append(next(
                m["text"] for m in people.bot_messages(last_saved.id)[::-1]
                if m.get("text", "").startswith((RESUMED, STARTED))))
            await people.send(last_saved, "/cancel", lambda answers: next(iter(answers), None))
            async with asyncio.TaskGroup() as everybody:
                for teacher in teachers:
                    if not teacher.code:
                        everybody.create_task(register(people, teacher))
                for focal in focal_points:
                    if not took_it(people, focal):
                        everybody.create_task(accept(people, focal))
            await people.wait(None, lambda: every_reminder_arrived(api)
                              and acceptance_notices(api) > 0, lambda: reminders_so_far(api))
            await asyncio.sleep(1)  # five more wake-ups: nothing more may come
            assert await stop(bot) == 0, the_bot_failed(log)
        finally:
            await kill(bot)

    after_all = await saved(settings)
    # No confirmed case lost: neither those the teachers were told of, nor one saved unseen.
    for teacher_id, code in told_before.items():
        assert code in after_all.codes_of(teacher_id), f"teacher {teacher_id} lost {code}"
    assert set(at_kill.cases) <= set(after_all.cases)
    # Wizards under way resumed, no further back than the step last surely written.
    for teacher in teachers:
        if teacher.id in written:
            resumed_at = teacher.first_step_asked_after(restarted_at)
            assert teacher.greetings[-1].startswith(RESUMED), \
                f"teacher {teacher.id}, at {written[teacher.id]}: {teacher.greetings[-1]!r}"
            assert ORDER.index(resumed_at) >= ORDER.index(written[teacher.id]), \
                f"teacher {teacher.id} was at {written[teacher.id]}, resumed at {resumed_at}"
    # One case per teacher, the one they were told of. A teacher whose "saved" died with
    # the bot started again (the wizard ended with the save) and was shown that case.
    for teacher in teachers:
        codes = after_all.codes_of(teacher.id)
        assert codes == [teacher.code], f"teacher {teacher.id}: told {teacher.code}, has {codes}"
        assert teacher.duplicates == ([teacher.code] if teacher.saved_unseen else []), \
            f"teacher {teacher.id} ({teacher.code}) was shown twins {teacher.duplicates}"
        if teacher.saved_unseen:
            assert teacher.greetings[-1].startswith(STARTED), teacher.greetings
    assert held_teacher.saved_unseen
    assert held_teacher.code == at_kill.codes_of(held_teacher.id)[0]
    # The teacher told "saved" last before the kill starts afresh: no wizard came back.
    assert last_saved.greetings[-1].startswith(STARTED), last_saved.greetings
    # No referral twice: one per case and need, each teacher's two needs proposed.
    assert [r for r in after_all.referrals if r[2] != 1] == []
    proposed = {(code, need) for code, need, _ in after_all.referrals}
    for teacher in teachers:
        assert {(teacher.code, "EDUCATION"), (teacher.code, "CONSUMABLES")} <= proposed
    # Each waiting referral accepted once, by its unit's focal point; the notice owed to
    # the teacher when the bot died reached them after the restart, once.
    assert sorted(after_all.sent) == sorted((f.unit, "accepted", f.id, 1) for f in focal_points)
    assert acceptance_notices(api) == 1
    # Every reminder reached its chat once: the one held at the kill had not reached
    # Telegram, and every one before it had been marked sent.
    unit = arrived(api, REMINDED_UNIT_FOCAL_POINT, "⏰")
    coordinators = arrived(api, COORDINATOR, "⚠️")
    assert len(unit) == OVERDUE_REFERRALS and set(unit.values()) == {1}, unit
    assert len(coordinators) == OVERDUE_REFERRALS and set(coordinators.values()) == {1}, \
        coordinators
