"""The inbox: what Telegram and LINE post to the bot's webhooks, kept in the database from
its arrival until it is handled, and handled by whichever bot process takes its chat.

Why a durable inbox rather than routing each chat to a fixed process: the webhook answers
200 only once the update is committed, so from then on the database holds it, not the
messenger, and not one process's memory; any process may receive any update (a reverse
proxy spreads them as it likes, on one machine or several), and any process may handle it.
A process that dies leaves its updates stored and unhandled, and another takes them up.
Both messengers share it: one table (`inbox`), one way of taking a chat.

One chat's updates are handled in the order they came and one at a time across every
process: a worker takes a chat (`storage.locks`: a PostgreSQL advisory lock keyed by the
chat, held by the worker's own lock connection; on SQLite the only process holds every
chat), then reads the chat's oldest unhandled updates, handles them one after another and
marks each handled as soon as its handler returns, then lets the chat go and looks again,
so that an update stored while it was letting go is not left waiting. A chat another
process holds is skipped: its holder will find the new update when it reads the chat
again. The lock rather than a lease: a killed process's connection closes and the server
drops its locks at once, so its chats are taken up within a wake-up, and nothing depends
on clocks agreeing or on renewing a lease during a slow update.

Updates are woken for, not polled: the commit that stores them sends NOTIFY on PostgreSQL
(heard on the lock connection), and sets an event in this process on SQLite; every
`interval` the inbox looks anyway.

A killed process can repeat one thing: the update it was handling when it died (its change
may have committed, its "handled" not yet). It is handled again by the next process to
take the chat; the services' own checks (an invite already used, a referral already
taken, the wizard's state as last written) answer the repeat, and the person may see an
answer twice. An update whose handler fails is logged and marked handled all the same: an
update that fails every time must not hold up its chat for ever.
"""

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.errors import DatabaseBusy
from storage.inbox import ReceivedEvent
from storage.interface import Database
from storage.locks import AdvisoryLocks, ProcessLocks, SoleProcess

log = logging.getLogger(__name__)

Handler = Callable[[ReceivedEvent], Awaitable[None]]

# How long a handled update's id is kept to recognise it sent again.
KEPT = timedelta(days=7)
# How often the ids older than that are dropped (on a webhook request).
FORGET_EVERY = timedelta(hours=1)
# How long a stop waits for the updates being handled.
FINISH_SECONDS = 10.0
# Of one chat, how many updates one read takes.
PER_READ = 20


def new_event_id() -> str:
    """For an update its messenger gave no id."""
    return str(uuid.uuid4())


