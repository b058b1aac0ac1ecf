"""Who is talking, and may they do this? Checked on the server for every action."""

from bot.domain.models import Role, User
from bot.errors import AccountDeactivated, NotRegistered, PermissionDenied
from storage.interface import Database


async def identify(db: Database, channel: str, channel_user_id: str) -> User | None:
    """Asked on every update: answered from the users known lately, which forget everyone
    as soon as a change to users commits (see `storage.users.KnownUsers`)."""
    return await db.known_users.by_channel_id(db.read.users, channel, channel_user_id)


def require_user(actor: User | None, *roles: Role) -> User:
    """The actor, if they are an active user with one of `roles` (any role when none given)."""
    if actor is None:
        raise NotRegistered()
    if not actor.active:
        raise AccountDeactivated()
    if roles and actor.role not in roles:
        raise PermissionDenied()
    return actor
