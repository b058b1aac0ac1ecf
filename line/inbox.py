"""LINE's side of the inbox (`bot.inbox`): each event LINE posts is stored, with its
`webhookEventId` and its chat (the group, the room or the person), before LINE is answered
200, and handled after, each chat's in order, by whichever bot process takes the chat.

An event taken up late (after a crash, or behind a slow one) may carry a reply token that
has expired: its change is made all the same, and the lost reply is handled like any
failed reply (`LineAdapter._reply`: the reminders job owes the person word of it). An event
LINE sends again (webhook redelivery, when the 200 did not reach LINE) is recognised by its
id and not handled twice.
"""

import asyncio
from collections.abc import Sequence
from typing import Any

from linebot.v3.models.events import UnknownEvent
from linebot.v3.webhooks import Event

from bot.inbox import new_event_id
from bot.runtime import Runtime
from line import CHANNEL
from line.events import LineAdapter
from storage.inbox import ReceivedEvent


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
    """Stores LINE's events in the runtime's inbox, and handles them with `adapter`."""

    def __init__(self, runtime: Runtime, adapter: LineAdapter) -> None:
        self.runtime = runtime
        self.adapter = adapter
        self.inbox = runtime.inbox
        self.inbox.register(CHANNEL, self._handle)

    @property
    def handling(self) -> set[asyncio.Task[None]]:
        """The chats being worked through (a live set): waited for by tests."""
        return self.inbox.handling

    async def receive(self, events: Sequence[dict[str, Any]]) -> int:
        """Store the events LINE posted (committed when this returns: LINE may be answered),
        and start handling them; how many were new."""
        return await self.inbox.receive(
            CHANNEL, [(raw.get("webhookEventId") or new_event_id(), chat_of(raw), raw)
                      for raw in events])

    async def recover(self) -> int:
        """Take up what was stored and not handled (a process died or stopped first), in
        the order it came: before any new event. How many events."""
        left = [event for event in await self.runtime.db.read.inbox.unhandled()
                if event.channel == CHANNEL]
        await self.inbox.take_up()
        return len(left)

    async def finish(self) -> None:
        """Let the events being handled finish (a stop)."""
        await self.inbox.finish()

    async def _handle(self, received: ReceivedEvent) -> None:
        await self.adapter.handle(parsed(received.body))
