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
   loop of 1,200 people). The figure is throughput, updates per second, against PTB's own
   ceiling measured the same way: the same people and number of steps through a bare
   ConversationHandler whose callbacks send one short message (no database, no rules, no
   keyboard). Target: at least 40% of the ceiling. Latency here is queueing, whatever the
   bot: with everybody always waiting, an update waits behind everybody else's; the
   ceiling's is printed beside Panong's.
2. Paced: the same people (and a fresh database), each thinking a random human time
   (uniformly 2 to 6 s, seeded per person) before every tap, the first one included, so
   they all start within six seconds and a registration takes one to two minutes. The
   figures are the load offered (updates per second over the phase) and the time from
   update to reply. Target: p99 under 100 ms. `--pace` scales the think times (0.5 halves
   them and doubles the load; 0 skips the phase); the output says when it is not 1.

The driver runs on the bot's event loop, as an in-process driver must; its own work per
update is a few dictionary look-ups.

Run: `make bench`, or `.venv/bin/python -m bench.chat_load [teachers] [focal points]
[--pace SCALE]` (defaults 1,000, 200 and 1; about three minutes in all).
"""

import argparse
import asyncio
import itertools
import random
import statistics
import tempfile
import time
import warnings
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


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    unanswered: int = 0  # updates the bot finished without a word to their sender
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def quantile(self, percent: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[percent - 1]


class Person:
    """One chat, driven step by step through the application's update queue."""

    def __init__(self, app: Application, api: LeanBotApi, user: FakeUser, result: Result,
                 choice: int = 0, think: Callable[[], float] | None = None) -> None:
        self.app, self.api, self.user, self.result = app, api, user, result
        self.id = user.id
        self.choice = choice  # which of several matching buttons this person presses
        self.think = think
        self.answers = own_child(user.id)  # what this person types instead of the journey's

    async def _step(self, make: Callable[[], Update | None]) -> bool:
        """Think, then send what `make` gives (nothing: the step is given up) and wait until
        the bot is done with it."""
        if self.think is not None:
            await asyncio.sleep(self.think())
        update = make()
        if update is None:
            return False
        done = self.api.expect(self.id)
        started = time.perf_counter()
        await self.app.update_queue.put(update)
        await asyncio.wait_for(done.wait(), timeout=60)
        replied = self.api.replied_at(self.id)
        if replied is None:
            self.result.unanswered += 1
            replied = time.perf_counter()
        self.result.latencies.append(replied - started)
        return True

    async def send(self, _: object, text: str) -> str:
        text = self.answers.get(text, text)
        await self._step(lambda: text_update(self.app.bot, self.user, text))
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
            return pressed(self.app.bot, self.user, choice, message)
        return await self._step(make)

    async def share_location(self, _: object, latitude: float, longitude: float) -> str:
        await self._step(lambda: location_update(self.app.bot, self.user, latitude, longitude))
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
        if not (person.api.offers(person.id, "Open")
                and await person.try_press("Open", then=attempt)):
            return
        if person.api.offers(person.id, "Accept") and await person.try_press("Accept"):
            return


def thinking(pace: float, person_id: int) -> Callable[[], float] | None:
    """A person's think times, scaled by `pace`, the same in every run (None: no pause)."""
    if pace <= 0:
        return None
    draw = random.Random(SEED * 1_000_003 + person_id)
    low, high = THINK_SECONDS
    return lambda: draw.uniform(low, high) * pace


async def drive(app: Application, api: LeanBotApi, people: list[tuple[FakeUser, Journey]],
                pace: float = 0) -> Result:
    """Every person's journey at once, through `app` started on `api`."""
    result = Result()
    api.track(app)
    async with app:
        await app.start()
        settle()  # as `serve` does once started, for Panong and the ceiling alike
        try:
            started = time.perf_counter()
            async with asyncio.TaskGroup() as everybody:  # one failing stops the others
                for n, (user, journey) in enumerate(people):
                    everybody.create_task(journey(Person(
                        app, api, user, result, choice=n, think=thinking(pace, user.id))))
            result.seconds = time.perf_counter() - started
        finally:
            await app.stop()
    return result


