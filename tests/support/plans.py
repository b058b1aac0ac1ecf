"""What PostgreSQL does with a repository's SQL: the statements a connection runs, and the
plan the planner picks for one. The twins of the SQLite tests that read
`set_trace_callback` and `EXPLAIN QUERY PLAN`."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from storage.postgres import PgConnection, PostgresDatabase
from storage.sql import Params


@contextmanager
def statements_run(conn: PgConnection) -> Iterator[list[tuple[str, Params]]]:
    """Each statement `conn` runs inside the block, with its values, in order (an
    executemany counts once: one statement, run for each row in one round trip)."""
    run: list[tuple[str, Params]] = []

    def logged(method: Any) -> Any:
        async def call(sql: str, parameters: Any = ()) -> Any:
            run.append((sql, parameters))
            return await method(sql, parameters)
        return call

    methods = ("execute", "execute_fetchall", "executemany")
    for name in methods:
        setattr(conn, name, logged(getattr(conn, name)))
    try:
        yield run
    finally:
        for name in methods:
            delattr(conn, name)  # the class's own again


async def plan_nodes(db: PostgresDatabase, sql: str, parameters: Params, *,
                     seqscan: bool = True) -> list[dict[str, Any]]:
    """The nodes of the plan PostgreSQL picks for `sql` with these values, parents first.
    `seqscan=False` hides sequential reads from the planner: on a test's few hundred rows
    reading the whole table is rightly cheapest, so the plan shown is the best the indexes
    give."""
    async with db.unit_of_work() as uow:
        if not seqscan:
            await uow.conn.execute("SET LOCAL enable_seqscan = off")
        rows = await uow.conn.execute_fetchall("EXPLAIN (FORMAT JSON) " + sql, parameters)
    nodes: list[dict[str, Any]] = []
    pending = [json.loads(rows[0][0])[0]["Plan"]]
    while pending:
        node = pending.pop(0)
        nodes.append(node)
        pending.extend(node.get("Plans", []))
    return nodes


def reads(nodes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(node type, index or table) of each node that reads a table or an index."""
    return [(node["Node Type"], node.get("Index Name") or node["Relation Name"])
            for node in nodes if "Relation Name" in node or "Index Name" in node]
