"""Coordinators' tools on any channel: an invite (role, then organisation, then the links),
the pending invites and the users, with what each offers to press; /reminders."""

from bot import presenters
from bot.domain.models import Role, User
from bot.flows.callback_data import (
    InviteOrganisationButton,
    InvitePageButton,
    InviteRevokeButton,
    InviteRoleButton,
    InvitesPageButton,
    UserActiveButton,
    UsersPageButton,
)
from bot.flows.choices import Choice, pager
from bot.i18n import Translator
from bot.runtime import Runtime
from bot.services import onboarding, pushes, reminders, users
from bot.services.onboarding import IssuedInvite
from storage.bot_state import BOT_USERNAME

ORGANISATIONS_PAGE_SIZE = 8


def role_choices(actor: User | None, t: Translator) -> list[Choice]:
    return [(t(f"role-{role}"), InviteRoleButton(role=role))
            for role in onboarding.invitable_roles(actor)]


async def organisation_page(runtime: Runtime, actor: User | None, t: Translator, role: Role,
                            page: int) -> tuple[str, list[Choice], list[Choice]]:
    """The question, a page of organisations, and the page turns."""
    organisations = await onboarding.organisations_for_role(runtime.db, actor, role)
    pages = max(1, -(-len(organisations) // ORGANISATIONS_PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = organisations[page * ORGANISATIONS_PAGE_SIZE:(page + 1) * ORGANISATIONS_PAGE_SIZE]
    return (t("invite-ask-organisation", role=t(f"role-{role}")),
            [(org.short_name(t.lang), InviteOrganisationButton(role=role, organisation_id=org.id))
             for org in shown],
            pager(page, pages, InvitePageButton, t, role=role))


async def telegram_username(runtime: Runtime) -> str | None:
    """The bot's @username on Telegram, for its links: set, or learnt at start-up."""
    return runtime.settings.bot_username or await runtime.db.read.bot_state.get(BOT_USERNAME)


def invite_text(runtime: Runtime, issued: IssuedInvite, t: Translator,
                username: str | None) -> str:
    """The invite with a link for each app the bot runs on: Telegram's when its @username
    is known, LINE's when the account's basic ID is set (`/start CODE` when neither)."""
    code, basic_id = issued.invite.code, runtime.settings.line_basic_id
    links = ([onboarding.invite_link(username, code)] if username else []) \
        + ([onboarding.line_start_link(basic_id, code)] if basic_id else [])
    text = t("invite-created", role=t(f"role-{issued.invite.role}"),
             organisation=issued.organisation.name(t.lang),
             link=links[0] if links else f"/start {code}",
             days=runtime.settings.invite_valid_days)
    if len(links) > 1:
        text += "\n" + t("invite-created-line", link=links[1])
    return text


async def invites_page(runtime: Runtime, actor: User | None, t: Translator,
                       page: int) -> tuple[str, list[Choice], list[Choice]]:
    """The pending invites, a withdraw choice for each, and the page turns."""
    found = await onboarding.list_invites(runtime.db, actor, page, runtime.now())
    first = found.page * onboarding.INVITES_PAGE_SIZE + 1
    return (presenters.invite_list(found, t, runtime.settings.tz),
            [(t("button-revoke-invite", number=number),
              InviteRevokeButton(key=pending.key, confirmed=0, page=found.page))
             for number, pending in enumerate(found.invites, start=first)],
            pager(found.page, found.pages, InvitesPageButton, t))


async def revoke_question(runtime: Runtime, actor: User | None, t: Translator,
                          pressed: InviteRevokeButton) -> tuple[str, list[Choice]]:
    pending = await onboarding.get_pending_invite(runtime.db, actor, pressed.key,
                                                  runtime.now())
    return (t("invites-confirm-revoke", **presenters.invite_names(pending, t)),
            [(t("button-yes"), pressed.model_copy(update={"confirmed": 1})),
             (t("button-no"), InvitesPageButton(page=pressed.page))])


async def users_page(runtime: Runtime, actor: User, t: Translator,
                     page: int) -> tuple[str, list[Choice], list[Choice]]:
    """The users, a (de)activate choice for each but the asker, and the page turns."""
    found = await users.list_users(runtime.db, actor, page)
    choices: list[Choice] = [
        (t("button-deactivate" if user.active else "button-reactivate",
           name=user.display_name),
         UserActiveButton(user_id=user.id, active=int(not user.active), confirmed=0,
                          page=found.page))
        for user in found.users if user.id != actor.id]
    return (presenters.user_list(found, t), choices,
            pager(found.page, found.pages, UsersPageButton, t))


async def user_active_question(runtime: Runtime, actor: User | None, t: Translator,
                               pressed: UserActiveButton) -> tuple[str, list[Choice]]:
    target = await users.get_user(runtime.db, actor, pressed.user_id)
    question = "users-confirm-deactivate" if not pressed.active else "users-confirm-reactivate"
    return (t(question, name=target.display_name),
            [(t("button-yes"), pressed.model_copy(update={"confirmed": 1})),
             (t("button-no"), UsersPageButton(page=pressed.page))])


async def reminders_text(runtime: Runtime, actor: User | None, t: Translator) -> str:
    """/reminders: what is overdue, due within a day and undelivered; where the bot runs on
    LINE, the month's pushes against the budget (past it, notices wait)."""
    settings = runtime.settings
    found = await reminders.overview(runtime.db, actor, now=runtime.now())
    text = presenters.reminder_overview(found, t, settings.tz)
    if settings.line_enabled:
        usage = await pushes.usage(runtime.db, "line", budget=settings.line_push_budget,
                                   now=runtime.now(), tz=settings.tz)
        text += "\n" + presenters.push_usage(usage, t)
    return text
