"""Chat load on LINE, printed: many people at once through the real LINE webhook.

Who: N teachers (default 200) each add the bot, join with an invite and register a child
of their own through the wizard by taps (26 events: follow, /start, /new, typed answers,
quick replies, the date picker, a location, the summary card's Confirm, the plan's Send;
a 27th, "register it anyway", when the wizard finds a possible duplicate),
all of Mueang Samut Prakan and needing schooling, so that every referral goes to Primary
ESA 1. Its M focal points (default 20) share the unit's LINE group, where the referrals
come; each referral is pressed Accept by two of them at once (one takes it, the other is
told who did).

How: every event is signed with the channel secret and posted over HTTP (loopback) to the
bot's real aiohttp webhook (`line.webhook.build_webhook`: its signature check, the events
stored before the 200 and handled after, each chat's in order (`line.inbox`), then
`LineAdapter`: the flows, the services, a fresh SQLite database).
The bot's messaging client is a lean in-process stand-in for `AsyncMessagingApi`
(`LeanMessaging`): it turns each request into LINE's JSON, as the SDK does, records it and
answers at once. What the outbox owes is pushed by the real `LineSender`, the outbox
running as `panong run` runs it. A person sends their next event only once the bot has
replied to the previous one (a closed loop: nobody thinks), so the figure is throughput.

Reply latency: from posting the event to the bot's reply call for it.

The anchor, measured in the same run: the same events, person by person in the same
order, through a bare aiohttp webhook that checks the signature and parses them with
line-bot-sdk's `WebhookParser` and replies once with one short text through the same
stand-in (no database, no rules). The ratio says what Panong's work costs beyond
receiving LINE's events at all.

Pushes per registered child, per party (the teacher, the unit's group, a focal point's
private chat) and transition (registered and sent; accepted). Target: at most one push per
party per transition; replies are free.

Run: `make bench`, or `.venv/bin/python -m bench.line_load [teachers] [focal points]`
(defaults 200 and 20: about a minute).
"""

