"""Chat load (issue 7), printed: many people at once through the real Application.

Who: 1,000 teachers each register a child through the wizard (23 updates: /new, typed
answers, buttons, a location, Confirm), each a child of their own (made-up names and
guardian phone, seeded), and 200 focal points each try to take a referral of their unit
(/inbox, Open, Accept: the 200 share eight units' inboxes, so one whose referral a
colleague took first goes back to the inbox for the next on the page, three tries at
most). About 23,600 updates a phase.

How: every update is a real `Update` put on the application's update queue, as the Updater
puts what it fetches, and the application is Panong's own (`build_application`: its
per-chat update processor, the identify-the-user handler, the persistence, a fresh SQLite
database per phase). A person taps again only once the bot is done with their previous
update. The bot talks to a lean in-process Bot API (`bench.lean_botapi`) instead of the
sandbox: it answers each call as Telegram would (a sent or edited message comes back whole,
text, entities and inline keyboard, and PTB parses it; PTB encodes every request as it
would for HTTP) but keeps only each chat's last few keyboards and copies nothing, so the
driver's bookkeeping stays out of the bot's figures. Building each update
(`Update.de_json` of what Telegram would send, a pressed button's whole message included)
is the Updater's work in production and is counted in the bot's time, for Panong as for
the ceiling. The catalogs are loaded before the clock starts, as a running bot has them.

Time from update to reply: from putting the update on the queue to the bot's first message
sent or edited in that chat while processing it, or, when it sends none, its answer to the
pressed button (a pop-up, say). A notice the bot sends while processing someone else's
update does not count as a reply.

Two phases:

1. Saturated: nobody thinks; everyone taps again the instant the bot is done (a closed
   loop of 1,200 people). The figure is throughput, updates per second, against PTB alone
   making the same Bot API calls (issue 18): the calls Panong made for a few people of
   each kind are recorded (method and parameters, as PTB handed them over, those the
   outbox sent to the person's chat while they waited included); then the same people,
   through the same journeys, go through a bare ConversationHandler that answers each step
   with the calls made for that step, keyboards and all (passed as raw JSON, the cheapest
   way PTB can send them), with no database and no rules. What Panong takes beyond that is
   its own work. Target: at least 60% of it. Latency here is queueing, whatever the bot:
   with everybody always waiting, an update waits behind everybody else's.

   Beside it, secondary: PTB's own ceiling, the same people and number of steps through
   the bare ConversationHandler answering each with one short message (no keyboard). The
   ratio to it (issue 7's, target 40%) counted the calls Panong must make as Panong's
   overhead; it is printed in brackets. CPU per update is the process's CPU (bot and
   driver) over the phase, divided by the updates: on a loaded machine it moves less than
   the rate does.
2. Paced: the same people (and a fresh database), each thinking a random human time
   (uniformly 2 to 6 s, seeded per person) before every tap, the first one included, so
   they all start within six seconds and a registration takes one to two minutes. The
   figures are the load offered (updates per second over the phase) and the time from
   update to reply. Target: p99 under 100 ms. `--pace` scales the think times (0.5 halves
   them and doubles the load; 0 skips the phase); the output says when it is not 1.

The driver runs on the bot's event loop, as an in-process driver must; its own work per
update is a few dictionary look-ups. The outbox dispatcher runs beside the application as
`panong run` runs it: a referral opened from /inbox is sent through it after the commit,
and a focal point waits for it (five seconds at most) before pressing Accept.

PostgreSQL with one and two worker processes over webhook: `bench.chat_load_workers`.

Run: `make bench`, or `.venv/bin/python -m bench.chat_load [teachers] [focal points]
[--pace SCALE] [--durability]` (defaults 1,000, 200 and 1; about three minutes in all).
`--durability` runs Panong's phases again with `synchronous = NORMAL` and prints what the
shipped FULL costs beside it.
"""

import argparse
import asyncio
import itertools
import random
import statistics
import tempfile
import time
import warnings
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bench.lean_botapi import SENDER, LeanBotApi
from bot.config import SUPPORTED_LANGUAGES, Settings
from bot.domain.models import Role
from bot.i18n import translator
from bot.runtime import Runtime
from bot.services import referrals
from handlers.app import build_application, settle
from handlers.processor import PerChatUpdateProcessor
from tests.conftest import FakeClock, add_user
from tests.support.cases import register_case
from tests.support.journeys import answer_from_nationality, answer_up_to_identity
from tests.support.telegram_fake import (
    TOKEN,
    FakeUser,
    location_update,
    text_update,
)

