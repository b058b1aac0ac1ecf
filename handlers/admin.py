"""Coordinators' tools: /invite (role and organisation by buttons), /invites and /users."""

from telegram import InlineKeyboardMarkup, Update

from bot import presenters
from bot.domain.models import Role
from bot.errors import StaleAction
from bot.flows.callback_data import (
    InviteOrganisationButton,
    InvitePageButton,
    InviteRevokeButton,
    InviteRoleButton,
    InvitesPageButton,
    UserActiveButton,
    UsersPageButton,
)
from bot.services import onboarding, users
from handlers.context import CHANNEL, PanongContext
from handlers.keyboards import button, paged, rows
from handlers.pages import paginated

ORGANISATIONS_PAGE_SIZE = 8


async def ask_invite_role(update: Update, context: PanongContext) -> None:
    assert update.effective_message is not None
    t = context.t
    keyboard = [[button(t(f"role-{role}"), InviteRoleButton(role=role))]
                for role in onboarding.invitable_roles(context.actor)]
    await update.effective_message.reply_text(t("invite-ask-role"),
                                              reply_markup=InlineKeyboardMarkup(keyboard))


async def _organisation_page(context: PanongContext, role: Role, page: int) -> tuple[
        str, InlineKeyboardMarkup]:
    t = context.t
    organisations = await onboarding.organisations_for_role(context.runtime.db, context.actor,
                                                            role)
    pages = max(1, -(-len(organisations) // ORGANISATIONS_PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = organisations[page * ORGANISATIONS_PAGE_SIZE:(page + 1) * ORGANISATIONS_PAGE_SIZE]
    keyboard = [[button(org.short_name(t.lang),
                        InviteOrganisationButton(role=role, organisation_id=org.id))]
                for org in shown]
    return (t("invite-ask-organisation", role=t(f"role-{role}")),
            paged(keyboard, page, pages, InvitePageButton, t, role=role))


async def ask_invite_organisation(update: Update, context: PanongContext) -> None:
    query = update.callback_query
    assert query is not None
    pressed = InviteRoleButton.unpack(query.data) or InvitePageButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    page = pressed.page if isinstance(pressed, InvitePageButton) else 0
    text, keyboard = await _organisation_page(context, pressed.role, page)
    await query.answer()
    await query.edit_message_text(text, reply_markup=keyboard)


async def create_invite(update: Update, context: PanongContext) -> None:
    query = update.callback_query
    assert query is not None
    pressed = InviteOrganisationButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    runtime, t = context.runtime, context.t
    issued = await onboarding.create_invite(
        runtime.db, context.actor, role=pressed.role, organisation_id=pressed.organisation_id,
        valid_for=runtime.settings.invite_validity, now=runtime.now(),
    )
    await query.answer()
    text = t(
        "invite-created",
        role=t(f"role-{issued.invite.role}"),
        organisation=issued.organisation.name(t.lang),
        link=onboarding.invite_link(context.bot.username, issued.invite.code),
        days=runtime.settings.invite_valid_days,
    )
    basic_id = runtime.settings.line_basic_id
    if basic_id:
        text += "\n" + t("invite-created-line",
                         link=onboarding.line_start_link(basic_id, issued.invite.code))
    await query.edit_message_text(text)


async def _invites_page(context: PanongContext, page: int) -> tuple[str,
                                                                    InlineKeyboardMarkup]:
    runtime, t = context.runtime, context.t
    found = await onboarding.list_invites(runtime.db, context.actor, page, runtime.now())
    first = found.page * onboarding.INVITES_PAGE_SIZE + 1
    keyboard = rows([button(t("button-revoke-invite", number=number),
                            InviteRevokeButton(key=pending.key, confirmed=0, page=found.page))
                     for number, pending in enumerate(found.invites, start=first)], 4)
    return (presenters.invite_list(found, t, runtime.settings.tz),
            paged(keyboard, found.page, found.pages, InvitesPageButton, t))


# /invites, and its page buttons.
list_invites, list_invites_page = paginated(_invites_page, InvitesPageButton)


async def revoke_invite(update: Update, context: PanongContext) -> None:
    query = update.callback_query
    assert query is not None
    pressed = InviteRevokeButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    runtime, t = context.runtime, context.t
    if not pressed.confirmed:
        pending = await onboarding.get_pending_invite(runtime.db, context.actor, pressed.key,
                                                      runtime.now())
        keyboard = InlineKeyboardMarkup([[
            button(t("button-yes"), pressed.model_copy(update={"confirmed": 1})),
            button(t("button-no"), InvitesPageButton(page=pressed.page)),
        ]])
        await query.answer()
        await query.edit_message_text(
            t("invites-confirm-revoke", **presenters.invite_names(pending, t)),
            reply_markup=keyboard)
        return
    await onboarding.revoke_invite(runtime.db, context.actor, pressed.key, runtime.now())
    await query.answer(t("invites-revoked"))
    text, keyboard = await _invites_page(context, pressed.page)
    await query.edit_message_text(text, reply_markup=keyboard)


async def _users_page(context: PanongContext, page: int) -> tuple[str, InlineKeyboardMarkup]:
    t = context.t
    found = await users.list_users(context.runtime.db, context.actor, page)
    keyboard = []
    for user in found.users:
        if user.id == context.actor.id:
            continue
        label = "button-deactivate" if user.active else "button-reactivate"
        keyboard.append([button(t(label, name=user.display_name),
                                UserActiveButton(user_id=user.id, active=int(not user.active),
                                                 confirmed=0, page=found.page))])
    return (presenters.user_list(found, t),
            paged(keyboard, found.page, found.pages, UsersPageButton, t))


# /users, and its page buttons.
list_users, list_users_page = paginated(_users_page, UsersPageButton)


async def set_user_active(update: Update, context: PanongContext) -> None:
    query = update.callback_query
    assert query is not None
    pressed = UserActiveButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    runtime, t = context.runtime, context.t
    if not pressed.confirmed:
        target = await users.get_user(runtime.db, context.actor, pressed.user_id)
        question = "users-confirm-deactivate" if not pressed.active else "users-confirm-reactivate"
        keyboard = InlineKeyboardMarkup([[
            button(t("button-yes"), pressed.model_copy(update={"confirmed": 1})),
            button(t("button-no"), UsersPageButton(page=pressed.page)),
        ]])
        await query.answer()
        await query.edit_message_text(t(question, name=target.display_name),
                                      reply_markup=keyboard)
        return
    changed = await users.set_user_active(runtime.db, context.actor, pressed.user_id,
                                          bool(pressed.active), runtime.now())
    if not changed.active and changed.channel == CHANNEL:
        # Their drafts are gone from the database; PTB's copy in memory goes too.
        context.application.drop_user_data(int(changed.channel_user_id))
    await query.answer(t("users-deactivated" if not changed.active else "users-reactivated",
                         name=changed.display_name))
    text, keyboard = await _users_page(context, pressed.page)
    await query.edit_message_text(text, reply_markup=keyboard)
