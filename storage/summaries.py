"""The grouped queries behind summaries.

`where` is a condition on cases `c` (or, for referral figures, on referrals `r`) built by
the summary service from fixed clauses with `?` parameters; no user text goes into it.
Each grouping follows the column order of its index (migration 0006), so SQLite streams
through the index and never sorts.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import aiosqlite

PEOPLE_COLUMNS = "c.district_code, c.child_foreign, c.found, c.age_group, c.child_sex"
# District first in both: one index serves the province and a district alike.
REASON_COLUMNS = "c.district_code, c.dropout_cause, c.needs_mask"


class SummaryRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    @staticmethod
    def people_sql(where: str) -> str:
        return (f"SELECT {PEOPLE_COLUMNS}, count(*) FROM cases c WHERE {where}"
                f" GROUP BY {PEOPLE_COLUMNS}")

    @staticmethod
    def reasons_sql(where: str) -> str:
        return (f"SELECT {REASON_COLUMNS}, count(*) FROM cases c WHERE {where}"
                f" GROUP BY {REASON_COLUMNS}")

    async def people(self, where: str, params: Sequence[object]) -> list[tuple]:
        """Cases per district, Thai or foreign, found, age group and sex."""
        return [tuple(row) for row in
                await self.conn.execute_fetchall(self.people_sql(where), params)]

    async def reasons(self, where: str, params: Sequence[object]) -> list[tuple]:
        """Cases per district, dropout cause and combination of needs."""
        return [tuple(row) for row in
                await self.conn.execute_fetchall(self.reasons_sql(where), params)]

    @staticmethod
    def referrals_sql(where: str) -> str:
        return ("SELECT r.organisation_id, r.need, r.status, r.outcome, count(*)"
                f" FROM referrals r WHERE {where}"
                " GROUP BY r.organisation_id, r.need, r.status, r.outcome")

    async def referrals(self, where: str, params: Sequence[object]
                        ) -> list[tuple[str | None, str, str, str | None, int]]:
        """(unit, need, status, outcome, referrals)."""
        rows = await self.conn.execute_fetchall(self.referrals_sql(where), params)
        return [tuple(row) for row in rows]  # type: ignore[misc]

    async def overdue(self, where: str, params: Sequence[object],
                      before: datetime) -> dict[str, int]:
        """Per unit, referrals still waiting for its answer since before `before`."""
        rows = await self.conn.execute_fetchall(
            "SELECT r.organisation_id, count(*) FROM referrals r"
            " WHERE r.status IN ('sent', 'info_requested') AND r.sent_at < ?"
            f" AND {where} GROUP BY r.organisation_id",
            [before.astimezone(UTC).isoformat(), *params])
        return {row[0]: row[1] for row in rows}

    async def days_to_accept(self, where: str, params: Sequence[object]
                             ) -> list[tuple[str, int, int]]:
        """(unit, whole days from sent to accepted, referrals)."""
        # julianday() is SQLite's; PostgreSQL would use extract(epoch from ...).
        rows = await self.conn.execute_fetchall(
            "SELECT r.organisation_id,"
            " CAST(julianday(r.accepted_at) - julianday(r.sent_at) AS INTEGER), count(*)"
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
