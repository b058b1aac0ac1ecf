"""Running counts behind the province and district summaries (migration 0008).

Every change to a case or a referral adjusts them in its own transaction, so they are as
exact as the tables. `rebuild` recounts them from the tables in one transaction (after a
bulk load, or at the first start after the migration).
"""

from collections.abc import Mapping
from datetime import datetime, tzinfo

from storage.sql import (
    LOCAL_DAY_SQL,
    WHOLE_DAYS_SQL,
    Connection,
    Dialect,
    local_day_zone,
    placeholders,
)

UPSERT = " ON CONFLICT ({keys}) DO UPDATE SET n = {table}.n + excluded.n"
TABLES = ("tally_people", "tally_causes", "tally_needs", "tally_referrals", "tally_accept_days")
# EXCLUSIVE: conflicts with the ROW EXCLUSIVE lock every INSERT and UPDATE takes, and with
# itself (two rebuilds one after the other), not with reading. SQLite's writer is alone.
HOLD_SQL: dict[Dialect, str | None] = {
    "sqlite": None,
    "postgresql": f"LOCK TABLE {', '.join(TABLES)} IN EXCLUSIVE MODE",
}


class TallyRepository:
    def __init__(self, conn: Connection, tz: tzinfo) -> None:
        self.conn = conn
        self.tz = tz

    def day(self, moment: datetime | str) -> str:
        """The local day of a moment (an aware datetime or its stored ISO text)."""
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        return moment.astimezone(self.tz).date().isoformat()

    async def _add(self, table: str, keys: Mapping[str, object], n: int) -> None:
        columns = ", ".join(keys)
        await self.conn.execute(
            f"INSERT INTO {table} ({columns}, n) VALUES ({placeholders(len(keys))}, ?)"
            + UPSERT.format(keys=columns, table=table), [*keys.values(), n])

    async def _shift(self, table: str, old: Mapping[str, object],
                     new: Mapping[str, object]) -> None:
        """Count one thing out of the `old` tally and into the `new` one. The two rows are
        locked in the order of their keys, whichever way the thing moves: two transactions
        moving things between the same two tallies in opposite directions then wait for one
        another instead of deadlocking (PostgreSQL)."""
        if old == new:
            return
        for keys, n in sorted(((old, -1), (new, 1)),
                              key=lambda pair: [str(value) for value in pair[0].values()]):
            await self._add(table, keys, n)

    def _case_tallies(self, case: Mapping[str, object],
                      created: datetime | str) -> dict[str, dict[str, object]]:
        """The tally table -> the keys a case is counted under."""
        day, district = self.day(created), case["district_code"]
        return {
            "tally_people": {"day": day, "district_code": district,
                             "child_foreign": case["child_foreign"], "found": case["found"],
                             "age_group": case["age_group"], "child_sex": case["child_sex"]},
            "tally_causes": {"day": day, "district_code": district,
                             "dropout_cause": case["dropout_cause"] or ""},
            "tally_needs": {"day": day, "district_code": district,
                            "needs_mask": case["needs_mask"]}}

    def _referral_keys(self, referral: Mapping[str, object]) -> dict[str, object]:
        return {"day": self.day(str(referral["created_at"])),
                "organisation_id": referral["organisation_id"] or "", "need": referral["need"],
                "status": referral["status"], "outcome": referral["outcome"] or ""}

    async def count_case(self, case: Mapping[str, object], created: datetime | str,
                         n: int) -> None:
        """Count a case in (n=1) or out (n=-1) of the tallies of its day and district."""
        for table, keys in self._case_tallies(case, created).items():
            await self._add(table, keys, n)

    async def move_case(self, case: Mapping[str, object], created: datetime | str,
                        district_code: str) -> None:
        """A case counted in another district from now on."""
        old = self._case_tallies(case, created)
        new = self._case_tallies({**case, "district_code": district_code}, created)
        for table in old:
            await self._shift(table, old[table], new[table])

    async def count_referral(self, referral: Mapping[str, object], n: int) -> None:
        await self._add("tally_referrals", self._referral_keys(referral), n)

    async def count_accepted(self, referral: Mapping[str, object], n: int) -> None:
        """A referral accepted after so many whole days."""
        sent = datetime.fromisoformat(str(referral["sent_at"]))
        accepted = datetime.fromisoformat(str(referral["accepted_at"]))
        await self._add("tally_accept_days", {
            "day": self.day(str(referral["created_at"])),
            "organisation_id": referral["organisation_id"] or "",
            "days": (accepted - sent).days}, n)

    async def move_referral(self, before: Mapping[str, object],
                            after: Mapping[str, object]) -> None:
        """A referral changed from `before` to `after`: counted under its new status,
        unit and outcome, and among those accepted once it was."""
        await self._shift("tally_referrals", self._referral_keys(before),
                          self._referral_keys(after))
        if after["accepted_at"] and not before["accepted_at"]:
            await self.count_accepted(after, 1)

    async def hold(self) -> None:
        """Keep every other writer of the tallies waiting until this transaction ends (see
        `rebuild`); readers go on."""
        sql = HOLD_SQL[self.conn.dialect]
        if sql is not None:
            await self.conn.execute(sql)

    async def rebuild(self) -> None:
        """Recount every tally from the cases and referrals.

        On PostgreSQL other processes go on registering and changing referrals meanwhile:
        the tables are held first (`hold`), which waits for the transactions already
        counting to commit, so that the recount sees their rows, and makes those that come
        later wait to count theirs on top of it. A table lock, not an advisory one: every
        write of a tally takes the table's ROW EXCLUSIVE lock anyway, so the live writers
        pay nothing for it, and none can forget it."""
        await self.hold()
        dialect = self.conn.dialect
        zone = local_day_zone(dialect, self.tz)
        for table in TABLES:
            await self.conn.execute(f"DELETE FROM {table}")
        day = LOCAL_DAY_SQL[dialect].format("created_at")
        await self.conn.execute(
            "INSERT INTO tally_people (day, district_code, child_foreign, found, age_group,"
            f" child_sex, n) SELECT {day}, district_code, child_foreign, found, age_group,"
            " child_sex, count(*) FROM cases GROUP BY 1, 2, 3, 4, 5, 6", (zone,))
        await self.conn.execute(
            "INSERT INTO tally_causes (day, district_code, dropout_cause, n)"
            f" SELECT {day}, district_code, coalesce(dropout_cause, ''), count(*) FROM cases"
            " GROUP BY 1, 2, 3", (zone,))
        await self.conn.execute(
            "INSERT INTO tally_needs (day, district_code, needs_mask, n)"
            f" SELECT {day}, district_code, needs_mask, count(*) FROM cases GROUP BY 1, 2, 3",
            (zone,))
        await self.conn.execute(
            "INSERT INTO tally_referrals (day, organisation_id, need, status, outcome, n)"
            f" SELECT {day}, coalesce(organisation_id, ''), need, status, coalesce(outcome, ''),"
            " count(*) FROM referrals GROUP BY 1, 2, 3, 4, 5", (zone,))
        await self.conn.execute(
            "INSERT INTO tally_accept_days (day, organisation_id, days, n)"
            f" SELECT {day}, coalesce(organisation_id, ''),"
            f" {WHOLE_DAYS_SQL[dialect].format(later='accepted_at', earlier='sent_at')},"
            " count(*)"
            " FROM referrals WHERE accepted_at IS NOT NULL GROUP BY 1, 2, 3", (zone,))

    # --- what the summaries read ----------------------------------------------------------

    async def people(self, since: str, district: str | None) -> list[tuple]:
        return await self._sum("tally_people", "district_code, child_foreign, found,"
                               " age_group, child_sex", since, district)

    async def causes(self, since: str, district: str | None) -> list[tuple]:
        return await self._sum("tally_causes", "district_code, dropout_cause", since, district)

    async def needs(self, since: str, district: str | None) -> list[tuple]:
        return await self._sum("tally_needs", "district_code, needs_mask", since, district)

    async def referrals(self, since: str) -> list[tuple]:
        return await self._sum("tally_referrals", "organisation_id, need, status, outcome",
                               since, None)

    async def accept_days(self, since: str) -> list[tuple]:
        return await self._sum("tally_accept_days", "organisation_id, days", since, None)

    async def _sum(self, table: str, columns: str, since: str,
                   district: str | None) -> list[tuple]:
        sql, params = f"SELECT {columns}, sum(n) FROM {table} WHERE day >= ?", [since]
        if district is not None:
            sql += " AND district_code = ?"
            params.append(district)
        rows = await self.conn.execute_fetchall(
            sql + f" GROUP BY {columns} HAVING sum(n) <> 0", params)
        return [tuple(row) for row in rows]
