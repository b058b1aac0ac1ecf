"""What a press in a unit's group owes the presser's private chat: the child's details, the
question of a note to type. Nothing personal goes to a group, and a person's own typing
happens in their own chat.

It is pushed at once, outside the outbox (the group hears only where it went), and counts
against the month's pushes like any other; when they are used up nothing is pushed and
the group is told to open the chat with the bot instead.
"""

import logging
from enum import StrEnum

from linebot.v3.messaging import ApiException, AsyncMessagingApi, Message, PushMessageRequest

from bot.runtime import Runtime
from bot.services import pushes
from line import CHANNEL

log = logging.getLogger(__name__)


class Pushed(StrEnum):
    SENT = "sent"
    NO_BUDGET = "no-budget"  # the month's pushes are used up
    FAILED = "failed"  # LINE did not take it


async def push_privately(runtime: Runtime, messaging: AsyncMessagingApi, person: str,
                         messages: list[Message]) -> Pushed:
    settings, now = runtime.settings, runtime.now()
    if await pushes.left(runtime.db, CHANNEL, budget=settings.line_push_budget, now=now,
                         tz=settings.tz) <= 0:
        return Pushed.NO_BUDGET
    try:
        await messaging.push_message_with_http_info(PushMessageRequest(to=person,
                                                                       messages=messages))
    except (ApiException, OSError) as error:
        log.warning("a private push from a group failed: %s", getattr(error, "status", error))
        return Pushed.FAILED
    await pushes.spent(runtime.db, CHANNEL, 1, budget=settings.line_push_budget,
                       warn_at=settings.line_push_warn_at, now=now, tz=settings.tz,
                       default_language=settings.default_language)
    return Pushed.SENT
