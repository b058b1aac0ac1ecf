"""Imported lists and the children on them that schools are to locate."""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict

from bot.domain.identity import IdentityType
from bot.domain.models import Nationality, Sex
from storage.sql import Connection, chunks, placeholders

# SQLite allows 999 parameters in older builds: look references up in chunks.
CHUNK = 900


class Lead(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    ref: str
    given_name: str
    family_name: str | None
    sex: Sex
    identity_type: IdentityType
    identity_number: str | None
    nationality: Nationality
    birth_date: str | None
    birth_year: int
    district_code: str
    subdistrict_code: str | None
    guardian_phone: str | None
    school_id: str | None
    status: str
    result_code: str | None

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)


class LeadRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def existing(self, column: str, values: Sequence[str], table: str) -> set[str]:
        """Which of `values` already appear in `table.column` (ref of leads, identity
        number of children)."""
        if (table, column) not in {("leads", "ref"), ("children", "identity_number")}:
            raise ValueError(f"not a lookup: {table}.{column}")
        found: set[str] = set()
        for chunk in chunks(values, CHUNK):
            rows = await self.conn.execute_fetchall(
                f"SELECT {column} FROM {table} WHERE {column} IN"
                f" ({placeholders(len(chunk))})", list(chunk))
            found.update(row[0] for row in rows)
        return found

    async def add_import(self, *, file_name: str, imported_by: int | None, now: datetime,
                         total: int, rejected: int) -> int:
        """The import, before its rows: how many were added is counted as they are."""
        rows = await self.conn.execute_fetchall(
            "INSERT INTO imports (file_name, imported_by, imported_at, total, added, already,"
            " rejected) VALUES (?, ?, ?, ?, 0, 0, ?) RETURNING id",
            (file_name, imported_by, now.astimezone(UTC).isoformat(), total, rejected))
        return rows[0][0]

    async def count_import(self, import_id: int, *, added: int, already: int) -> None:
        await self.conn.execute("UPDATE imports SET added = ?, already = ? WHERE id = ?",
                                (added, already, import_id))

    async def add_many(self, import_id: int, leads: Iterable[dict[str, object]],
                       now: datetime) -> None:
        await self.conn.executemany(
            "INSERT INTO leads (ref, import_id, given_name, family_name, sex, identity_type,"
            " identity_number, nationality, birth_date, birth_year, district_code,"
            " subdistrict_code, guardian_phone, school_id, created_at) VALUES (:ref,"
            " :import_id, :given_name, :family_name, :sex, :identity_type, :identity_number,"
            " :nationality, :birth_date, :birth_year, :district_code, :subdistrict_code,"
            " :guardian_phone, :school_id, :now)",
            ({**lead, "import_id": import_id, "now": now.astimezone(UTC).isoformat()}
             for lead in leads))

    async def get(self, lead_id: int) -> Lead | None:
        rows = await self.conn.execute_fetchall("SELECT * FROM leads WHERE id = ?", (lead_id,))
        return Lead(**dict(rows[0])) if rows else None

    async def count_to_locate(self, school_id: str) -> int:
        rows = await self.conn.execute_fetchall(
            "SELECT count(*) FROM leads WHERE school_id = ? AND status = 'to_locate'",
            (school_id,))
        return rows[0][0]

    async def page_to_locate(self, school_id: str, *, offset: int, limit: int) -> list[Lead]:
        rows = await self.conn.execute_fetchall(
            "SELECT * FROM leads WHERE school_id = ? AND status = 'to_locate'"
            " ORDER BY id LIMIT ? OFFSET ?", (school_id, limit, offset))
        return [Lead(**dict(row)) for row in rows]

    async def mark(self, lead_id: int, *, status: str, result_code: str | None, by: int,
                   now: datetime) -> bool:
        """Record what the school found; False when somebody already had."""
        cursor = await self.conn.execute(
            "UPDATE leads SET status = ?, result_code = ?, marked_by = ?, marked_at = ?"
            " WHERE id = ? AND status = 'to_locate'",
            (status, result_code, by, now.astimezone(UTC).isoformat(), lead_id))
        return cursor.rowcount == 1

    async def by_ref(self, ref: str) -> Lead | None:
        rows = await self.conn.execute_fetchall("SELECT * FROM leads WHERE ref = ?", (ref,))
        return Lead(**dict(rows[0])) if rows else None

    async def with_identity(self, identity_number: str) -> list[int]:
        """The list rows of a child known by this identity number."""
        rows = await self.conn.execute_fetchall(
            "SELECT id FROM leads WHERE identity_number = ? ORDER BY id", (identity_number,))
        return [row[0] for row in rows]

    async def erase(self, lead_ids: Sequence[int], placeholder: str) -> None:
        """Remove what identifies the child of these rows, keeping the list's reference (so
        that importing the list again does not bring them back) and what the counts need
        (sex, birth year, nationality, district, school, status)."""
        for chunk in chunks(lead_ids, CHUNK):
            await self.conn.execute(
                "UPDATE leads SET given_name = ?, family_name = NULL, identity_number = NULL,"
                " birth_date = NULL, subdistrict_code = NULL, guardian_phone = NULL"
                f" WHERE id IN ({placeholders(len(chunk))})", [placeholder, *chunk])
