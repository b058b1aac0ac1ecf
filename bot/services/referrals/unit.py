"""What the unit a referral is with does: its focal points accept, decline or ask for
information, start work and record the outcome; read the child's details, their inbox, and
the group chat where the unit reads its referrals."""

from datetime import datetime

from bot.domain.models import (
    DeclineReason,
    Organisation,
    Outcome,
    Referral,
    Role,
    UnitChat,
    User,
)
from bot.domain.schedule import ReminderPolicy
from bot.errors import GroupLinkedElsewhere, PermissionDenied
from bot.flows.referrals import ACTIONS, notice_buttons
from bot.services.cases import TAKEN_BY_UNIT, CaseCard, build_card
from bot.services.notices import NoticeButton
from bot.services.outbox import referral_row
from bot.services.recipients import unit_targets
from bot.services.referrals.common import (
    AT_UNIT,
    DEFAULT_POLICY,
    NO_NOTE,
    S,
    acting,
    coordinators_to_tell,
    current,
    move,
    notice,
    owe,
    teacher_to_tell,
    unit_referral,
)
from bot.services.referrals.views import (
    PAGE_SIZE,
    Change,
    ReferralPage,
    ReferralView,
    clamp,
    edits,
    view_of,
    views_of,
)
from storage.conversations import ConversationEnd
from storage.interface import Database, Repositories

ACCEPT, DECLINE, ASK = ACTIONS["accept"], ACTIONS["decline"], ACTIONS["ask"]
START, COMPLETE = ACTIONS["start"], ACTIONS["complete"]


async def _unit_change(repos: Repositories, actor: User, referral: Referral, key: str, *,
                       labels: dict[str, str] | None = None,
                       buttons: list[NoticeButton] | None = None,
                       **params: str | int) -> Change:
    """A unit's answer: its messages re-shown, and the teacher told."""
    view = await view_of(repos, referral)
    notices = [notice(teacher, key, view, labels=labels, buttons=buttons,
                      actor=actor.display_name, **params)
               for teacher in await teacher_to_tell(repos, referral.case_id, actor)]
    return Change(view=view, deliveries=await edits(repos, view), notices=notices)


# --- accept, decline, ask, work, complete -----------------------------------------------


async def accept(db: Database, actor: User | None, referral_id: int, *,
                 now: datetime,
        policy: ReminderPolicy = DEFAULT_POLICY) -> Change:
    """The first focal point of the unit to press Accept takes the referral; the child's
    full details go to them alone."""
    async with db.unit_of_work() as uow:
        actor, referral = await acting(uow, actor, referral_id, ACCEPT)
        updated = await move(uow, actor, referral, to=S.ACCEPTED, from_=ACCEPT.states,
                             action=ACCEPT.name, now=now, policy=policy,
                             unit=actor.organisation_id, accepted_by=actor.id, accepted_at=now)
        change = await _unit_change(uow, actor, updated, "referral-accepted-notice")
        case = await uow.cases.get(updated.case_id)
        assert case is not None
        details = await build_card(uow, case, actor)
        await owe(uow, [change], now)
        await uow.commit()
    return change.model_copy(update={"details": details})


async def decline(db: Database, actor: User | None, referral_id: int,
                  reason: DeclineReason, *, now: datetime, note: str | None = None,
                  ending: ConversationEnd | None = None,
        policy: ReminderPolicy = DEFAULT_POLICY) -> Change:
    """The unit cannot help: the need goes to the coordinators' queue to be sent elsewhere."""
    async with db.unit_of_work() as uow:
        actor, referral = await acting(uow, actor, referral_id, DECLINE)
        updated = await move(uow, actor, referral, to=S.DECLINED, from_=DECLINE.states,
                             action=DECLINE.name, now=now, policy=policy, note=note,
                             unit=actor.organisation_id, reason=reason,
                             awaiting_coordinator=1, closed_at=now)
        reason_label = {"reason": f"decline-{reason}"}
        change = await _unit_change(uow, actor, updated, "referral-declined-notice",
                                    labels=reason_label, note=note or NO_NOTE)
        change.notices.extend(
            notice(user, "referral-declined-coordinator-notice", change.view,
                   labels=reason_label, actor=actor.display_name, note=note or NO_NOTE)
            for user in await coordinators_to_tell(uow, actor))
        await owe(uow, [change], now, ending)
        await uow.commit()
    return change