TEACHERS = 1_000
FOCAL_POINTS = 200
# Units whose focal points take the referrals (each gets FOCAL_POINTS / len(UNITS)).
UNITS = ("spp1_samutprakan", "spp2_samutprakan", "spm_samutprakan", "dole_d1101",
         "dole_d1102", "dole_d1103", "msdhs_pso_samutprakan", "ovec_sptc")
TEACHER_STEPS = 23  # a teacher's updates in the wizard
FOCAL_STEPS = 3  # a focal point's: /inbox, Open, Accept
THINK_SECONDS = (2.0, 6.0)  # a person's pause before each tap, uniformly drawn
SEED = 7
TEACHER_IDS, FOCAL_IDS = 100_000, 200_000  # a person's Telegram id: one of these plus n
RECORDED = 4  # people of each journey whose calls are recorded for the replay

Calls = list[tuple[str, dict[str, Any]]]  # (method, parameters) of each call for an update


@dataclass
class Recording:
    """The calls made for each step of one person's journey, and whose chat it was."""

    chat_id: int
    steps: list[Calls]


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    unanswered: int = 0  # updates the bot finished without a word to their sender
    seconds: float = 0.0
    cpu: float = 0.0  # CPU seconds (user + system) of this process during the phase

    @property
    def cpu_per_update(self) -> float:
        return self.cpu / len(self.latencies)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def quantile(self, percent: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[percent - 1]


class Person:
    """One chat, driven step by step through the application's update queue."""

    def __init__(self, app: Application | None, api: Any, user: FakeUser, result: Result,
                 choice: int = 0, think: Callable[[], float] | None = None) -> None:
        """`app`: None when the updates go elsewhere (`handled` overridden); `api`: a
        `LeanBotApi`, or what the override answers with (a `TelegramSide`)."""
        self.app, self.api, self.user, self.result = app, api, user, result
        self.bot = app.bot if app is not None else None  # what the updates are built for
        self.id = user.id
        self.choice = choice  # which of several matching buttons this person presses
        self.think = think
        self.answers = own_child(user.id)  # what this person types instead of the journey's
        self.log: list[Calls] | None = None  # when recorded: the calls made for each step

    async def _step(self, make: Callable[[], Update | None]) -> bool:
        """Think, then send what `make` gives (nothing: the step is given up) and wait until
        the bot is done with it."""
        if self.think is not None:
            await asyncio.sleep(self.think())
        update = make()
        if update is None:
            return False
        started = time.perf_counter()
        replied = await self.handled(update)
        if replied is None:
            self.result.unanswered += 1
            replied = time.perf_counter()
        self.result.latencies.append(replied - started)
        return True

    async def handled(self, update: Update) -> float | None:
        """Hand `update` to the bot and wait until it is done with it: when it answered
        (None: it said nothing)."""
        assert self.app is not None
        done = self.api.expect(self.id)
        await self.app.update_queue.put(update)
        await asyncio.wait_for(done.wait(), timeout=60)
        if self.log is not None:
            self.log.append(self.api.calls(self.id))
        return self.api.replied_at(self.id)

    async def send(self, _: object, text: str) -> str:
        text = self.answers.get(text, text)
        await self._step(lambda: text_update(self.bot, self.user, text))
        return ""

    async def press(self, _: object, label: str) -> str:
        if not await self.try_press(label):
            raise LookupError(f"no {label!r} button in chat {self.id}")
        return ""

    async def try_press(self, label: str, then: int = 0) -> bool:
        """Press a button whose text has `label` (the person's own choice among several,
        or the `then`-th after it), on the newest message that has one (a notice may have
        come in since); False when, by the time the person has thought, no message has one
        (a colleague's action took it away)."""
        def make() -> Update | None:
            found = self.api.buttons(self.id, label)
            if found is None:
                return None
            message, matches = found
            choice = matches[(self.choice + then) % len(matches)]
            return pressed(self.bot, self.user, choice, message)
        return await self._step(make)

    async def share_location(self, _: object, latitude: float, longitude: float) -> str:
        await self._step(lambda: location_update(self.bot, self.user, latitude, longitude))
        return ""


Journey = Callable[[Person], Awaitable[None]]

# Syllables of the children's made-up names.
SYLLABLES = ("aung", "mya", "thi", "hla", "kyaw", "nyein", "su", "zaw", "win", "myo", "khin",
             "htet", "phyo", "ei", "thant", "moe", "soe", "lwin", "tun", "naing", "wai", "yin",
             "san", "nwe", "pyae", "sone", "myint", "thaw", "kaung", "lin", "han", "wutt")
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def own_child(person_id: int) -> dict[str, str]:
    """Each teacher registers a child of their own: the journey's name and guardian phone,
    the same for everybody, are replaced by made-up ones (seeded), so the duplicate check
    finds what it would in a province, not a thousand copies of one child."""
    draw = random.Random(SEED * 7_919 + person_id)

    def word() -> str:
        return "".join(draw.sample(SYLLABLES, 2)).capitalize()

    phone = f"08{draw.randrange(10**8):08d}"
    return {"Mya": word(), "Thida": word(),
            "๐๘๑-๒๓๔-๕๖๗๘": f"{phone[:3]}-{phone[3:6]}-{phone[6:]}".translate(THAI_DIGITS)}


_query_ids = itertools.count(1)
_update_ids = itertools.count(1_000_000_000)  # far from those of tests.support's factories


def pressed(bot: Any, user: FakeUser, data: str, message: dict[str, Any]) -> Update:
    """`user` pressing a button of `message`, as Telegram sends it: the whole message,
    keyboard included. Like `telegram_fake.callback_update`, without its copy of the
    message: PTB only reads the dicts it parses."""
    query = {"id": str(next(_query_ids)), "from": user.as_dict(), "data": data,
             "chat_instance": f"ci-{message['chat']['id']}", "message": message}
    return Update.de_json({"update_id": next(_update_ids), "callback_query": query}, bot)


async def register(person: Person) -> None:
    await answer_up_to_identity(person, person.user)
    await person.press(person.user, "No document")
    await answer_from_nationality(person, person.user)
    await person.press(person.user, "Confirm")


async def accept(person: Person) -> None:
    """Open a referral from the inbox and accept it. One a colleague took first offers no
    Accept, or loses it while the person thinks: back to the inbox for the next one on the
    page (three tries at most)."""
    for attempt in range(3):
        await person.send(person.user, "/inbox")
        written = person.api.written[person.id]
        if not (person.api.offers(person.id, "Open")
                and await person.try_press("Open", then=attempt)):
            return
        # The referral comes as a new message, sent after the commit (by the outbox).
        await person.api.until_written(person.id, written)
        if person.api.offers(person.id, "Accept") and await person.try_press("Accept"):
            return


# Steps of each journey when nothing goes wrong: what a recorded journey must have taken.
STEPS = {register.__name__: TEACHER_STEPS, accept.__name__: FOCAL_STEPS}


def thinking(pace: float, person_id: int) -> Callable[[], float] | None:
    """A person's think times, scaled by `pace`, the same in every run (None: no pause)."""
    if pace <= 0:
        return None
    draw = random.Random(SEED * 1_000_003 + person_id)
    low, high = THINK_SECONDS
    return lambda: draw.uniform(low, high) * pace


async def drive(app: Application, api: LeanBotApi, people: list[tuple[FakeUser, Journey]],
                pace: float = 0, script: dict[str, Recording] | None = None,
                outbox: Runtime | None = None) -> Result:
    """Every person's journey at once, through `app` started on `api`, with the `outbox`
    runtime's dispatcher running beside it as `panong run` runs it. Given a `script`, the
    calls made for the first few people of each journey are recorded, and the first of
    them whose journey took its usual number of steps is put in it under the journey's
    name."""
    result = Result()
    api.track(app)
    logs: dict[str, list[Recording]] = defaultdict(list)
    stop = asyncio.Event()
    async with app:
        await app.start()
        dispatching = asyncio.create_task(outbox.outbox.run(stop) if outbox else stop.wait())
        settle()  # as `serve` does once started, for Panong and the ceiling alike
        try:
            started, cpu_started = time.perf_counter(), time.process_time()
            async with asyncio.TaskGroup() as everybody:  # one failing stops the others
                for n, (user, journey) in enumerate(people):
                    person = Person(app, api, user, result, choice=n,
                                    think=thinking(pace, user.id))
                    if script is not None and len(logs[journey.__name__]) < RECORDED:
                        api.record(user.id)
                        person.log = []
                        logs[journey.__name__].append(Recording(user.id, person.log))
                    everybody.create_task(journey(person))
            result.seconds = time.perf_counter() - started
            result.cpu = time.process_time() - cpu_started
        finally:
            stop.set()
            await dispatching
            await app.stop()
    if script is not None:
        for name, recordings in logs.items():
            usual = STEPS[name]
            complete = [each for each in recordings if len(each.steps) == usual]
            if not complete:
                raise RuntimeError(f"no recorded {name} journey took its {usual} steps")
            script[name] = complete[0]
    return result


async def panong(folder: Path, teachers: int, focal_points: int, pace: float = 0,
                 script: dict[str, Recording] | None = None,
                 synchronous: str | None = None) -> Result:
    """`synchronous`: instead of the shipped setting (FULL), for the anchor."""
    settings = Settings(_env_file=None, telegram_token=TOKEN,
                        database_path=folder / "load.db")
    runtime = await Runtime.start(settings, clock=FakeClock())
    try:
        if synchronous is not None:
            await runtime.db.writer.execute(f"PRAGMA synchronous = {synchronous}")
        people = await populate(runtime, teachers, focal_points)
        for language in SUPPORTED_LANGUAGES:
            translator(language)  # the catalogs: a running bot loaded them long ago
        api = LeanBotApi()
        app = build_application(runtime, request=api, rate_limit=False)
        return await drive(app, api, people, pace, script, outbox=runtime)
    finally:
        await runtime.close()


async def populate(runtime: Runtime, teachers: int,
                   focal_points: int) -> list[tuple[FakeUser, Journey]]:
    """The people in the database, and each one's journey: the teachers, the focal points,
    and one referral waiting in each focal point's inbox (Mueang, age 13, by need)."""
    coordinator = await add_user(runtime, Role.COORDINATOR, "peo_samutprakan", "9001")
    people: list[tuple[FakeUser, Journey]] = []
    for n in range(teachers):
        user = FakeUser(id=TEACHER_IDS + n, first_name=f"T{n}", language_code="en")
        await add_user(runtime, Role.TEACHER, "school_wat_phraek_sa", str(user.id),
                       inviter=coordinator, language="en")
        people.append((user, register))
    sender = await add_user(runtime, Role.TEACHER, "school_wat_phraek_sa", "99",
                            inviter=coordinator)
    focal_users = []
    for n in range(focal_points):
        unit = UNITS[n % len(UNITS)]
        user = FakeUser(id=FOCAL_IDS + n, first_name=f"F{n}", language_code="en")
        await add_user(runtime, Role.FOCAL_POINT, unit, str(user.id), inviter=coordinator,
                       language="en")
        focal_users.append(user)
    for unit in UNITS:
        for _ in range(focal_points // len(UNITS)):
            await _referral_to(runtime, sender, unit)
    return people + [(user, accept) for user in focal_users]


async def _referral_to(runtime: Runtime, teacher: Any, unit: str) -> None:
    """A registered child whose schooling the teacher sends to `unit`."""
    case = await register_case(runtime, teacher, needs=("EDUCATION",))
    [proposed] = (await referrals.plan(runtime.db, teacher, case.id)).views
    await referrals.choose_destination(runtime.db, teacher, proposed.referral.id, unit,
                                       now=runtime.now())
    await referrals.send(runtime.db, teacher, case.id, now=runtime.now(),
                         default_language="th")


Answer = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def bare(api: LeanBotApi, answer: Answer) -> Application:
    """A bare ConversationHandler of two states, each taking any message or button and
    answering it with `answer`: no database, no rules, no persistence."""
    counter = itertools.count()

    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        await answer(update, context)
        return next(counter) % 2

    states = {state: [MessageHandler(filters.ALL, reply), CallbackQueryHandler(reply)]
              for state in (0, 1)}
    with warnings.catch_warnings():  # per_message=False is what Panong uses too
        warnings.filterwarnings("ignore", category=PTBUserWarning)
        conversation = ConversationHandler(entry_points=[MessageHandler(filters.ALL, reply)],
                                           states=states, fallbacks=[])
    app = (ApplicationBuilder().token(TOKEN).request(api).get_updates_request(api)
           .concurrent_updates(PerChatUpdateProcessor(256)).build())
    app.add_handler(conversation)
    return app


async def same_messages(teachers: int, focal_points: int,
                        script: dict[str, Recording]) -> Result:
    """PTB alone sending what Panong sent: the same people and journeys through a bare
    ConversationHandler, each step answered with the calls Panong made for that step of
    the recorded person's journey."""
    api = LeanBotApi()
    answered: dict[int, int] = defaultdict(int)  # chat -> steps answered so far

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        chat = update.effective_chat.id
        recording = script[(register if chat < FOCAL_IDS else accept).__name__]
        step = answered[chat]
        answered[chat] += 1
        for method, params in recording.steps[step]:
            await _send_again(context.bot, update, method, params, recording.chat_id)

    people = [(FakeUser(id=TEACHER_IDS + n), register) for n in range(teachers)]
    people += [(FakeUser(id=FOCAL_IDS + n), accept) for n in range(focal_points)]
    return await drive(bare(api, answer), api, people)


async def _send_again(bot: Any, update: Update, method: str, params: dict[str, Any],
                      recorded_chat: int) -> None:
    """Make a recorded call again for `update`: what went to the recorded person's chat
    goes to this one (an edit, to the message whose button was pressed), the rest where it
    went. Every parameter is passed as the JSON that was recorded."""
    assert update.effective_chat is not None
    rest = dict(params)
    if method == "answerCallbackQuery":
        assert update.callback_query is not None
        del rest["callback_query_id"]
        await bot.answer_callback_query(update.callback_query.id, api_kwargs=rest)
        return
    target = int(rest.pop("chat_id"))
    if target == recorded_chat:
        target = update.effective_chat.id
    text = rest.pop("text")
    if method == "sendMessage":
        await bot.send_message(target, text, api_kwargs=rest)
    elif method == "editMessageText":
        query = update.callback_query
        message_id = rest.pop("message_id")
        if query is not None and query.message is not None:
            message_id = query.message.message_id
        await bot.edit_message_text(text, chat_id=target, message_id=message_id,
                                    api_kwargs=rest)
    else:
        raise ValueError(f"the replay does not make {method} calls")


async def ceiling(teachers: int, focal_points: int) -> Result:
    """The same people and steps through a bare ConversationHandler: PTB's own ceiling."""
    api = LeanBotApi()

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "ok")

    app = bare(api, answer)

    def steps(count: int) -> Journey:
        async def journey(person: Person) -> None:
            for n in range(count):
                if n % 2:
                    await person._step(lambda: pressed(app.bot, person.user, "x",
                                                       _bot_message(person.user)))
                else:
                    await person._step(lambda: text_update(app.bot, person.user, "x"))
        return journey

    people = [(FakeUser(id=TEACHER_IDS + n), steps(TEACHER_STEPS)) for n in range(teachers)]
    people += [(FakeUser(id=FOCAL_IDS + n), steps(FOCAL_STEPS)) for n in range(focal_points)]
    return await drive(app, api, people)


def _bot_message(user: FakeUser) -> dict[str, Any]:
    """A message of the bare bot's, without a keyboard: it never sends one."""
    return {"message_id": 1, "date": int(time.time()), "from": SENDER, "text": "ok",
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name}}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("teachers", type=int, nargs="?", default=TEACHERS)
    parser.add_argument("focal_points", type=int, nargs="?", default=FOCAL_POINTS)
    parser.add_argument("--pace", type=float, default=1.0,
                        help="scale of the think times in the paced phase (0: skip it)")
    parser.add_argument("--durability", action="store_true",
                        help="run Panong's phases again with synchronous=NORMAL, and print "
                        "what FULL costs beside it")
    args = parser.parse_args()
    teachers, focal_points, pace = args.teachers, args.focal_points, args.pace

    script: dict[str, Recording] = {}
    with tempfile.TemporaryDirectory() as folder:
        saturated = asyncio.run(panong(Path(folder), teachers, focal_points, script=script))
    replayed = asyncio.run(same_messages(teachers, focal_points, script))
    top = asyncio.run(ceiling(teachers, focal_points))
    print(f"chat load: {teachers:,} teachers registering and {focal_points} focal points "
          f"accepting a referral")
    print()
    print(f"saturated: everybody taps again the instant the bot is done answering (no think "
          f"time); {len(saturated.latencies):,} updates")
    runs = (saturated, replayed, top)
    print(f"{'figure':<40} {'Panong':>10} {'PTB alone,':>12} {'ceiling':>10} {'target':>10}")
    print(f"{'':<40} {'':>10} {'same calls':>12}")
    print(f"{'updates per second':<40} " + " ".join(
        f"{run.rate:>{width},.0f}" for run, width in zip(runs, (10, 12, 10), strict=True)))
    print(f"{'ratio to PTB making the same calls':<40} {saturated.rate / replayed.rate:>10.0%} "
          f"{'':>12} {'':>10} {'>= 60%':>10}")
    print(f"{'(ratio to the bare-conversation ceiling)':<40} "
          f"{saturated.rate / top.rate:>10.0%} {replayed.rate / top.rate:>12.0%}")
    for percent in (50, 99):
        print(f"{f'update to reply, p{percent} (queueing)':<40} " + " ".join(
            f"{_ms(run.quantile(percent)):>{width}}"
            for run, width in zip(runs, (10, 12, 10), strict=True)))
    print(f"{'CPU per update (bot and driver)':<40} " + " ".join(
        f"{_ms(run.cpu_per_update):>{width}}"
        for run, width in zip(runs, (10, 12, 10), strict=True)))
    if pace <= 0:
        _warn_unanswered(saturated=saturated, replayed=replayed, ceiling=top)
        if args.durability:
            _durability(teachers, focal_points, pace, saturated, None)
        return
    with tempfile.TemporaryDirectory() as folder:
        paced = asyncio.run(panong(Path(folder), teachers, focal_points, pace))
    low, high = (seconds * pace for seconds in THINK_SECONDS)
    print()
    print(f"paced: each person thinks {low:.1f}-{high:.1f} s (uniform, seed {SEED}) before "
          f"every tap" + ("" if pace == 1 else f" (think times scaled by {pace:g})")
          + f"; {len(paced.latencies):,} updates")
    print(f"{'figure':<44} {'Panong':>10} {'':>10} {'target':>10}")
    print(f"{'updates per second offered':<44} {paced.rate:>10,.0f}")
    print(f"{'time from update to reply, p50':<44} {_ms(paced.quantile(50)):>10}")
    print(f"{'time from update to reply, p99':<44} {_ms(paced.quantile(99)):>10} {'':>10} "
          f"{'< 100 ms':>10}")
    print(f"{'time from update to reply, max':<44} {_ms(max(paced.latencies)):>10}")
    print(f"{'duration of the phase':<44} {paced.seconds:>9.0f} s")
    _warn_unanswered(saturated=saturated, replayed=replayed, ceiling=top, paced=paced)
    if args.durability:
        _durability(teachers, focal_points, pace, saturated, paced)


