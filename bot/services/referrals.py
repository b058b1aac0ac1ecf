"""Referrals: where each support need goes, and what each agency unit does with it.

A need is proposed to a unit when its case is registered (the routing rules), the teacher
may change the destination, then sends. The unit's focal points accept, decline or ask for
information; an accepted referral goes in progress and ends with an outcome. Needs that no
unit takes wait in the coordinators' queue until a coordinator sends them elsewhere.

Every change is one transaction: a conditional UPDATE (so that two presses at the same
instant cannot both win), an audit entry (who, when, from, to, note) and the case's status
derived again. What people must be told, and which chat messages must change, is owed in
the same transaction (the outbox, `bot.services.outbox`) and delivered after the commit;
it is returned too, for the caller to know what was done.
"""

from collections.abc import Callable
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from bot import routing
from bot.domain import dates, text
from bot.domain.models import (
    AttendanceAnswer,
    Case,
    CaseStatus,
    Child,
    Consent,
    DeclineReason,
    EducationWish,
    Nationality,
    Need,
    Organisation,
    Outcome,
    Referral,
    ReferralStatus,
    ReminderKind,
    Role,
    Sex,
    UnitChat,
    User,
    WithdrawReason,
)
from bot.domain.schedule import ReminderPolicy
from bot.errors import (
    GroupLinkedElsewhere,
    PermissionDenied,
    ReferralAlreadyTaken,
    StaleAction,
    TextExpected,
    UnknownOrganisation,
)
from bot.flows.referrals import (
    ACTIONS,
    TAKEN,
    WAITING_FOR_UNIT,
    WITHDRAWABLE,
    Action,
    Side,
    notice_buttons,
)
from bot.services import reminders
from bot.services.access import require_user
from bot.services.cases import TAKEN_BY_UNIT, CaseCard, build_card, held_case, holds
from bot.services.notices import Notice, NoticeButton
from bot.services.outbox import notice_row, referral_row
from bot.services.recipients import Target, reachable, target, unit_targets
from storage.conversations import ConversationEnd
from storage.database import Database
from storage.repositories import Repositories

S = ReferralStatus
AT_UNIT = WAITING_FOR_UNIT + TAKEN
PAGE_SIZE = 5
NOTE_LIMIT = 500
DEFAULT_POLICY = ReminderPolicy()
ACCEPT, DECLINE, ASK = ACTIONS["accept"], ACTIONS["decline"], ACTIONS["ask"]
START, COMPLETE = ACTIONS["start"], ACTIONS["complete"]
ANSWER, WITHDRAW = ACTIONS["answer"], ACTIONS["withdraw"]
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


class ReferralView(BaseModel):
    """A referral as its unit sees it before accepting: the least data that lets them decide.
    No name, no identity number, no guardian contact."""

    model_config = ConfigDict(frozen=True)

    referral: Referral
    case_code: str
    sex: Sex
    birth_date: date | None
    birth_year: int
    birth_estimated: bool
    nationality: Nationality
    district_code: str
    wish: EducationWish
    consent: Consent
    unit: Organisation | None
    accepted_by_name: str | None

    def age(self, today: date) -> int:
        return dates.age_from(self.birth_date, self.birth_year, today)


class Delivery(BaseModel):
    """A referral shown in a chat: a new message when `message_id` is None, else an edit."""

    model_config = ConfigDict(frozen=True)

    view: ReferralView
    channel: str
    chat_id: str
    language: str
    message_id: str | None = None


class Change(BaseModel):
    """What one use case did to one referral, and what must be shown or told because of it."""

    model_config = ConfigDict(frozen=True)

    view: ReferralView
    deliveries: list[Delivery] = []
    notices: list[Notice] = []
    # The full case, for the focal point who just accepted it (sent to them privately).
    details: CaseCard | None = None


class ReferralPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    views: list[ReferralView]
    page: int
    pages: int
    total: int


class Plan(BaseModel):
    """The destinations proposed for a case's needs, before the teacher sends them."""

    model_config = ConfigDict(frozen=True)

    case: Case
    views: list[ReferralView]


class MoveItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    view: ReferralView
    proposed: Organisation | None


class MovePlan(BaseModel):
    """After a child moved: the open referrals whose unit does not cover the new district."""

    model_config = ConfigDict(frozen=True)

    case: Case
    items: list[MoveItem]


# --- reading ---------------------------------------------------------------------------


async def _view(repos: Repositories, referral: Referral) -> ReferralView:
    [view] = await _views(repos, [referral])
    return view


async def shown(repos: Repositories, referral_id: int) -> ReferralView | None:
    """The referral as its messages show it now."""
    referral = await repos.referrals.get(referral_id)
    return None if referral is None else await _view(repos, referral)


