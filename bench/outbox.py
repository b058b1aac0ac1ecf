"""Outbox drain (issue 16), printed: owed messages in bulk at Telegram's flood limit.

What: 10,000 notices owed to 2,000 chats (5 each, numbered 1 to 5, owed round by round in
five transactions, as an import's notices would be), delivered by the real dispatcher
(`runtime.outbox.drain()`) through Panong's own `Application` with the flood limiter on
(`build_application(..., rate_limit=True)`: PTB's `AIORateLimiter`, 30 calls a second,
as in production). The bot talks to the in-process Bot API stand-in
(`tests.support.telegram_fake.RecordingRequest`), which keeps what each chat received, so
the order per chat is checked from what arrived.

The ceiling is the limiter's, measured in the same run: the time the same limiter takes to
let as many bare `send_message` calls through (64 at a time, as many as the outbox keeps
in flight) to other chats, nobody else using the bot. Each phase starts from an empty
bucket.

Two drains, each of its own 10,000 notices to its own 2,000 chats:

1. alone: nobody uses the bot meanwhile; the outbox's rate against the ceiling is the
   issue's figure (target: at least 95%);
2. with people: 5 people each send /help every 0.5 s (through `Application.process_update`;
   10 answers a second, a third of the limit, on the same limiter). Their latency, from
   handing the bot the update to its being done with it, answer sent, is printed beside
   the same people's with the outbox idle, measured first in the same run (the anchor);
   the outbox's rate is printed with what the limiter let through in all (the outbox and
   the answers) against the ceiling.

Run: `make bench`, or `.venv/bin/python -m bench.outbox [--messages N] [--chats M]
[--idle SECONDS]` (defaults 10,000, 2,000 and 30: about twenty minutes, most of it the
limiter's 30 a second, three times).
"""

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from telegram.ext import Application

from bot.domain.models import Role
from bot.runtime import Runtime
from bot.services.notices import Notice
from bot.services.outbox import owe_notices
from handlers.app import build_application, settle
from handlers.notices import render
from tests.conftest import add_user, make_settings
from tests.support.telegram_fake import FakeUser, RecordingRequest, text_update

PEOPLE = 5
EVERY = 0.5  # seconds between a person's messages
# A chat's Telegram id: one of these plus n (the bare calls', each drain's recipients).
BARE, ALONE, WITH_PEOPLE = 200_000, 300_000, 400_000
NOTICE_KEY = "import-leads-notice"


def notice(chat_id: int, number: int) -> Notice:
    """The chat's `number`th notice; the number is the first figure in its text."""
    return Notice(channel="telegram", channel_user_id=str(chat_id), language="en",
                  key=NOTICE_KEY, params={"count": number, "waiting": number})


async def owe(runtime: Runtime, messages: int, chats: int, first: int) -> None:
    """`messages` notices to `chats` chats from id `first` on, one transaction per round:
    round n owes each chat its nth notice (the first chats get one more when it does not
    divide)."""
    rounds = -(-messages // chats)
    for number in range(1, rounds + 1):
        owed = [notice(first + chat, number) for chat in range(chats)
                if (number - 1) * chats + chat < messages]
        async with runtime.db.unit_of_work() as uow:
            await owe_notices(uow, owed, runtime.now())
            await uow.commit()


async def people(runtime: Runtime) -> list[FakeUser]:
    coordinator = await add_user(runtime, Role.COORDINATOR, "peo_samutprakan", "9001")
    users = [FakeUser(id=1001 + n, first_name=f"Teacher {n}", language_code="en")
             for n in range(PEOPLE)]
    for user in users:
        await add_user(runtime, Role.TEACHER, "school_wat_phraek_sa", str(user.id),
                       inviter=coordinator, language="en")
    return users


async def use_the_bot(app: Application, users: list[FakeUser], stop: asyncio.Event,
                      latencies: list[float]) -> None:
    """Each person sends /help every EVERY seconds (staggered) until `stop` is set; how
    long the bot took over each, from handing it the update to being done, answer sent."""

    async def person(user: FakeUser, offset: float) -> None:
        due = time.perf_counter() + offset
        while not stop.is_set():
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            if stop.is_set():
                return
            update = text_update(app.bot, user, "/help")
            started = time.perf_counter()
            await app.process_update(update)
            latencies.append(time.perf_counter() - started)
            due += EVERY

    await asyncio.gather(*(person(user, EVERY * n / len(users))
                           for n, user in enumerate(users)))


async def idle(app: Application, users: list[FakeUser], seconds: float) -> list[float]:
    latencies: list[float] = []
    stop = asyncio.Event()
    using = asyncio.create_task(use_the_bot(app, users, stop, latencies))
    await asyncio.sleep(seconds)
    stop.set()
    await using
    return latencies


async def bare_sends(app: Application, count: int, chats: int, in_flight: int) -> float:
    """Seconds for the limiter to let `count` bare send_message calls through, `in_flight`
    at a time, spread over `chats` chats, with a notice's text."""
    text, _ = render(notice(BARE, 1), "en")
    numbers = iter(range(count))

    async def sender() -> None:
        for n in numbers:
            await app.bot.send_message(BARE + n % chats, text)

    started = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(in_flight)))
    return time.perf_counter() - started


