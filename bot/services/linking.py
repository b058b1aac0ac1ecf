"""One person, two apps: someone who uses Panong on Telegram can use it on LINE too (or
the other way round) as the same account, with the same role, organisation, language and
cases.

`/link` on the app they already use gives a one-time code, valid for a few minutes; they
send `/start CODE` from the other app (the link that comes with the code types it in).
Notices then go to whichever app they used last.
"""

import secrets
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from bot.domain.models import Organisation, User
from bot.errors import AlreadyRegistered, ChannelAlreadyLinked, LinkCodeInvalid
from bot.services.access import require_user
from storage.interface import Database

PREFIX = "link-"  # a code to link, told apart from an invite's by it
VALID_FOR = timedelta(minutes=15)


MINUTES = int(VALID_FOR.total_seconds() // 60)


class LinkCode(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    expires_at: datetime


class Linked(BaseModel):
    """The account a chat now belongs to, and where it belongs."""

    model_config = ConfigDict(frozen=True)

    user: User
    organisation: Organisation


def is_link_code(code: str) -> bool:
    return code.startswith(PREFIX)


async def make_code(db: Database, actor: User | None, *, now: datetime) -> LinkCode:
    async with db.unit_of_work() as uow:
        actor = require_user(await uow.users.get(require_user(actor).id))
        code = PREFIX + secrets.token_urlsafe(12)
        await uow.link_codes.add(code, actor.id, now=now, expires_at=now + VALID_FOR)
        await uow.audit.record(at=now, actor_id=actor.id, action="user.link_code",
                               entity="user", entity_id=actor.id)
        await uow.commit()
    return LinkCode(code=code, expires_at=now + VALID_FOR)


async def link(db: Database, *, code: str, channel: str, channel_user_id: str,
               now: datetime) -> Linked:
    """This chat becomes one of the code's person's; notices come here from now on."""
    async with db.unit_of_work() as uow:
        if await uow.users.by_channel_id(channel, channel_user_id) is not None:
            raise AlreadyRegistered()
        user_id = await uow.link_codes.use(code, now)
        user = await uow.users.get(user_id) if user_id is not None else None
        if user is None:
            raise LinkCodeInvalid(minutes=MINUTES)
        require_user(user)
        if channel in await uow.users.channels(user.id):
            raise ChannelAlreadyLinked()
        await uow.users.add_channel(user.id, channel, channel_user_id, now)
        await uow.users.set_home(user.id, channel, channel_user_id)
        await uow.audit.record(at=now, actor_id=user.id, action="user.link_channel",
                               entity="user", entity_id=user.id,
                               after={"channel": channel})
        linked = await uow.users.get(user.id)
        organisation = await uow.organisations.get(user.organisation_id)
        await uow.commit()
    assert linked is not None and organisation is not None
    return Linked(user=linked, organisation=organisation)


async def came_back_on(db: Database, user: User, channel: str, channel_user_id: str) -> User:
    """They wrote from another of their apps: notices follow them there."""
    if (user.channel, user.channel_user_id) == (channel, channel_user_id):
        return user
    async with db.unit_of_work() as uow:
        await uow.users.set_home(user.id, channel, channel_user_id)
        moved = await uow.users.get(user.id)
        await uow.commit()
    assert moved is not None
    return moved
