"""Chat load (issue 7), printed: many people at once through the real Application.

- 1,000 teachers complete the registration wizard at the same time (23 updates each:
  typed answers, buttons, a location) and 200 focal points each accept a referral of their
  unit (opening it from /inbox, then Accept);
- each person waits for the bot's answer before the next step, as a person does;
- the bot talks to the in-process Bot API (no network), with its production update
  processor, persistence and database;
- the ceiling is measured in the same run: the same people and number of steps through a
  bare ConversationHandler whose callbacks only reply once (no database, no rules).

Targets: at least 40% of the ceiling's updates per second, and p99 under 100 ms.
Run: `make bench`, or `.venv/bin/python -m bench.chat_load [teachers] [focal points]`.
"""

import asyncio
import itertools
import statistics
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.config import Settings
from bot.domain.models import Role
from bot.runtime import Runtime
from bot.services import referrals
from handlers.app import build_application
from handlers.processor import PerChatUpdateProcessor
from tests.conftest import FakeClock, add_user
from tests.support.cases import register_case
from tests.support.journeys import answer_from_nationality, answer_up_to_identity
from tests.support.telegram_fake import (
    TOKEN,
    FakeUser,
    RecordingRequest,
    callback_update,
    location_update,
    text_update,
)

TEACHERS = 1_000
FOCAL_POINTS = 200
# Units whose focal points take the referrals (each gets FOCAL_POINTS / len(UNITS)).
UNITS = ("spp1_samutprakan", "spp2_samutprakan", "spm_samutprakan", "dole_d1101",
         "dole_d1102", "dole_d1103", "msdhs_pso_samutprakan", "ovec_sptc")


class Replies(RecordingRequest):
    """The in-process Bot API, telling whoever waits when a chat got an answer."""

    def __init__(self) -> None:
        super().__init__()
        self.answered: dict[int, asyncio.Event] = defaultdict(asyncio.Event)

    async def do_request(self, url: str, method: str, request_data: Any = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, body = await super().do_request(url, method, request_data, *args, **kwargs)
        if request_data is not None and status == 200:
            chat = (request_data.parameters or {}).get("chat_id")
            if chat is not None:
                self.answered[int(chat)].set()
        return status, body


class Person:
    """One chat, driven step by step through the application's update queue."""

    def __init__(self, app: Any, request: Replies, user: FakeUser, latencies: list[float],
                 choice: int = 0) -> None:
        self.app, self.request, self.user, self.latencies = app, request, user, latencies
        self.id = user.id
        self.choice = choice  # which of several matching buttons this person presses

    async def _step(self, update: Update) -> None:
        answered = self.request.answered[self.id]
        answered.clear()
        started = time.perf_counter()
        await self.app.update_queue.put(update)
        await asyncio.wait_for(answered.wait(), timeout=60)
        self.latencies.append(time.perf_counter() - started)

    async def send(self, _: object, text: str) -> str:
        await self._step(text_update(self.app.bot, self.user, text))
        return ""

    async def press(self, _: object, label: str) -> str:
        matches = [data for text, data in self.request.buttons(self.id) if label in text]
        data = matches[self.choice % len(matches)]
        message = self.request.keyboard_message(self.id)
        await self._step(callback_update(self.app.bot, self.user, data, message))
        return ""

    async def share_location(self, _: object, latitude: float, longitude: float) -> str:
        await self._step(location_update(self.app.bot, self.user, latitude, longitude))
        return ""


async def register(person: Person) -> None:
    await answer_up_to_identity(person, person.user)
    await person.press(person.user, "No document")
    await answer_from_nationality(person, person.user)
    await person.press(person.user, "Confirm")


async def accept(person: Person) -> None:
    await person.send(person.user, "/inbox")
    await person.press(person.user, "Open")
    await person.press(person.user, "Accept")


async def drive(app: Any, request: Replies, people: list[tuple[FakeUser, Any]]
                ) -> tuple[float, list[float]]:
    latencies: list[float] = []
    started = time.perf_counter()
    await asyncio.gather(*(journey(Person(app, request, user, latencies, choice=n))
                           for n, (user, journey) in enumerate(people)))
    return time.perf_counter() - started, latencies


async def panong(folder: Path, teachers: int, focal_points: int
                 ) -> tuple[float, list[float]]:
    settings = Settings(_env_file=None, telegram_token=TOKEN,
                        database_path=folder / "load.db")
    runtime = await Runtime.start(settings, clock=FakeClock())
    try:
        coordinator = await add_user(runtime, Role.COORDINATOR, "peo_samutprakan", "9001")
        people: list[tuple[FakeUser, Any]] = []
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
        request = Replies()
        app = build_application(runtime, request=request, rate_limit=False)
        async with app:
            await app.start()
            try:
                return await drive(app, request, people)
            finally:
                await app.stop()
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


STEPS = 24  # a teacher's updates in the wizard; a focal point makes 3


async def ceiling(teachers: int, focal_points: int) -> tuple[float, list[float]]:
    """The same people and steps through a bare ConversationHandler: PTB's own ceiling."""
    request = Replies()
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
    app = (ApplicationBuilder().token(TOKEN).request(request).get_updates_request(request)
           .concurrent_updates(PerChatUpdateProcessor(256)).build())
    app.add_handler(conversation)

    async def steps(person: Person, count: int) -> None:
        for n in range(count):
            if n % 2:
                await person._step(callback_update(app.bot, person.user, "x"))
            else:
                await person._step(text_update(app.bot, person.user, "x"))

    people = [(FakeUser(id=100_000 + n), lambda p: steps(p, STEPS)) for n in range(teachers)]
    people += [(FakeUser(id=200_000 + n), lambda p: steps(p, 3)) for n in range(focal_points)]
    async with app:
        await app.start()
        try:
            return await drive(app, request, people)
        finally:
            await app.stop()


def main() -> None:
    teachers = int(sys.argv[1]) if len(sys.argv) > 1 else TEACHERS
    focal_points = int(sys.argv[2]) if len(sys.argv) > 2 else FOCAL_POINTS
    with tempfile.TemporaryDirectory() as folder:
        seconds, latencies = asyncio.run(panong(Path(folder), teachers, focal_points))
    bare_seconds, bare = asyncio.run(ceiling(teachers, focal_points))
    rate, bare_rate = len(latencies) / seconds, len(bare) / bare_seconds
    quantiles = statistics.quantiles(latencies, n=100)
    print(f"chat load: {teachers:,} teachers registering and {focal_points} focal points "
          f"accepting at once ({len(latencies):,} updates)")
    print(f"{'figure':<52} {'value':>10} {'target':>10}")
    print(f"{'Panong: updates per second':<52} {rate:>10,.0f}")
    print(f"{'PTB ceiling (bare conversation): updates per second':<52} {bare_rate:>10,.0f}")
    print(f"{'ratio':<52} {rate / bare_rate:>9.0%} {'>= 40%':>10}")
    print(f"{'time from update to reply, p50':<52} {quantiles[49] * 1000:>7.1f} ms")
    print(f"{'time from update to reply, p99':<52} {quantiles[98] * 1000:>7.1f} ms "
          f"{'< 100 ms':>10}")


if __name__ == "__main__":
    main()
