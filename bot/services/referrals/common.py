"""What the teacher's, the unit's and the coordinators' use cases share: who may act on a
referral, the one way a referral changes (`move`), the messages a change owes (`owe`), and
sending a need to a unit."""

from collections.abc import Callable
from datetime import date, datetime

from bot import routing
from bot.domain import text
from bot.domain.models import (
    Case,
    CaseStatus,
    Child,
    Organisation,
    Referral,
    ReferralStatus,
    Role,
    User,
)
from bot.domain.schedule import ReminderPolicy
from bot.errors import (
    PermissionDenied,
    ReferralAlreadyTaken,
    StaleAction,
    TextExpected,
    UnknownOrganisation,
)
from bot.flows.referrals import ACTIONS, TAKEN, WAITING_FOR_UNIT, Action, Side
from bot.services import reminders
from bot.services.access import require_user
from bot.services.cases import holds
from bot.services.notices import Notice, NoticeButton
from bot.services.outbox import notice_row, referral_row
from bot.services.recipients import Target, reachable, target, unit_targets
from bot.services.referrals.views import Change, Delivery, ReferralView, view_of
from storage.conversations import ConversationEnd
from storage.interface import Database, Repositories

S = ReferralStatus
AT_UNIT = WAITING_FOR_UNIT + TAKEN
NOTE_LIMIT = 500
DEFAULT_POLICY = ReminderPolicy()
# What notices say for "no note": the catalogs leave it out.
NO_NOTE = "no-note"
# The reason a coordinator gives when no unit can take a need.
NO_UNIT = "no_unit"


def case_status(referrals: list[Referral]) -> CaseStatus:
    """What a case's referrals add up to, for its card and its teacher's list."""
    sent = [r for r in referrals if r.status is not S.PROPOSED]
    if not sent:
        return CaseStatus.OPEN
    if any(r.status in TAKEN for r in sent):
        return CaseStatus.IN_PROGRESS
    if any(r.status in WAITING_FOR_UNIT or r.awaiting_coordinator
           or r.status is S.UNROUTED for r in sent):
        return CaseStatus.REFERRED
    if any(r.status is S.COMPLETED for r in sent):
        return CaseStatus.COMPLETED
    return CaseStatus.CLOSED


async def derive_case_status(repos: Repositories, case_id: int, now: datetime) -> None:
    """The case's status from its referrals as they are now. The case is held first: two
    transactions changing two of its referrals at once would each read the other's as it
    was, and the last to commit would write a status that misses the other's change."""
    await repos.cases.hold(case_id)
    status = case_status(await repos.referrals.for_case(case_id))
    await repos.cases.set_status(case_id, status, now)


def routing_child(case: Case, child: Child, today: date) -> routing.Child:
    """What routing may look at: no name, no identity number."""
    return routing.Child(age=child.age(today), district_code=case.district_code,
                         wish=case.education_wish, nationality=child.nationality,
                         identity_type=child.identity_type, cause=case.dropout_cause)


# --- who is told ------------------------------------------------------------------------


async def owe(repos: Repositories, changes: list[Change], now: datetime,
              ending: ConversationEnd | None = None) -> None:
    """Owe every message the changes call for, in the changes' transaction, which also
    ends the conversation whose last step made them (`ending`, a typed note's)."""
    if ending is not None:
        await repos.conversations.end(ending)
    rows = []
    for change in changes:
        referral = change.view.referral
        rows += [referral_row(channel=d.channel, chat_id=d.chat_id, language=d.language,
                              referral_id=referral.id, case_id=referral.case_id,
                              message_id=d.message_id) for d in change.deliveries]
        rows += [notice_row(notice, referral.case_id) for notice in change.notices]
    await repos.outbox.add(rows, now)


