"""Status summaries in the shape of the province's report tables.

The cases carry what the tables count (Thai or foreign, sex, age group, found, cause,
needs as a bit mask; migration 0005). Two groupings, each streamed through its own
covering index (migration 0006), give a few hundred counts from which every case section
is summed in Python; referral figures come from referral indexes alone. A summary of many
sections therefore costs a few index scans, not a scan per section.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot import routing
from bot.domain.ages import OUTSIDE, AgeGroup
from bot.domain.models import (
    NEED_BITS,
    DropoutCause,
    Need,
    Organisation,
    Outcome,
    ReferralStatus,
    Role,
    Sex,
    User,
)
from bot.domain.scopes import Scope, ScopeKind
from bot.errors import PermissionDenied
from bot.services.access import require_user
from storage.interface import Database, Repositories
from storage.summaries import SummaryFilter

FISCAL_YEAR_MONTH = 10  # Thailand's fiscal year starts on 1 October
# The outcomes that count as "returned to education" in the report's Table 5.
RETURNED = (Outcome.ENROLLED_SCHOOL, Outcome.ENROLLED_NON_FORMAL, Outcome.VOCATIONAL_TRAINING)
S = ReferralStatus


class Period(StrEnum):
    FISCAL_YEAR = "fy"
    LAST_30_DAYS = "30d"
    ALL_TIME = "all"


def period_since(period: Period, now: datetime, tz: tzinfo) -> datetime | None:
    """The first moment of the period: local midnight of its first day."""
    start = period_start(period, now.astimezone(tz).date())
    return None if start is None else datetime.combine(start, time(0), tz).astimezone(UTC)


def period_start(period: Period, today: date) -> date | None:
    if period is Period.FISCAL_YEAR:
        year = today.year if today.month >= FISCAL_YEAR_MONTH else today.year - 1
        return date(year, FISCAL_YEAR_MONTH, 1)
    if period is Period.LAST_30_DAYS:
        return today - timedelta(days=30)
    return None


class DistrictRow(BaseModel):
    """The report's survey table: per district, found and not found, Thai and foreign."""

    model_config = ConfigDict(frozen=True)

    district_code: str
    found_thai: int = 0
    found_foreign: int = 0
    not_found_thai: int = 0
    not_found_foreign: int = 0

    @property
    def total(self) -> int:
        return self.found_thai + self.found_foreign + self.not_found_thai + self.not_found_foreign


class UnitReturn(BaseModel):
    """Table 5: children referred to a unit, and those back in education through it."""

    model_config = ConfigDict(frozen=True)

    unit: Organisation
    out_of_school: int
    returned: int

    @property
    def percent(self) -> float:
        return round(100 * self.returned / self.out_of_school, 2) if self.out_of_school else 0.0


class UnitReferrals(BaseModel):
    model_config = ConfigDict(frozen=True)

    unit: Organisation
    sent: int = 0  # every referral that reached the unit
    waiting: int = 0
    accepted: int = 0
    in_progress: int = 0
    declined: int = 0
    cancelled: int = 0
    completed: dict[str, int] = {}  # outcome -> count
    overdue: int = 0  # still waiting after the escalation period
    median_days_to_accept: float | None = None


class ListedRow(BaseModel):
    """The report's survey of a district's lists: children listed, and what the schools
    found, each as (Thai, foreign)."""

    model_config = ConfigDict(frozen=True)

    district_code: str
    statuses: dict[str, tuple[int, int]]  # to_locate, found, not_found, moved, studying

    @property
    def listed(self) -> tuple[int, int]:
        return (sum(thai for thai, _ in self.statuses.values()),
                sum(foreign for _, foreign in self.statuses.values()))


class Summary(BaseModel):
    model_config = ConfigDict(frozen=True)

    scope: Scope
    period: Period
    start: date | None
    total: int
    thai: int
    foreign: int
    male: int
    female: int
    found: int
    not_found: int
    districts: list[DistrictRow]
    ages: dict[str, tuple[int, int]]  # age group -> (Thai, foreign)
    needs: dict[str, int]  # "none" or a Need -> cases
    causes: dict[str, int]  # a DropoutCause or "unknown" -> cases
    returns: list[UnitReturn]
    referrals: list[UnitReferrals]
    unrouted: int  # needs waiting in the coordinators' queue
    lists: list[ListedRow] = []  # the province's or a district's imported lists


def parse_scope(text: str) -> Scope:
    """`province`, `district:1101` or `unit:dole_d1101`, as the command line takes it."""
    kind, _, key = text.partition(":")
    scope = Scope(ScopeKind(kind), key or None)
    if (scope.kind is ScopeKind.PROVINCE) != (scope.key is None):
        raise ValueError(f"{text!r}: give a key for a district or a unit, none for the province")
    return scope


