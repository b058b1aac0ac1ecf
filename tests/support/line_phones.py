"""People on LINE phones in the sandbox: they act on the sandbox's LINE stand-in (each act is
a webhook event it posts, signed, to the bot over HTTP) and wait, on its change feed, for
what the bot says back in their chat or their group.

After each act a phone waits until the bot has said something more in that chat; a reply
is one request to LINE, so every message of it arrives at once.
"""

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.domain.models import Role, User
from bot.flows.callback_data import PlanButton, WizardButton
from bot.runtime import Runtime
from bot.services import onboarding
from line.wizard import PICKED
from sandbox.lineapi import LineApi
from tests.support.line import parts

JSONDict = dict[str, Any]

ANSWER_SECONDS = 20.0


class LinePhones:
    def __init__(self, line: LineApi) -> None:
        self.line = line
        self._seen = 0

    # -- waiting -------------------------------------------------------------------------------

    async def until(self, condition: Callable[[], bool], seconds: float = ANSWER_SECONDS
                    ) -> None:
        """Wait, on the stand-in's change feed, until `condition` holds."""
        async with asyncio.timeout(seconds):
            while not condition():
                self._seen, _ = await self.line.changes(self._seen, wait=1)

    async def answered(self, chat_id: str, act: Callable[[], object]) -> list[JSONDict]:
        """Do `act`, then wait for the bot's next message(s) in the chat; those messages."""
        before = len(self.bot_messages(chat_id))
        act()
        await self.until(lambda: len(self.bot_messages(chat_id)) > before)
        return self.bot_messages(chat_id)[before:]

    # -- what people do ------------------------------------------------------------------------

    async def join(self, runtime: Runtime, name: str, role: Role, unit: str,
                   language: str = "th", inviter: User | None = None) -> str:
        """Somebody adds the bot and joins with an invite to `unit` (from `inviter`, who is
        told); their LINE user id."""
        issued = await onboarding.create_invite(
            runtime.db, inviter, role=role, organisation_id=unit, valid_for=timedelta(days=1),
            now=runtime.now())
        person = self.line.add_person(name, language)
        await self.until(lambda: len(self.bot_messages(person)) == 1)  # the welcome
        await self.send(person, f"/start {issued.invite.code}")
        return person

    async def send(self, person: str, words: str, group: str | None = None) -> list[JSONDict]:
        return await self.answered(group or person,
                                   lambda: self.line.send_text(person, words, group))

    async def press(self, person: str, data: str, group: str | None = None,
                    picked: str | None = None) -> list[JSONDict]:
        return await self.answered(group or person,
                                   lambda: self.line.press(person, data, group, picked))

    async def tap(self, person: str, label: str, group: str | None = None) -> list[JSONDict]:
        """Tap the one action whose label contains `label` on the chat's last bot message."""
        matches = [action for action in self.actions(group or person)
                   if label in action.get("label", "")]
        if len(matches) != 1:
            raise AssertionError(f"{len(matches)} actions match {label!r}: "
                                 f"{[a.get('label') for a in self.actions(group or person)]}")
        return await self.press(person, matches[0]["data"], group)

    async def register_child(self, teacher: str) -> int:
        """The teacher registers a boy of Mueang Samut Prakan who needs schooling, by taps,
        and sends the plan; the case's id."""
        for words in ("/new", "สมชาย"):
            await self.send(teacher, words)
        for value in ("_skip", "_skip", "male", "none", "thai"):
            await self.press(teacher, self.wizard_actions(teacher)[value]["data"])
        await self.press(teacher, self.wizard_actions(teacher)[PICKED]["data"],
                         picked="2014-03-15")
        for value in ("1101", "_page1", "unknown"):
            await self.press(teacher, self.wizard_actions(teacher)[value]["data"])
        await self.send(teacher, "ซอย 5")
        await self.answered(teacher, lambda: self.line.send_location(
            teacher, 13.5991, 100.5968, "บ้าน", "สมุทรปราการ"))
        for value in ("yes", "LOW_INCOME", "_skip", "_skip", "given", "EDUCATION", "done",
                      "school", "confirm"):
            await self.press(teacher, self.wizard_actions(teacher)[value]["data"])
        send = next(data for data in self.wizard_actions(teacher)
                    if (pressed := PlanButton.unpack(data)) and pressed.action == "send")
        await self.press(teacher, send)
        plan = PlanButton.unpack(send)
        assert plan is not None
        return plan.case_id

    # -- what they see -------------------------------------------------------------------------

    def bot_messages(self, chat_id: str) -> list[JSONDict]:
        return [entry["message"] for entry in self.line.transcript(chat_id)
                if entry["from"] == "bot"]

    def texts(self, chat_id: str) -> list[str]:
        return [message.get("text", "") for message in self.bot_messages(chat_id)]

    def actions(self, chat_id: str) -> list[JSONDict]:
        """The postback actions on the bot's last message (its quick replies, a card's
        buttons)."""
        last = self.bot_messages(chat_id)[-1]
        return [part["action"] for part in parts(last)
                if isinstance(part.get("action"), dict) and "data" in part["action"]]

    def wizard_actions(self, chat_id: str) -> dict[str, JSONDict]:
        """The wizard's (and the plan's) actions on the last message, by the value they
        carry (a card's Confirm without its fingerprint), or by their data."""
        found = {}
        for action in self.actions(chat_id):
            pressed = WizardButton.unpack(action["data"])
            found[pressed.value.partition(".")[0] if pressed else action["data"]] = action
        return found
