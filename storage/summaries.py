"""The grouped queries behind summaries. `where` is a condition on cases `c`, built by the
summary service from fixed clauses with `?` parameters; no user text goes into it."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

import aiosqlite

# Plans the summary tests check: the case cube must come from its covering index.
CUBE_COLUMNS = ("c.district_code, c.child_foreign, c.child_sex, c.age_group, c.found,"
                " c.dropout_cause, c.needs_mask")


class SummaryRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    @staticmethod
    def cube_sql(where: str) -> str:
        return (f"SELECT {CUBE_COLUMNS}, count(*) FROM cases c WHERE {where}"
                f" GROUP BY {CUBE_COLUMNS}")

    async def cube(self, where: str, params: Sequence[object]) -> list[tuple]:
        """Counts of cases per combination of everything the report tables count."""
        rows = await self.conn.execute_fetchall(self.cube_sql(where), params)
        return [tuple(row) for row in rows]

    async def returns(self, where: str, params: Sequence[object], returned: Sequence[str],
                      unit: str | None) -> list[tuple[str, int, int]]:
        """(unit, children referred to it, children back in education through it)."""
        marks = ", ".join("?" * len(returned))
        sql = (f"SELECT r.organisation_id, count(DISTINCT r.case_id),"
               f" count(DISTINCT CASE WHEN r.status = 'completed' AND r.outcome IN ({marks})"
               f" THEN r.case_id END)"
               f" FROM referrals r JOIN cases c ON c.id = r.case_id"
               f" WHERE r.organisation_id IS NOT NULL AND r.status <> 'proposed' AND {where}")
        args: list[object] = [*returned, *params]
        if unit is not None:
            sql += " AND r.organisation_id = ?"
            args.append(unit)
        rows = await self.conn.execute_fetchall(sql + " GROUP BY r.organisation_id", args)
        return [(row[0], row[1], row[2]) for row in rows]

    async def referrals(self, where: str, params: Sequence[object], overdue_before: datetime,
                        unit: str | None) -> list[tuple[str | None, str, str | None, int, int]]:
        """(unit, status, outcome, referrals, of which overdue) for sent referrals."""
        sql = ("SELECT r.organisation_id, r.status, r.outcome, count(*),"
               " sum(CASE WHEN r.status IN ('sent', 'info_requested') AND r.sent_at < ?"
               " THEN 1 ELSE 0 END)"
               " FROM referrals r JOIN cases c ON c.id = r.case_id"
               f" WHERE r.status <> 'proposed' AND {where}")
        args: list[object] = [overdue_before.astimezone(UTC).isoformat(), *params]
        if unit is not None:
            sql += " AND r.organisation_id = ?"
            args.append(unit)
        rows = await self.conn.execute_fetchall(
            sql + " GROUP BY r.organisation_id, r.status, r.outcome", args)
        return [(row[0], row[1], row[2], row[3], row[4]) for row in rows]

    async def days_to_accept(self, where: str, params: Sequence[object],
                             unit: str | None) -> dict[str, list[tuple[int, int]]]:
        """Per unit, how many referrals were accepted after how many whole days."""
        # julianday() is SQLite's; PostgreSQL would use extract(epoch from ...).
        sql = ("SELECT r.organisation_id,"
               " CAST(julianday(r.accepted_at) - julianday(r.sent_at) AS INTEGER), count(*)"
               " FROM referrals r JOIN cases c ON c.id = r.case_id"
               f" WHERE r.accepted_at IS NOT NULL AND {where}")
        args: list[object] = [*params]
        if unit is not None:
            sql += " AND r.organisation_id = ?"
            args.append(unit)
        rows = await self.conn.execute_fetchall(sql + " GROUP BY 1, 2", args)
        found: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for unit_id, days, number in rows:
            found[unit_id].append((days, number))
        return found