def notice(to: User | tuple[str, str, str], key: str, view: ReferralView, *,
           labels: dict[str, str] | None = None, buttons: list[NoticeButton] | None = None,
           **params: str | int) -> Notice:
    """A notice about one referral: its case code, need and unit are always at hand."""
    channel, chat_id, language = (to.channel, to.channel_user_id, to.language) \
        if isinstance(to, User) else to
    names = {"unit": {"th": view.unit.short_th, "en": view.unit.short_en}} if view.unit \
        else {}
    return Notice(channel=channel, channel_user_id=chat_id, language=language, key=key,
                  params={"code": view.case_code, **params}, names=names,
                  labels={"need": f"need-{view.referral.need}", **(labels or {})},
                  buttons=buttons or [])


async def tell_unit(repos: Repositories, unit_id: str, default_language: str,
                    view: ReferralView, *, private: Callable[[Target], Notice],
                    group: Callable[[Target], Notice]) -> list[Notice]:
    """Tell a unit something that carries text somebody typed: where it reads its
    referrals, but the text itself only to its focal points in private. A linked group's
    members need not be people of Panong, so the group hears only that it happened."""
    chat = await repos.referrals.unit_chat(unit_id)
    if chat is None:
        return [private(to) for to in await unit_targets(repos, unit_id, default_language)]
    focal_points = reachable(await repos.users.active_with_role(Role.FOCAL_POINT, unit_id))
    return [group((chat.channel, chat.chat_id, chat.language)),
            *(private(target(user, default_language)) for user in focal_points)]


async def teacher_to_tell(repos: Repositories, case_id: int, actor: User) -> list[User]:
    """The case's teacher, to be told of a change they did not make themselves."""
    case = await repos.cases.get(case_id)
    assert case is not None
    teacher = await repos.users.get(case.teacher_id)
    return [teacher] if teacher and teacher.active and teacher.id != actor.id else []


async def coordinators_to_tell(repos: Repositories, actor: User) -> list[User]:
    return [user for user in await repos.users.active_with_role(Role.COORDINATOR)
            if user.id != actor.id]


# --- who may act ------------------------------------------------------------------------


async def current(repos: Repositories, actor: User | None, *roles: Role) -> User:
    """The actor as the database has them now: deactivated a second ago means refused."""
    actor = require_user(actor)
    return require_user(await repos.users.get(actor.id), *roles)


async def unit_referral(repos: Repositories, actor: User | None,
                        referral_id: int) -> tuple[User, Referral]:
    """A referral the actor's unit may act on: they are one of its focal points."""
    actor = await current(repos, actor, Role.FOCAL_POINT)
    referral = await repos.referrals.get(referral_id)
    if referral is None or referral.organisation_id != actor.organisation_id:
        raise PermissionDenied()
    return actor, referral


async def holder_referral(repos: Repositories, actor: User | None,
                          referral_id: int) -> tuple[User, Referral, Case]:
    """A referral of a case the actor holds: its teacher, or a coordinator."""
    actor = await current(repos, actor)
    referral = await repos.referrals.get(referral_id)
    case = await repos.cases.get(referral.case_id) if referral else None
    if referral is None or case is None or not holds(actor, case):
        raise PermissionDenied()
    return actor, referral, case


async def acting(repos: Repositories, actor: User | None, referral_id: int,
                 action: Action) -> tuple[User, Referral]:
    """The actor and the referral, if the actor is on the action's side of it (the state is
    checked by the change itself, or by `check`)."""
    if action.side is Side.UNIT:
        return await unit_referral(repos, actor, referral_id)
    actor, referral, _ = await holder_referral(repos, actor, referral_id)
    return actor, referral


async def check(db: Database, actor: User | None, referral_id: int,
                action: str) -> ReferralView:
    """The referral, if the actor may now `action` it (`bot.flows.referrals`); refused
    otherwise. For showing a menu or asking for a note: the action itself checks again when
    it happens."""
    allowed = ACTIONS.get(action)
    if allowed is None:
        raise StaleAction()
    repos = db.read
    _, referral = await acting(repos, actor, referral_id, allowed)
    if referral.status not in allowed.states:
        raise StaleAction()
    return await view_of(repos, referral)


