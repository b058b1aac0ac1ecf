"""The case list of an export, read in a worker thread with its own connection, row by row,
so that a hundred thousand cases never sit in memory and the bot's loop never waits."""

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

CASE_LIST_COLUMNS = ("code", "created_at", "district_code", "subdistrict_code", "found",
                     "child_foreign", "nationality", "child_sex", "age_group", "dropout_cause",
                     "needs_mask", "status", "organisation")


def iter_case_list(path: Path, where: str, params: Sequence[object]) -> Iterator[tuple]:
    """Cases in `where` (a condition on cases `c`), oldest first: the columns above. Least
    data: no name, no identity number, no guardian."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        cursor = conn.execute(
            "SELECT c.code, c.created_at, c.district_code, c.subdistrict_code, c.found,"
            " c.child_foreign, ch.nationality, c.child_sex, c.age_group, c.dropout_cause,"
            " c.needs_mask, c.status, c.organisation_id"
            f" FROM cases c JOIN children ch ON ch.id = c.child_id WHERE {where}"
            " ORDER BY c.id", params)
        while rows := cursor.fetchmany(2000):
            yield from rows
    finally:
        conn.close()
