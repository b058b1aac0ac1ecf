"""Coordinators' tools on LINE: /invite (role, organisation, then the links for both
apps), /invites and /users with their choices as quick replies, /reminders, and /erase
with its confirmation. What each step shows and offers is `bot.flows.admin`'s and
`bot.flows.erasure`'s, as on Telegram; the services check every press again."""

from collections.abc import Callable

from bot.errors import StaleAction
from bot.flows import admin
from bot.flows.callback_data import (
    CallbackData,
    EraseButton,
    InviteOrganisationButton,
    InvitePageButton,
    InviteRevokeButton,
    InviteRoleButton,
    InvitesPageButton,
    UserActiveButton,
    UsersPageButton,
)
from bot.flows.erasure import erase_question, erased_text
from bot.services import erasure, onboarding, users
from line.render import offered, text_message
from line.turn import Answer, Postback, Routes, Turn


async def _ask_role(turn: Turn) -> Answer:
    return [text_message(turn.t("invite-ask-role"),
                         offered(admin.role_choices(turn.actor, turn.t)))]


async def _ask_organisation(turn: Turn) -> Answer:
    pressed = InviteRoleButton.unpack(turn.postback) or InvitePageButton.unpack(turn.postback)
    if pressed is None:
        raise StaleAction()
    page = pressed.page if isinstance(pressed, InvitePageButton) else 0
    text, shown, turns = await admin.organisation_page(turn.runtime, turn.actor, turn.t,
                                                       pressed.role, page)
    return [text_message(text, offered(shown + turns))]


async def _create_invite(turn: Turn) -> Answer:
    pressed = InviteOrganisationButton.unpack(turn.postback)
    assert pressed is not None
    runtime = turn.runtime
    issued = await onboarding.create_invite(
        runtime.db, turn.actor, role=pressed.role, organisation_id=pressed.organisation_id,
        valid_for=runtime.settings.invite_validity, now=runtime.now())
    return [text_message(admin.invite_text(runtime, issued, turn.t,
                                           await admin.telegram_username(runtime)))]


async def _invites(turn: Turn, page: int = 0) -> Answer:
    text, choices, turns = await admin.invites_page(turn.runtime, turn.actor, turn.t, page)
    return [text_message(text, offered(choices + turns))]


async def _invites_page(turn: Turn) -> Answer:
    pressed = InvitesPageButton.unpack(turn.postback)
    assert pressed is not None
    return await _invites(turn, pressed.page)


async def _revoke_invite(turn: Turn) -> Answer:
    pressed = InviteRevokeButton.unpack(turn.postback)
    assert pressed is not None
    runtime, t = turn.runtime, turn.t
    if not pressed.confirmed:
        question, choices = await admin.revoke_question(runtime, turn.actor, t, pressed)
        return [text_message(question, offered(choices))]
    await onboarding.revoke_invite(runtime.db, turn.actor, pressed.key, runtime.now())
    return [text_message(t("invites-revoked")), *await _invites(turn, pressed.page)]


async def _users(turn: Turn, page: int = 0) -> Answer:
    text, choices, turns = await admin.users_page(turn.runtime, turn.actor, turn.t, page)
    return [text_message(text, offered(choices + turns))]


async def _users_page(turn: Turn) -> Answer:
    pressed = UsersPageButton.unpack(turn.postback)
    assert pressed is not None
    return await _users(turn, pressed.page)


async def _set_user_active(turn: Turn) -> Answer:
    pressed = UserActiveButton.unpack(turn.postback)
    assert pressed is not None
    runtime, t = turn.runtime, turn.t
    if not pressed.confirmed:
        question, choices = await admin.user_active_question(runtime, turn.actor, t, pressed)
        return [text_message(question, offered(choices))]
    changed = await users.set_user_active(runtime.db, turn.actor, pressed.user_id,
                                          bool(pressed.active), runtime.now())
    done = t("users-deactivated" if not changed.active else "users-reactivated",
             name=changed.display_name)
    return [text_message(done), *await _users(turn, pressed.page)]


async def _reminders(turn: Turn) -> Answer:
    return [text_message(await admin.reminders_text(turn.runtime, turn.actor, turn.t))]


async def _ask_erase(turn: Turn) -> Answer:
    words = turn.argument.split()
    if len(words) != 1:
        return [text_message(turn.t("erase-usage"))]
    target = await erasure.erasable(turn.runtime.db, turn.actor, words[0])
    question, choices = erase_question(target, turn.t)
    return [text_message(question, offered(choices))]


async def _confirm_erase(turn: Turn) -> Answer:
    pressed = EraseButton.unpack(turn.postback)
    assert pressed is not None
    if not pressed.confirmed:
        return [text_message(turn.t("nothing-changed"))]
    runtime = turn.runtime
    erased = await erasure.erase(runtime.db, turn.actor, pressed.kind, pressed.target_id,
                                 now=runtime.now())
    return [text_message(erased_text(erased, turn.t))]


def claims(*kinds: type[CallbackData]) -> Callable[[str], bool]:
    """Whether postback data is one of these buttons' (to route it; it is checked after)."""
    return lambda data: any(kind.unpack(data) is not None for kind in kinds)


ROUTES = Routes(
    commands={"/invite": _ask_role, "/invites": _invites, "/users": _users,
              "/reminders": _reminders, "/erase": _ask_erase},
    postbacks=[
        Postback(claims(InviteRoleButton, InvitePageButton), _ask_organisation),
        Postback(claims(InviteOrganisationButton), _create_invite),
        Postback(claims(InvitesPageButton), _invites_page),
        Postback(claims(InviteRevokeButton), _revoke_invite),
        Postback(claims(UsersPageButton), _users_page),
        Postback(claims(UserActiveButton), _set_user_active),
        Postback(claims(EraseButton), _confirm_erase),
    ],
)
