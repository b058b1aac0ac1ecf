"""Children and the cases opened for them."""

import heapq
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

import aiosqlite

from bot.domain import names
from bot.domain.models import Case, CaseSummary, Child, DuplicateCandidate, Need
from storage.sql import FOR_UPDATE_SQL, LIST_SQL, Connection, Row, hold_named_locks, placeholders
from storage.tallies import TallyRepository

_CASE_FIELDS = (
    "id", "code", "child_id", "teacher_id", "organisation_id", "status", "district_code",
    "subdistrict_code", "address", "latitude", "longitude", "found", "dropout_cause",
    "consent", "education_wish", "possible_duplicate_of", "created_at", "updated_at",
)
_CASE_COLUMNS = {
    dialect: ", ".join(f"c.{field}" for field in _CASE_FIELDS)
    + f", (SELECT {joined.format('n.need')} FROM case_needs n WHERE n.case_id = c.id) AS needs"
    for dialect, joined in LIST_SQL.items()}


_FILE_NAME = ("INSERT INTO case_name_keys (district_code, birth_year, key, case_id)"
              " VALUES (?, ?, ?, ?)")


def _name_rows(case_id: int, district_code: str, birth_year: int,
               name_key: str) -> list[tuple[str, int, str, int]]:
    return [(district_code, birth_year, key, case_id)
            for key in sorted(names.blocking_keys(name_key))]


async def index_every_name(conn: aiosqlite.Connection) -> None:
    """File every case already saved under its name's blocking keys: the data migration
    0018 cannot compute in SQL, run by `Database.migrate` in that migration's transaction.
    An erased child's name key is empty, and gives no key."""
    cursor = await conn.execute(
        "SELECT c.id, c.district_code, ch.birth_year, ch.name_key"
        " FROM cases c JOIN children ch ON ch.id = c.child_id WHERE ch.name_key <> ''")
    while batch := await cursor.fetchmany(10_000):
        await conn.executemany(_FILE_NAME, [row for case in batch
                                            for row in _name_rows(*case)])
    await cursor.close()


def _case(row: Row) -> Case:
    data = dict(row)
    data["needs"] = tuple(sorted(data["needs"].split(","))) if data["needs"] else ()
    return Case(**data)


def _child(row: Row) -> Child:
    return Child(**{key: value for key, value in dict(row).items()
                    if key not in ("name_key", "created_at")})