def default_scope(actor: User) -> Scope:
    """What each role sees first: coordinators the province, focal points their unit,
    teachers their own cases."""
    if actor.role is Role.COORDINATOR:
        return Scope(ScopeKind.PROVINCE)
    if actor.role is Role.FOCAL_POINT:
        return Scope(ScopeKind.UNIT, actor.organisation_id)
    return Scope(ScopeKind.TEACHER, str(actor.id))


TALLIES_BUILT = "tallies_built"


async def ensure_tallies(db: Database) -> None:
    """Count the tallies from the tables once, the first time this database runs with them
    (after migration 0008); from then on every change keeps them up to date. Processes
    starting together count them once: the first holds the tallies (`TallyRepository.hold`)
    while it counts, and the others, waiting for it, then find them counted."""
    if await db.read.bot_state.get(TALLIES_BUILT) is not None:
        return
    async with db.unit_of_work() as uow:
        await uow.tallies.hold()
        if await uow.bot_state.get(TALLIES_BUILT) is None:
            await uow.tallies.rebuild()
            await uow.bot_state.put(TALLIES_BUILT, "1")
            await uow.commit()


def may_choose_scope(actor: User | None) -> bool:
    """Coordinators see any district or unit; everyone else only their own part."""
    return actor is not None and actor.role is Role.COORDINATOR


def require_scope_choice(actor: User | None) -> None:
    if not may_choose_scope(actor):
        raise PermissionDenied()


async def units_to_summarise(db: Database, actor: User | None) -> list[Organisation]:
    """The agency units a coordinator may pick as a summary's scope: those that take
    referrals (not schools, not the coordinators' own office)."""
    require_scope_choice(actor)
    return [unit for unit in await db.read.organisations.active()
            if unit.kind not in routing.NOT_DESTINATIONS]


def _allowed(actor: User, scope: Scope) -> bool:
    return may_choose_scope(actor) or scope == default_scope(actor)


async def summarise(db: Database, actor: User | None, scope: Scope, period: Period, *,
                    now: datetime, tz: tzinfo, overdue_after: timedelta) -> Summary:
    """The summary of `scope` over `period` (days as lived in `tz`); `actor` None is the
    command line. Cases count by when they were registered, referrals by when they were
    made. The province and its districts are read from the running tallies; a unit's or
    a teacher's smaller share from the cases themselves."""
    repos = db.read
    if actor is not None:
        actor = require_user(await repos.users.get(actor.id))
        if not _allowed(actor, scope):
            raise PermissionDenied()
    start = period_start(period, now.astimezone(tz).date())
    since = period_since(period, now, tz)
    within = SummaryFilter(scope, since)
    figures = await _figures(repos, within, start)
    figures.overdue = await repos.summaries.overdue(within, now - overdue_after)
    units = {unit.id: unit for unit in await repos.organisations.active()}
    summary = _sections(scope, period, start, figures, units)
    if scope.kind not in (ScopeKind.PROVINCE, ScopeKind.DISTRICT):
        return summary
    listed: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for district, status, foreign, number in await repos.summaries.lists(since, scope.key):
        listed[district][status][int(bool(foreign))] += number
    return summary.model_copy(update={"lists": [
        ListedRow(district_code=district, statuses={status: (counts[0], counts[1])
                                                    for status, counts in statuses.items()})
        for district, statuses in sorted(listed.items())]})


@dataclass
class _Figures:
    """The counts every section is summed from, whichever way they were read."""

    people: list[tuple]  # district, foreign, found, age group, sex, cases
    causes: list[tuple]  # district, cause, cases
    needs: list[tuple]  # district, needs mask, cases
    referrals: list[tuple]  # unit, need, status, outcome, referrals
    accept_days: list[tuple]  # unit, whole days from sent to accepted, referrals
    overdue: dict[str, int] = field(default_factory=dict)


async def _figures(repos: Repositories, within: SummaryFilter, start: date | None
                   ) -> _Figures:
    scope = within.scope
    if scope.kind in (ScopeKind.PROVINCE, ScopeKind.DISTRICT):
        day = start.isoformat() if start else ""
        tallies = repos.tallies
        people = await tallies.people(day, scope.key)
        causes = await tallies.causes(day, scope.key)
        needs = await tallies.needs(day, scope.key)
        if scope.kind is ScopeKind.PROVINCE:
            return _Figures(people, causes, needs, await tallies.referrals(day),
                            await tallies.accept_days(day))
    else:
        people = await repos.summaries.people(within)
        reasons = await repos.summaries.reasons(within)
        causes = [(district, cause, n) for district, cause, _, n in reasons]
        needs = [(district, mask, n) for district, _, mask, n in reasons]
    return _Figures(people, causes, needs,
                    await repos.summaries.referrals(within),
                    await repos.summaries.days_to_accept(within))


