"""Invites, and the users they create."""

import secrets
from datetime import datetime, timedelta
from urllib.parse import quote

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
    InviteRevoked,
    InviteUsed,
    StaleAction,
    UnknownOrganisation,
)
from bot.services.access import require_user
from bot.services.notices import Notice
from bot.services.outbox import owe_notices
from storage.interface import Database, Repositories

INVITE_CODE_BYTES = 12  # 16 URL-safe characters: fits Telegram's 64-character start parameter
# An invite is named in buttons by the start of its code: enough to tell invites apart, not
# enough to use one.
INVITE_KEY_LENGTH = 8
INVITES_PAGE_SIZE = 8


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


class PendingInvite(BaseModel):
    """An invite nobody has used yet, with where it leads and who made it."""

    model_config = ConfigDict(frozen=True)

    invite: Invite
    organisation: Organisation | None
    creator: User | None

    @property
    def key(self) -> str:
        return self.invite.code[:INVITE_KEY_LENGTH]


class InvitePage(BaseModel):
    model_config = ConfigDict(frozen=True)

    invites: list[PendingInvite]
    page: int
    pages: int


def invite_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


def line_start_link(basic_id: str, code: str) -> str:
    """LINE's link that opens a chat with the account with `/start CODE` typed in, ready to
    send (an invite, or a code that links a second app)."""
    return f"https://line.me/R/oaMessage/{quote(basic_id)}/?{quote(f'/start {code}')}"


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
        inviter = await uow.users.get(invite.created_by) if invite.created_by else None
        if invite.revoked_at is not None or (invite.created_by is not None and (
                inviter is None or not inviter.active or inviter.role is not Role.COORDINATOR)):
            # A coordinator's invite is worth what its maker's access is worth today.
            raise InviteRevoked()
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
        notices = []
        if inviter is not None:
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


async def list_invites(db: Database, actor: User | None, page: int,
                       now: datetime) -> InvitePage:
    """Pending invites, every coordinator's: any coordinator may withdraw any of them."""
    require_user(actor, Role.COORDINATOR)
    total = await db.read.invites.count_pending(now)
    pages = max(1, -(-total // INVITES_PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    invites = await db.read.invites.pending(now, offset=page * INVITES_PAGE_SIZE,
                                            limit=INVITES_PAGE_SIZE)
    organisations = {org.id: org for org in await db.read.organisations.active()}
    creators: dict[int | None, User | None] = {None: None}
    for invite in invites:
        if invite.created_by not in creators:
            creators[invite.created_by] = await db.read.users.get(invite.created_by)
    return InvitePage(invites=[PendingInvite(
        invite=invite, organisation=organisations.get(invite.organisation_id),
        creator=creators[invite.created_by]) for invite in invites], page=page, pages=pages)


async def _pending(uow: Repositories, key: str, now: datetime) -> PendingInvite:
    found = await uow.invites.by_prefix(key) if len(key) == INVITE_KEY_LENGTH else []
    if len(found) != 1:
        raise StaleAction()
    invite = found[0]
    if invite.used_by is not None or invite.revoked_at is not None or invite.expires_at <= now:
        raise StaleAction()
    return PendingInvite(
        invite=invite, organisation=await uow.organisations.get(invite.organisation_id),
        creator=await uow.users.get(invite.created_by) if invite.created_by else None)


async def get_pending_invite(db: Database, actor: User | None, key: str,
                             now: datetime) -> PendingInvite:
    """The pending invite a button names, for a coordinator about to withdraw it."""
    require_user(actor, Role.COORDINATOR)
    return await _pending(db.read, key, now)


async def revoke_invite(db: Database, actor: User | None, key: str,
                        now: datetime) -> PendingInvite:
    async with db.unit_of_work() as uow:
        actor = require_user(await uow.users.get(require_user(actor).id), Role.COORDINATOR)
        pending = await _pending(uow, key, now)
        if not await uow.invites.revoke(pending.invite.code, actor.id, now):
            raise StaleAction()
        await uow.audit.record(
            at=now, actor_id=actor.id, action="invite.revoke", entity="invite",
            entity_id=pending.invite.code[:6],
            after={"role": pending.invite.role, "organisation_id": pending.invite.organisation_id,
                   "created_by": pending.invite.created_by})
        await uow.commit()
    return pending
