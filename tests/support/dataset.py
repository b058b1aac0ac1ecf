"""Generated cases and referrals, written straight into the tables in bulk, with the same
records kept in Python so that tests can count them independently (and the benchmarks can
fill a database with a million cases in seconds)."""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.domain.models import NEED_BITS, DropoutCause, Need, Outcome, ReferralStatus
from storage.database import Database
from storage.postgres import PostgresDatabase
from storage.sql import Connection

DISTRICTS = ("1101", "1102", "1103", "1104", "1105", "1106")
UNITS = ("spp1_samutprakan", "dole_d1103", "msdhs_pso_samutprakan")
NATIONALITIES = ("thai", "myanmar", "cambodian", "lao", "unknown")
STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS,
            ReferralStatus.DECLINED, ReferralStatus.COMPLETED, ReferralStatus.UNROUTED)


@dataclass
class GeneratedCase:
    id: int
    district: str
    foreign: bool
    sex: str
    age: int
    found: bool
    cause: str | None
    needs: tuple[Need, ...]
    created_at: datetime
    referrals: list[tuple[str | None, ReferralStatus, Outcome | None, float | None]] = field(
        default_factory=list)  # (unit, status, outcome, days to accept)

    @property
    def age_group(self) -> str:
        return "3-5" if 3 <= self.age <= 5 else "6-15" if 6 <= self.age <= 15 else \
            "16-18" if 16 <= self.age <= 18 else "outside"


def generate(count: int, *, seed: int, start: datetime, days: int) -> list[GeneratedCase]:
    rng = random.Random(seed)
    cases = []
    for number in range(1, count + 1):
        needs = tuple(need for need in Need if rng.random() < 0.35)
        case = GeneratedCase(
            id=number, district=rng.choice(DISTRICTS), foreign=rng.random() < 0.6,
            sex=rng.choice(("male", "female")), age=rng.randint(2, 20),
            found=rng.random() < 0.8,
            cause=rng.choice([None, *DropoutCause]),
            needs=needs, created_at=start + timedelta(minutes=rng.randrange(days * 24 * 60)))
        for _ in needs[:2]:  # a referral for each of the first two needs
            status = rng.choice(STATUSES)
            unit = None if status is ReferralStatus.UNROUTED else rng.choice(UNITS)
            outcome = rng.choice(list(Outcome)) if status is ReferralStatus.COMPLETED else None
            taken = status in (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS,
                               ReferralStatus.COMPLETED)
            case.referrals.append((unit, status, outcome, rng.randint(0, 9) if taken else None))
        cases.append(case)
    return cases


async def write(db: Database | PostgresDatabase, cases: list[GeneratedCase], *,
                teacher_id: int) -> None:
    """Insert the cases (children, needs, referrals) in one transaction, then recount the
    summary tallies, which a bulk insert leaves behind."""
    async with db.unit_of_work() as uow:
        await _insert(uow.conn, cases, teacher_id)
        await uow.commit()
    if isinstance(db, PostgresDatabase):
        await db.realign_identities()  # the rows above came with their ids
    async with db.unit_of_work() as uow:
        await uow.tallies.rebuild()
        await uow.commit()


async def _insert(conn: Connection, cases: list[GeneratedCase], teacher_id: int) -> None:
    children, rows, needs, referrals = [], [], [], []
    for case in cases:
        stamp = case.created_at.astimezone(UTC).isoformat()
        children.append((case.id, f"Child {case.id}", f"child {case.id}", case.sex, "none",
                         "myanmar" if case.foreign else "thai",
                         case.created_at.year - case.age, stamp))
        rows.append((case.id, f"GEN-{case.id:07d}", case.id, teacher_id,
                     "school_wat_phraek_sa", case.district, int(case.found), case.cause,
                     f"gen-{case.id}", int(case.foreign), case.sex, case.age_group,
                     sum(NEED_BITS[need] for need in case.needs), stamp))
        needs += [(case.id, need) for need in case.needs]
        for (unit, status, outcome, days), need in zip(case.referrals, case.needs, strict=False):
            accepted = None if days is None else \
                (case.created_at + timedelta(days=days)).astimezone(UTC).isoformat()
            referrals.append((case.id, need, unit, status, int(
                status in (ReferralStatus.UNROUTED, ReferralStatus.DECLINED)), outcome,
                teacher_id, stamp, accepted, stamp))
    await conn.executemany(
        "INSERT INTO children (id, given_name, name_key, sex, identity_type, nationality,"
        " birth_year, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", children)
    await conn.executemany(
        "INSERT INTO cases (id, code, child_id, teacher_id, organisation_id, status,"
        " district_code, found, dropout_cause, consent, education_wish, submission_id,"
        " child_foreign, child_sex, age_group, needs_mask, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, 'referred', ?, ?, ?, 'given', 'school', ?, ?, ?, ?, ?, ?, ?)",
        [(*row, row[-1]) for row in rows])
    await conn.executemany("INSERT INTO case_needs (case_id, need) VALUES (?, ?)", needs)
    await conn.executemany(
        "INSERT INTO referrals (case_id, need, organisation_id, status, awaiting_coordinator,"
        " outcome, created_by, sent_at, accepted_at, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(*row, row[-1]) for row in referrals])