# Where each referral status is counted in the referrals table.
_COLUMN = {S.SENT: "waiting", S.INFO_REQUESTED: "waiting", S.ACCEPTED: "accepted",
           S.IN_PROGRESS: "in_progress", S.DECLINED: "declined", S.CANCELLED: "cancelled"}
# Table 5 counts the referrals for learning (schooling, or vocational skills) that a unit
# holds or held: not those withdrawn, declined or never sent.
LEARNING = (Need.EDUCATION, Need.VOCATIONAL_SKILLS)
HELD = (S.SENT, S.INFO_REQUESTED, S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED)


def _referral_sections(figures: _Figures, units: dict[str, Organisation]
                       ) -> tuple[list[UnitReturn], list[UnitReferrals], int]:
    tallies: dict[str, Counter[str]] = defaultdict(Counter)
    completed: dict[str, Counter[str]] = defaultdict(Counter)
    learning: dict[str, Counter[str]] = defaultdict(Counter)
    unrouted = 0
    for unit_id, need, status, outcome, number in figures.referrals:
        if status == S.PROPOSED:
            continue
        if not unit_id:
            unrouted += number if status == S.UNROUTED else 0
            continue
        tallies[unit_id]["sent"] += number
        if status == S.COMPLETED:
            completed[unit_id][outcome or Outcome.OTHER] += number
        elif status in _COLUMN:
            tallies[unit_id][_COLUMN[status]] += number
        if need in LEARNING and status in HELD:
            learning[unit_id]["referred"] += number
            if status == S.COMPLETED and outcome in RETURNED:
                learning[unit_id]["returned"] += number
    for unit_id, number in figures.overdue.items():
        tallies[unit_id]["overdue"] = number
    waits: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for unit_id, days, number in figures.accept_days:
        waits[unit_id].append((days, number))
    rows = [UnitReferrals(unit=units[unit_id], **tallies[unit_id],
                          completed={outcome: completed[unit_id][outcome] for outcome in Outcome
                                     if completed[unit_id][outcome]},
                          median_days_to_accept=_median(waits.get(unit_id, [])))
            for unit_id in tallies if unit_id in units]
    returns = [UnitReturn(unit=units[unit_id], out_of_school=counts["referred"],
                          returned=counts["returned"])
               for unit_id, counts in sorted(learning.items()) if unit_id in units]
    return returns, sorted(rows, key=lambda row: (row.unit.kind, row.unit.id)), unrouted


def _median(histogram: list[tuple[int, int]]) -> float | None:
    """The median of values given as (value, how many times)."""
    ordered = sorted(histogram)
    total = sum(number for _, number in ordered)
    if not total:
        return None

    def nth(index: int) -> int:
        seen = 0
        for value, number in ordered:
            seen += number
            if index < seen:
                return value
        raise IndexError(index)

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


def _sections(scope: Scope, period: Period, start: date | None, figures: _Figures,
              units: dict[str, Organisation]) -> Summary:
    totals: Counter[str] = Counter()
    districts: dict[str, Counter[str]] = defaultdict(Counter)
    ages: dict[str, Counter[str]] = defaultdict(Counter)
    needs: Counter[str] = Counter()
    causes: Counter[str] = Counter()
    for district, foreign, found, age_group, sex, number in figures.people:
        origin = "foreign" if foreign else "thai"
        totals[origin] += number
        totals[sex] += number
        totals["found" if found else "not_found"] += number
        districts[district][f"{'found' if found else 'not_found'}_{origin}"] += number
        ages[age_group][origin] += number
    for _, cause, number in figures.causes:
        causes[cause or "unknown"] += number
    for _, mask, number in figures.needs:
        if not mask:
            needs["none"] += number
        for need, bit in NEED_BITS.items():
            if mask & bit:
                needs[need] += number
    total = totals["thai"] + totals["foreign"]
    returns, referrals, unrouted = _referral_sections(figures, units)
    return Summary(
        scope=scope, period=period, start=start, total=total, thai=totals["thai"],
        foreign=totals["foreign"], male=totals[Sex.MALE], female=totals[Sex.FEMALE],
        found=totals["found"], not_found=totals["not_found"],
        districts=[DistrictRow(district_code=code, **counts)
                   for code, counts in sorted(districts.items())],
        ages={group: (ages[group]["thai"], ages[group]["foreign"])
              for group in [*AgeGroup, OUTSIDE] if ages[group]},
        needs={key: needs[key] for key in ["none", *Need] if needs[key]},
        causes={key: causes[key] for key in [*DropoutCause, "unknown"] if causes[key]},
        returns=returns, referrals=referrals, unrouted=unrouted)
