"""People driving the sandbox over HTTP, through the same JSON API as the web chat page.

`WebChat` has the shape of the in-process `ChatHarness` (send, press, share_location), so the
journeys in `tests/support/journeys.py` run unchanged against the real bot polling the local
Bot API. After each action it waits until the bot has answered in that chat and gone quiet.
"""

import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from tests.support.journeys import Person

JSONDict = dict[str, Any]

QUIET_SECONDS = 0.3  # no new event for this long: the bot has finished answering
ANSWER_TIMEOUT = 15.0


@dataclass(frozen=True)
class WebPerson:
    id: int
    first_name: str = ""


class WebChat:
    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self.session = session
        self.base_url = base_url
        self.seq = 0
        self.messages: dict[int, dict[int, JSONDict]] = {}
        self.activity: dict[int, list[int]] = {}  # bot message ids, most recently changed last
        self.alerts: list[str] = []
        self.answered_at: dict[int, int] = {}  # chat id -> sequence number of the bot's latest

    # -- what people do ------------------------------------------------------------------------

    async def add_person(self, first_name: str, language_code: str, role: str | None = None,
                         organisation_id: str | None = None) -> WebPerson:
        person = await self._post("/sandbox/api/people", {
            "first_name": first_name, "language_code": language_code, "role": role,
            "organisation_id": organisation_id})
        if role is not None:
            # the welcome that answers the automatic /start
            await self.wait_for_answer(WebPerson(person["id"]), since=0)
        return WebPerson(person["id"], person["first_name"])

    async def send(self, user: Person, text: str) -> str:
        since = self.seq
        await self._post(f"/sandbox/api/chats/{user.id}/messages", {"text": text})
        return await self.wait_for_answer(user, since)

    async def share_location(self, user: Person, latitude: float, longitude: float) -> str:
        since = self.seq
        await self._post(f"/sandbox/api/chats/{user.id}/messages",
                         {"location": {"latitude": latitude, "longitude": longitude}})
        return await self.wait_for_answer(user, since)

    async def press(self, user: Person, label: str) -> str:
        """Press the button whose label contains `label` on the newest keyboard."""
        message_id, buttons = self._keyboard(user.id)
        matches = [data for text, data in buttons if label in text]
        if len(matches) != 1:
            raise AssertionError(f"{len(matches)} buttons match {label!r}: {buttons}")
        since = self.seq
        await self._post(f"/sandbox/api/chats/{user.id}/callback",
                         {"message_id": message_id, "data": matches[0]})
        return await self.wait_for_answer(user, since)

    # -- what they see -------------------------------------------------------------------------

    def last_text(self, user: Person) -> str:
        for message_id in reversed(self.activity.get(user.id, [])):
            message = self.messages[user.id].get(message_id)
            if message is not None:
                return message.get("text") or message.get("caption") or ""
        return ""

    def texts(self, user: Person) -> list[str]:
        """Every bot message in the chat as it reads now, oldest first."""
        return [m.get("text") or m.get("caption") or ""
                for _, m in sorted(self.messages.get(user.id, {}).items())
                if m["from"]["is_bot"]]

    def buttons(self, user: Person) -> list[tuple[str, str]]:
        return self._keyboard(user.id)[1]

    async def catch_up(self) -> None:
        """Take in whatever happened without waiting for anyone."""
        await self._pull(0)

    # -- internals -----------------------------------------------------------------------------

    def _keyboard(self, chat_id: int) -> tuple[int, list[tuple[str, str]]]:
        for message_id in reversed(self.activity.get(chat_id, [])):
            markup = (self.messages[chat_id].get(message_id) or {}).get("reply_markup")
            if markup:
                return message_id, [(b["text"], b.get("callback_data") or b.get("url", ""))
                                    for row in markup["inline_keyboard"] for b in row]
        return 0, []

    async def _post(self, path: str, body: JSONDict) -> JSONDict:
        async with self.session.post(self.base_url + path, json=body) as response:
            answer = await response.json()
            if response.status != 200:
                raise AssertionError(f"{path}: {response.status} {answer}")
            return answer

    async def _pull(self, wait: float) -> list[JSONDict]:
        async with self.session.get(f"{self.base_url}/sandbox/api/changes",
                                    params={"since": self.seq, "timeout": wait}) as response:
            answer = await response.json()
        for number, event in enumerate(answer["events"], start=self.seq + 1):
            self._apply(number, event)
        self.seq = answer["seq"]
        return answer["events"]

    def _apply(self, number: int, event: JSONDict) -> None:
        chat_id = event.get("chat_id")
        if chat_id is not None and (event["type"] != "message"
                                    or event["message"]["from"]["is_bot"]):
            self.answered_at[chat_id] = number
        if event["type"] == "message":
            message = event["message"]
            self.messages.setdefault(chat_id, {})[message["message_id"]] = message
            if message["from"]["is_bot"]:
                activity = self.activity.setdefault(chat_id, [])
                if message["message_id"] in activity:
                    activity.remove(message["message_id"])
                activity.append(message["message_id"])
        elif event["type"] == "delete":
            self.messages.get(chat_id, {}).pop(event["message_id"], None)
        elif event["type"] == "callback_answer":
            self.alerts.append(event["text"])

    async def wait_for_answer(self, user: Person, since: int) -> str:
        """Wait until the bot has answered in the person's chat after event number `since`,
        then until nothing more happens; the text of the message it sent or changed last."""
        deadline = time.monotonic() + ANSWER_TIMEOUT
        while self.answered_at.get(user.id, 0) <= since:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"the bot did not answer in chat {user.id}")
            await self._pull(min(remaining, 5))
        while await self._pull(QUIET_SECONDS):
            pass
        return self.last_text(user)
