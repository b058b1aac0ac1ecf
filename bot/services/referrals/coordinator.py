"""The coordinators' queue: needs that no unit has taken (never routed, or declined), which
a coordinator sends to a unit or closes when no unit can take them."""

from datetime import datetime

from bot.domain.models import Role, User
from bot.domain.schedule import ReminderPolicy
from bot.errors import StaleAction
from bot.services.referrals.common import (
    DEFAULT_POLICY,
    NO_UNIT,
    S,
    current,
    derive_case_status,
    destination_unit,
    move,
    notice,
    owe,
    resend,
    sent_change,
    teacher_to_tell,
)
from bot.services.referrals.views import (
    PAGE_SIZE,
    Change,
    ReferralPage,
    clamp,
    view_of,
    views_of,
)
from storage.interface import Database


async def queue(db: Database, actor: User | None, page: int) -> ReferralPage:
    """Needs no unit has taken: never routed, or declined. Oldest first."""
    repos = db.read
    await current(repos, actor, Role.COORDINATOR)
    total = await repos.referrals.count_awaiting()
    page, pages = clamp(page, total)
    referrals = await repos.referrals.page_awaiting(offset=page * PAGE_SIZE, limit=PAGE_SIZE)
    return ReferralPage(views=await views_of(repos, referrals), page=page,
                        pages=pages, total=total)


async def reroute(db: Database, actor: User | None, referral_id: int, unit_id: str, *,
                  now: datetime, default_language: str,
        policy: ReminderPolicy = DEFAULT_POLICY) -> Change:
    """A coordinator sends a queued need to a unit."""
    async with db.unit_of_work() as uow:
        actor = await current(uow, actor, Role.COORDINATOR)
        referral = await uow.referrals.get(referral_id)
        if referral is None or not referral.awaiting_coordinator:
            raise StaleAction()
        unit = await destination_unit(uow, unit_id)
        if referral.status is S.UNROUTED:
            updated = await move(uow, actor, referral, to=S.SENT, from_=(S.UNROUTED,),
                                 action="reroute", now=now, policy=policy,
                                 organisation_id=unit.id, awaiting_coordinator=0)
            change = await sent_change(uow, actor, updated, default_language)
            change.notices.extend(notice(teacher, "referral-rerouted-notice", change.view)
                                  for teacher in await teacher_to_tell(uow, referral.case_id,
                                                                       actor))
        else:
            if not await uow.referrals.clear_awaiting(referral.id, now):
                raise StaleAction()
            change = await resend(uow, actor, referral, unit, policy=policy, now=now,
                                  default_language=default_language)
        await owe(uow, [change], now)
        await uow.commit()
    return change


async def dismiss(db: Database, actor: User | None, referral_id: int, *,
                  now: datetime,
        policy: ReminderPolicy = DEFAULT_POLICY) -> Change:
    """A coordinator closes a queued need that no unit can take; the teacher is told."""
    async with db.unit_of_work() as uow:
        actor = await current(uow, actor, Role.COORDINATOR)
        referral = await uow.referrals.get(referral_id)
        if referral is None or not referral.awaiting_coordinator:
            raise StaleAction()
        if referral.status is S.UNROUTED:
            updated = await move(uow, actor, referral, to=S.CANCELLED, from_=(S.UNROUTED,),
                                 action="dismiss", now=now, policy=policy, reason=NO_UNIT,
                                 awaiting_coordinator=0, closed_at=now)
        else:
            if not await uow.referrals.clear_awaiting(referral.id, now):
                raise StaleAction()
            await uow.audit.record(at=now, actor_id=actor.id, action="referral.dismiss",
                                   entity="referral", entity_id=referral.id,
                                   before={"status": referral.status},
                                   after={"status": referral.status, "reason": NO_UNIT})
            await derive_case_status(uow, referral.case_id, now)
            updated = await uow.referrals.get(referral.id)
            assert updated is not None
        view = await view_of(uow, updated)
        change = Change(view=view, notices=[
            notice(teacher, "referral-dismissed-notice", view)
            for teacher in await teacher_to_tell(uow, referral.case_id, actor)])
        await owe(uow, [change], now)
        await uow.commit()
    return change
