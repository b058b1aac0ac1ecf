"""What the case's holder (its teacher, or a coordinator) does with its referrals: the
proposed destinations, then send; answer a unit's question; withdraw; record that the child
moved and send the needs anew; say whether the child still attends school."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from bot import routing
from bot.domain.models import (
    AttendanceAnswer,
    Case,
    Child,
    Need,
    Organisation,
    Referral,
    ReminderKind,
    Role,
    User,
    WithdrawReason,
)
from bot.domain.schedule import ReminderPolicy
from bot.errors import PermissionDenied, StaleAction
from bot.flows.referrals import ACTIONS, WITHDRAWABLE
from bot.services import reminders
from bot.services.cases import held_case, holds
from bot.services.notices import Notice
from bot.services.outbox import notice_row
from bot.services.recipients import Target
from bot.services.referrals.common import (
    AT_UNIT,
    DEFAULT_POLICY,
    NO_NOTE,
    S,
    acting,
    coordinators_to_tell,
    current,
    derive_case_status,
    destination_unit,
    holder_referral,
    move,
    notice,
    owe,
    resend,
    routing_child,
    sent_change,
    teacher_to_tell,
    tell_unit,
)
from bot.services.referrals.views import (
    Change,
    MoveItem,
    MovePlan,
    Plan,
    ReferralView,
    edits,
    view_of,
    views_of,
)
from storage.conversations import ConversationEnd
from storage.interface import Database, Repositories

ANSWER, WITHDRAW = ACTIONS["answer"], ACTIONS["withdraw"]


# --- proposed destinations, then send ---------------------------------------------------


async def propose_for_case(repos: Repositories, case: Case, child: Child, *,
                           units: list[Organisation], rules: list[routing.Rule],
                           created_by: int, now: datetime, today: date) -> None:
    """One proposed referral per need of a newly registered case (inside its transaction),
    routed among the active `units`."""
    # In the catalog's order (education first), as the teacher saw them on the summary.
    needs = [need for need in Need if need in case.needs]
    for proposal in routing.propose(rules, units, needs, routing_child(case, child, today)):
        await repos.referrals.add(case_id=case.id, need=proposal.need,
                                  organisation_id=proposal.unit.id if proposal.unit else None,
                                  status=S.PROPOSED, created_by=created_by, now=now)


async def plan(db: Database, actor: User | None, case_id: int) -> Plan:
    """The needs of a case not sent yet, with the unit each would go to."""
    repos = db.read
    actor, case = await held_case(repos, actor, case_id)
    views = await views_of(repos, [r for r in await repos.referrals.for_case(case_id)
                                   if r.status is S.PROPOSED])
    return Plan(case=case, views=views)


async def destinations(db: Database, actor: User | None, referral_id: int,
                       today: date) -> list[Organisation]:
    """Units a proposed or queued referral could go to: those covering the child's district
    that serve the need, age and wish; every unit covering the district when none does."""
    repos = db.read
    actor, referral, case = await holder_referral(repos, actor, referral_id)
    if referral.status is not S.PROPOSED and not (
            referral.awaiting_coordinator and actor.role is Role.COORDINATOR):
        raise StaleAction()
    view = await view_of(repos, referral)
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
        actor, referral, case = await holder_referral(uow, actor, referral_id)
        if unit_id is not None:
            await destination_unit(uow, unit_id)
        await move(uow, actor, referral, to=S.PROPOSED, from_=(S.PROPOSED,),
                   action="choose", now=now, policy=policy, organisation_id=unit_id)
        await uow.commit()
    return await plan(db, actor, case.id)


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
            updated = await move(uow, actor, referral, to=to, from_=(S.PROPOSED,),
                                 action="send", now=now, policy=policy, sent_at=now,
                                 awaiting_coordinator=int(to is S.UNROUTED))
            changes.append(await sent_change(uow, actor, updated, default_language))
        await owe(uow, changes, now)
        await uow.commit()
    return changes


# --- the unit's question ----------------------------------------------------------------


async def answer_information(db: Database, actor: User | None, referral_id: int, answer: str,
                             *, now: datetime, default_language: str,
                             ending: ConversationEnd | None = None,
        policy: ReminderPolicy = DEFAULT_POLICY) -> Change:
    """The teacher (or a coordinator) answers; the unit is told and decides again."""
    async with db.unit_of_work() as uow:
        actor, referral = await acting(uow, actor, referral_id, ANSWER)
        updated = await move(uow, actor, referral, to=S.SENT, from_=ANSWER.states,
                             action=ANSWER.name, now=now, policy=policy, note=answer)
        view = await view_of(uow, updated)
        assert updated.organisation_id is not None
        notices = await tell_unit(
            uow, updated.organisation_id, default_language, view,
            private=lambda to: notice(to, "referral-answer-notice", view,
                                      actor=actor.display_name, answer=answer),
            group=lambda to: notice(to, "referral-answer-group-notice", view,
                                    actor=actor.display_name))
        change = Change(view=view, deliveries=await edits(uow, view), notices=notices)
        await owe(uow, [change], now, ending)
        await uow.commit()
    return change


# --- withdraw, and the child moved ------------------------------------------------------


async def withdraw(db: Database, actor: User | None, referral_id: int,
                   reason: WithdrawReason, *, now: datetime, default_language: str,
                   note: str | None = None, ending: ConversationEnd | None = None,
        policy: ReminderPolicy = DEFAULT_POLICY) -> Change:
    """Take back a referral sent by mistake (or no longer needed); its unit is told."""
    async with db.unit_of_work() as uow:
        actor, referral = await acting(uow, actor, referral_id, WITHDRAW)
        change = await _withdraw(uow, actor, referral, reason, now=now, policy=policy, note=note,
                                 default_language=default_language)
        await owe(uow, [change], now, ending)
        await uow.commit()
    return change


async def _withdraw(repos: Repositories, actor: User, referral: Referral,
                    reason: WithdrawReason, *, now: datetime, note: str | None,
                    default_language: str, policy: ReminderPolicy) -> Change:
    updated = await move(repos, actor, referral, to=S.CANCELLED, from_=WITHDRAW.states,
                         action=WITHDRAW.name, now=now, policy=policy, note=note,
                         reason=reason, awaiting_coordinator=0, closed_at=now)
    view = await view_of(repos, updated)
    labels = {"reason": f"withdraw-{reason}"}

    def withdrawn(to: User | Target, typed: str | None) -> Notice:
        return notice(to, "referral-withdrawn-notice", view, labels=labels,
                      actor=actor.display_name, note=typed or NO_NOTE)

    notices = [withdrawn(teacher, note)
               for teacher in await teacher_to_tell(repos, referral.case_id, actor)]
    if updated.organisation_id is not None:
        notices += await tell_unit(repos, updated.organisation_id, default_language, view,
                                   private=lambda to: withdrawn(to, note),
                                   group=lambda to: withdrawn(to, None))
    return Change(view=view, deliveries=await edits(repos, view), notices=notices)


async def withdrawable(db: Database, actor: User | None, case_id: int) -> list[ReferralView]:
    repos = db.read
    await held_case(repos, actor, case_id)
    return await views_of(repos, [r for r in await repos.referrals.for_case(case_id)
                                  if r.status in WITHDRAWABLE])


async def record_move(db: Database, actor: User | None, case_id: int, district_code: str, *,
                      rules: list[routing.Rule], now: datetime, today: date) -> MovePlan:
    """The child now lives in another district: record it, and list the open referrals
    whose unit does not cover it, with where each would go now."""
    async with db.unit_of_work() as uow:
        actor, _ = await held_case(uow, actor, case_id)
        moved_from = await uow.cases.set_district(case_id, district_code, now)
        if moved_from is not None:
            await uow.audit.record(at=now, actor_id=actor.id, action="case.move",
                                   entity="case", entity_id=case_id,
                                   before={"district_code": moved_from},
                                   after={"district_code": district_code})
        await uow.commit()
    return await move_plan(db, actor, case_id, rules=rules, today=today)


async def move_plan(db: Database, actor: User | None, case_id: int, *,
                    rules: list[routing.Rule], today: date) -> MovePlan:
    repos = db.read
    actor, case = await held_case(repos, actor, case_id)
    units = await repos.organisations.active()
    child = routing_child(case, await repos.cases.child(case.child_id), today)
    items = []
    for referral in await repos.referrals.for_case(case_id):
        if referral.status not in AT_UNIT:
            continue
        view = await view_of(repos, referral)
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
            changes.append(await resend(uow, actor, old, item.proposed, policy=policy, now=now,
                                        default_language=default_language))
        await owe(uow, changes, now)
        await uow.commit()
    return changes


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
        actor = await current(uow, actor)
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
            await derive_case_status(uow, case.id, now)
            view = await view_of(uow, reopened)
            notices = [notice(user, "attendance-dropped-notice", view,
                              actor=actor.display_name)
                       for user in await coordinators_to_tell(uow, actor)]
            await uow.outbox.add([notice_row(n, case.id) for n in notices], now)
        await uow.commit()
    return AttendanceAnswered(case=case, answer=answer, notices=notices)