class Inbox:
    def __init__(self, db: Database, clock: Callable[[], datetime], locks: ProcessLocks, *,
                 in_flight: int = 256, interval: float = 2.0) -> None:
        self.db = db
        self.clock = clock
        self.locks = locks
        self.in_flight = in_flight
        self.interval = interval
        self._handlers: dict[str, Handler] = {}
        # The chats this process is working through, by (channel, chat).
        self._busy: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        # The same tasks, as a set that stays the same object: waited for by tests.
        self.handling: set[asyncio.Task[None]] = set()
        # Chats being worked through that got more meanwhile: read once more before leaving.
        self._again: set[tuple[str, str]] = set()
        self._forgotten_at = clock() - FORGET_EVERY

    def register(self, channel: str, handler: Handler) -> None:
        """Handle `channel`'s updates with `handler`, from now on."""
        self._handlers[channel] = handler
        self._wake.set()

    async def receive(self, channel: str,
                      events: Sequence[tuple[str, str, dict[str, Any]]]) -> int:
        """Store the updates (event id, chat, body) a webhook was given: committed when this
        returns, so the messenger may be answered. Then this process takes their chats if
        no other process holds them, without waiting for a wake-up. How many were new."""
        now = self.clock()
        forgetting = now - self._forgotten_at >= FORGET_EVERY
        async with self.db.unit_of_work() as uow:
            stored = await uow.inbox.add(channel, events, now)
            if forgetting:
                await uow.inbox.forget(handled_before=now - KEPT)
            await uow.commit()
        if forgetting:
            self._forgotten_at = now
        new = [received for received in stored if received is not None]
        await self._take(list(dict.fromkeys((e.channel, e.chat_id) for e in new)))
        return len(new)

    async def take_up(self) -> int:
        """Take the chats with updates waiting (left by a process that died or stopped,
        or received by another process), the one waiting longest first, as far as
        `in_flight` allows. How many chats were taken."""
        if not self._handlers:
            return 0
        chats = await self.db.read.inbox.waiting_chats(sorted(self._handlers),
                                                      self.in_flight)
        return await self._take(chats)

    async def run(self, stop: asyncio.Event) -> None:
        """Handle what is received, by any process, until `stop` is set; then let the
        updates being handled finish. What a process that died or stopped left is the
        oldest: it is taken up first."""
        await self.locks.open(self._wake.set)
        try:
            while not stop.is_set():
                if self.locks.lost.is_set():
                    raise RuntimeError("this process's locks were lost: it must stop")
                self._wake.clear()
                try:
                    await self.take_up()
                except DatabaseBusy:
                    log.warning("the inbox could not be read: the database is busy")
                waits = [asyncio.ensure_future(event.wait())
                         for event in (self._wake, stop, self.locks.lost)]
                await asyncio.wait(waits, timeout=self.interval,
                                   return_when=asyncio.FIRST_COMPLETED)
                for wait in waits:
                    wait.cancel()
        finally:
            if self.locks.lost.is_set():
                # Other processes may be taking these chats now: stop at once.
                for task in self.handling:
                    task.cancel()
            await self.finish()
            await self.locks.close()

    async def _take(self, chats: Sequence[tuple[str, str]]) -> int:
        taken = 0
        for chat in chats:
            if chat in self._busy:
                self._again.add(chat)  # its worker reads the chat once more before leaving
                continue
            if chat[0] not in self._handlers or len(self._busy) >= self.in_flight:
                continue
            if not await self.locks.take(_lock_name(chat)):
                continue  # another process holds it, and reads it again before leaving
            if chat in self._busy:
                # Taken by this process meanwhile: PostgreSQL counted the lock twice.
                await self.locks.release(_lock_name(chat))
                self._again.add(chat)
                continue
            task = self._busy[chat] = asyncio.create_task(self._work(chat))
            self.handling.add(task)
            task.add_done_callback(self.handling.discard)
            taken += 1
        return taken

    async def _work(self, chat: tuple[str, str]) -> None:
        """The chat's updates in order, until none is left; then let the chat go."""
        channel, chat_id = chat
        try:
            while True:
                self._again.discard(chat)
                events = await self.db.read.inbox.unhandled_of(channel, chat_id, PER_READ)
                if not events and chat not in self._again:
                    break
                for event in events:
                    await self._handle(event)
        except DatabaseBusy:
            log.warning("a chat's updates could not be marked handled: taken up again later")
        except Exception:
            log.exception("the inbox could not go on with a chat; taken up again later")
        finally:
            del self._busy[chat]
            try:
                await self.locks.release(_lock_name(chat))
            finally:
                self._wake.set()  # stored while the chat was held elsewhere: look again

    async def _handle(self, event: ReceivedEvent) -> None:
        try:
            await self._handlers[event.channel](event)
        except Exception:
            log.exception("a %s update could not be handled", event.channel)
        async with self.db.unit_of_work() as uow:
            await uow.inbox.handled(event.id, self.clock())
            await uow.commit()

    async def finish(self) -> None:
        """Let the updates being handled finish (a stop); those that do not are left
        stored, for the next process to take their chat."""
        busy = set(self.handling)
        if busy:
            await asyncio.wait(busy, timeout=FINISH_SECONDS)
        for task in busy:
            task.cancel()
        if busy:
            await asyncio.gather(*busy, return_exceptions=True)

    async def close(self) -> None:
        """Let go of every chat still held (the process is done with the database)."""
        await self.locks.close()


def _lock_name(chat: tuple[str, str]) -> str:
    return f"inbox:{chat[0]}:{chat[1]}"


def process_locks(database_url: str | None) -> ProcessLocks:
    """Advisory locks on PostgreSQL; on SQLite, this process holds everything."""
    return AdvisoryLocks(database_url) if database_url else SoleProcess()
