"""What a person on LINE is in the middle of: a registration, a note to type, a list to
send. LINE has no conversation framework, so the adapter keeps it, as JSON, in the same
table as Telegram's wizard drafts (`conversation_data`, the user-data kind, keyed by the
LINE user id): abandoned drafts expire and a deactivated author's go, as on Telegram.

It is written before the next question is asked, so that an answer typed after a crash
finds the flow at the question it was typed for.
"""

import json
from typing import Any

from pydantic import BaseModel, Field

from storage.conversations import USER_DATA, ConversationEnd
from storage.interface import Database

# The conversation name of a LINE flow's end (`ConversationEnd`): LINE keeps no state
# outside the person's data, so there is never such a row to delete; the name says whose.
CONVERSATION = "line"


class Doing(BaseModel):
    """`flow`: the flow that typed text and sent files go to (None: none, they are
    commands or not understood); `data`: each flow's own data, under the flow's name."""

    flow: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    def without(self, flow: str) -> "Doing":
        """This, with `flow` ended: its data gone, and typed text no longer its."""
        return Doing(flow=None if self.flow == flow else self.flow,
                     data={name: value for name, value in self.data.items() if name != flow})

    def _json(self) -> str | None:
        if self.flow is None and not self.data:
            return None
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False)


async def recall(db: Database, user_id: str) -> Doing:
    stored = await db.read.conversations.get_data(USER_DATA, user_id)
    return Doing.model_validate(stored) if stored else Doing()


async def remember(db: Database, user_id: str, doing: Doing) -> None:
    async with db.unit_of_work() as uow:
        await uow.conversations.put_data(USER_DATA, {user_id: doing._json()})
        await uow.commit()


def ending(user_id: str, doing: Doing, flow: str) -> ConversationEnd:
    """`flow`'s end, written in the transaction of the change it makes (a case saved, a
    note sent): after a crash, the flow is not offered again."""
    return ConversationEnd(kind=USER_DATA, data_key=user_id, data=doing.without(flow)._json(),
                           conversation=CONVERSATION, state_key=user_id)
