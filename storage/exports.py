"""The case list of an export, streamed a chunk at a time, so that a hundred thousand cases
never sit in memory.

Each chunk is its own statement, taking up after the last case of the one before (by id,
which the primary key keeps in order): no statement stays open between chunks, so the
connection it runs on keeps answering everyone else with fresh data and a checkpoint is
never held back by an export being written.
"""

from collections.abc import AsyncIterator

from storage.sql import Connection
from storage.summaries import SummaryFilter, case_condition

CASE_LIST_COLUMNS = ("code", "created_at", "district_code", "subdistrict_code", "found",
                     "child_foreign", "nationality", "child_sex", "age_group", "dropout_cause",
                     "needs_mask", "status", "organisation")
CHUNK = 2000


class ExportRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def case_list(self, within: SummaryFilter, chunk: int = CHUNK
                        ) -> AsyncIterator[tuple]:
        """Cases in `within`, oldest first: the columns above, read `chunk` at a time.
        Least data: no name, no identity number, no guardian."""
        where, params = case_condition(within)
        after = 0
        while True:
            rows = list(await self.conn.execute_fetchall(
                "SELECT c.id, c.code, c.created_at, c.district_code, c.subdistrict_code,"
                " c.found, c.child_foreign, ch.nationality, c.child_sex, c.age_group,"
                " c.dropout_cause, c.needs_mask, c.status, c.organisation_id"
                " FROM cases c JOIN children ch ON ch.id = c.child_id"
                f" WHERE c.id > ? AND {where} ORDER BY c.id LIMIT ?",
                [after, *params, chunk]))
            for row in rows:
                yield tuple(row)[1:]
            if len(rows) < chunk:
                return
            after = rows[-1][0]
