"""The LINE side of the outbox: what Panong owes people on LINE, pushed.

Pushes count against the account's monthly budget (`bot.services.pushes`), so a chat's
owed rows go together, up to LINE's five messages a push. Each push carries an
`X-Line-Retry-Key` made from its rows' own keys: a push retried after a lost answer is
not delivered twice (LINE answers 409), while a push of other rows gets another key.
LINE cannot edit a message: the edit of a referral message is not pushed (a press on the
old message is answered from the referral as it is now). What a person is owed also goes,
free, with the next reply to them (`line.events`).
"""

import uuid
from datetime import timedelta

from linebot.v3.messaging import (
    ApiException,
    AsyncMessagingApi,
    PushMessageRequest,
)

from bot.domain.models import OutboxMessage
from bot.runtime import Runtime
from bot.services import pushes
from bot.services.delivery import (
    Blocked,
    ChatGone,
    Outcome,
    Outgoing,
    Refused,
    RetryLater,
    Sent,
)
from line import CHANNEL
from line.owed import owed_message

# The namespace of retry keys made from outbox rows' keys.
_RETRY_KEYS = uuid.UUID("0b5e6c4e-6a7e-4c8e-9a55-2f1c4a4d7b10")


class LineSender:
    batch = 5  # messages in one push

    def __init__(self, messaging: AsyncMessagingApi, runtime: Runtime) -> None:
        self.messaging = messaging
        self.runtime = runtime

    async def send(self, messages: list[tuple[OutboxMessage, Outgoing]]) -> Outcome:
        shown = [(row, message) for row, outgoing in messages
                 if (message := owed_message(outgoing, self.runtime)) is not None]
        if not shown:
            return Sent()  # only edits, which LINE cannot make
        runtime, settings = self.runtime, self.runtime.settings
        now = runtime.now()
        if await pushes.left(runtime.db, CHANNEL, budget=settings.line_push_budget, now=now,
                             tz=settings.tz) <= 0:
            return RetryLater(error="the month's LINE pushes are used up",
                              after=pushes.next_month(now, settings.tz) - now)
        chat_id = messages[0][0].chat_id
        key = uuid.uuid5(_RETRY_KEYS, ",".join(row.retry_key for row, _ in shown))
        try:
            await self.messaging.push_message_with_http_info(
                PushMessageRequest(to=chat_id, messages=[message for _, message in shown]),
                x_line_retry_key=str(key))
        except ApiException as error:
            outcome = _outcome(error, chat_id)
            if outcome is not None:
                return outcome
        except OSError as error:  # the connection failed or timed out
            return RetryLater(error=str(error) or type(error).__name__)
        await pushes.spent(runtime.db, CHANNEL, 1, budget=settings.line_push_budget,
                           warn_at=settings.line_push_warn_at, now=now, tz=settings.tz,
                           default_language=settings.default_language)
        return Sent()


def _outcome(error: ApiException, chat_id: str) -> Outcome | None:
    """What LINE's answer means; None: it had already taken this push (409, the retry
    key seen before)."""
    status = error.status or 0
    if status == 409:
        return None
    if status == 429:
        return RetryLater(error="429", after=timedelta(minutes=1))
    if status in (403, 404):
        # A user who blocked the account, or a group the bot is no longer in.
        return Blocked() if chat_id.startswith("U") else ChatGone()
    if status >= 500:
        return RetryLater(error=f"{status} {error.reason}")
    return Refused(error=f"{status} {error.reason}: {(error.body or '')[:150]}")
