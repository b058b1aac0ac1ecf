"""Invites, and the users they create."""

import secrets
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from bot.domain.models import (
    ROLE_ORGANISATION_KINDS,
    Invite,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from bot.errors import (
    AlreadyRegistered,
    InviteExpired,
    InviteNotFound,
    InviteUsed,
    UnknownOrganisation,
)
from bot.services.access import require_user
from bot.services.notices import Notice
from bot.services.outbox import owe_notices
from storage.database import Database

INVITE_CODE_BYTES = 12  # 16 URL-safe characters: fits Telegram's 64-character start parameter


class IssuedInvite(BaseModel):
    model_config = ConfigDict(frozen=True)

    invite: Invite
    organisation: Organisation


class Joined(BaseModel):
    """A new user, where they belong, and whom to tell."""

    model_config = ConfigDict(frozen=True)

    user: User
    organisation: Organisation
    notices: list[Notice]


def invite_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


def invitable_roles(actor: User | None) -> list[Role]:
    """The roles a coordinator may invite: all of them; nobody else may invite."""
    require_user(actor, Role.COORDINATOR)
    return list(Role)


async def organisations_for_role(db: Database, actor: User | None,
                                 role: Role) -> list[Organisation]:
    """The organisations a new user of `role` may belong to; schools first, since most
    invites are for teachers."""
    require_user(actor, Role.COORDINATOR)
    organisations = await db.read.organisations.active(ROLE_ORGANISATION_KINDS[role])
    return sorted(organisations, key=lambda org: (org.kind is not OrganisationKind.SCHOOL,
                                                  org.kind, org.id))


async def create_invite(
    db: Database,
    actor: User | None,
    *,
    role: Role,
    organisation_id: str,
    valid_for: timedelta,
    now: datetime,
) -> IssuedInvite:
    """A single-use invite. `actor` None means the command line, run by whoever holds the
    server; in chat only coordinators may invite."""
    async with db.unit_of_work() as uow:
        if actor is not None:
            actor = require_user(await uow.users.get(actor.id), Role.COORDINATOR)
        organisation = await uow.organisations.get(organisation_id)
        if (organisation is None or not organisation.active
                or organisation.kind not in ROLE_ORGANISATION_KINDS[role]):
            raise UnknownOrganisation()
        invite = Invite(
            code=secrets.token_urlsafe(INVITE_CODE_BYTES),
            role=role,
            organisation_id=organisation_id,
            created_by=actor.id if actor else None,
            created_at=now,
            expires_at=now + valid_for,
        )
        await uow.invites.add(invite)
        await uow.audit.record(
            at=now, actor_id=invite.created_by, action="invite.create", entity="invite",
            entity_id=invite.code[:6], after={"role": role, "organisation_id": organisation_id,
                                              "expires_at": invite.expires_at},
        )
        await uow.commit()
    return IssuedInvite(invite=invite, organisation=organisation)


async def redeem_invite(
    db: Database,
    *,
    code: str,
    channel: str,
    channel_user_id: str,
    display_name: str,
    language: str | None,
    now: datetime,
) -> Joined:
    async with db.unit_of_work() as uow:
        if await uow.users.by_channel_id(channel, channel_user_id) is not None:
            raise AlreadyRegistered()
        invite = await uow.invites.get(code)
        if invite is None:
            raise InviteNotFound()
        if invite.used_by is not None:
            raise InviteUsed()
        if invite.expires_at <= now:
            raise InviteExpired()
        organisation = await uow.organisations.get(invite.organisation_id)
        if organisation is None or not organisation.active:
            # The unit left the directory after the invite was made.
            raise UnknownOrganisation()
        user = await uow.users.add(
            channel=channel,
            channel_user_id=channel_user_id,
            display_name=display_name[:100],
            role=invite.role,
            organisation_id=invite.organisation_id,
            language=language,
            invited_by=invite.created_by,
            now=now,
        )
        if not await uow.invites.mark_used(code, user.id, now):
            raise InviteUsed()
        await uow.audit.record(
            at=now, actor_id=user.id, action="user.join", entity="user", entity_id=user.id,
            after={"role": user.role, "organisation_id": user.organisation_id,
                   "invite": code[:6]},
        )
        inviter = await uow.users.get(invite.created_by) if invite.created_by else None
        notices = []
        if inviter is not None and inviter.active:
            notices.append(
                Notice(
                    channel=inviter.channel,
                    channel_user_id=inviter.channel_user_id,
                    language=inviter.language,
                    key="invite-redeemed-notice",
                    params={"name": user.display_name},
                    names={"organisation": {"th": organisation.short_th,
                                            "en": organisation.short_en}},
                    labels={"role": f"role-{user.role}"},
                )
            )
        await owe_notices(uow, notices, now)
        await uow.commit()
    return Joined(user=user, organisation=organisation, notices=notices)