def parse_note(raw: str) -> str:
    """A question, an answer or a reason as typed: cleaned, not empty, not too long."""
    note = text.parse_short_text(raw, NOTE_LIMIT)
    if not note:
        raise TextExpected()
    return note


# --- the one way a referral changes -----------------------------------------------------


async def move(repos: Repositories, actor: User, referral: Referral, *, to: ReferralStatus,
               from_: tuple[ReferralStatus, ...], action: str, now: datetime,
               policy: ReminderPolicy, note: str | None = None, unit: str | None = None,
               **changes: object) -> Referral:
    """Change the status, audit it, derive the case's status again. Refused when somebody
    changed the referral first."""
    moved = await repos.referrals.transition(referral.id, from_=from_, to=to, now=now,
                                              unit=unit, **changes)
    if moved is None:
        latest = await repos.referrals.get(referral.id)
        if to is S.ACCEPTED and latest is not None and latest.accepted_by is not None:
            taker = await repos.users.get(latest.accepted_by)
            raise ReferralAlreadyTaken(name=taker.display_name if taker else "?")
        raise StaleAction()
    # As it was when changed: `referral` was read before, and another change may have come
    # between (one that `from_` allows).
    before, updated = moved
    after: dict[str, object] = {"status": to, "organisation_id": updated.organisation_id}
    after.update({key: value for key, value in changes.items()
                  if key in ("reason", "outcome") and value is not None})
    if note:
        after["note"] = note
    await repos.audit.record(
        at=now, actor_id=actor.id, action=f"referral.{action}", entity="referral",
        entity_id=referral.id,
        before={"status": before.status, "organisation_id": before.organisation_id},
        after=after)
    await derive_case_status(repos, referral.case_id, now)
    await reminders.reschedule(repos, updated, policy, now)
    return updated


# --- a need sent to a unit --------------------------------------------------------------


async def destination_unit(repos: Repositories, unit_id: str) -> Organisation:
    unit = await repos.organisations.get(unit_id)
    if unit is None or not unit.active or unit.kind in routing.NOT_DESTINATIONS:
        raise UnknownOrganisation()
    return unit


async def sent_change(repos: Repositories, actor: User, referral: Referral,
                      default_language: str) -> Change:
    """A referral just sent: shown to its unit, or put before the coordinators."""
    view = await view_of(repos, referral)
    if referral.organisation_id is None:
        notices = [notice(user, "referral-queued-notice", view)
                   for user in await coordinators_to_tell(repos, actor)]
        return Change(view=view, notices=notices)
    targets = await unit_targets(repos, referral.organisation_id, default_language)
    deliveries = [Delivery(view=view, channel=channel, chat_id=chat_id, language=language)
                  for channel, chat_id, language in targets]
    notices = [] if targets else [notice(user, "referral-unit-unstaffed-notice", view)
                                  for user in await repos.users.active_with_role(
                                      Role.COORDINATOR)]
    return Change(view=view, deliveries=deliveries, notices=notices)


async def resend(repos: Repositories, actor: User, old: Referral, unit: Organisation | None,
                 *, now: datetime, default_language: str, policy: ReminderPolicy) -> Change:
    """The same need sent again, as a new referral that replaces `old`."""
    status = S.SENT if unit else S.UNROUTED
    new = await repos.referrals.add(case_id=old.case_id, need=old.need,
                                    organisation_id=unit.id if unit else None, status=status,
                                    created_by=actor.id, now=now, previous_id=old.id)
    await repos.audit.record(at=now, actor_id=actor.id, action="referral.send",
                             entity="referral", entity_id=new.id,
                             before={"replaces": old.id},
                             after={"status": status, "organisation_id": new.organisation_id})
    await derive_case_status(repos, old.case_id, now)
    await reminders.reschedule(repos, new, policy, now)
    change = await sent_change(repos, actor, new, default_language)
    change.notices.extend(notice(teacher, "referral-rerouted-notice", change.view)
                          for teacher in await teacher_to_tell(repos, old.case_id, actor)
                          if unit is not None)
    return change