import argparse
import asyncio
import json
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
from aiohttp import web
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (
    FlexMessage,
    Message,
    PushMessageRequest,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.webhook import WebhookParser
from pydantic import SecretStr

from bench.chat_load import Result, own_child
from bot.domain.models import Role
from bot.flows.callback_data import PlanButton, ReferralButton, WizardButton
from bot.runtime import Runtime
from bot.services import onboarding
from line import CHANNEL
from line.events import LineAdapter
from line.inbox import LineInbox
from line.sender import LineSender
from line.webhook import HANDLING, build_webhook
from line.wizard import PICKED
from tests.conftest import make_settings
from tests.support.line import event, signed

TEACHERS = 200
FOCAL_POINTS = 20
SECRET = "bench-line-secret"
UNIT = "spp1_samutprakan"  # Primary ESA 1: schooling in Mueang Samut Prakan
SCHOOL = "school_wat_phraek_sa"
GROUP = "C" + "b" * 32
# The wizard's answers after the name, by the value their button carries, in order; the
# address is typed and the place shared instead.
ADDRESS, PLACE = "address", "place"
REGISTRATION = ("_skip", "_skip", "male", "none", "thai", PICKED, "1101", "_page1", "unknown",
                ADDRESS, PLACE, "yes", "LOW_INCOME", "_skip", "_skip", "given", "EDUCATION",
                "done", "school", "confirm")
ANSWER_SECONDS = 60

JSONDict = dict[str, Any]


class LeanMessaging:
    """The calls Panong makes to `AsyncMessagingApi`, answered at once: each request turned
    into LINE's JSON as the SDK would send it; a reply wakes whoever waits for its token;
    pushes are counted by recipient."""

    def __init__(self) -> None:
        self.waiting: dict[str, tuple[asyncio.Future[list[Message]], float]] = {}
        self.latencies: list[float] | None = None  # where a reply's latency goes
        self.pushes: Counter[str] = Counter()  # recipient -> pushes
        self.pushed: list[PushMessageRequest] = []
        self.pushing = asyncio.Event()  # set at each push

    async def reply_message(self, request: ReplyMessageRequest) -> None:
        json.dumps(request.to_dict(), ensure_ascii=False)
        waiter, posted = self.waiting.pop(request.reply_token)
        if self.latencies is not None:
            self.latencies.append(time.perf_counter() - posted)
        waiter.set_result(request.messages)

    async def push_message_with_http_info(self, request: PushMessageRequest,
                                          x_line_retry_key: str | None = None) -> None:
        json.dumps(request.to_dict(), ensure_ascii=False)
        self.pushes[request.to] += 1
        self.pushed.append(request)
        self.pushing.set()

    async def get_profile(self, user_id: str) -> SimpleNamespace:
        return SimpleNamespace(display_name=f"Kru {user_id[-4:]}", language="th")

    async def get_group_summary(self, group_id: str) -> SimpleNamespace:
        return SimpleNamespace(group_name="ESA 1 referrals")


class Phone:
    """One LINE user's events, each signed and posted, then waited on until replied."""

    def __init__(self, user_id: str, url: str, session: aiohttp.ClientSession,
                 messaging: LeanMessaging) -> None:
        self.user_id, self.url, self.session, self.messaging = user_id, url, session, messaging
        self.sent: list[JSONDict] = []  # every event, for the anchor's replay
        self.last: list[Message] = []  # the bot's last reply

    async def post(self, sent: JSONDict) -> list[Message]:
        sent = {**sent, "replyToken": uuid.uuid4().hex}
        waiter: asyncio.Future[list[Message]] = asyncio.get_running_loop().create_future()
        self.messaging.waiting[sent["replyToken"]] = (waiter, time.perf_counter())
        body, headers = signed(sent, secret=SECRET)
        async with self.session.post(self.url, data=body, headers=headers) as response:
            if response.status != 200:
                raise RuntimeError(f"the webhook answered {response.status}")
        self.sent.append(sent)
        self.last = await asyncio.wait_for(waiter, ANSWER_SECONDS)
        return self.last

    def _source(self, group: str | None) -> dict[str, str]:
        return {"type": "group", "groupId": group, "userId": self.user_id} if group \
            else {"type": "user", "userId": self.user_id}

    async def follow(self) -> list[Message]:
        return await self.post(event("follow", self._source(None),
                                     follow={"isUnblocked": False}))

    async def text(self, words: str, group: str | None = None) -> list[Message]:
        return await self.post(event("message", self._source(group), message={
            "id": uuid.uuid4().hex[:16], "type": "text", "quoteToken": "q", "text": words}))

    async def location(self, latitude: float, longitude: float) -> list[Message]:
        return await self.post(event("message", self._source(None), message={
            "id": uuid.uuid4().hex[:16], "type": "location", "latitude": latitude,
            "longitude": longitude, "title": "บ้าน", "address": "สมุทรปราการ"}))

    async def press(self, data: str, group: str | None = None, **params: str
                    ) -> list[Message]:
        return await self.post(event("postback", self._source(group), postback={
            "data": data, **({"params": params} if params else {})}))

    def choices(self) -> dict[str, str]:
        """The postback data on the last reply's last message (its quick replies, or a
        card's buttons), by the wizard value it carries (a card's without its
        fingerprint), else by itself."""
        last = self.last[-1]
        actions = [item.action for item in (last.quick_reply.items if last.quick_reply
                                            else [])]
        if isinstance(last, FlexMessage) and last.contents.footer is not None:
            actions += [button.action for button in last.contents.footer.contents]
        found = {}
        for action in actions:
            data = getattr(action, "data", None)
            if data is None:
                continue
            pressed = WizardButton.unpack(data)
            found[pressed.value.partition(".")[0] if pressed else data] = data
        return found


async def register(phone: Phone, code: str, number: int) -> None:
    """Add the bot, join, and register a child of one's own by taps, then send the plan."""
    child = own_child(number)
    await phone.follow()
    await phone.text(f"/start {code}")
    await phone.text("/new")
    await phone.text(child["Mya"])
    for value in REGISTRATION:
        if value == PICKED:
            await phone.press(phone.choices()[PICKED], date=f"2014-03-{1 + number % 28:02d}")
        elif value == ADDRESS:
            await phone.text("ซอย 5")
        elif value == PLACE:
            await phone.location(13.5991, 100.5968)
        else:
            await phone.press(phone.choices()[value])
    if "register" in phone.choices():  # a possible duplicate: it is another child
        await phone.press(phone.choices()["register"])
    send = next(data for data in phone.choices()
                if (plan := PlanButton.unpack(data)) and plan.action == "send")
    await phone.press(send)


async def accept_together(first: Phone, second: Phone, data: str) -> None:
    await asyncio.gather(first.press(data, GROUP), second.press(data, GROUP))


@dataclass
class Party:
    teachers: set[str]
    focal_points: set[str]

    def of(self, recipient: str) -> str:
        if recipient == GROUP:
            return "unit's group"
        return "teacher" if recipient in self.teachers else "focal point (private)" \
            if recipient in self.focal_points else "someone else"


PARTIES = ("teacher", "unit's group", "focal point (private)", "someone else")


async def _served(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def _closed_loop(result: Result, work: list[Callable[[], Awaitable[None]]]) -> None:
    started = time.perf_counter()
    await asyncio.gather(*(each() for each in work))
    result.seconds = time.perf_counter() - started


async def _settled(runtime: Runtime, webhook: web.Application, messaging: LeanMessaging,
                   until: Callable[[], bool]) -> None:
    """The events handled and the outbox drained as far as `until` says."""
    await asyncio.gather(*webhook[HANDLING])
    async with asyncio.timeout(ANSWER_SECONDS):
        while not until():
            messaging.pushing.clear()
            await messaging.pushing.wait()


async def panong(teachers: int, focal_points: int, folder: Path
                 ) -> tuple[list[Result], list[list[Phone]], dict[str, list[float]]]:
    settings = make_settings(
        folder, telegram_token=None, line_channel_secret=SecretStr(SECRET),
        line_channel_access_token=SecretStr("bench-line-token"), line_push_budget=10**9)
    runtime = await Runtime.start(settings)
    messaging = LeanMessaging()
    runtime.outbox.register(CHANNEL, LineSender(messaging, runtime))  # type: ignore[arg-type]
    webhook = build_webhook(runtime, LineInbox(
        runtime, LineAdapter(runtime, messaging)))  # type: ignore[arg-type]
    runner, url = await _served(webhook)
    stop = asyncio.Event()
    outbox = asyncio.create_task(runtime.outbox.run(stop))
    connector = aiohttp.TCPConnector(limit=0)
    try:
        async with aiohttp.ClientSession(connector=connector) as session:
            def phone(kind: str, n: int) -> Phone:
                return Phone(f"U{kind}{n:031x}", url + settings.line_webhook_path, session,
                             messaging)

            units = [phone("f", n) for n in range(focal_points)]
            for each in units:  # the unit's people join and link their group: not timed
                issued = await onboarding.create_invite(
                    runtime.db, None, role=Role.FOCAL_POINT, organisation_id=UNIT,
                    valid_for=settings.invite_validity, now=runtime.now())
                await each.follow()
                await each.text(f"/start {issued.invite.code}")
            await units[0].text("/linkgroup", GROUP)
            codes = [(await onboarding.create_invite(
                runtime.db, None, role=Role.TEACHER, organisation_id=SCHOOL,
                valid_for=settings.invite_validity, now=runtime.now())).invite.code
                for _ in range(teachers)]
            party = Party({f"Ua{n:031x}" for n in range(teachers)},
                          {each.user_id for each in units})
            by_transition: dict[str, list[float]] = {}

            def count(transition: str) -> None:
                pushes = Counter({kind: 0 for kind in PARTIES})
                for recipient, number in messaging.pushes.items():
                    pushes[party.of(recipient)] += number
                by_transition[transition] = [pushes[kind] / teachers for kind in PARTIES]
                messaging.pushes.clear()

            messaging.pushes.clear()
            registering = Result()
            messaging.latencies = registering.latencies
            people = [phone("a", n) for n in range(teachers)]
            await _closed_loop(registering, [
                lambda p=p, code=code, n=n: register(p, code, n)
                for n, (p, code) in enumerate(zip(people, codes, strict=True))])
            messaging.latencies = None
            offered = []

            def all_offered() -> bool:
                offered[:] = [item.action.data for request in messaging.pushed
                              if request.to == GROUP for message in request.messages
                              if message.quick_reply for item in message.quick_reply.items
                              if (pressed := ReferralButton.unpack(item.action.data))
                              and pressed.action == "accept"]
                return len(offered) >= teachers
            await _settled(runtime, webhook, messaging, all_offered)
            count("registered and sent")

            accepting = Result()
            messaging.latencies = accepting.latencies

            async def take(k: int) -> None:
                for data in offered[k::focal_points]:
                    await accept_together(units[k], units[(k + 1) % focal_points], data)

            for each in units:
                each.sent.clear()
            await _closed_loop(accepting, [lambda k=k: take(k) for k in range(focal_points)])
            messaging.latencies = None
            await _settled(runtime, webhook, messaging,
                           lambda: sum(messaging.pushes[t] for t in party.teachers)
                           >= teachers)
            count("accepted")
    finally:
        stop.set()
        await outbox
        await runner.cleanup()
        await runtime.close()
    return [registering, accepting], [people, units], by_transition


async def anchor(phases: list[list[Phone]]) -> list[Result]:
    """The same events, person by person, through a bare webhook: signature, parsing,
    one short reply each."""
    messaging = LeanMessaging()
    parser = WebhookParser(SECRET)
    replying: set[asyncio.Task[None]] = set()

    async def receive(request: web.Request) -> web.Response:
        body = await request.text()
        try:
            events = parser.parse(body, request.headers.get("X-Line-Signature", ""))
        except InvalidSignatureError:
            return web.Response(status=400)
        for each in events:
            task = asyncio.create_task(messaging.reply_message(ReplyMessageRequest(
                reply_token=each.reply_token, messages=[TextMessage(text="OK")])))
            replying.add(task)
            task.add_done_callback(replying.discard)
        return web.Response(text="OK")

    app = web.Application()
    app.router.add_post("/line/webhook", receive)
    runner, url = await _served(app)
    results = []
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            for phones in phases:
                result = Result()
                messaging.latencies = result.latencies
                bare = [(Phone(p.user_id, url + "/line/webhook", session, messaging), p.sent)
                        for p in phones]

                async def replay(phone: Phone, events: list[JSONDict]) -> None:
                    for each in events:
                        await phone.post(each)
                await _closed_loop(result, [lambda p=p, e=e: replay(p, e) for p, e in bare])
                results.append(result)
    finally:
        await runner.cleanup()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("teachers", type=int, nargs="?", default=TEACHERS)
    parser.add_argument("focal_points", type=int, nargs="?", default=FOCAL_POINTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        results, phases, pushes = asyncio.run(panong(args.teachers, args.focal_points,
                                                     Path(folder)))
    bare = asyncio.run(anchor(phases))
    print(f"LINE chat load: {args.teachers} teachers register a child each; "
          f"{args.focal_points} focal points accept in their unit's group, two at once")
    for name, ours, theirs in zip(("registering", "accepting"), results, bare, strict=True):
        print(f"  {name}: {len(ours.latencies):,} events in {ours.seconds:.1f} s")
        print(f"    Panong:      {ours.rate:7.1f} events/s   reply p50 "
              f"{ours.quantile(50) * 1000:6.1f} ms  p99 {ours.quantile(99) * 1000:6.1f} ms")
        print(f"    bare anchor: {theirs.rate:7.1f} events/s   reply p50 "
              f"{theirs.quantile(50) * 1000:6.1f} ms  p99 {theirs.quantile(99) * 1000:6.1f} ms")
        print(f"    Panong / anchor: {ours.rate / theirs.rate:.0%} of the events/s")
    print("  pushes per registered child (target: at most 1 per party per transition):")
    print(f"    {'transition':<22}" + "".join(f"{kind:>24}" for kind in PARTIES))
    for transition, figures in pushes.items():
        print(f"    {transition:<22}" + "".join(f"{value:>24.2f}" for value in figures))


if __name__ == "__main__":
    main()
