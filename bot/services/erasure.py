"""Erasing a child's personal data on request (PDPA), keeping the anonymous counts.

What goes: names, nickname, identity number, exact birth date, guardian, address,
sub-district and map pin, and the notes typed on the case's referrals. What stays: the
case code, sex, birth year, nationality, district, dropout cause, needs, referrals and
their outcomes, so that every summary still adds up. The audit log records who erased the
case and when, without the data.
"""

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from bot.domain.models import Role, User
from bot.errors import CaseNotFound, StaleAction
from bot.services.access import require_user
from storage.database import Database

# What an erased child's name reads as on every card and list.
ERASED = "—"


class Erasure(BaseModel):
    model_config = ConfigDict(frozen=True)

    case_id: int
    code: str
    notes_erased: int


async def erasable(db: Database, actor: User | None, code: str) -> tuple[int, str]:
    """The case a coordinator asks to erase: (id, code); refused like a missing case."""
    require_user(actor, Role.COORDINATOR)
    case = await db.read.cases.by_code(code.strip().upper())
    if case is None:
        raise CaseNotFound(code=code.strip().upper())
    child = await db.read.cases.child(case.child_id)
    if child.given_name == ERASED and child.identity_number is None:
        raise StaleAction()
    return case.id, case.code


async def erase_case(db: Database, actor: User | None, case_id: int, *,
                     now: datetime) -> Erasure:
    async with db.unit_of_work() as uow:
        actor = require_user(await uow.users.get(require_user(actor).id), Role.COORDINATOR)
        case = await uow.cases.get(case_id)
        if case is None:
            raise StaleAction()
        child_id = await uow.cases.erase_child(case_id, ERASED)
        referral_ids = [str(r.id) for r in await uow.referrals.for_case(case_id)]
        notes = await uow.audit.erase_notes("referral", referral_ids, ERASED)
        await uow.audit.record(at=now, actor_id=actor.id, action="case.erase", entity="case",
                               entity_id=case_id, after={"child_id": child_id,
                                                         "notes_erased": notes})
        await uow.commit()
    return Erasure(case_id=case_id, code=case.code, notes_erased=notes)
