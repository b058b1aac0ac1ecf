"""Owe it in the transaction: what a use case must tell people becomes outbox rows, written
with the change itself, so that a crash or a messenger's outage after the commit loses
nothing. `bot.services.delivery` sends them."""

from datetime import datetime

from bot.domain.models import OutboxKind
from bot.services.notices import Notice
from storage.interface import Repositories
from storage.outbox import Owed

# What a notice row keeps: the rest is the row's own channel, chat and language.
_NOTICE_FIELDS = {"key", "params", "names", "labels", "buttons"}


def notice_row(notice: Notice, case_id: int | None = None,
               dedup_key: str | None = None) -> Owed:
    return Owed(channel=notice.channel, chat_id=notice.channel_user_id,
                language=notice.language, kind=OutboxKind.NOTICE,
                payload=notice.model_dump(mode="json", include=_NOTICE_FIELDS),
                case_id=case_id, dedup_key=dedup_key)


def notice_from_row(channel: str, chat_id: str, language: str | None,
                    payload: dict[str, object]) -> Notice:
    return Notice.model_validate({**payload, "channel": channel, "channel_user_id": chat_id,
                                  "language": language})


def referral_row(*, channel: str, chat_id: str, language: str, referral_id: int, case_id: int,
                 message_id: str | None) -> Owed:
    """Show a referral in a chat as it is when the row is sent: a new message, or an edit of
    `message_id` (two edits of one message pending are one: the second shows the same)."""
    return Owed(channel=channel, chat_id=chat_id, language=language,
                kind=OutboxKind.REFERRAL, referral_id=referral_id, case_id=case_id,
                message_id=message_id,
                dedup_key=f"edit:{channel}:{chat_id}:{message_id}" if message_id else None)


def reminder_row(*, channel: str, chat_id: str, language: str, reminder_id: int, case_id: int,
                 instead_of: str | None = None) -> Owed:
    """A reminder, composed when sent (its reason may have gone by then)."""
    return Owed(channel=channel, chat_id=chat_id, language=language,
                kind=OutboxKind.REMINDER, reminder_id=reminder_id, case_id=case_id,
                payload={"instead_of": instead_of} if instead_of else {})


async def owe_notices(repos: Repositories, notices: list[Notice], now: datetime,
                      case_id: int | None = None) -> None:
    await repos.outbox.add([notice_row(notice, case_id) for notice in notices], now)