async def panong(folder: Path, teachers: int, focal_points: int, pace: float = 0) -> Result:
    settings = Settings(_env_file=None, telegram_token=TOKEN,
                        database_path=folder / "load.db")
    runtime = await Runtime.start(settings, clock=FakeClock())
    try:
        coordinator = await add_user(runtime, Role.COORDINATOR, "peo_samutprakan", "9001")
        people: list[tuple[FakeUser, Journey]] = []
        for n in range(teachers):
            user = FakeUser(id=100_000 + n, first_name=f"T{n}", language_code="en")
            await add_user(runtime, Role.TEACHER, "school_wat_phraek_sa", str(user.id),
                           inviter=coordinator, language="en")
            people.append((user, register))
        sender = await add_user(runtime, Role.TEACHER, "school_wat_phraek_sa", "99",
                                inviter=coordinator)
        focal_users = []
        for n in range(focal_points):
            unit = UNITS[n % len(UNITS)]
            user = FakeUser(id=200_000 + n, first_name=f"F{n}", language_code="en")
            await add_user(runtime, Role.FOCAL_POINT, unit, str(user.id), inviter=coordinator,
                           language="en")
            focal_users.append(user)
        # One referral waiting in each focal point's inbox: Mueang, age 13, by need.
        for unit in UNITS:
            for _ in range(focal_points // len(UNITS)):
                await _referral_to(runtime, sender, unit)
        people += [(user, accept) for user in focal_users]
        for language in SUPPORTED_LANGUAGES:
            translator(language)  # the catalogs: a running bot loaded them long ago
        api = LeanBotApi()
        app = build_application(runtime, request=api, rate_limit=False)
        return await drive(app, api, people, pace)
    finally:
        await runtime.close()


async def _referral_to(runtime: Runtime, teacher: Any, unit: str) -> None:
    """A registered child whose schooling the teacher sends to `unit`."""
    case = await register_case(runtime, teacher, needs=("EDUCATION",))
    [proposed] = (await referrals.plan(runtime.db, teacher, case.id)).views
    await referrals.choose_destination(runtime.db, teacher, proposed.referral.id, unit,
                                       now=runtime.now())
    await referrals.send(runtime.db, teacher, case.id, now=runtime.now(),
                         default_language="th")


async def ceiling(teachers: int, focal_points: int) -> Result:
    """The same people and steps through a bare ConversationHandler: PTB's own ceiling."""
    api = LeanBotApi()
    counter = itertools.count()

    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "ok")
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

    def steps(count: int) -> Journey:
        async def journey(person: Person) -> None:
            for n in range(count):
                if n % 2:
                    await person._step(lambda: pressed(app.bot, person.user, "x",
                                                       _bot_message(person.user)))
                else:
                    await person._step(lambda: text_update(app.bot, person.user, "x"))
        return journey

    people = [(FakeUser(id=100_000 + n), steps(TEACHER_STEPS)) for n in range(teachers)]
    people += [(FakeUser(id=200_000 + n), steps(FOCAL_STEPS)) for n in range(focal_points)]
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
    args = parser.parse_args()
    teachers, focal_points, pace = args.teachers, args.focal_points, args.pace

    with tempfile.TemporaryDirectory() as folder:
        saturated = asyncio.run(panong(Path(folder), teachers, focal_points))
    bare = asyncio.run(ceiling(teachers, focal_points))
    print(f"chat load: {teachers:,} teachers registering and {focal_points} focal points "
          f"accepting a referral")
    print()
    print(f"saturated: everybody taps again the instant the bot is done answering (no think "
          f"time); {len(saturated.latencies):,} updates")
    print(f"{'figure':<44} {'Panong':>10} {'ceiling':>10} {'target':>10}")
    print(f"{'updates per second':<44} {saturated.rate:>10,.0f} {bare.rate:>10,.0f}")
    print(f"{'ratio to the ceiling (bare conversation)':<44} "
          f"{saturated.rate / bare.rate:>10.0%} {'':>10} {'>= 40%':>10}")
    for percent in (50, 99):
        print(f"{f'time from update to reply, p{percent} (queueing)':<44} "
              f"{_ms(saturated.quantile(percent)):>10} {_ms(bare.quantile(percent)):>10}")
    if pace <= 0:
        _warn_unanswered(saturated=saturated, ceiling=bare)
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
    _warn_unanswered(saturated=saturated, ceiling=bare, paced=paced)


def _warn_unanswered(**runs: Result) -> None:
    for name, result in runs.items():
        if result.unanswered:
            print(f"warning: the bot said nothing to {result.unanswered} updates of the "
                  f"{name} run")


if __name__ == "__main__":
    main()
