"""PTB persistence on Panong's own database, so half-filled wizards survive a restart.

Only user data (the wizard drafts) and conversation states are kept, as JSON: no pickles
of Telegram objects, and nothing that is not needed. Bot and chat data stay in memory.

At each round (every interval, and when the application stops) PTB hands over the data of
every user and conversation touched since the last round, one call each, all at once. What
the database already holds is not written again (it is written only by this process: a
wizard's state stays "filling" from one answer to the next), and the rest shares one
transaction instead of one each, so that a busy round holds the writer for less, in front
of the handlers' own transactions.

Beside other bot processes (several workers on PostgreSQL, `shared`), the database is no
longer written only by this process: another may have handled this person's last update.
Before each update its user's data is read again (`refresh_user_data`, which PTB calls),
and so are the states of the conversations the update belongs to (`reload_states`); the
worker writes what the update changed before it marks the update handled.

A handler that must not answer before its user's data is on disk (the wizard, whose next
question must find the draft after a crash) writes it through instead: that user's data
and conversation state join the next transaction at once, with whatever other people's
handlers write through meanwhile, instead of waiting for a whole round behind PTB's lock.
A round may then hand over a copy of that user's data taken before it: each write-through
numbers the data (`REVISION`), and a copy older than what was written through is dropped.
"""

import asyncio
import json
from typing import Any

from telegram.ext import Application, BasePersistence, PersistenceInput
from telegram.ext._utils.trackingdict import TrackingDict

from storage.conversations import USER_DATA, ConversationEnd
from storage.interface import Database

ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]

# In each user's data: how many times it has been written through (see above).
REVISION = "revision"

# What one round writes: (USER_DATA, user id) -> data, or (conversation name, key) -> state
Target = tuple[str, int | str]
# What the database holds for a target whose write failed: not known, so never skipped.
_UNKNOWN = "unknown: not JSON"
_NOTHING = "null"  # no row


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class _Batch:
    """The writes of one round, committed together; every caller waits for the commit."""

    def __init__(self) -> None:
        # As JSON text (None: delete), with the target's generation when it was encoded.
        self.writes: dict[Target, tuple[str | None, int]] = {}
        self.committed: asyncio.Future[None] = asyncio.get_running_loop().create_future()


def persistence_of(application: Application[Any, Any, Any, Any, Any, Any]
                   ) -> "SQLitePersistence":
    persistence = application.persistence
    assert isinstance(persistence, SQLitePersistence)
    return persistence