def in_order(request: RecordingRequest, messages: int, chats: int,
             first: int) -> tuple[int, int]:
    """(chats that got exactly their notices 1, 2, ... in order, messages that arrived)."""
    good = arrived = 0
    for chat in range(chats):
        texts = request.texts(first + chat)
        arrived += len(texts)
        owed = len(range(chat, messages, chats))
        numbers = [int(match.group()) if (match := re.search(r"\d+", text)) else 0
                   for text in texts]
        good += numbers == list(range(1, owed + 1))
    return good, arrived


@dataclass
class Drain:
    delivered: int
    seconds: float
    cpu: float  # seconds of the process's CPU time
    in_order: int  # chats
    arrived: int  # messages
    latencies: list[float] = field(default_factory=list)  # people's, meanwhile

    @property
    def rate(self) -> float:
        return self.delivered / self.seconds

    @property
    def answers(self) -> float:
        return len(self.latencies) / self.seconds


async def drain(runtime: Runtime, app: Application, request: RecordingRequest,
                messages: int, chats: int, first: int, users: list[FakeUser]) -> Drain:
    """Owe the notices, then time the outbox delivering them all, `users` (if any) using
    the bot meanwhile."""
    await owe(runtime, messages, chats, first)
    await asyncio.sleep(1.5)  # the bucket empties
    latencies: list[float] = []
    stop = asyncio.Event()
    using = asyncio.create_task(use_the_bot(app, users, stop, latencies))
    started, cpu = time.perf_counter(), time.process_time()
    delivered = await runtime.outbox.drain()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    stop.set()
    await using
    return Drain(delivered, seconds, cpu, *in_order(request, messages, chats, first),
                 latencies)


def quantiles(latencies: list[float]) -> str:
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return (f"p50 {cuts[49] * 1000:.1f} / p99 {cuts[98] * 1000:.1f} / "
            f"max {max(latencies) * 1000:.1f} ms ({len(latencies)} answers)")


async def run(messages: int, chats: int, idle_seconds: float, folder: Path) -> None:
    runtime = await Runtime.start(make_settings(folder))
    try:
        users = await people(runtime)
        request = RecordingRequest()
        app = build_application(runtime, request=request, rate_limit=True)
        async with app:
            settle()  # as `serve` does once started
            await runtime.outbox.drain()  # what the people's joining owes their inviter
            for user in users:  # the catalogs loaded, as a running bot has them
                await app.process_update(text_update(app.bot, user, "/help"))
            print(f"outbox: {messages:,} notices to {chats:,} chats; {PEOPLE} people, "
                  f"/help every {EVERY} s each", flush=True)
            print(f"  people, the outbox idle ({idle_seconds:.0f} s)...", flush=True)
            await asyncio.sleep(1.5)
            calm = await idle(app, users, idle_seconds)
            print(f"  ceiling: {messages:,} bare send_message calls...", flush=True)
            await asyncio.sleep(1.5)
            ceiling_seconds = await bare_sends(app, messages, chats,
                                               runtime.settings.outbox_in_flight)
            print("  the drain alone...", flush=True)
            alone = await drain(runtime, app, request, messages, chats, ALONE, [])
            print("  the drain, people using the bot meanwhile...", flush=True)
            shared = await drain(runtime, app, request, messages, chats, WITH_PEOPLE, users)
    finally:
        await runtime.close()

    ceiling = messages / ceiling_seconds
    print(f"{'figure':<52} {'value':>34}")
    print(f"{'ceiling: bare calls through the limiter':<52} "
          f"{f'{ceiling:.2f} msg/s ({ceiling_seconds:.1f} s)':>34}")
    print(f"{'  its bucket: 30 a second after a burst of 30':<52} "
          f"{f'{30 * messages / max(messages - 30, 1):.2f} msg/s':>34}")
    for name, each in (("alone", alone), ("with people", shared)):
        print(f"{f'drain {name}: delivered by the outbox':<52} "
              f"{f'{each.rate:.2f} msg/s ({each.seconds:.1f} s)':>34}")
        print(f"{'  ratio to the ceiling':<52} {each.rate / ceiling:>34.1%}")
        print(f"{'  CPU time (share of one core)':<52} "
              f"{f'{each.cpu:.1f} s ({each.cpu / each.seconds:.0%})':>34}")
        print(f"{'  chats that got theirs in order':<52} "
              f"{f'{each.in_order:,} of {chats:,}':>34}")
        print(f"{'  messages arrived / owed / delivered':<52} "
              f"{f'{each.arrived:,} / {messages:,} / {each.delivered:,}':>34}")
    print(f"{'  answers to people meanwhile':<52} "
          f"{f'{shared.answers:.2f} msg/s':>34}")
    print(f"{'  outbox and answers: ratio to the ceiling':<52} "
          f"{(shared.rate + shared.answers) / ceiling:>34.1%}")
    print(f"latency, outbox idle:     {quantiles(calm)}")
    print(f"latency, outbox draining: {quantiles(shared.latencies)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--chats", type=int, default=2_000)
    parser.add_argument("--idle", type=float, default=30.0,
                        help="seconds of people using the bot with the outbox idle")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(args.messages, args.chats, args.idle, Path(folder)))


if __name__ == "__main__":
    main()
