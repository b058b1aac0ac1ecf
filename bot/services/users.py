"""What users may change about themselves, and what coordinators may change about users."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from bot.config import SUPPORTED_LANGUAGES
from bot.domain.models import Organisation, Role, User
from bot.errors import PermissionDenied, StaleAction
from bot.services.access import require_user
from storage.conversations import USER_DATA
from storage.interface import Database

USERS_PAGE_SIZE = 8


class UserPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    users: list[User]
    organisations: dict[str, Organisation]
    page: int
    pages: int


async def set_language(db: Database, actor: User | None, language: str, now: datetime) -> User:
    if language not in SUPPORTED_LANGUAGES:
        raise StaleAction()
    async with db.unit_of_work() as uow:
        actor = require_user(await uow.users.get(require_user(actor).id))
        await uow.users.set_language(actor.id, language)
        await uow.audit.record(
            at=now, actor_id=actor.id, action="user.language", entity="user",
            entity_id=actor.id, before={"language": actor.language},
            after={"language": language},
        )
        await uow.commit()
    return actor.model_copy(update={"language": language})


async def list_users(db: Database, actor: User | None, page: int) -> UserPage:
    require_user(actor, Role.COORDINATOR)
    total = await db.read.users.count()
    pages = max(1, -(-total // USERS_PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    users = await db.read.users.page(offset=page * USERS_PAGE_SIZE, limit=USERS_PAGE_SIZE)
    organisations = {org.id: org for org in await db.read.organisations.active()}
    return UserPage(users=users, organisations=organisations, page=page, pages=pages)


async def get_user(db: Database, actor: User | None, user_id: int) -> User:
    """One user, for a coordinator about to change them."""
    require_user(actor, Role.COORDINATOR)
    user = await db.read.users.get(user_id)
    if user is None:
        raise StaleAction()
    return user


async def set_user_active(
    db: Database, actor: User | None, user_id: int, active: bool, now: datetime
) -> User:
    """Deactivate (or restore) a user. A deactivated user can do nothing; their cases stay,
    their work in progress (a half-filled registration) goes."""
    async with db.unit_of_work() as uow:
        actor = require_user(await uow.users.get(require_user(actor).id), Role.COORDINATOR)
        target = await uow.users.get(user_id)
        if target is None:
            raise StaleAction()
        if target.id == actor.id and not active:
            # Nobody locks themself out; with the actor re-read in this transaction, this
            # also means the last active coordinator can never be deactivated.
            raise PermissionDenied()
        if target.active == active:
            return target
        await uow.users.set_active(target.id, active)
        if not active:
            # Every app they use keeps its own drafts, under its own chat id.
            chats = await uow.users.channels(target.id)
            await uow.conversations.put_data(USER_DATA, dict.fromkeys(chats.values()))
        await uow.audit.record(
            at=now, actor_id=actor.id, action="user.activate" if active else "user.deactivate",
            entity="user", entity_id=target.id, before={"active": target.active},
            after={"active": active},
        )
        if not active:
            # Their invites would otherwise let in whoever they sent them to after they left;
            # restoring the user does not bring them back.
            for code in await uow.invites.revoke_made_by(target.id, actor.id, now):
                await uow.audit.record(
                    at=now, actor_id=actor.id, action="invite.revoke", entity="invite",
                    entity_id=code[:6], after={"reason": "creator deactivated"})
        await uow.commit()
    return target.model_copy(update={"active": active})
