"""Send what the outbox holds: at least once, in order per chat, whatever the channel.

The dispatcher wakes when a transaction that owes a message commits (and every few
seconds, for retries), takes the rows that may go now (`OutboxRepository.claim`: the
oldest first, each chat's in order, none of a chat while an earlier one of it waits to be
retried) and sends each chat's rows one after another, many chats at once. Each row is
turned into what its channel shows at the moment it is sent (a referral as it is now, a
reminder only if its reason is still there) and handed to the channel's `Sender`, which
renders it with its own widgets and says how it went. What happened is recorded at once:
sent; tried again later with a growing pause; failed (refused for good, or tried for too
long: listed in /reminders); the person blocked the bot (marked unreachable; a reminder
goes to the coordinators instead); a unit's group is gone (forgotten, and what it was
sent goes to the unit's focal points).

A row is marked sent only once the messenger took it, so a crash between the two sends
that one message again after a restart. Edits show the current state, so an edit sent
twice changes nothing; a channel that accepts an idempotency key gets the row's
`retry_key`, so a retried send is not delivered twice there.
"""

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from bot.domain.models import OutboxKind, OutboxMessage, ReferralMessage
from bot.services import reminders
from bot.services.notices import Notice
from bot.services.outbox import notice_from_row
from bot.services.referrals import ReferralView, forget_unit_chat, show_again, shown
from storage.interface import Database, Repositories

log = logging.getLogger(__name__)

# Back-off after a passing failure: 30 s, 2 min, 8 min, ... up to 6 hours; after
# MAX_ATTEMPTS tries (about a day and a half) the row fails and is listed in /reminders.
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=6)
MAX_ATTEMPTS = 10
# How long a claim holds rows for one sender; past it, another may take them (another
# process, when the one that claimed them died: PANONG_OUTBOX_LEASE_SECONDS).
LEASE = timedelta(minutes=5)
# Of one chat's rows, how many one claim takes: the rest wait behind them in order.
PER_CHAT = 5


class ShowReferral(BaseModel):
    """A referral to show in a chat as it is now: a new message, or an edit of one."""

    model_config = ConfigDict(frozen=True)

    view: ReferralView
    language: str
    message_id: str | None


Outgoing = Notice | ShowReferral


class Sent(BaseModel):
    """The messenger took it; `message_id` when it made a new message."""

    message_id: str | None = None


class RetryLater(BaseModel):
    """A passing failure (the messenger down, slow, or asking to wait `after`)."""

    error: str
    after: timedelta | None = None


class Refused(BaseModel):
    """The messenger refuses this message for good: sending it again changes nothing."""

    error: str


class Blocked(BaseModel):
    """The person blocked the bot."""


class ChatGone(BaseModel):
    """A group the bot was removed from, or that no longer exists."""


Outcome = Sent | RetryLater | Refused | Blocked | ChatGone


class Sender(Protocol):
    """One channel's way of showing outbox rows (Telegram's in `handlers.outbox`, LINE's in
    `line.sender`)."""

    # How many of one chat's rows one send may carry, in order (LINE: up to 5 messages a
    # push; Telegram: one message a call).
    batch: int

    async def send(self, messages: list[tuple[OutboxMessage, Outgoing]]) -> Outcome:
        """Show the rows, in order, as one call: the outcome is the same for all."""
        ...


