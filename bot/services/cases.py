"""Looking at cases: one's own list, and a single case card for those allowed to see it."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from bot.domain.models import Case, CaseSummary, Child, Organisation, Role, User
from bot.errors import CaseNotFound, PermissionDenied
from bot.services.access import require_user
from storage.database import Database

CASES_PAGE_SIZE = 5


class CasePage(BaseModel):
    model_config = ConfigDict(frozen=True)

    cases: list[CaseSummary]
    page: int
    pages: int
    total: int


class CaseCard(BaseModel):
    """Everything a case card shows. Who may see it is decided by `open_case`."""

    model_config = ConfigDict(frozen=True)

    case: Case
    child: Child
    teacher_name: str
    organisation: Organisation


class CaseGlimpse(BaseModel):
    """What anyone registered may learn of a case that is not theirs, such as a possible
    duplicate: that it exists and who holds it, and nothing about the child."""

    model_config = ConfigDict(frozen=True)

    code: str
    status: str
    organisation: Organisation
    created_at: datetime


def may_open(actor: User, case: Case) -> bool:
    return actor.role is Role.COORDINATOR or case.teacher_id == actor.id


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
    """The card of one case, for its teacher and the coordinators; anyone else is refused
    exactly as if the case did not exist, so codes cannot be probed."""
    actor = require_user(actor)
    code = code.strip().upper()
    read = db.read
    case = await read.cases.by_code(code)
    if case is None or not may_open(actor, case):
        raise CaseNotFound(code=code)
    teacher = await read.users.get(case.teacher_id)
    organisation = await read.organisations.get(case.organisation_id)
    assert teacher is not None and organisation is not None
    return CaseCard(
        case=case,
        child=await read.cases.child(case.child_id),
        teacher_name=teacher.display_name,
        organisation=organisation,
    )


async def glimpse_case(db: Database, actor: User | None, case_id: int) -> CaseCard | CaseGlimpse:
    """A possible duplicate the registration wizard found: the full card when the actor may
    open it, else only who holds it."""
    actor = require_user(actor)
    case = await db.read.cases.get(case_id)
    if case is None:
        raise PermissionDenied()
    if may_open(actor, case):
        return await open_case(db, actor, case.code)
    organisation = await db.read.organisations.get(case.organisation_id)
    assert organisation is not None
    return CaseGlimpse(code=case.code, status=case.status, organisation=organisation,
                       created_at=case.created_at)
