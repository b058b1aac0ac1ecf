"""Schools and agency units, as loaded from the directory file."""

from collections.abc import Iterable

from bot.domain.models import Organisation
from storage.sql import LIST_SQL, Connection, Row, placeholders

_SELECT = {dialect: (
    "SELECT o.id, o.kind, o.name_th, o.name_en, o.short_th, o.short_en, o.parent_id, o.active,"
    " o.serves_needs, o.serves_wishes, o.min_age, o.max_age,"
    f" (SELECT {joined.format('d.district_code')} FROM organisation_districts d"
    "  WHERE d.organisation_id = o.id) AS districts"
    " FROM organisations o"
) for dialect, joined in LIST_SQL.items()}


def _organisation(row: Row) -> Organisation:
    districts = tuple(sorted(row["districts"].split(","))) if row["districts"] else ()
    return Organisation(
        id=row["id"], kind=row["kind"], name_th=row["name_th"], name_en=row["name_en"],
        short_th=row["short_th"], short_en=row["short_en"], parent_id=row["parent_id"],
        districts=districts, active=bool(row["active"]),
        serves_needs=_keys(row["serves_needs"]), serves_wishes=_keys(row["serves_wishes"]),
        min_age=row["min_age"], max_age=row["max_age"],
    )


def _keys(column: str) -> tuple[str, ...]:
    return tuple(column.split(",")) if column else ()


class OrganisationRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, organisation_id: str) -> Organisation | None:
        """The unit, active or not: old cases and users still point at dropped units."""
        return (await self.many([organisation_id])).get(organisation_id)

    async def many(self, organisation_ids: Iterable[str]) -> dict[str, Organisation]:
        """id -> unit, active or not, for those that exist; one query however many."""
        ids = list(organisation_ids)
        if not ids:
            return {}
        rows = await self.conn.execute_fetchall(
            _SELECT[self.conn.dialect] + f" WHERE o.id IN ({placeholders(len(ids))})", ids)
        return {row["id"]: _organisation(row) for row in rows}

    async def active(self, kinds: Iterable[str] | None = None) -> list[Organisation]:
        sql, params = _SELECT[self.conn.dialect] + " WHERE o.active = 1", []
        if kinds is not None:
            kinds = list(kinds)
            sql += f" AND o.kind IN ({placeholders(len(kinds))})"
            params.extend(kinds)
        rows = await self.conn.execute_fetchall(sql + " ORDER BY o.kind, o.id", params)
        return [_organisation(row) for row in rows]

    async def replace_all(self, organisations: list[Organisation]) -> None:
        """Make the directory exactly `organisations`.

        Units that disappear from the file are deactivated, not deleted: users and cases
        still point at them.
        """
        await self.conn.execute("UPDATE organisations SET active = 0")
        # Parents first, so the foreign key holds row by row.
        pending = {org.id: org for org in organisations}
        ordered: list[Organisation] = []
        while pending:
            ready = [o for o in pending.values() if o.parent_id not in pending]
            if not ready:
                raise ValueError(f"organisation parents form a cycle: {sorted(pending)}")
            for org in ready:
                ordered.append(pending.pop(org.id))
        for org in ordered:
            await self.conn.execute(
                "INSERT INTO organisations (id, kind, name_th, name_en, short_th, short_en,"
                " parent_id, serves_needs, serves_wishes, min_age, max_age, active)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"
                " ON CONFLICT (id) DO UPDATE SET kind = excluded.kind,"
                " name_th = excluded.name_th, name_en = excluded.name_en,"
                " short_th = excluded.short_th, short_en = excluded.short_en,"
                " parent_id = excluded.parent_id, serves_needs = excluded.serves_needs,"
                " serves_wishes = excluded.serves_wishes, min_age = excluded.min_age,"
                " max_age = excluded.max_age, active = 1",
                (org.id, org.kind, org.name_th, org.name_en, org.short_th, org.short_en,
                 org.parent_id, ",".join(org.serves_needs), ",".join(org.serves_wishes),
                 org.min_age, org.max_age),
            )
            await self.conn.execute(
                "DELETE FROM organisation_districts WHERE organisation_id = ?", (org.id,)
            )
            await self.conn.executemany(
                "INSERT INTO organisation_districts (organisation_id, district_code)"
                " VALUES (?, ?)",
                [(org.id, code) for code in org.districts],
            )
