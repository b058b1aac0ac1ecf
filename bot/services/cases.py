"""Looking at cases: one's own list, and a single case card for those allowed to see it."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from bot.domain.models import (
    Case,
    CaseSummary,
    Child,
    Organisation,
    Referral,
    ReferralStatus,
    Role,
    User,
)
from bot.errors import CaseNotFound, PermissionDenied
from bot.flows.referrals import WITHDRAWABLE
from bot.services.access import require_user
from storage.interface import Database, Repositories
from storage.referrals import HistoryEntry

# A unit that took a referral may see the whole case, now and after it is done.
TAKEN_BY_UNIT = (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED)
# The card shows the latest changes; the full trail stays in the audit log.
HISTORY_SHOWN = 12

CASES_PAGE_SIZE = 5


class CasePage(BaseModel):
    model_config = ConfigDict(frozen=True)

    cases: list[CaseSummary]
    page: int
    pages: int
    total: int


class ReferralLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    referral: Referral
    unit: Organisation | None
    taken_by: str | None


class CaseCard(BaseModel):
    """Everything a case card shows. Who may see it is decided by `open_case`; a focal point
    sees only their own unit's referrals and their history."""

    model_config = ConfigDict(frozen=True)

    case: Case
    child: Child
    teacher_name: str
    organisation: Organisation
    referrals: list[ReferralLine] = []
    history: list[HistoryEntry] = []
    # What the viewer may do from the card.
    can_send: bool = False
    can_withdraw: bool = False
    holder: bool = False  # the teacher or a coordinator: may record a move, set reminders
    # For coordinators: the case the registration check found, which the teacher may not
    # have been shown.
    possible_duplicate_code: str | None = None


class CaseGlimpse(BaseModel):
    """What anyone registered may learn of a case that is not theirs, such as a possible
    duplicate: that it exists and who holds it, and nothing about the child."""

    model_config = ConfigDict(frozen=True)

    code: str
    status: str
    organisation: Organisation
    created_at: datetime


def holds(actor: User, case: Case) -> bool:
    """The case's teacher and the coordinators act on it as its holders."""
    return actor.role is Role.COORDINATOR or case.teacher_id == actor.id


async def held_case(repos: Repositories, actor: User | None, case_id: int) -> tuple[User, Case]:
    """The actor as the database has them now, and a case they hold; refused otherwise."""
    actor = require_user(await repos.users.get(require_user(actor).id))
    case = await repos.cases.get(case_id)
    if case is None or not holds(actor, case):
        raise PermissionDenied()
    return actor, case


def _unit_took(actor: User, referrals: list[Referral]) -> bool:
    return actor.role is Role.FOCAL_POINT and any(
        r.organisation_id == actor.organisation_id and r.status in TAKEN_BY_UNIT
        for r in referrals)


async def build_card(repos: Repositories, case: Case, viewer: User) -> CaseCard:
    """The card of a case the viewer may open (the caller has checked)."""
    referrals = await repos.referrals.for_case(case.id)
    holder = holds(viewer, case)
    if not holder:
        referrals = [r for r in referrals if r.organisation_id == viewer.organisation_id]
    lines = []
    for referral in referrals:
        unit = await repos.organisations.get(referral.organisation_id) \
            if referral.organisation_id else None
        taker = await repos.users.get(referral.accepted_by) if referral.accepted_by else None
        lines.append(ReferralLine(referral=referral, unit=unit,
                                  taken_by=taker.display_name if taker else None))
    shown = {r.id for r in referrals}
    history = [entry for entry in await repos.referrals.history(case.id)
               if entry.referral_id in shown]
    teacher = await repos.users.get(case.teacher_id)
    organisation = await repos.organisations.get(case.organisation_id)
    assert teacher is not None and organisation is not None
    duplicate = await repos.cases.get(case.possible_duplicate_of) \
        if case.possible_duplicate_of and viewer.role is Role.COORDINATOR else None
    return CaseCard(case=case, child=await repos.cases.child(case.child_id),
                    teacher_name=teacher.display_name, organisation=organisation,
                    referrals=lines, history=history[-HISTORY_SHOWN:],
                    can_send=holder and any(r.status is ReferralStatus.PROPOSED
                                            for r in referrals),
                    can_withdraw=holder and any(r.status in WITHDRAWABLE for r in referrals),
                    holder=holder,
                    possible_duplicate_code=duplicate.code if duplicate else None)


async def may_open(repos: Repositories, actor: User, case: Case) -> bool:
    """Whether `actor` may see the case's card: its teacher, a coordinator, or a unit that
    took one of its referrals."""
    return holds(actor, case) or _unit_took(actor, await repos.referrals.for_case(case.id))


async def my_cases(db: Database, actor: User | None, page: int) -> CasePage:
    actor = require_user(actor)
    total = await db.read.cases.count_for_teacher(actor.id)
    pages = max(1, -(-total // CASES_PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    cases = await db.read.cases.page_for_teacher(
        actor.id, offset=page * CASES_PAGE_SIZE, limit=CASES_PAGE_SIZE
    )
    return CasePage(cases=cases, page=page, pages=pages, total=total)


async def open_case(db: Database, actor: User | None, code: str) -> CaseCard:
    """The card of one case, for its teacher, the coordinators and the units that took one
    of its referrals; anyone else is refused exactly as if the case did not exist, so codes
    cannot be probed."""
    actor = require_user(actor)
    code = code.strip().upper()
    read = db.read
    case = await read.cases.by_code(code)
    if case is None or not await may_open(read, actor, case):
        raise CaseNotFound(code=code)
    return await build_card(read, case, actor)


async def glimpse_case(db: Database, actor: User | None, case_id: int) -> CaseCard | CaseGlimpse:
    """A possible duplicate the registration wizard found: the full card when the actor may
    open it, else only who holds it."""
    actor = require_user(actor)
    case = await db.read.cases.get(case_id)
    if case is None:
        raise PermissionDenied()
    if await may_open(db.read, actor, case):
        return await open_case(db, actor, case.code)
    organisation = await db.read.organisations.get(case.organisation_id)
    assert organisation is not None
    return CaseGlimpse(code=case.code, status=case.status, organisation=organisation,
                       created_at=case.created_at)
