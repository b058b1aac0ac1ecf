"""The grouped queries behind summaries.

A summary's share of the data is a `SummaryFilter` (its scope and the first moment of its
period), turned here into a condition on cases `c` or on referrals `r` from fixed clauses
with `?` parameters. Each grouping follows the column order of its index (migration 0006),
so SQLite streams through the index and never sorts.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.domain.scopes import Scope, ScopeKind
from storage.sql import WHOLE_DAYS_SQL, Connection

PEOPLE_COLUMNS = "c.district_code, c.child_foreign, c.found, c.age_group, c.child_sex"
# District first in both: one index serves the province and a district alike.
REASON_COLUMNS = "c.district_code, c.dropout_cause, c.needs_mask"


@dataclass(frozen=True)
class SummaryFilter:
    """The cases and referrals a summary counts: those of `scope` made since `since`
    (None: ever)."""

    scope: Scope
    since: datetime | None = None


def case_condition(within: SummaryFilter) -> tuple[str, list[object]]:
    """The condition on cases `c`, and its parameters."""
    clauses: list[str] = []
    params: list[object] = []
    scope = within.scope
    if within.since is not None:
        clauses.append("c.created_at >= ?")
        params.append(within.since.astimezone(UTC).isoformat())
    if scope.kind is ScopeKind.DISTRICT:
        clauses.append("c.district_code = ?")
        params.append(scope.key)
    elif scope.kind is ScopeKind.TEACHER:
        clauses.append("c.teacher_id = ?")
        params.append(int(scope.key or 0))
    elif scope.kind is ScopeKind.UNIT:
        clauses.append("c.id IN (SELECT u.case_id FROM referrals u"
                       " WHERE u.organisation_id = ? AND u.status <> 'proposed')")
        params.append(scope.key)
    return " AND ".join(clauses) or "1 = 1", params


def referral_condition(within: SummaryFilter) -> tuple[str, list[object]]:
    """The condition on referrals `r`, and its parameters."""
    clauses: list[str] = []
    params: list[object] = []
    scope = within.scope
    if within.since is not None:
        clauses.append("r.created_at >= ?")
        params.append(within.since.astimezone(UTC).isoformat())
    if scope.kind is ScopeKind.DISTRICT:
        clauses.append("r.case_id IN (SELECT c.id FROM cases c WHERE c.district_code = ?)")
        params.append(scope.key)
    elif scope.kind is ScopeKind.TEACHER:
        clauses.append("r.case_id IN (SELECT c.id FROM cases c WHERE c.teacher_id = ?)")
        params.append(int(scope.key or 0))
    elif scope.kind is ScopeKind.UNIT:
        clauses.append("r.organisation_id = ?")
        params.append(scope.key)
    return " AND ".join(clauses) or "1 = 1", params


class SummaryRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @staticmethod
    def people_sql(within: SummaryFilter) -> tuple[str, list[object]]:
        where, params = case_condition(within)
        return (f"SELECT {PEOPLE_COLUMNS}, count(*) FROM cases c WHERE {where}"
                f" GROUP BY {PEOPLE_COLUMNS}", params)

    @staticmethod
    def reasons_sql(within: SummaryFilter) -> tuple[str, list[object]]:
        where, params = case_condition(within)
        return (f"SELECT {REASON_COLUMNS}, count(*) FROM cases c WHERE {where}"
                f" GROUP BY {REASON_COLUMNS}", params)

    @staticmethod
    def referrals_sql(within: SummaryFilter) -> tuple[str, list[object]]:
        where, params = referral_condition(within)
        return ("SELECT r.organisation_id, r.need, r.status, r.outcome, count(*)"
                f" FROM referrals r WHERE {where}"
                " GROUP BY r.organisation_id, r.need, r.status, r.outcome", params)

    async def people(self, within: SummaryFilter) -> list[tuple]:
        """Cases per district, Thai or foreign, found, age group and sex."""
        return [tuple(row) for row in await self.conn.execute_fetchall(*self.people_sql(within))]

    async def reasons(self, within: SummaryFilter) -> list[tuple]:
        """Cases per district, dropout cause and combination of needs."""
        return [tuple(row) for row in
                await self.conn.execute_fetchall(*self.reasons_sql(within))]

    async def referrals(self, within: SummaryFilter
                        ) -> list[tuple[str | None, str, str, str | None, int]]:
        """(unit, need, status, outcome, referrals)."""
        rows = await self.conn.execute_fetchall(*self.referrals_sql(within))
        return [tuple(row) for row in rows]  # type: ignore[misc]

    async def overdue(self, within: SummaryFilter, before: datetime) -> dict[str, int]:
        """Per unit, referrals still waiting for its answer since before `before`."""
        where, params = referral_condition(within)
        rows = await self.conn.execute_fetchall(
            "SELECT r.organisation_id, count(*) FROM referrals r"
            " WHERE r.status IN ('sent', 'info_requested') AND r.sent_at < ?"
            f" AND {where} GROUP BY r.organisation_id",
            [before.astimezone(UTC).isoformat(), *params])
        return {row[0]: row[1] for row in rows}

    async def days_to_accept(self, within: SummaryFilter) -> list[tuple[str, int, int]]:
        """(unit, whole days from sent to accepted, referrals)."""
        where, params = referral_condition(within)
        days = WHOLE_DAYS_SQL[self.conn.dialect].format(later="r.accepted_at",
                                                        earlier="r.sent_at")
        rows = await self.conn.execute_fetchall(
            f"SELECT r.organisation_id, {days}, count(*)"
            f" FROM referrals r WHERE r.accepted_at IS NOT NULL AND {where}"
            " GROUP BY 1, 2", params)
        return [tuple(row) for row in rows]  # type: ignore[misc]

    async def lists(self, since: datetime | None, district: str | None
                    ) -> list[tuple[str, str, int, int]]:
        """Children on imported lists: (district, status, Thai or not, children)."""
        sql = ("SELECT district_code, status, nationality <> 'thai', count(*) FROM leads"
               " WHERE 1 = 1")
        params: list[object] = []
        if since is not None:
            sql += " AND created_at >= ?"
            params.append(since.astimezone(UTC).isoformat())
        if district is not None:
            sql += " AND district_code = ?"
            params.append(district)
        rows = await self.conn.execute_fetchall(sql + " GROUP BY 1, 2, 3", params)
        return [tuple(row) for row in rows]  # type: ignore[misc]