class SQLitePersistence(BasePersistence[dict[str, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(self, db: Database, update_interval: float, shared: bool = False) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db = db
        self.shared = shared
        # What the database holds once every write handed over is committed, as JSON (no
        # entry: no data, no state). The database is written only by this process. Text,
        # not the data itself: thousands of drafts kept as dicts would only lengthen the
        # garbage collector's rounds.
        self._expected: dict[Target, str] = {}
        self._batch: _Batch | None = None  # the round still taking writes
        self._revisions: dict[int, int] = {}  # user id -> REVISION last written through
        # Bumped when a use case's own transaction writes a target (`ending`): a copy
        # encoded before is older than what that transaction wrote, and is not written.
        self._generations: dict[Target, int] = {}

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        stored = await self.db.read.conversations.load_data(USER_DATA)
        self._expected.update({(USER_DATA, int(key)): _json(value)
                               for key, value in stored.items()})
        self._revisions.update({int(key): value.get(REVISION, 0)
                                for key, value in stored.items()})
        return {int(key): value for key, value in stored.items()}

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        # A deep copy of PTB's: it may be written a moment later, whatever PTB does meanwhile.
        if data.get(REVISION, 0) < self._revisions.get(user_id, 0):
            return  # taken before a write-through, which holds newer data
        empty = not data.keys() - {REVISION}
        await self._write({(USER_DATA, user_id): None if empty else data})

    async def write_through(self, user_id: int, data: dict[str, Any], conversation: str,
                            key: ConversationKey, state: object) -> None:
        """Write `user_id`'s data (PTB's own, which this numbers) and the state of their
        `conversation` now, returning once both are committed."""
        revision = data[REVISION] = data.get(REVISION, 0) + 1
        self._revisions[user_id] = revision
        await self._write({(USER_DATA, user_id): data,
                           (conversation, json.dumps(list(key))): state})

    def ending(self, user_id: int, data: dict[str, Any], draft: str, conversation: str,
               key: ConversationKey) -> ConversationEnd:
        """What ends `conversation` in the transaction of its last write: `user_id`'s data
        (PTB's own) without `draft`, and no state. A round's copy encoded before is older
        than what that transaction writes, and is not written after it; the caller calls
        `ended` once it committed. If it fails, the data in memory (the draft still in
        it) differs from what this expects, so the next round writes it again."""
        remaining = {name: value for name, value in data.items() if name != draft}
        text = _json(remaining) if remaining.keys() - {REVISION} else None
        user, state = (USER_DATA, user_id), (conversation, json.dumps(list(key)))
        for target in (user, state):
            self._generations[target] = self._generations.get(target, 0) + 1
            self._expected.pop(target, None)
        if text is not None:
            self._expected[user] = text
        return ConversationEnd(kind=USER_DATA, data_key=str(user_id), data=text,
                               conversation=conversation, state_key=state[1])

    @staticmethod
    def ended(data: dict[str, Any], draft: str) -> None:
        """The transaction that ended the conversation committed: PTB's data as written."""
        data.pop(draft, None)

    async def drop_user_data(self, user_id: int) -> None:
        # The revisions start again with the next data PTB makes for this user.
        self._revisions.pop(user_id, None)
        await self._write({(USER_DATA, user_id): None})

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        """Alone on the database, memory is never behind it. Shared, the user's data as
        the database holds it replaces PTB's copy."""
        if not self.shared:
            return
        stored = await self.db.read.conversations.get_data(USER_DATA, str(user_id))
        user_data.clear()
        user_data.update(stored or {})
        self._revisions[user_id] = (stored or {}).get(REVISION, 0)
        self._remember((USER_DATA, user_id), stored)

    async def reload_states(self, states: dict[str, tuple[ConversationKey,
                                                          TrackingDict[Any, Any]]]) -> None:
        """Shared: each conversation's state (name -> its key, and the conversation
        handler's own states) as the database holds it, put in place without counting as
        a change to write back."""
        for name, (key, conversations) in states.items():
            state_key = json.dumps(list(key))
            stored = await self.db.read.conversations.get_state(name, state_key)
            if stored is None:
                conversations.data.pop(key, None)
            else:
                conversations.update_no_track({key: stored})
            self._remember((name, state_key), stored)

    def _remember(self, target: Target, stored: Any) -> None:
        if stored is None:
            self._expected.pop(target, None)
        else:
            self._expected[target] = _json(stored)

    async def get_conversations(self, name: str) -> ConversationDict:
        stored = await self.db.read.conversations.load_states(name)
        self._expected.update({(name, key): _json(state) for key, state in stored.items()})
        return {tuple(json.loads(key)): state for key, state in stored.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        await self._write({(name, json.dumps(list(key))): new_state})

    async def _write(self, writes: dict[Target, Any]) -> None:
        """Write each value (None: delete) with the rest of this round, unless the database
        already holds it or will once the writes before it commit. Each is encoded as it is
        now: it may be PTB's live data, which goes on changing."""
        copies: dict[Target, tuple[str | None, int]] = {}
        for target, value in writes.items():
            expected = _json(value)
            if self._expected.get(target, _NOTHING) == expected:
                continue
            generation = self._generations.get(target, 0)
            if value is None:
                self._expected.pop(target, None)
                copies[target] = (None, generation)
            else:
                self._expected[target] = expected
                copies[target] = (expected, generation)
        if not copies:
            return
        batch = self._batch
        if batch is not None:
            batch.writes.update(copies)
            await asyncio.shield(batch.committed)
            return
        # The first write of a round commits it, with whatever the others add meanwhile.
        batch = self._batch = _Batch()
        batch.writes.update(copies)
        await self._commit(batch)

    async def _commit(self, batch: _Batch) -> None:
        try:
            async with self.db.unit_of_work() as uow:
                self._batch = None  # from here on, writes wait for the next transaction
                # Holding the writer: what a use case wrote meanwhile is newer than a copy
                # encoded before it.
                writes = {target: text for target, (text, generation) in batch.writes.items()
                          if generation == self._generations.get(target, 0)}
                # A statement or two per table, however many people share the round.
                data = {str(key): text for (kind, key), text in writes.items()
                        if kind == USER_DATA}
                states = {(kind, str(key)): text for (kind, key), text in writes.items()
                          if kind != USER_DATA}
                if data:
                    await uow.conversations.put_data(USER_DATA, data)
                if states:
                    await uow.conversations.put_states(states)
                await uow.commit()
        except BaseException as error:
            if self._batch is batch:
                self._batch = None
            for target in batch.writes:
                self._expected[target] = _UNKNOWN
            if isinstance(error, Exception):
                batch.committed.set_exception(error)
                batch.committed.exception()  # raised to every caller: none goes unseen
            else:
                batch.committed.cancel()
            raise
        batch.committed.set_result(None)

    # Chat data, bot data and callback data are not stored (see store_data above); PTB
    # still requires the methods.
    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        """Not stored."""

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        """Not stored."""

    async def update_callback_data(self, data: object) -> None:
        """Not stored."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Not stored."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        """Not stored."""

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        """Not stored."""

    async def flush(self) -> None:
        """Every update is committed as it is made: nothing is buffered."""
