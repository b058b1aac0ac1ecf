"""Importing lists of children to locate, and the schools' answers about each one.

A list, once read and checked (`bot.imports`), is saved in one transaction: rows already
imported (the same reference) and children already registered (the same Thai ID) are
counted and left out, so importing a list twice adds nothing. Each new child goes to a
school that covers their district, and the school's teachers are told how many they have
to locate; they then mark each one found, not found (MOE code 701), moved or already
studying.
"""

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot.domain.identity import IdentityType
from bot.domain.models import Need, Organisation, OrganisationKind, Role, User
from bot.errors import ImportNotAllowed, PermissionDenied, StaleAction
from bot.imports import LeadRow, ParsedList
from bot.services.access import require_user
from bot.services.notices import Notice
from bot.services.outbox import owe_notices
from storage.interface import Database, Repositories
from storage.leads import Lead

PAGE_SIZE = 5
# The one MOE data-exchange status code published (shared/domain/codes.yaml): house not
# found, no data, unwilling to give data, or person not found. "Not located", never "not
# in school".
NOT_LOCATED = "701"


class LeadResult(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    MOVED = "moved"
    STUDYING = "studying"


class Imported(BaseModel):
    model_config = ConfigDict(frozen=True)

    total: int
    added: int
    already: int  # imported before, or registered as a case already
    rejected: int
    unassigned: int  # no school covers their district
    notices: list[Notice]


class LeadPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    leads: list[Lead]
    page: int
    pages: int
    total: int


async def import_list(db: Database, actor: User | None, parsed: ParsedList, *,
                      file_name: str, now: datetime) -> Imported:
    """Save the rows that passed, a batch at a time in one transaction; `actor` None is the
    command line."""
    async with db.unit_of_work() as uow:
        if actor is not None:
            actor = require_user(await uow.users.get(actor.id), Role.COORDINATOR)
        choose = await _school_chooser(uow, now.year)
        import_id = await uow.leads.add_import(
            file_name=file_name[:200], imported_by=actor.id if actor else None, now=now,
            total=parsed.total, rejected=parsed.rejected)
        added = unassigned = 0
        assigned: Counter[str] = Counter()
        for rows in parsed.batches():
            known = await uow.leads.existing("ref", [row.ref for row in rows], "leads")
            registered = await uow.leads.existing(
                "identity_number", [row.identity_number for row in rows
                                    if row.identity_type is IdentityType.THAI_ID
                                    and row.identity_number], "children")
            leads = [{**row.model_dump(mode="json"), "school_id": choose(row)} for row in rows
                     if row.ref not in known and row.identity_number not in registered]
            await uow.leads.add_many(import_id, leads, now)
            added += len(leads)
            assigned.update(lead["school_id"] for lead in leads if lead["school_id"])
            unassigned += sum(1 for lead in leads if not lead["school_id"])
        already = parsed.accepted - added
        await uow.leads.count_import(import_id, added=added, already=already)
        await uow.audit.record(at=now, actor_id=actor.id if actor else None,
                               action="import.list", entity="import", entity_id=import_id,
                               after={"file": file_name[:200], "added": added,
                                      "schools": dict(assigned)})
        notices = []
        for school_id, count in assigned.items():
            waiting = await uow.leads.count_to_locate(school_id)
            notices += [Notice(channel=teacher.channel, channel_user_id=teacher.channel_user_id,
                               language=teacher.language, key="import-leads-notice",
                               params={"count": count, "waiting": waiting})
                        for teacher in await uow.users.active_with_role(Role.TEACHER,
                                                                        school_id)]
        await owe_notices(uow, notices, now)
        await uow.commit()
    return Imported(total=parsed.total, added=added, already=already,
                    rejected=parsed.rejected, unassigned=unassigned, notices=notices)


async def _school_chooser(repos: Repositories, year: int) -> Callable[[LeadRow], str | None]:
    """A school for each child: one that covers their district, under a service area that
    takes children of their age (the primary area before the secondary one when both do);
    None when no school covers the district."""
    schools = await repos.organisations.active([OrganisationKind.SCHOOL])
    areas = {unit.id: unit for unit in await repos.organisations.active(
        [OrganisationKind.OBEC])}

    def rank(school: Organisation, age: int) -> tuple[int, int, str]:
        area = areas.get(school.parent_id or "")
        takes = area is not None and area.serves(Need.EDUCATION, None, age)
        return (not takes, area.max_age or 99 if area else 99, school.id)

    def choose(row: LeadRow) -> str | None:
        covering = [school for school in schools if row.district_code in school.districts]
        age = year - row.birth_year
        return min(covering, key=lambda school: rank(school, age)).id if covering else None

    return choose


def require_importer(actor: User | None) -> User:
    """Only coordinators import lists (checked before a file is even downloaded)."""
    try:
        return require_user(actor, Role.COORDINATOR)
    except PermissionDenied as error:
        raise ImportNotAllowed() from error


def _may_see(actor: User, lead: Lead) -> bool:
    return actor.role is Role.COORDINATOR or (
        actor.role is Role.TEACHER and lead.school_id == actor.organisation_id)


async def to_locate(db: Database, actor: User | None, page: int) -> LeadPage:
    """The children the actor's school is to locate, in the order they came."""
    actor = require_user(await db.read.users.get(require_user(actor).id), Role.TEACHER)
    total = await db.read.leads.count_to_locate(actor.organisation_id)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    leads = await db.read.leads.page_to_locate(actor.organisation_id, offset=page * PAGE_SIZE,
                                               limit=PAGE_SIZE)
    return LeadPage(leads=leads, page=page, pages=pages, total=total)


async def show_lead(db: Database, actor: User | None, lead_id: int) -> Lead:
    actor = require_user(await db.read.users.get(require_user(actor).id))
    lead = await db.read.leads.get(lead_id)
    if lead is None or not _may_see(actor, lead):
        raise PermissionDenied()
    return lead


async def mark_lead(db: Database, actor: User | None, lead_id: int, result: LeadResult, *,
                    now: datetime) -> Lead:
    """What the school found; recorded once."""
    async with db.unit_of_work() as uow:
        actor = require_user(await uow.users.get(require_user(actor).id))
        lead = await uow.leads.get(lead_id)
        if lead is None or not _may_see(actor, lead):
            raise PermissionDenied()
        code = NOT_LOCATED if result is LeadResult.NOT_FOUND else None
        if not await uow.leads.mark(lead_id, status=result, result_code=code, by=actor.id,
                                    now=now):
            raise StaleAction()
        await uow.audit.record(at=now, actor_id=actor.id, action="lead.mark", entity="lead",
                               entity_id=lead_id, before={"status": lead.status},
                               after={"status": result, "result_code": code})
        marked = await uow.leads.get(lead_id)
        assert marked is not None
        await uow.commit()
    return marked