class CaseRepository:
    def __init__(self, conn: Connection, tallies: TallyRepository) -> None:
        self.conn = conn
        self.tallies = tallies

    async def next_code(self, prefix: str, year_be: int) -> str:
        rows = await self.conn.execute_fetchall(
            "INSERT INTO case_counters (prefix, year_be, last_value) VALUES (?, ?, 1)"
            " ON CONFLICT (prefix, year_be)"
            " DO UPDATE SET last_value = case_counters.last_value + 1"
            " RETURNING last_value",
            (prefix, year_be),
        )
        return f"{prefix}-{year_be}-{rows[0][0]:05d}"

    async def add_child(self, child: dict, *, name_key: str, now: datetime) -> Child:
        rows = await self.conn.execute_fetchall(
            "INSERT INTO children (given_name, family_name, nickname, name_key, sex,"
            " identity_type, identity_number, nationality, birth_date, birth_year,"
            " birth_estimated, guardian_name, guardian_phone, created_at)"
            " VALUES (:given_name, :family_name, :nickname, :name_key, :sex, :identity_type,"
            " :identity_number, :nationality, :birth_date, :birth_year, :birth_estimated,"
            " :guardian_name, :guardian_phone, :created_at) RETURNING *",
            {**child, "name_key": name_key, "created_at": now.isoformat()},
        )
        return _child(rows[0])

    async def add_case(self, case: dict, needs: tuple[Need, ...], *, now: datetime) -> Case:
        rows = await self.conn.execute_fetchall(
            "INSERT INTO cases (code, child_id, teacher_id, organisation_id, status,"
            " district_code, subdistrict_code, address, latitude, longitude, found,"
            " dropout_cause, consent, education_wish, possible_duplicate_of, submission_id,"
            " child_foreign, child_sex, age_group, needs_mask, created_at, updated_at)"
            " VALUES (:code, :child_id, :teacher_id, :organisation_id,"
            " :status, :district_code, :subdistrict_code, :address, :latitude, :longitude,"
            " :found, :dropout_cause, :consent, :education_wish, :possible_duplicate_of,"
            " :submission_id, :child_foreign, :child_sex, :age_group, :needs_mask, :now, :now)"
            f" RETURNING {', '.join(_CASE_FIELDS)}",
            {**case, "now": now.isoformat()},
        )
        added = dict(rows[0])
        await self.conn.executemany(
            "INSERT INTO case_needs (case_id, need) VALUES (?, ?)",
            [(added["id"], need) for need in needs],
        )
        await self.tallies.count_case(case, now, 1)
        return Case(**added, needs=tuple(sorted(needs)))

    async def set_status(self, case_id: int, status: str, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE cases SET status = ?, updated_at = ? WHERE id = ? AND status <> ?",
            (status, now.isoformat(), case_id, status))

    async def hold(self, case_id: int) -> None:
        """Keep other transactions from changing the case until this one ends, and wait
        for those changing it now: what this one then reads of the case's referrals is
        what they left (see `derive_case_status`)."""
        lock = FOR_UPDATE_SQL[self.conn.dialect]
        if lock:
            await self.conn.execute_fetchall("SELECT 1 FROM cases WHERE id = ?" + lock,
                                             (case_id,))

    async def set_district(self, case_id: int, district_code: str,
                           now: datetime) -> str | None:
        """The child moved: the new district, and no sub-district or address yet. The
        district it moved from; None when it already was in that one (moved by somebody
        else a moment ago). The case is read locked, so the tallies move from the district
        it really was in, even when two moves come at once."""
        rows = await self.conn.execute_fetchall(
            "SELECT district_code, child_foreign, found, age_group, child_sex, dropout_cause,"
            " needs_mask, created_at FROM cases WHERE id = ?"
            + FOR_UPDATE_SQL[self.conn.dialect], (case_id,))
        before = dict(rows[0])
        if before["district_code"] == district_code:
            return None
        await self.tallies.move_case(before, before["created_at"], district_code)
        await self.conn.execute(
            "UPDATE cases SET district_code = ?, subdistrict_code = NULL, address = NULL,"
            " latitude = NULL, longitude = NULL, updated_at = ? WHERE id = ?",
            (district_code, now.isoformat(), case_id))
        await self.conn.execute(
            "UPDATE case_name_keys SET district_code = ? WHERE case_id = ?",
            (district_code, case_id))
        return before["district_code"]

    async def file_name(self, case_id: int, *, district_code: str, birth_year: int,
                        name_key: str) -> None:
        """File a case under the blocking keys of its child's name, where the duplicate
        check looks (see migration 0018)."""
        await self.conn.execute("DELETE FROM case_name_keys WHERE case_id = ?", (case_id,))
        await self.conn.executemany(_FILE_NAME,
                                    _name_rows(case_id, district_code, birth_year, name_key))

    async def teachers(self, case_ids: Iterable[int]) -> dict[int, int]:
        """case id -> the id of the teacher who holds it."""
        ids = list(case_ids)
        if not ids:
            return {}
        rows = await self.conn.execute_fetchall(
            f"SELECT id, teacher_id FROM cases WHERE id IN ({placeholders(len(ids))})", ids)
        return {row[0]: row[1] for row in rows}

    async def get(self, case_id: int) -> Case | None:
        return (await self.many([case_id])).get(case_id)

    async def many(self, case_ids: Iterable[int]) -> dict[int, Case]:
        """case id -> case, for those that exist; one query however many."""
        ids = list(case_ids)
        if not ids:
            return {}
        rows = await self.conn.execute_fetchall(
            f"SELECT {_CASE_COLUMNS[self.conn.dialect]} FROM cases c"
            f" WHERE c.id IN ({placeholders(len(ids))})", ids)
        return {row["id"]: _case(row) for row in rows}

    async def hold_submission(self, submission_id: str) -> None:
        """Keep other transactions saving this draft waiting until this one ends: a double
        tap on Confirm, handled in two processes at once, then finds the case the first
        saved (`by_submission`) instead of failing on the submission's unique key."""
        await hold_named_locks(self.conn, [f"submission:{submission_id}"])

    async def by_submission(self, submission_id: str) -> Case | None:
        rows = await self.conn.execute_fetchall(
            f"SELECT {_CASE_COLUMNS[self.conn.dialect]} FROM cases c WHERE c.submission_id = ?",
            (submission_id,))
        return _case(rows[0]) if rows else None

    async def by_code(self, code: str) -> Case | None:
        rows = await self.conn.execute_fetchall(
            f"SELECT {_CASE_COLUMNS[self.conn.dialect]} FROM cases c WHERE c.code = ?", (code,)
        )
        return _case(rows[0]) if rows else None

    async def child(self, child_id: int) -> Child:
        return (await self.children([child_id]))[child_id]

    async def children(self, child_ids: Iterable[int]) -> dict[int, Child]:
        """child id -> child, for those that exist; one query however many."""
        ids = list(child_ids)
        if not ids:
            return {}
        rows = await self.conn.execute_fetchall(
            f"SELECT * FROM children WHERE id IN ({placeholders(len(ids))})", ids)
        return {row["id"]: _child(row) for row in rows}

    async def count_for_teacher(self, teacher_id: int) -> int:
        rows = await self.conn.execute_fetchall(
            "SELECT count(*) FROM cases WHERE teacher_id = ?", (teacher_id,)
        )
        return rows[0][0]

    async def page_for_teacher(
        self, teacher_id: int, *, offset: int, limit: int
    ) -> list[CaseSummary]:
        rows = await self.conn.execute_fetchall(
            "SELECT c.code, c.status, c.district_code, c.created_at,"
            " ch.given_name || coalesce(' ' || ch.family_name, '') AS child_name"
            " FROM cases c JOIN children ch ON ch.id = c.child_id"
            " WHERE c.teacher_id = ? ORDER BY c.id DESC LIMIT ? OFFSET ?",
            (teacher_id, limit, offset),
        )
        return [CaseSummary(**dict(row)) for row in rows]

    async def codes_by_identity(self, identity_number: str) -> list[tuple[int, str]]:
        rows = await self.conn.execute_fetchall(
            "SELECT c.id, c.code FROM children ch JOIN cases c ON c.child_id = ch.id"
            " WHERE ch.identity_number = ? ORDER BY c.id",
            (identity_number,),
        )
        return [(row[0], row[1]) for row in rows]

    async def codes_by_guardian_phone(self, phone: str) -> list[tuple[int, str]]:
        rows = await self.conn.execute_fetchall(
            "SELECT c.id, c.code FROM children ch JOIN cases c ON c.child_id = ch.id"
            " WHERE ch.guardian_phone = ? ORDER BY c.id",
            (phone,),
        )
        return [(row[0], row[1]) for row in rows]

    async def name_candidates(
        self, *, district_code: str, birth_years: Sequence[int], name_key: str,
        limit: int = names.MOST_CANDIDATES, per_key: int = names.MOST_PER_KEY,
    ) -> list[DuplicateCandidate]:
        """The cases of the district and birth years filed under a blocking key of
        `name_key`, never the whole cohort: of each key and year, the newest `per_key`
        (one index seek each, reading one more to know the key common); of these, the
        `limit` that share the most of its words through an uncommon key, then the most
        words, then the most keys, the newest first among equals.

        A common word ("aung", "mya") is shared by thousands in a big district: read whole,
        it would cost what reading the cohort did; counted like a rare one, its newest
        holders would push out an older look-alike that shares a rarer word besides. And
        the keys of one word (itself, its skeleton, its parts) count once: else the holders
        of one surname, matched four ways, outrank a child matched on both names."""
        keys = names.blocking_keys(name_key)
        pairs = [(year, key) for year in birth_years for key in sorted(keys)]
        if not pairs:
            return []
        # Each seek in a derived table of its own: a LIMIT applies to one branch of a
        # UNION only there (in SQLite as in PostgreSQL).
        seeks = " UNION ALL ".join(
            f"SELECT {index} AS seek, case_id FROM (SELECT case_id FROM case_name_keys"
            f" WHERE district_code = ? AND birth_year = ? AND key = ?"
            f" ORDER BY case_id DESC LIMIT ?) AS k{index}" for index in range(len(pairs)))
        found = await self.conn.execute_fetchall(seeks, [
            value for year, key in pairs for value in (district_code, year, key, per_key + 1)])
        # Ranked here, not in SQL: a window and two sorts over the thousand-odd rows cost
        # SQLite three times what the seeks do.
        holders: dict[int, list[int]] = {}
        for seek, case_id in found:
            holders.setdefault(seek, []).append(case_id)
        # Which of the name's words (and whole-name keys) a case shares, as bits of an int:
        # no set per case, whose allocations, a thousand a look-up, bring Python's garbage
        # collector round often enough to stall one look-up in fifty by 40 ms.
        bits = {evidence: 1 << index
                for index, evidence in enumerate({keys[key] or key for key in keys})}
        shared, uncommon, keys_shared = dict[int, int](), dict[int, int](), Counter[int]()
        for seek, case_ids in holders.items():
            key = pairs[seek][1]
            bit = bits[keys[key] or key]  # a whole-name key is evidence of its own
            keys_shared.update(case_ids)
            for case_id in case_ids:
                shared[case_id] = shared.get(case_id, 0) | bit
            if len(case_ids) <= per_key:
                for case_id in case_ids:
                    uncommon[case_id] = uncommon.get(case_id, 0) | bit
        ranked = heapq.nlargest(limit, shared, key=lambda case_id: (
            uncommon.get(case_id, 0).bit_count(), shared[case_id].bit_count(),
            keys_shared[case_id], case_id))
        if not ranked:
            return []
        rows = await self.conn.execute_fetchall(
            "SELECT c.id AS case_id, c.code, ch.name_key, ch.birth_year, ch.birth_estimated"
            " FROM cases c JOIN children ch ON ch.id = c.child_id"
            f" WHERE c.id IN ({placeholders(len(ranked))}) ORDER BY c.id", ranked)
        return [DuplicateCandidate(row["case_id"], row["code"], row["name_key"],
                                   row["birth_year"], bool(row["birth_estimated"]))
                for row in rows]

    async def erase_child(self, case_id: int, placeholder: str) -> int:
        """Remove what identifies the child of a case, keeping what the counts need (sex,
        birth year, nationality, district, cause, needs, status). The child's id."""
        rows = await self.conn.execute_fetchall(
            "SELECT child_id FROM cases WHERE id = ?", (case_id,))
        child_id = rows[0][0]
        # An erased child matches nobody: no key is left to find the case by.
        await self.conn.execute(
            "DELETE FROM case_name_keys WHERE case_id IN"
            " (SELECT id FROM cases WHERE child_id = ?)", (child_id,))
        await self.conn.execute(
            "UPDATE children SET given_name = ?, family_name = NULL, nickname = NULL,"
            " name_key = '', identity_number = NULL, birth_date = NULL, guardian_name = NULL,"
            " guardian_phone = NULL WHERE id = ?", (placeholder, child_id))
        await self.conn.execute(
            "UPDATE cases SET subdistrict_code = NULL, address = NULL, latitude = NULL,"
            " longitude = NULL WHERE id = ?", (case_id,))
        return child_id