def _durability(teachers: int, focal_points: int, pace: float, saturated: Result,
                paced: Result | None) -> None:
    """What synchronous=FULL (each commit synced to disk before its answer) costs, beside
    NORMAL (synced at checkpoints only; a power cut may lose the last commits), measured
    with the same people in the same run."""
    with tempfile.TemporaryDirectory() as folder:
        loose = asyncio.run(panong(Path(folder), teachers, focal_points,
                                   synchronous="NORMAL"))
    rows = [("saturated: updates per second", f"{saturated.rate:,.0f}", f"{loose.rate:,.0f}"),
            ("saturated: update to reply, p50", _ms(saturated.quantile(50)),
             _ms(loose.quantile(50)))]
    if paced is not None:
        with tempfile.TemporaryDirectory() as folder:
            loose_paced = asyncio.run(panong(Path(folder), teachers, focal_points, pace,
                                             synchronous="NORMAL"))
        rows += [(f"paced: update to reply, p{percent}", _ms(paced.quantile(percent)),
                  _ms(loose_paced.quantile(percent))) for percent in (50, 99)]
    print()
    print("durability: the same people with synchronous=FULL (shipped) and NORMAL (anchor)")
    print(f"{'figure':<44} {'FULL':>10} {'NORMAL':>10}")
    for label, full, normal in rows:
        print(f"{label:<44} {full:>10} {normal:>10}")


def _warn_unanswered(**runs: Result) -> None:
    for name, result in runs.items():
        if result.unanswered:
            print(f"warning: the bot said nothing to {result.unanswered} updates of the "
                  f"{name} run")


if __name__ == "__main__":
    main()
