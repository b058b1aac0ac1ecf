"""One event from a person in their private chat with the bot, as the LINE adapter's flows
see it, and the table that routes it.

Each flow module (`line.referrals`, the wizard, ...) declares its `Routes`: the commands
it answers, the postbacks it understands, and the flow whose typed text and sent files it
takes while the person is in it. `line.events` joins them; a flow returns the messages of
its reply.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from linebot.v3.messaging import AsyncMessagingApi, AsyncMessagingApiBlob, Message
from linebot.v3.webhooks import Event, MessageEvent, PostbackEvent, TextMessageContent

from bot.domain.models import User
from bot.i18n import Translator
from bot.runtime import Runtime
from line.conversation import Doing, remember


@dataclass
class Turn:
    runtime: Runtime
    messaging: AsyncMessagingApi
    actor: User  # known and active
    t: Translator
    user_id: str  # the person's LINE user id: their private chat with the bot
    event: Event
    doing: Doing  # what they are in the middle of, as stored when the event came
    # The api-data host's client: the content of files people send.
    blob: AsyncMessagingApiBlob | None = None

    @property
    def text(self) -> str | None:
        """What they typed, trimmed; None for anything else."""
        if isinstance(self.event, MessageEvent) \
                and isinstance(self.event.message, TextMessageContent):
            return self.event.message.text.strip()
        return None

    @property
    def command(self) -> str:
        return (self.text or "").partition(" ")[0]

    @property
    def argument(self) -> str:
        return (self.text or "").partition(" ")[2].strip()

    @property
    def postback(self) -> str | None:
        return self.event.postback.data if isinstance(self.event, PostbackEvent) else None

    @property
    def params(self) -> Mapping[str, Any]:
        """What a picker sent with the postback (LINE's date picker: {"date": ...})."""
        if isinstance(self.event, PostbackEvent) and self.event.postback.params:
            return self.event.postback.params
        return {}

    async def keep(self, doing: Doing) -> None:
        """Store what they are now in the middle of (before the next question is asked)."""
        await remember(self.runtime.db, self.user_id, doing)
        self.doing = doing


Answer = list[Message]
Handler = Callable[[Turn], Awaitable[Answer]]


@dataclass(frozen=True)
class Postback:
    """Postback data `matches` claims, and its handler."""

    matches: Callable[[str], bool]
    handle: Handler


@dataclass(frozen=True)
class Routes:
    commands: Mapping[str, Handler] = field(default_factory=dict)
    postbacks: Sequence[Postback] = ()
    # Flow name -> what takes their messages (typed text, files, a location) while in it.
    flows: Mapping[str, Handler] = field(default_factory=dict)


def joined(*each: Routes) -> Routes:
    """One table from the flows' own; a command, or a flow, claimed twice is a mistake."""
    commands: dict[str, Handler] = {}
    flows: dict[str, Handler] = {}
    for routes in each:
        for table, into in ((routes.commands, commands), (routes.flows, flows)):
            clash = set(table) & set(into)
            if clash:
                raise ValueError(f"claimed twice: {sorted(clash)}")
            into.update(table)
    return Routes(commands=commands, flows=flows,
                  postbacks=[postback for routes in each for postback in routes.postbacks])