class Dispatcher:
    def __init__(self, db: Database, clock: Callable[[], datetime], *, default_language: str,
                 in_flight: int = 64, interval: float = 5.0,
                 sole_process: bool = True, lease: timedelta = LEASE) -> None:
        """`sole_process`: no other process delivers from this database (SQLite)."""
        self.db = db
        self.clock = clock
        self.default_language = default_language
        self.in_flight = in_flight
        self.interval = interval
        self.sole_process = sole_process
        self.lease = lease
        self._senders: dict[str, Sender] = {}
        self._drain_lock = asyncio.Lock()

    def register(self, channel: str, sender: Sender) -> None:
        """Deliver `channel`'s rows with `sender`, from now on: what is owed goes at once."""
        self._senders[channel] = sender
        self.db.owed.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set: whenever something is owed, and every `interval`
        seconds for what waits to be retried. Rows that a killed process had taken are
        free again at once: on SQLite one bot process serves the database, so whatever is
        taken when it starts was taken by its predecessor."""
        async with self.db.unit_of_work() as uow:
            await uow.outbox.release_all()
            await uow.commit()
        while not stop.is_set():
            self.db.owed.clear()
            try:
                await self.drain()
            except Exception:
                log.exception("the outbox could not be delivered; trying again shortly")
            waits = [asyncio.ensure_future(self.db.owed.wait()),
                     asyncio.ensure_future(stop.wait())]
            await asyncio.wait(waits, timeout=self.interval,
                               return_when=asyncio.FIRST_COMPLETED)
            for wait in waits:
                wait.cancel()

    async def drain(self) -> int:
        """Send every row that may go now, and those that become ready meanwhile; how many
        were delivered. One drain at a time in a process. A chat whose send hangs holds
        up only that chat: the others go on, and so do rows owed meanwhile."""
        async with self._drain_lock:
            delivered = 0
            busy: dict[asyncio.Task[tuple[int, int]], tuple[str, str]] = {}
            taken = 0  # rows claimed and not yet finished
            while True:
                self.db.owed.clear()
                room = self.in_flight - taken
                rows = await self._claim(room, set(busy.values())) if room > 0 else []
                for chat_rows in _by_chat(rows):
                    task = asyncio.create_task(self._send_chat(chat_rows))
                    busy[task] = (chat_rows[0].channel, chat_rows[0].chat_id)
                taken += len(rows)
                if not busy:
                    return delivered
                owed = asyncio.ensure_future(self.db.owed.wait())
                done, _ = await asyncio.wait([*busy, owed], timeout=self.interval,
                                             return_when=asyncio.FIRST_COMPLETED)
                owed.cancel()
                for task in done - {owed}:
                    del busy[task]  # type: ignore[arg-type]
                    finished, sent = task.result()  # type: ignore[misc]
                    taken -= finished
                    delivered += sent

    async def _claim(self, limit: int, sending: set[tuple[str, str]]) -> list[OutboxMessage]:
        """Rows to send now, none of a chat still being sent to (`sending`)."""
        channels = sorted(self._senders)
        now = self.clock()
        # Looked for on the reader first: an idle outbox costs no write transaction.
        if not sending and not await self.db.read.outbox.claim_preview(now, channels):
            return []
        async with self.db.unit_of_work() as uow:
            rows = await uow.outbox.claim(now, now + self.lease, limit, channels, PER_CHAT,
                                          sending)
            await uow.commit()
        return rows

    async def take_for_reply(self, channel: str, chat_id: str,
                             limit: int) -> list[tuple[OutboxMessage, Outgoing]]:
        """What the chat is owed, taken to go with a reply to its person (free on LINE,
        where pushes are counted): the oldest first, waiting ones included. Report how it
        went with `replied`."""
        if limit <= 0 or not await self.db.read.outbox.owes(channel, chat_id):
            return []  # the usual case costs one read, no write transaction
        now = self.clock()
        async with self.db.unit_of_work() as uow:
            rows = await uow.outbox.claim_chat(channel, chat_id, now, now + self.lease, limit)
            await uow.commit()
        messages = []
        for row in rows:
            outgoing = await resolve(self.db.read, row, now, self.default_language)
            if outgoing is None:
                async with self.db.unit_of_work() as uow:
                    await uow.outbox.cancelled(row.id)
                    await uow.commit()
            else:
                messages.append((row, outgoing))
        return messages

    async def replied(self, messages: list[tuple[OutboxMessage, Outgoing]],
                      delivered: bool) -> None:
        """The reply carrying `messages` went (they are sent) or did not (they are owed as
        before, free to go at once)."""
        if not messages:
            return
        if delivered:
            await self._record(messages, Sent())
            return
        async with self.db.unit_of_work() as uow:
            await uow.outbox.release([row.id for row, _ in messages])
            await uow.commit()
        self.db.owed.set()

    async def _send_chat(self, rows: list[OutboxMessage]) -> tuple[int, int]:
        """One chat's rows in order, as many a call as its channel takes; the rest wait
        when a call must be retried. (rows finished, rows delivered)."""
        sender = self._senders[rows[0].channel]
        sent = 0
        for start in range(0, len(rows), sender.batch):
            chunk = rows[start:start + sender.batch]
            try:
                outcome = await self._send(chunk, sender)
            except Exception:
                log.exception("outbox rows %s could not be handled", [r.id for r in chunk])
                outcome = RetryLater(error="internal error")
                await self._record([(row, None) for row in chunk], outcome)
            if isinstance(outcome, Sent):
                sent += len(chunk)
            elif isinstance(outcome, RetryLater):
                async with self.db.unit_of_work() as uow:
                    await uow.outbox.release([r.id for r in rows[start + len(chunk):]])
                    await uow.commit()
                break
        return len(rows), sent

    async def _send(self, rows: list[OutboxMessage], sender: Sender) -> Outcome | None:
        """Send what the rows show now; rows with nothing left to say are cancelled."""
        now = self.clock()
        messages, gone = [], []
        for row in rows:
            outgoing = await resolve(self.db.read, row, now, self.default_language)
            if outgoing is None:
                gone.append(row.id)
            else:
                messages.append((row, outgoing))
        if gone:
            async with self.db.unit_of_work() as uow:
                for row_id in gone:
                    await uow.outbox.cancelled(row_id)
                await uow.commit()
        if not messages:
            return None
        outcome = await sender.send(messages)
        await self._record(messages, outcome)
        return outcome

    async def _record(self, messages: list[tuple[OutboxMessage, Outgoing | None]],
                      outcome: Outcome) -> None:
        """What happened to the rows of one call, in one transaction."""
        now = self.clock()
        async with self.db.unit_of_work() as uow:
            for row, outgoing in messages:
                await self._record_row(uow, row, outgoing, outcome, now)
            if isinstance(outcome, Blocked):
                await reminders.unreachable(uow, [row for row, _ in messages], now=now,
                                            default_language=self.default_language)
            elif isinstance(outcome, ChatGone):
                row = messages[0][0]
                await forget_unit_chat(uow, channel=row.channel, chat_id=row.chat_id, now=now)
            await uow.commit()

    async def _record_row(self, uow: Repositories, row: OutboxMessage,
                          outgoing: Outgoing | None, outcome: Outcome, now: datetime) -> None:
        if isinstance(outcome, Sent):
            if await uow.outbox.sent(row.id, now) and isinstance(outgoing, ShowReferral) \
                    and row.message_id is None and outcome.message_id is not None:
                # Later changes of the referral edit this message.
                await uow.referrals.add_messages([ReferralMessage(
                    referral_id=outgoing.view.referral.id, channel=row.channel,
                    chat_id=row.chat_id, message_id=outcome.message_id,
                    language=outgoing.language)])
        elif isinstance(outcome, RetryLater):
            await _retry_later(uow, row, outcome, now)
        elif isinstance(outcome, Refused):
            log.warning("outbox row %s refused by %s: %s", row.id, row.channel, outcome.error)
            await uow.outbox.failed(row.id, outcome.error)
        elif isinstance(outcome, Blocked):
            await uow.outbox.failed(row.id, "blocked")
        else:
            await uow.outbox.failed(row.id, "chat gone")
            if row.kind is OutboxKind.REFERRAL and row.message_id is None \
                    and row.referral_id is not None:
                await show_again(uow, row.referral_id, self.default_language, now)


async def _retry_later(repos: Repositories, row: OutboxMessage, outcome: RetryLater,
                       now: datetime) -> None:
    if row.attempts + 1 >= MAX_ATTEMPTS:
        log.warning("outbox row %s failed after %s attempts: %s", row.id, MAX_ATTEMPTS,
                    outcome.error)
        await repos.outbox.failed(row.id, outcome.error)
        await repos.users.set_undelivered(row.channel, row.chat_id, now)
        return
    wait = outcome.after if outcome.after is not None else min(
        FIRST_RETRY * 4 ** row.attempts, LONGEST_RETRY)
    await repos.outbox.retry(row.id, outcome.error, now + wait)


async def resolve(repos: Repositories, row: OutboxMessage, now: datetime,
                  default_language: str) -> Outgoing | None:
    """What the row shows now; None when there is nothing left to say (a reminder whose
    reason has gone, a referral that no longer exists)."""
    if row.kind is OutboxKind.NOTICE:
        return notice_from_row(row.channel, row.chat_id, row.language, row.payload)
    if row.kind is OutboxKind.REFERRAL:
        view = await shown(repos, row.referral_id or 0)
        return None if view is None else ShowReferral(
            view=view, language=row.language or default_language, message_id=row.message_id)
    return await reminders.compose(repos, row, now=now)


def _by_chat(rows: list[OutboxMessage]) -> list[list[OutboxMessage]]:
    chats: dict[tuple[str, str], list[OutboxMessage]] = {}
    for row in rows:
        chats.setdefault((row.channel, row.chat_id), []).append(row)
    return list(chats.values())