async def _owe(repos: Repositories, changes: list[Change], now: datetime,
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


async def _views(repos: Repositories, referrals: list[Referral]) -> list[ReferralView]:
    """The referrals as people see them, in four reads however many there are (a page of
    an inbox read each one's case, child, unit and taker one at a time)."""
    cases = await repos.cases.many({r.case_id for r in referrals})
    children = await repos.cases.children({case.child_id for case in cases.values()})
    units = await repos.organisations.many({r.organisation_id for r in referrals
                                            if r.organisation_id})
    takers = {user.id: user for user in await repos.users.many(
        {r.accepted_by for r in referrals if r.accepted_by})}
    views = []
    for referral in referrals:
        case = cases[referral.case_id]
        child = children[case.child_id]
        taker = takers.get(referral.accepted_by) if referral.accepted_by else None
        views.append(ReferralView(
            referral=referral, case_code=case.code, sex=child.sex, birth_date=child.birth_date,
            birth_year=child.birth_year, birth_estimated=child.birth_estimated,
            nationality=child.nationality, district_code=case.district_code,
            wish=case.education_wish, consent=case.consent,
            unit=units.get(referral.organisation_id) if referral.organisation_id else None,
            accepted_by_name=taker.display_name if taker else None,
        ))
    return views


def _routing_child(case: Case, child: Child, today: date) -> routing.Child:
    """What routing may look at: no name, no identity number."""
    return routing.Child(age=child.age(today), district_code=case.district_code,
                         wish=case.education_wish, nationality=child.nationality,
                         identity_type=child.identity_type, cause=case.dropout_cause)


def _notice(to: User | tuple[str, str, str], key: str, view: ReferralView, *,
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


async def _tell_unit(repos: Repositories, unit_id: str, default_language: str,
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


async def _teacher(repos: Repositories, case_id: int, actor: User) -> list[User]:
    """The case's teacher, to be told of a change they did not make themselves."""
    case = await repos.cases.get(case_id)
    assert case is not None
    teacher = await repos.users.get(case.teacher_id)
    return [teacher] if teacher and teacher.active and teacher.id != actor.id else []


async def _coordinators(repos: Repositories, actor: User) -> list[User]:
    return [user for user in await repos.users.active_with_role(Role.COORDINATOR)
            if user.id != actor.id]


async def _edits(repos: Repositories, view: ReferralView) -> list[Delivery]:
    """Every message already showing the referral, to show its new state."""
    return [Delivery(view=view, channel=m.channel, chat_id=m.chat_id, language=m.language,
                     message_id=m.message_id)
            for m in await repos.referrals.messages(view.referral.id)]


# --- who may act ------------------------------------------------------------------------


async def _current(repos: Repositories, actor: User | None, *roles: Role) -> User:
    """The actor as the database has them now: deactivated a second ago means refused."""
    actor = require_user(actor)
    return require_user(await repos.users.get(actor.id), *roles)


async def _unit_referral(repos: Repositories, actor: User | None,
                         referral_id: int) -> tuple[User, Referral]:
    """A referral the actor's unit may act on: they are one of its focal points."""
    actor = await _current(repos, actor, Role.FOCAL_POINT)
    referral = await repos.referrals.get(referral_id)
    if referral is None or referral.organisation_id != actor.organisation_id:
        raise PermissionDenied()
    return actor, referral


async def _holder_referral(repos: Repositories, actor: User | None,
                           referral_id: int) -> tuple[User, Referral, Case]:
    """A referral of a case the actor holds: its teacher, or a coordinator."""
    actor = await _current(repos, actor)
    referral = await repos.referrals.get(referral_id)
    case = await repos.cases.get(referral.case_id) if referral else None
    if referral is None or case is None or not holds(actor, case):
        raise PermissionDenied()
    return actor, referral, case


async def _acting(repos: Repositories, actor: User | None, referral_id: int,
                  action: Action) -> tuple[User, Referral]:
    """The actor and the referral, if the actor is on the action's side of it (the state is
    checked by the change itself, or by `check`)."""
    if action.side is Side.UNIT:
        return await _unit_referral(repos, actor, referral_id)
    actor, referral, _ = await _holder_referral(repos, actor, referral_id)
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
    _, referral = await _acting(repos, actor, referral_id, allowed)
    if referral.status not in allowed.states:
        raise StaleAction()
    return await _view(repos, referral)


def parse_note(raw: str) -> str:
    """A question, an answer or a reason as typed: cleaned, not empty, not too long."""
    note = text.parse_short_text(raw, NOTE_LIMIT)
    if not note:
        raise TextExpected()
    return note


# --- the one way a referral changes -----------------------------------------------------


async def _move(repos: Repositories, actor: User, referral: Referral, *, to: ReferralStatus,
                from_: tuple[ReferralStatus, ...], action: str, now: datetime,
                policy: ReminderPolicy, note: str | None = None, unit: str | None = None,
                **changes: object) -> Referral:
    """Change the status, audit it, derive the case's status again. Refused when somebody
    changed the referral first."""
    updated = await repos.referrals.transition(referral.id, from_=from_, to=to, now=now,
                                                unit=unit, **changes)
    if updated is None:
        current = await repos.referrals.get(referral.id)
        if to is S.ACCEPTED and current is not None and current.accepted_by is not None:
            taker = await repos.users.get(current.accepted_by)
            raise ReferralAlreadyTaken(name=taker.display_name if taker else "?")
        raise StaleAction()
    after: dict[str, object] = {"status": to, "organisation_id": updated.organisation_id}
    after.update({key: value for key, value in changes.items()
                  if key in ("reason", "outcome") and value is not None})
    if note:
        after["note"] = note
    await repos.audit.record(
        at=now, actor_id=actor.id, action=f"referral.{action}", entity="referral",
        entity_id=referral.id,
        before={"status": referral.status, "organisation_id": referral.organisation_id},
        after=after)
    await _derive_case_status(repos, referral.case_id, now)
    await reminders.reschedule(repos, updated, policy, now)
    return updated


async def _derive_case_status(repos: Repositories, case_id: int, now: datetime) -> None:
    status = case_status(await repos.referrals.for_case(case_id))
    await repos.cases.set_status(case_id, status, now)


# --- the teacher: proposed destinations, then send --------------------------------------


async def propose_for_case(repos: Repositories, case: Case, child: Child, *,
                           units: list[Organisation], rules: list[routing.Rule],
                           created_by: int, now: datetime, today: date) -> None:
    """One proposed referral per need of a newly registered case (inside its transaction),
    routed among the active `units`."""
    # In the catalog's order (education first), as the teacher saw them on the summary.
    needs = [need for need in Need if need in case.needs]
    for proposal in routing.propose(rules, units, needs, _routing_child(case, child, today)):
        await repos.referrals.add(case_id=case.id, need=proposal.need,
                                  organisation_id=proposal.unit.id if proposal.unit else None,
                                  status=S.PROPOSED, created_by=created_by, now=now)


async def plan(db: Database, actor: User | None, case_id: int) -> Plan:
    """The needs of a case not sent yet, with the unit each would go to."""
    repos = db.read
    actor, case = await held_case(repos, actor, case_id)
    views = await _views(repos, [r for r in await repos.referrals.for_case(case_id)
                                 if r.status is S.PROPOSED])
    return Plan(case=case, views=views)


async def destinations(db: Database, actor: User | None, referral_id: int,
                       today: date) -> list[Organisation]:
    """Units a proposed or queued referral could go to: those covering the child's district
    that serve the need, age and wish; every unit covering the district when none does."""
    repos = db.read
    actor, referral, case = await _holder_referral(repos, actor, referral_id)
    if referral.status is not S.PROPOSED and not (
            referral.awaiting_coordinator and actor.role is Role.COORDINATOR):
        raise StaleAction()
    view = await _view(repos, referral)
    units = [unit for unit in await repos.organisations.active()
             if unit.kind not in routing.NOT_DESTINATIONS
             and case.district_code in unit.districts and unit.id != referral.organisation_id]
    serving = [unit for unit in units
               if unit.serves(referral.need, case.education_wish, view.age(today))]
    return sorted(serving or units, key=lambda unit: (unit.kind, len(unit.districts), unit.id))


async def choose_destination(db: Database, actor: User | None, referral_id: int,
                             unit_id: str | None, *, now: datetime,
        policy: ReminderPolicy = DEFAULT_POLICY) -> Plan:
    """The teacher changes where a need will go before sending; None: let the coordinators
    decide."""
    async with db.unit_of_work() as uow:
        actor, referral, case = await _holder_referral(uow, actor, referral_id)
        if unit_id is not None:
            await _destination_unit(uow, unit_id)
        await _move(uow, actor, referral, to=S.PROPOSED, from_=(S.PROPOSED,),
                    action="choose", now=now, policy=policy, organisation_id=unit_id)
        await uow.commit()
    return await plan(db, actor, case.id)


async def _destination_unit(repos: Repositories, unit_id: str) -> Organisation:
    unit = await repos.organisations.get(unit_id)
    if unit is None or not unit.active or unit.kind in routing.NOT_DESTINATIONS:
        raise UnknownOrganisation()
    return unit


async def send(db: Database, actor: User | None, case_id: int, *, now: datetime,
               default_language: str,
        policy: ReminderPolicy = DEFAULT_POLICY) -> list[Change]:
    """Send every proposed referral of the case: to its unit, or to the coordinators' queue
    when it has none."""
    changes = []
    async with db.unit_of_work() as uow:
        actor, _ = await held_case(uow, actor, case_id)
        proposed = [r for r in await uow.referrals.for_case(case_id) if r.status is S.PROPOSED]
        if not proposed:
            raise StaleAction()
        for referral in proposed:
            to = S.SENT if referral.organisation_id else S.UNROUTED
            updated = await _move(uow, actor, referral, to=to, from_=(S.PROPOSED,),
                                  action="send", now=now, policy=policy, sent_at=now,
                                  awaiting_coordinator=int(to is S.UNROUTED))
            changes.append(await _sent_change(uow, actor, updated, default_language))
        await _owe(uow, changes, now)
        await uow.commit()
    return changes


async def _sent_change(repos: Repositories, actor: User, referral: Referral,
                       default_language: str) -> Change:
    """A referral just sent: shown to its unit, or put before the coordinators."""
    view = await _view(repos, referral)
    if referral.organisation_id is None:
        notices = [_notice(user, "referral-queued-notice", view)
                   for user in await _coordinators(repos, actor)]
        return Change(view=view, notices=notices)
    targets = await unit_targets(repos, referral.organisation_id, default_language)
    deliveries = [Delivery(view=view, channel=channel, chat_id=chat_id, language=language)
                  for channel, chat_id, language in targets]
    notices = [] if targets else [_notice(user, "referral-unit-unstaffed-notice", view)
                                  for user in await repos.users.active_with_role(
                                      Role.COORDINATOR)]
    return Change(view=view, deliveries=deliveries, notices=notices)


# --- the unit: accept, decline, ask, work, complete -------------------------------------


async def _unit_change(repos: Repositories, actor: User, referral: Referral, key: str, *,
                       labels: dict[str, str] | None = None,
                       buttons: list[NoticeButton] | None = None,
                       **params: str | int) -> Change:
    """A unit's answer: its messages re-shown, and the teacher told."""
    view = await _view(repos, referral)
    notices = [_notice(teacher, key, view, labels=labels, buttons=buttons,
                       actor=actor.display_name, **params)
               for teacher in await _teacher(repos, referral.case_id, actor)]
    return Change(view=view, deliveries=await _edits(repos, view), notices=notices)


async def accept(db: Database, actor: User | None, referral_id: int, *,
                 now: datetime,
        policy: ReminderPolicy = DEFAULT_POLICY) -> Change:
    """The first focal point of the unit to press Accept takes the referral; the child's
    full details go to them alone."""
    async with db.unit_of_work() as uow:
        actor, referral = await _acting(uow, actor, referral_id, ACCEPT)
        updated = await _move(uow, actor, referral, to=S.ACCEPTED, from_=ACCEPT.states,
                              action=ACCEPT.name, now=now, policy=policy,
                              unit=actor.organisation_id, accepted_by=actor.id, accepted_at=now)
        change = await _unit_change(uow, actor, updated, "referral-accepted-notice")
        case = await uow.cases.get(updated.case_id)
        assert case is not None
        details = await build_card(uow, case, actor)
        await _owe(uow, [change], now)
        await uow.commit()
    return change.model_copy(update={"details": details})


async def decline(db: Database, actor: User | None, referral_id: int,
                  reason: DeclineReason, *, now: datetime, note: str | None = None,
                  ending: ConversationEnd | None = None,
        policy: ReminderPolicy = DEFAULT_POLICY) -> Change:
    """The unit cannot help: the need goes to the coordinators' queue to be sent elsewhere."""
    async with db.unit_of_work() as uow:
        actor, referral = await _acting(uow, actor, referral_id, DECLINE)
        updated = await _move(uow, actor, referral, to=S.DECLINED, from_=DECLINE.states,
                              action=DECLINE.name, now=now, policy=policy, note=note,
                              unit=actor.organisation_id, reason=reason,
                              awaiting_coordinator=1, closed_at=now)
        reason_label = {"reason": f"decline-{reason}"}
        change = await _unit_change(uow, actor, updated, "referral-declined-notice",
                                    labels=reason_label, note=note or NO_NOTE)
        change.notices.extend(
            _notice(user, "referral-declined-coordinator-notice", change.view,
                    labels=reason_label, actor=actor.display_name, note=note or NO_NOTE)
            for user in await _coordinators(uow, actor))
        await _owe(uow, [change], now, ending)
        await uow.commit()
    return change


async def ask_information(db: Database, actor: User | None, referral_id: int, question: str,
                          *, now: datetime, ending: ConversationEnd | None = None,
        policy: ReminderPolicy = DEFAULT_POLICY) -> Change:
    """The unit asks the teacher something before deciding; the question is on the case."""
    async with db.unit_of_work() as uow:
        actor, referral = await _acting(uow, actor, referral_id, ASK)
        updated = await _move(uow, actor, referral, to=S.INFO_REQUESTED, from_=ASK.states,
                              action=ASK.name, now=now, policy=policy, note=question,
                              unit=actor.organisation_id)
        change = await _unit_change(uow, actor, updated, "referral-question-notice",
                                    question=question,
                                    buttons=notice_buttons(("answer",), referral_id))
        await _owe(uow, [change], now, ending)
        await uow.commit()
    return change


async def answer_information(db: Database, actor: User | None, referral_id: int, answer: str,
                             *, now: datetime, default_language: str,
                             ending: ConversationEnd | None = None,
        policy: ReminderPolicy = DEFAULT_POLICY) -> Change:
    """The teacher (or a coordinator) answers; the unit is told and decides again."""
    async with db.unit_of_work() as uow:
        actor, referral = await _acting(uow, actor, referral_id, ANSWER)
        updated = await _move(uow, actor, referral, to=S.SENT, from_=ANSWER.states,
                              action=ANSWER.name, now=now, policy=policy, note=answer)
        view = await _view(uow, updated)
        assert updated.organisation_id is not None
        notices = await _tell_unit(
            uow, updated.organisation_id, default_language, view,
            private=lambda to: _notice(to, "referral-answer-notice", view,
                                       actor=actor.display_name, answer=answer),
            group=lambda to: _notice(to, "referral-answer-group-notice", view,
                                     actor=actor.display_name))
        change = Change(view=view, deliveries=await _edits(uow, view), notices=notices)
        await _owe(uow, [change], now, ending)
        await uow.commit()
    return change


async def start_work(db: Database, actor: User | None, referral_id: int, *,
                     now: datetime,
        policy: ReminderPolicy = DEFAULT_POLICY) -> Change:
    async with db.unit_of_work() as uow:
        actor, referral = await _acting(uow, actor, referral_id, START)
        updated = await _move(uow, actor, referral, to=S.IN_PROGRESS, from_=START.states,
                              action=START.name, now=now, policy=policy,
                              unit=actor.organisation_id)
        change = await _unit_change(uow, actor, updated, "referral-started-notice")
        await _owe(uow, [change], now)
        await uow.commit()
    return change


async def complete(db: Database, actor: User | None, referral_id: int, outcome: Outcome, *,
                   now: datetime,
        policy: ReminderPolicy = DEFAULT_POLICY) -> Change:
    async with db.unit_of_work() as uow:
        actor, referral = await _acting(uow, actor, referral_id, COMPLETE)
        updated = await _move(uow, actor, referral, to=S.COMPLETED, from_=COMPLETE.states,
                              action=COMPLETE.name, now=now, policy=policy,
                              unit=actor.organisation_id, outcome=outcome, closed_at=now)
        change = await _unit_change(uow, actor, updated, "referral-completed-notice",
                                    labels={"outcome": f"outcome-{outcome}"})
        await _owe(uow, [change], now)
        await uow.commit()
    return change


async def details(db: Database, actor: User | None, referral_id: int) -> CaseCard:
    """The child's full details, for a focal point of the unit that took the referral."""
    repos = db.read
    actor, referral = await _unit_referral(repos, actor, referral_id)
    if referral.status not in TAKEN_BY_UNIT:
        raise PermissionDenied()
    case = await repos.cases.get(referral.case_id)
    assert case is not None
    return await build_card(repos, case, actor)


# --- the case's holder: withdraw, and the child moved -----------------------------------


async def withdraw(db: Database, actor: User | None, referral_id: int,
                   reason: WithdrawReason, *, now: datetime, default_language: str,
                   note: str | None = None, ending: ConversationEnd | None = None,
        policy: ReminderPolicy = DEFAULT_POLICY) -> Change:
    """Take back a referral sent by mistake (or no longer needed); its unit is told."""
    async with db.unit_of_work() as uow:
        actor, referral = await _acting(uow, actor, referral_id, WITHDRAW)
        change = await _withdraw(uow, actor, referral, reason, now=now, policy=policy, note=note,
                                 default_language=default_language)
        await _owe(uow, [change], now, ending)
        await uow.commit()
    return change


async def _withdraw(repos: Repositories, actor: User, referral: Referral,
                    reason: WithdrawReason, *, now: datetime, note: str | None,
                    default_language: str, policy: ReminderPolicy) -> Change:
    updated = await _move(repos, actor, referral, to=S.CANCELLED, from_=WITHDRAW.states,
                          action=WITHDRAW.name, now=now, policy=policy, note=note,
                          reason=reason, awaiting_coordinator=0, closed_at=now)
    view = await _view(repos, updated)
    labels = {"reason": f"withdraw-{reason}"}

    def withdrawn(to: User | Target, typed: str | None) -> Notice:
        return _notice(to, "referral-withdrawn-notice", view, labels=labels,
                       actor=actor.display_name, note=typed or NO_NOTE)

    notices = [withdrawn(teacher, note) for teacher in await _teacher(repos, referral.case_id,
                                                                      actor)]
    if updated.organisation_id is not None:
        notices += await _tell_unit(repos, updated.organisation_id, default_language, view,
                                    private=lambda to: withdrawn(to, note),
                                    group=lambda to: withdrawn(to, None))
    return Change(view=view, deliveries=await _edits(repos, view), notices=notices)


async def withdrawable(db: Database, actor: User | None, case_id: int) -> list[ReferralView]:
    repos = db.read
    await held_case(repos, actor, case_id)
    return await _views(repos, [r for r in await repos.referrals.for_case(case_id)
                                if r.status in WITHDRAWABLE])


async def record_move(db: Database, actor: User | None, case_id: int, district_code: str, *,
                      rules: list[routing.Rule], now: datetime, today: date) -> MovePlan:
    """The child now lives in another district: record it, and list the open referrals
    whose unit does not cover it, with where each would go now."""
    async with db.unit_of_work() as uow:
        actor, case = await held_case(uow, actor, case_id)
        if case.district_code != district_code:
            await uow.cases.set_district(case_id, district_code, now)
            await uow.audit.record(at=now, actor_id=actor.id, action="case.move",
                                   entity="case", entity_id=case_id,
                                   before={"district_code": case.district_code},
                                   after={"district_code": district_code})
        await uow.commit()
    return await move_plan(db, actor, case_id, rules=rules, today=today)


async def move_plan(db: Database, actor: User | None, case_id: int, *,
                    rules: list[routing.Rule], today: date) -> MovePlan:
    repos = db.read
    actor, case = await held_case(repos, actor, case_id)
    units = await repos.organisations.active()
    child = _routing_child(case, await repos.cases.child(case.child_id), today)
    items = []
    for referral in await repos.referrals.for_case(case_id):
        if referral.status not in AT_UNIT:
            continue
        view = await _view(repos, referral)
        if view.unit is not None and case.district_code in view.unit.districts:
            continue
        [proposal] = routing.propose(rules, units, [referral.need], child)
        items.append(MoveItem(view=view, proposed=proposal.unit))
    return MovePlan(case=case, items=items)


async def reroute_after_move(db: Database, actor: User | None, case_id: int, *,
                             rules: list[routing.Rule], now: datetime, today: date,
                             default_language: str,
        policy: ReminderPolicy = DEFAULT_POLICY) -> list[Change]:
    """Withdraw the referrals the move left with the wrong unit and send each need anew, to
    the unit that covers the new district (or to the coordinators)."""
    moved = await move_plan(db, actor, case_id, rules=rules, today=today)
    if not moved.items:
        raise StaleAction()
    changes = []
    async with db.unit_of_work() as uow:
        actor, _ = await held_case(uow, actor, case_id)
        for item in moved.items:
            old = item.view.referral
            changes.append(await _withdraw(uow, actor, old, WithdrawReason.CHILD_MOVED,
                                           now=now, policy=policy, note=None,
                                           default_language=default_language))
            changes.append(await _resend(uow, actor, old, item.proposed, policy=policy, now=now,
                                         default_language=default_language))
        await _owe(uow, changes, now)
        await uow.commit()
    return changes


async def _resend(repos: Repositories, actor: User, old: Referral, unit: Organisation | None,
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
    await _derive_case_status(repos, old.case_id, now)
    await reminders.reschedule(repos, new, policy, now)
    change = await _sent_change(repos, actor, new, default_language)
    change.notices.extend(_notice(teacher, "referral-rerouted-notice", change.view)
                          for teacher in await _teacher(repos, old.case_id, actor)
                          if unit is not None)
    return change


# --- the coordinators' queue ------------------------------------------------------------


async def queue(db: Database, actor: User | None, page: int) -> ReferralPage:
    """Needs no unit has taken: never routed, or declined. Oldest first."""
    repos = db.read
    await _current(repos, actor, Role.COORDINATOR)
    total = await repos.referrals.count_awaiting()
    page, pages = _clamp(page, total)
    referrals = await repos.referrals.page_awaiting(offset=page * PAGE_SIZE, limit=PAGE_SIZE)
    return ReferralPage(views=await _views(repos, referrals), page=page,
                        pages=pages, total=total)


async def reroute(db: Database, actor: User | None, referral_id: int, unit_id: str, *,
                  now: datetime, default_language: str,
        policy: ReminderPolicy = DEFAULT_POLICY) -> Change:
    """A coordinator sends a queued need to a unit."""
    async with db.unit_of_work() as uow:
        actor = await _current(uow, actor, Role.COORDINATOR)
        referral = await uow.referrals.get(referral_id)
        if referral is None or not referral.awaiting_coordinator:
            raise StaleAction()
        unit = await _destination_unit(uow, unit_id)
        if referral.status is S.UNROUTED:
            updated = await _move(uow, actor, referral, to=S.SENT, from_=(S.UNROUTED,),
                                  action="reroute", now=now, policy=policy, organisation_id=unit.id,
                                  awaiting_coordinator=0)
            change = await _sent_change(uow, actor, updated, default_language)
            change.notices.extend(_notice(teacher, "referral-rerouted-notice", change.view)
                                  for teacher in await _teacher(uow, referral.case_id, actor))
        else:
            if not await uow.referrals.clear_awaiting(referral.id, now):
                raise StaleAction()
            change = await _resend(uow, actor, referral, unit, policy=policy, now=now,
                                   default_language=default_language)
        await _owe(uow, [change], now)
        await uow.commit()
    return change


async def dismiss(db: Database, actor: User | None, referral_id: int, *,
                  now: datetime,
        policy: ReminderPolicy = DEFAULT_POLICY) -> Change:
    """A coordinator closes a queued need that no unit can take; the teacher is told."""
    async with db.unit_of_work() as uow:
        actor = await _current(uow, actor, Role.COORDINATOR)
        referral = await uow.referrals.get(referral_id)
        if referral is None or not referral.awaiting_coordinator:
            raise StaleAction()
        if referral.status is S.UNROUTED:
            updated = await _move(uow, actor, referral, to=S.CANCELLED, from_=(S.UNROUTED,),
                                  action="dismiss", now=now, policy=policy, reason=NO_UNIT,
                                  awaiting_coordinator=0, closed_at=now)
        else:
            if not await uow.referrals.clear_awaiting(referral.id, now):
                raise StaleAction()
            await uow.audit.record(at=now, actor_id=actor.id, action="referral.dismiss",
                                   entity="referral", entity_id=referral.id,
                                   before={"status": referral.status},
                                   after={"status": referral.status, "reason": NO_UNIT})
            await _derive_case_status(uow, referral.case_id, now)
            updated = await uow.referrals.get(referral.id)
            assert updated is not None
        view = await _view(uow, updated)
        change = Change(view=view, notices=[
            _notice(teacher, "referral-dismissed-notice", view)
            for teacher in await _teacher(uow, referral.case_id, actor)])
        await _owe(uow, [change], now)
        await uow.commit()
    return change


# --- a focal point's inbox, and the unit's group ----------------------------------------


def _clamp(page: int, total: int) -> tuple[int, int]:
    pages = max(1, -(-total // PAGE_SIZE))
    return min(max(page, 0), pages - 1), pages


async def inbox(db: Database, actor: User | None, page: int) -> ReferralPage:
    """The actor's unit's open referrals, the longest-waiting first."""
    repos = db.read
    actor = await _current(repos, actor, Role.FOCAL_POINT)
    total = await repos.referrals.count_for_unit(actor.organisation_id, AT_UNIT)
    page, pages = _clamp(page, total)
    referrals = await repos.referrals.page_for_unit(
        actor.organisation_id, AT_UNIT, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
    return ReferralPage(views=await _views(repos, referrals), page=page,
                        pages=pages, total=total)


async def show(db: Database, actor: User | None, referral_id: int) -> ReferralView:
    """One referral, for a focal point of its unit (to show it again from the inbox)."""
    repos = db.read
    _, referral = await _unit_referral(repos, actor, referral_id)
    return await _view(repos, referral)


async def show_in_chat(db: Database, actor: User | None, referral_id: int, *, channel: str,
                       chat_id: str, language: str, now: datetime) -> None:
    """From /inbox: the referral shown again in the focal point's chat, as a new message
    that later changes keep up to date."""
    async with db.unit_of_work() as uow:
        _, referral = await _unit_referral(uow, actor, referral_id)
        await uow.outbox.add([referral_row(channel=channel, chat_id=chat_id,
                                           language=language, referral_id=referral.id,
                                           case_id=referral.case_id, message_id=None)], now)
        await uow.commit()


async def link_group(db: Database, actor: User | None, *, channel: str, chat_id: str,
                     title: str, language: str, now: datetime) -> Organisation:
    """A focal point makes a group chat the place where their unit gets its referrals."""
    async with db.unit_of_work() as uow:
        actor = await _current(uow, actor, Role.FOCAL_POINT)
        linked = await uow.referrals.unit_chat_by_chat(channel, chat_id)
        if linked is not None and linked.organisation_id != actor.organisation_id:
            other = await uow.organisations.get(linked.organisation_id)
            assert other is not None
            raise GroupLinkedElsewhere(unit_th=other.short_th, unit_en=other.short_en)
        unit = await uow.organisations.get(actor.organisation_id)
        assert unit is not None
        await uow.referrals.link_chat(UnitChat(
            organisation_id=unit.id, channel=channel, chat_id=chat_id, title=title[:100],
            language=language, linked_by=actor.id, linked_at=now))
        await uow.audit.record(at=now, actor_id=actor.id, action="unit.link_group",
                               entity="organisation", entity_id=unit.id,
                               after={"chat_id": chat_id, "title": title[:100]})
        await uow.commit()
    return unit


async def unlink_group(db: Database, actor: User | None, *, channel: str, chat_id: str,
                       now: datetime) -> Organisation:
    """Stop sending referrals to the group; they go to each focal point again."""
    async with db.unit_of_work() as uow:
        actor = await _current(uow, actor, Role.FOCAL_POINT)
        linked = await uow.referrals.unit_chat_by_chat(channel, chat_id)
        if linked is None or linked.organisation_id != actor.organisation_id:
            raise PermissionDenied()
        await uow.referrals.unlink_chat(channel, chat_id)
        await uow.audit.record(at=now, actor_id=actor.id, action="unit.unlink_group",
                               entity="organisation", entity_id=linked.organisation_id,
                               before={"chat_id": chat_id})
        unit = await uow.organisations.get(linked.organisation_id)
        assert unit is not None
        await uow.commit()
    return unit


async def unit_chat_lost(db: Database, *, channel: str, chat_id: str, now: datetime) -> None:
    """The bot was removed from a unit's group (or it no longer exists): forget it, so the
    next referrals go to the focal points in private instead of nowhere."""
    async with db.unit_of_work() as uow:
        await forget_unit_chat(uow, channel=channel, chat_id=chat_id, now=now)
        await uow.commit()


async def forget_unit_chat(repos: Repositories, *, channel: str, chat_id: str,
                           now: datetime) -> None:
    unit_id = await repos.referrals.unlink_chat(channel, chat_id)
    if unit_id is not None:
        await repos.audit.record(at=now, actor_id=None, action="unit.group_lost",
                                 entity="organisation", entity_id=unit_id,
                                 before={"chat_id": chat_id})


async def show_again(repos: Repositories, referral_id: int, default_language: str,
                     now: datetime) -> None:
    """Owe the referral anew wherever its unit reads referrals now: after its group was
    lost, so that it reaches the focal points instead of nobody."""
    referral = await repos.referrals.get(referral_id)
    if referral is None or referral.organisation_id is None:
        return
    await repos.outbox.add([
        referral_row(channel=channel, chat_id=chat_id, language=language,
                     referral_id=referral.id, case_id=referral.case_id, message_id=None)
        for channel, chat_id, language in await unit_targets(
            repos, referral.organisation_id, default_language)], now)


# --- is the child still in school? ------------------------------------------------------


class AttendanceAnswered(BaseModel):
    model_config = ConfigDict(frozen=True)

    case: Case
    answer: AttendanceAnswer
    notices: list[Notice] = []


async def answer_attendance(db: Database, actor: User | None, reminder_id: int,
                            answer: AttendanceAnswer, *, now: datetime) -> AttendanceAnswered:
    """The teacher's answer to "is the child still attending?". No: the child dropped out
    again, so the need goes back to the coordinators' queue and they are told."""
    async with db.unit_of_work() as uow:
        actor = await _current(uow, actor)
        reminder = await uow.reminders.get(reminder_id)
        if reminder is None or reminder.kind not in (ReminderKind.ATTENDANCE,
                                                     ReminderKind.DATA_ROUND):
            raise PermissionDenied()
        case = await uow.cases.get(reminder.case_id)
        referral = await uow.referrals.get(reminder.referral_id or 0)
        if case is None or referral is None or not holds(actor, case):
            raise PermissionDenied()
        if not await uow.reminders.mark_answered(reminder_id, now):
            raise StaleAction()
        await uow.audit.record(at=now, actor_id=actor.id, action="case.attendance",
                               entity="case", entity_id=case.id,
                               after={"answer": answer, "reminder_id": reminder_id,
                                      "checkpoint": reminder.detail})
        notices = []
        if answer is AttendanceAnswer.NO:
            await reminders.cancel_for_referral(uow, referral.id, now)
            reopened = await uow.referrals.add(
                case_id=case.id, need=referral.need, organisation_id=None, status=S.UNROUTED,
                created_by=actor.id, now=now, previous_id=referral.id)
            await uow.audit.record(at=now, actor_id=actor.id, action="referral.reopen",
                                   entity="referral", entity_id=reopened.id,
                                   before={"replaces": referral.id},
                                   after={"status": S.UNROUTED})
            await _derive_case_status(uow, case.id, now)
            view = await _view(uow, reopened)
            notices = [_notice(user, "attendance-dropped-notice", view,
                               actor=actor.display_name)
                       for user in await _coordinators(uow, actor)]
            await uow.outbox.add([notice_row(n, case.id) for n in notices], now)
        await uow.commit()
    return AttendanceAnswered(case=case, answer=answer, notices=notices)
