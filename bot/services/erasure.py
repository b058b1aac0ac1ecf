"""Erasing a child's personal data on request (PDPA), keeping the anonymous counts.

What goes: names, nickname, identity number, exact birth date, guardian, address,
sub-district and map pin, the notes typed on the case's referrals, and the child's rows on
imported lists (those with the same identity number). What stays: the case code, sex,
birth year, nationality, district, dropout cause, needs, referrals and their outcomes, so
that every summary still adds up. A child who is only on an imported list is named by the
list's reference instead of a case code; their row keeps the reference (importing the list
again adds nothing), sex, birth year, nationality, district, school and what the school
found. The audit log records who erased what and when, without the data.

Once committed, the write-ahead log is truncated, so that no copy of the erased values
stays in the database's files (see `storage.database`).
"""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot.domain.models import Role, User
from bot.errors import NothingToErase, StaleAction
from bot.services.access import require_user
from storage.interface import Database

# What an erased child's name reads as on every card and list.
ERASED = "—"


class ErasureKind(StrEnum):
    CASE = "case"
    LEAD = "lead"  # a row of an imported list


class ErasureTarget(BaseModel):
    """What a coordinator named: a case by its code, or a list row by its reference."""

    model_config = ConfigDict(frozen=True)

    kind: ErasureKind
    id: int
    reference: str


class Erasure(BaseModel):
    model_config = ConfigDict(frozen=True)

    target: ErasureTarget
    notes_erased: int
    list_rows_erased: int


async def erasable(db: Database, actor: User | None, reference: str) -> ErasureTarget:
    """The case (by code) or imported-list row (by the list's reference) a coordinator asks
    to erase. Refused like a missing one when it names neither; stale when already erased."""
    require_user(actor, Role.COORDINATOR)
    reference = reference.strip()
    case = await db.read.cases.by_code(reference.upper())
    if case is not None:
        child = await db.read.cases.child(case.child_id)
        if child.given_name == ERASED and child.identity_number is None:
            raise StaleAction()
        return ErasureTarget(kind=ErasureKind.CASE, id=case.id, reference=case.code)
    lead = await db.read.leads.by_ref(reference)
    if lead is None:
        raise NothingToErase(reference=reference)
    if lead.given_name == ERASED and lead.identity_number is None:
        raise StaleAction()
    return ErasureTarget(kind=ErasureKind.LEAD, id=lead.id, reference=lead.ref)


async def erase(db: Database, actor: User | None, kind: ErasureKind, target_id: int, *,
                now: datetime) -> Erasure:
    erasure = await (_erase_case if kind is ErasureKind.CASE else _erase_lead)(
        db, actor, target_id, now=now)
    await db.checkpoint()  # outside the transaction: the log's old pages go too
    return erasure


async def _erase_case(db: Database, actor: User | None, case_id: int, *,
                      now: datetime) -> Erasure:
    async with db.unit_of_work() as uow:
        actor = require_user(await uow.users.get(require_user(actor).id), Role.COORDINATOR)
        case = await uow.cases.get(case_id)
        if case is None:
            raise StaleAction()
        child = await uow.cases.child(case.child_id)
        lead_ids = (await uow.leads.with_identity(child.identity_number)
                    if child.identity_number else [])
        child_id = await uow.cases.erase_child(case_id, ERASED)
        await uow.leads.erase(lead_ids, ERASED)
        referral_ids = [str(r.id) for r in await uow.referrals.for_case(case_id)]
        notes = await uow.audit.erase_notes("referral", referral_ids, ERASED)
        await uow.outbox.forget_case(case_id)
        await uow.audit.record(at=now, actor_id=actor.id, action="case.erase", entity="case",
                               entity_id=case_id, after={"child_id": child_id,
                                                         "notes_erased": notes,
                                                         "lead_ids": lead_ids})
        await uow.commit()
    return Erasure(target=ErasureTarget(kind=ErasureKind.CASE, id=case_id,
                                        reference=case.code),
                   notes_erased=notes, list_rows_erased=len(lead_ids))


async def _erase_lead(db: Database, actor: User | None, lead_id: int, *,
                      now: datetime) -> Erasure:
    async with db.unit_of_work() as uow:
        actor = require_user(await uow.users.get(require_user(actor).id), Role.COORDINATOR)
        lead = await uow.leads.get(lead_id)
        if lead is None:
            raise StaleAction()
        lead_ids = [lead.id]
        if lead.identity_number:  # the same child on other lists
            lead_ids = await uow.leads.with_identity(lead.identity_number)
        await uow.leads.erase(lead_ids, ERASED)
        await uow.audit.record(at=now, actor_id=actor.id, action="lead.erase", entity="lead",
                               entity_id=lead_id, after={"lead_ids": lead_ids})
        await uow.commit()
    return Erasure(target=ErasureTarget(kind=ErasureKind.LEAD, id=lead_id, reference=lead.ref),
                   notes_erased=0, list_rows_erased=len(lead_ids))