async def ask_information(db: Database, actor: User | None, referral_id: int, question: str,
                          *, now: datetime, ending: ConversationEnd | None = None,
        policy: ReminderPolicy = DEFAULT_POLICY) -> Change:
    """The unit asks the teacher something before deciding; the question is on the case."""
    async with db.unit_of_work() as uow:
        actor, referral = await acting(uow, actor, referral_id, ASK)
        updated = await move(uow, actor, referral, to=S.INFO_REQUESTED, from_=ASK.states,
                             action=ASK.name, now=now, policy=policy, note=question,
                             unit=actor.organisation_id)
        change = await _unit_change(uow, actor, updated, "referral-question-notice",
                                    question=question,
                                    buttons=notice_buttons(("answer",), referral_id))
        await owe(uow, [change], now, ending)
        await uow.commit()
    return change


async def start_work(db: Database, actor: User | None, referral_id: int, *,
                     now: datetime,
        policy: ReminderPolicy = DEFAULT_POLICY) -> Change:
    async with db.unit_of_work() as uow:
        actor, referral = await acting(uow, actor, referral_id, START)
        updated = await move(uow, actor, referral, to=S.IN_PROGRESS, from_=START.states,
                             action=START.name, now=now, policy=policy,
                             unit=actor.organisation_id)
        change = await _unit_change(uow, actor, updated, "referral-started-notice")
        await owe(uow, [change], now)
        await uow.commit()
    return change


async def complete(db: Database, actor: User | None, referral_id: int, outcome: Outcome, *,
                   now: datetime,
        policy: ReminderPolicy = DEFAULT_POLICY) -> Change:
    async with db.unit_of_work() as uow:
        actor, referral = await acting(uow, actor, referral_id, COMPLETE)
        updated = await move(uow, actor, referral, to=S.COMPLETED, from_=COMPLETE.states,
                             action=COMPLETE.name, now=now, policy=policy,
                             unit=actor.organisation_id, outcome=outcome, closed_at=now)
        change = await _unit_change(uow, actor, updated, "referral-completed-notice",
                                    labels={"outcome": f"outcome-{outcome}"})
        await owe(uow, [change], now)
        await uow.commit()
    return change


async def details(db: Database, actor: User | None, referral_id: int) -> CaseCard:
    """The child's full details, for a focal point of the unit that took the referral."""
    repos = db.read
    actor, referral = await unit_referral(repos, actor, referral_id)
    if referral.status not in TAKEN_BY_UNIT:
        raise PermissionDenied()
    case = await repos.cases.get(referral.case_id)
    assert case is not None
    return await build_card(repos, case, actor)


# --- a focal point's inbox --------------------------------------------------------------


async def inbox(db: Database, actor: User | None, page: int) -> ReferralPage:
    """The actor's unit's open referrals, the longest-waiting first."""
    repos = db.read
    actor = await current(repos, actor, Role.FOCAL_POINT)
    total = await repos.referrals.count_for_unit(actor.organisation_id, AT_UNIT)
    page, pages = clamp(page, total)
    referrals = await repos.referrals.page_for_unit(
        actor.organisation_id, AT_UNIT, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
    return ReferralPage(views=await views_of(repos, referrals), page=page,
                        pages=pages, total=total)


async def show(db: Database, actor: User | None, referral_id: int) -> ReferralView:
    """One referral, for a focal point of its unit (to show it again from the inbox)."""
    repos = db.read
    _, referral = await unit_referral(repos, actor, referral_id)
    return await view_of(repos, referral)


async def show_in_chat(db: Database, actor: User | None, referral_id: int, *, channel: str,
                       chat_id: str, language: str, now: datetime) -> None:
    """From /inbox: the referral shown again in the focal point's chat, as a new message
    that later changes keep up to date."""
    async with db.unit_of_work() as uow:
        _, referral = await unit_referral(uow, actor, referral_id)
        await uow.outbox.add([referral_row(channel=channel, chat_id=chat_id,
                                           language=language, referral_id=referral.id,
                                           case_id=referral.case_id, message_id=None)], now)
        await uow.commit()


# --- the unit's group -------------------------------------------------------------------


async def link_group(db: Database, actor: User | None, *, channel: str, chat_id: str,
                     title: str, language: str, now: datetime) -> Organisation:
    """A focal point makes a group chat the place where their unit gets its referrals."""
    async with db.unit_of_work() as uow:
        actor = await current(uow, actor, Role.FOCAL_POINT)
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
        actor = await current(uow, actor, Role.FOCAL_POINT)
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
