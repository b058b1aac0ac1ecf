"""Many people at once, each in their own chat with the bot, on the sandbox's `BotApi`
object itself: for tests that run the real bot as a process against a stand-in living in
the test (`tests/support/bot_process.py`).

Each person waits for the bot's answer before their next step. What counts as the answer:
to a typed message or a shared location, the first bot message after it that carries
buttons, unless the caller says which message it waits for; to a pressed button, the
pressed message changed, a new message, or a text answer to the press (an alert). One task
follows the stand-in's change feed and keeps a copy of every chat, so that a waiting person
costs nothing until their own chat changes.

`People` has the shape of the journeys' `Chat` (`tests/support/journeys.py`): `send`,
`press` by label, `share_location`.
"""

import asyncio
import contextlib
import copy
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from typing import Any

from sandbox.botapi import BotApi
from tests.support.journeys import Person

JSONDict = dict[str, Any]
# Picks the bot's answer out of its messages after the person's (oldest first), or None.
Reply = Callable[[list[JSONDict]], JSONDict | None]

ANSWER_SECONDS = 30.0


def with_buttons(messages: list[JSONDict]) -> JSONDict | None:
    return next((m for m in messages if m.get("reply_markup")), None)


class People:
    def __init__(self, api: BotApi) -> None:
        self.api = api
        self.messages: dict[int, dict[int, JSONDict]] = defaultdict(dict)  # both ways
        self.alerts: dict[int, list[str]] = defaultdict(list)  # text answers to presses
        self._seen = 0
        self._wakers: dict[int | None, asyncio.Event] = {}

    @contextlib.asynccontextmanager
    async def following(self) -> AsyncIterator["People"]:
        """Keep the copy of the chats up to date for as long as the block runs."""
        task = asyncio.create_task(self._follow())
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- what people do ------------------------------------------------------------------------

    async def send(self, user: Person, text: str, reply: Reply = with_buttons) -> str:
        """Type `text`; wait for the bot's answer (`reply` picks it); its text."""
        self.catch_up()
        sent = self.api.send_text(user.id, text)
        return await self._answer_after(user, sent["message_id"], reply, repr(text))

    async def share_location(self, user: Person, latitude: float, longitude: float) -> str:
        self.catch_up()
        sent = self.api.send_location(user.id, latitude, longitude)
        return await self._answer_after(user, sent["message_id"], with_buttons, "a location")

    async def press(self, user: Person, label: str) -> str:
        """Press the one button whose label contains `label` on the newest keyboard."""
        message_id, buttons = self.keyboard(user.id)
        matches = [data for text, data in buttons if label in text]
        if len(matches) != 1:
            raise AssertionError(f"chat {user.id}: {len(matches)} buttons match {label!r}: "
                                 f"{[text for text, _ in buttons]}")
        return await self.press_data(user, message_id, matches[0], label)

    async def press_data(self, user: Person, message_id: int, data: str,
                         label: str = "") -> str:
        """Press the button carrying `data`; wait for the bot's answer to the press: the text
        of the message it changed or sent, or of its alert."""
        self.catch_up()
        chat, alerts = self.messages[user.id], self.alerts[user.id]
        before, newest, alerted = chat.get(message_id), max(chat), len(alerts)

        def answer() -> str | None:
            if chat.get(message_id) is not before:
                return (chat.get(message_id) or {}).get("text", "")
            if max(chat) > newest:
                return chat[max(chat)].get("text", "")
            return alerts[-1] if len(alerts) > alerted else None

        self.api.press(user.id, user.id, message_id, data)
        await self.wait(user.id, lambda: answer() is not None,
                        f"the bot to answer the button {label or data!r} in chat {user.id}")
        return answer() or ""

    # -- what they see -------------------------------------------------------------------------

    def bot_messages(self, chat_id: int, after: int = 0) -> list[JSONDict]:
        """The bot's messages in the chat after message `after`, as they read now."""
        return [message for message_id, message in sorted(self.messages[chat_id].items())
                if message_id > after and message["from"]["is_bot"]]

    def keyboard(self, chat_id: int) -> tuple[int, list[tuple[str, str]]]:
        """The newest bot message with buttons: its id, and its buttons' labels and data."""
        self.catch_up()
        for message in reversed(self.bot_messages(chat_id)):
            markup = message.get("reply_markup")
            if markup:
                return message["message_id"], [(b["text"], b.get("callback_data", ""))
                                               for row in markup["inline_keyboard"]
                                               for b in row]
        raise AssertionError(f"chat {chat_id}: no message with buttons")

    def newest(self, chat_id: int) -> int:
        """The id of the newest message in the chat, either way; 0 in an empty chat."""
        self.catch_up()
        return max(self.messages[chat_id], default=0)

    async def wait(self, chat_id: int | None, condition: Callable[[], bool],
                   what: str | Callable[[], str], seconds: float = ANSWER_SECONDS) -> None:
        """Wait until `condition` holds, looking again whenever the chat changes (any chat,
        for None); fail after `seconds`, saying what did not happen."""
        deadline = time.monotonic() + seconds
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"waited {seconds:.0f} s for "
                                     f"{what if isinstance(what, str) else what()}")
            waker = self._wakers.setdefault(chat_id, asyncio.Event())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waker.wait(), remaining)

    def catch_up(self) -> None:
        """Take in what the feed has not brought yet, so that what a person is about to act
        on is what the stand-in holds now."""
        events = [copy.deepcopy(event) for event in self.api.events[self._seen:]]
        self._seen += len(events)
        self._take(events)

    # -- internals -----------------------------------------------------------------------------

    async def _answer_after(self, user: Person, message_id: int, reply: Reply,
                            what: str) -> str:
        def answer() -> JSONDict | None:
            return reply(self.bot_messages(user.id, after=message_id))

        await self.wait(user.id, lambda: answer() is not None,
                        f"the bot to answer {what} in chat {user.id}")
        return (answer() or {}).get("text", "")

    async def _follow(self) -> None:
        while True:
            since = self._seen
            total, events = await self.api.changes(since, wait=5)
            self._take(events[max(self._seen - since, 0):])  # not what catch_up took
            self._seen = max(self._seen, total)

    def _take(self, events: list[JSONDict]) -> None:
        for event in events:
            chat_id = event.get("chat_id")
            if event["type"] == "message":
                self.messages[chat_id][event["message"]["message_id"]] = event["message"]
            elif event["type"] == "delete":
                self.messages[chat_id].pop(event["message_id"], None)
            elif event["type"] == "callback_answer" and chat_id is not None:
                self.alerts[chat_id].append(event["text"])
        for chat_id in {event.get("chat_id") for event in events} | {None}:
            waker = self._wakers.pop(chat_id, None)
            if waker is not None:
                waker.set()
