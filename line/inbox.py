"""LINE's events kept from their arrival until they are handled, so that none is lost.

The webhook writes each event LINE posts (as LINE sent it, with its `webhookEventId` and
its chat) into `line_events` and commits before it answers 200: from then on LINE no longer
holds the event, the database does. The events are then handled, each chat's in the order
they came and one at a time (a per-chat lock, taken in the order the events were stored),
and each is marked handled as soon as its handler returns; its body (what the person typed)
is erased then, its id kept a week so that the same event sent again by LINE (webhook
redelivery, when the 200 did not reach LINE) is recognised and not handled twice.

At start-up, before any new event, whatever a crash or a stop left unhandled is taken up
again in the order it came, so new events of the same chat wait behind it. An event taken
up late may carry a reply token that has expired: its change is made all the same, and the
lost reply is handled like any failed reply (`LineAdapter._reply`: the reminders job owes
the person word of it). The window left is an event whose change committed just before the
process died and before it was marked: it is handled again at the next start (at least
once); a service's own check (an invite already used, a referral already taken) then
answers the repeat.

Several worker processes (issue 18) would share this table: instead of every unhandled
row at start-up and an in-memory lock per chat, a worker would claim a chat's oldest
unhandled rows in the database (a `claimed_until` column, or `SELECT ... FOR UPDATE SKIP
LOCKED` on PostgreSQL), skipping chats another worker holds, and the webhook would only
store and wake them.
"""

import asyncio
import logging
import uuid
import weakref
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from linebot.v3.models.events import UnknownEvent
from linebot.v3.webhooks import Event

from bot.errors import DatabaseBusy
from bot.runtime import Runtime
from line.events import LineAdapter
from storage.line_events import ReceivedEvent

log = logging.getLogger(__name__)

# How long a handled event's id is kept to recognise LINE sending it again.
KEPT = timedelta(days=7)
# How often the ids older than that are dropped (on a webhook request).
FORGET_EVERY = timedelta(hours=1)
# How long a stop waits for the events being handled.
FINISH_SECONDS = 10.0


def chat_of(raw: dict[str, Any]) -> str:
    """The chat whose events go one at a time: the group's, the room's, or the person's."""
    source = raw.get("source") or {}
    return source.get("groupId") or source.get("roomId") or source.get("userId") or ""


def parsed(raw: dict[str, Any]) -> Event:
    """The SDK's event, as its webhook parser makes it (an unknown kind is kept, unhandled)."""
    try:
        return Event.from_dict(raw)
    except ValueError:
        return UnknownEvent.new_from_json_dict(raw)


class LineInbox:
    def __init__(self, runtime: Runtime, adapter: LineAdapter) -> None:
        self.runtime = runtime
        self.adapter = adapter
        # The events being handled: waited for by tests, and finished before a stop.
        self.handling: set[asyncio.Task[None]] = set()
        # One lock per chat while its events are handled: gone once nobody holds it.
        self._chats: weakref.WeakValueDictionary[str, asyncio.Lock] = \
            weakref.WeakValueDictionary()
        self._forgotten_at = runtime.now() - FORGET_EVERY

    async def receive(self, events: Sequence[dict[str, Any]]) -> int:
        """Store the events LINE posted (committed when this returns: LINE may be answered),
        and start handling the new ones; how many were new."""
        now = self.runtime.now()
        forgetting = now - self._forgotten_at >= FORGET_EVERY
        async with self.runtime.db.unit_of_work() as uow:
            stored = await uow.line_events.add(
                [(raw.get("webhookEventId") or str(uuid.uuid4()), chat_of(raw), raw)
                 for raw in events], now)
            if forgetting:
                await uow.line_events.forget(handled_before=now - KEPT)
            await uow.commit()
        if forgetting:
            self._forgotten_at = now
        new = [received for received in stored if received is not None]
        for received in new:
            self._start(received)
        return len(new)

    async def recover(self) -> int:
        """Start handling what was stored and not handled (the process died or stopped
        first), in the order it came: before any new event. How many."""
        left = await self.runtime.db.read.line_events.unhandled()
        for received in left:
            self._start(received)
        if left:
            log.info("taking up %d LINE events received before the restart", len(left))
        return len(left)

    async def finish(self) -> None:
        """Let the events being handled finish (a stop); what does not is taken up again at
        the next start."""
        if self.handling:
            await asyncio.wait(set(self.handling), timeout=FINISH_SECONDS)

    def _start(self, received: ReceivedEvent) -> None:
        # The lock is taken in the task's first step: tasks start in the order they are
        # made, and asyncio's locks are first come, first served, so a chat's order holds.
        task = asyncio.create_task(self._handle(received, self._lock(received.chat_id)))
        self.handling.add(task)
        task.add_done_callback(self.handling.discard)

    def _lock(self, chat_id: str) -> asyncio.Lock:
        lock = self._chats.get(chat_id)
        if lock is None:
            lock = self._chats[chat_id] = asyncio.Lock()
        return lock

    async def _handle(self, received: ReceivedEvent, lock: asyncio.Lock) -> None:
        async with lock:
            try:
                await self.adapter.handle(parsed(received.body))
            except Exception:
                # Marked handled all the same: an event that fails every time must not be
                # tried again at every start. A stop or a crash (cancelled) leaves it stored.
                log.exception("a LINE event could not be handled")
            try:
                async with self.runtime.db.unit_of_work() as uow:
                    await uow.line_events.handled(received.id, self.runtime.now())
                    await uow.commit()
            except DatabaseBusy:
                log.warning("a handled LINE event could not be marked: it is handled again"
                            " at the next start")
