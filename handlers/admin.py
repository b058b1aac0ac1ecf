"""Coordinators' tools: /invite (role and organisation by buttons), /invites and /users.
What each step shows and offers is `bot.flows.admin`'s, shared with LINE."""

from telegram import InlineKeyboardMarkup, Update

from bot.errors import StaleAction
from bot.flows import admin
from bot.flows.callback_data import (
    InviteOrganisationButton,
    InvitePageButton,
    InviteRevokeButton,
    InviteRoleButton,
    InvitesPageButton,
    UserActiveButton,
    UsersPageButton,
)
from bot.flows.choices import Choice
from bot.services import onboarding, users
from handlers.context import CHANNEL, PanongContext
from handlers.keyboards import button, rows
from handlers.pages import paginated


def _keyboard(layout: list[list[Choice]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(label, data) for label, data in row]
                                 for row in layout if row])


async def ask_invite_role(update: Update, context: PanongContext) -> None:
    assert update.effective_message is not None
    choices = admin.role_choices(context.actor, context.t)
    await update.effective_message.reply_text(
        context.t("invite-ask-role"), reply_markup=_keyboard([[choice] for choice in choices]))


async def ask_invite_organisation(update: Update, context: PanongContext) -> None:
    query = update.callback_query
    assert query is not None
    pressed = InviteRoleButton.unpack(query.data) or InvitePageButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    page = pressed.page if isinstance(pressed, InvitePageButton) else 0
    text, shown, turns = await admin.organisation_page(context.runtime, context.actor,
                                                       context.t, pressed.role, page)
    await query.answer()
    await query.edit_message_text(text, reply_markup=_keyboard(
        [[choice] for choice in shown] + [turns]))


async def create_invite(update: Update, context: PanongContext) -> None:
    query = update.callback_query
    assert query is not None
    pressed = InviteOrganisationButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    runtime = context.runtime
    issued = await onboarding.create_invite(
        runtime.db, context.actor, role=pressed.role, organisation_id=pressed.organisation_id,
        valid_for=runtime.settings.invite_validity, now=runtime.now(),
    )
    await query.answer()
    await query.edit_message_text(admin.invite_text(runtime, issued, context.t,
                                                    context.bot.username))


async def _invites_page(context: PanongContext, page: int) -> tuple[str,
                                                                    InlineKeyboardMarkup]:
    text, choices, turns = await admin.invites_page(context.runtime, context.actor, context.t,
                                                    page)
    return text, _keyboard([*rows(choices, 4), turns])


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
        question, choices = await admin.revoke_question(runtime, context.actor, t, pressed)
        await query.answer()
        await query.edit_message_text(question, reply_markup=_keyboard([choices]))
        return
    await onboarding.revoke_invite(runtime.db, context.actor, pressed.key, runtime.now())
    await query.answer(t("invites-revoked"))
    text, keyboard = await _invites_page(context, pressed.page)
    await query.edit_message_text(text, reply_markup=keyboard)


async def _users_page(context: PanongContext, page: int) -> tuple[str, InlineKeyboardMarkup]:
    assert context.actor is not None
    text, choices, turns = await admin.users_page(context.runtime, context.actor, context.t,
                                                  page)
    return text, _keyboard([[choice] for choice in choices] + [turns])


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
        question, choices = await admin.user_active_question(runtime, context.actor, t,
                                                             pressed)
        await query.answer()
        await query.edit_message_text(question, reply_markup=_keyboard([choices]))
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
