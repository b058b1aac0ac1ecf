"""What storing LINE's events before answering costs: events per second through the webhook,
with the store (shipped: each request commits its events before LINE is answered 200, and
each event is marked handled after) beside the way it was before (answered at once, handled
in memory).

PEOPLE teachers on LINE each send /help, one request at a time, waiting for the 200 before
the next (as LINE sends a chat's events); the figure is events handled per second, from
the first request to the last event handled. The webhook is served in-process over real
HTTP (aiohttp's test server), the replies go to a recording stand-in of the SDK's client;
both ways take turns in the same run, each on a fresh database.

Run: `.venv/bin/python -m bench.line_webhook`.
"""

import asyncio
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bot.domain.models import Role
from bot.runtime import Runtime
from bot.services import onboarding
from line.events import LineAdapter
from line.inbox import LineInbox, chat_of, parsed
from line.webhook import HANDLING, build_webhook
from tests.conftest import make_settings
from tests.support.line import SECRET, RecordingMessaging, signed, text

PEOPLE = 50
EACH = 40  # events per person
ROUNDS = 3


class Unstored(LineInbox):
    """The webhook as it was: the events handled in memory, nothing written."""

    def __init__(self, runtime: Runtime, adapter: LineAdapter) -> None:
        super().__init__(runtime, adapter)
        self._chats: dict[str, asyncio.Lock] = {}

    async def receive(self, events: Any) -> int:
        for raw in events:
            lock = self._chats.setdefault(chat_of(raw), asyncio.Lock())
            task = asyncio.create_task(self._unstored(raw, lock))
            self.handling.add(task)
            task.add_done_callback(self.handling.discard)
        return len(events)

    async def _unstored(self, raw: dict[str, Any], lock: asyncio.Lock) -> None:
        async with lock:
            await self.adapter.handle(parsed(raw))


async def _people(runtime: Runtime) -> list[str]:
    ids = [f"U{n:032x}" for n in range(1, PEOPLE + 1)]
    for user_id in ids:
        issued = await onboarding.create_invite(
            runtime.db, None, role=Role.TEACHER, organisation_id="school_wat_phraek_sa",
            valid_for=timedelta(days=1), now=runtime.now())
        await onboarding.redeem_invite(runtime.db, code=issued.invite.code, channel="line",
                                       channel_user_id=user_id, display_name="Kru",
                                       language="th", now=runtime.now())
    return ids


async def one_run(folder: Path, stored: bool) -> float:
    settings = make_settings(folder, line_channel_secret=SECRET,
                             line_channel_access_token="bench-token")
    runtime = await Runtime.start(settings)
    try:
        people = await _people(runtime)
        messaging = RecordingMessaging()
        adapter = LineAdapter(runtime, messaging)  # type: ignore[arg-type]
        inbox = (LineInbox if stored else Unstored)(runtime, adapter)
        async with TestClient(TestServer(build_webhook(runtime, inbox))) as client:
            async def person(user_id: str) -> None:
                for _ in range(EACH):
                    body, headers = signed(text("/help", user=user_id))
                    response = await client.post("/line/webhook", data=body, headers=headers)
                    assert response.status == 200

            started = time.perf_counter()
            await asyncio.gather(*(person(user_id) for user_id in people))
            while client.app[HANDLING]:
                await asyncio.gather(*client.app[HANDLING])
            elapsed = time.perf_counter() - started
        assert len(messaging.replies) == PEOPLE * EACH
        return PEOPLE * EACH / elapsed
    finally:
        await runtime.close()


async def main() -> None:
    measured: dict[bool, list[float]] = {True: [], False: []}
    with tempfile.TemporaryDirectory() as folder:
        for number in range(ROUNDS):
            for stored in measured:
                measured[stored].append(
                    await one_run(Path(folder) / f"{stored}-{number}", stored))
    with_store, without = (statistics.median(measured[key]) for key in (True, False))
    print(f"line webhook: {PEOPLE} people x {EACH} events, {ROUNDS} rounds each way, taking "
          "turns")
    print(f"stored before the 200 (shipped): {with_store:7.0f} events/s   "
          f"({', '.join(f'{r:.0f}' for r in measured[True])})")
    print(f"handled in memory (before):      {without:7.0f} events/s   "
          f"({', '.join(f'{r:.0f}' for r in measured[False])})")
    print(f"ratio: {with_store / without:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
