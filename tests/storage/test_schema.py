"""SQLite and PostgreSQL have the same schema: the SQLite migrations and the PostgreSQL
ones (a baseline, then pairs) are applied to fresh databases, each schema is read from its
own catalog, and the two are compared fact by fact.

The types compare by affinity (SQLite's rules, which PostgreSQL's names follow too: bigint
is an integer, double precision a real), and the SQL of defaults, CHECK constraints and
partial-index predicates after PostgreSQL's rewriting is undone (casts, `= ANY (ARRAY[...])`,
parentheses, keyword case).
"""

import re
import sqlite3
from pathlib import Path

import asyncpg

from storage.database import Database, migration_files

# Kept by the migration runner, not by the migration files.
RUNNER_TABLES = {"schema_migrations"}

Fact = tuple[object, ...]


def affinity(declared: str) -> str:
    """SQLite's column affinity of a declared type (https://sqlite.org/datatype3.html 3.1);
    PostgreSQL's bytea is SQLite's blob."""
    kind = declared.upper()
    if "INT" in kind:
        return "integer"
    if any(word in kind for word in ("CHAR", "CLOB", "TEXT")):
        return "text"
    if kind in ("", "BLOB", "BYTEA"):
        return "blob"
    if any(word in kind for word in ("REAL", "FLOA", "DOUB")):
        return "real"
    return "numeric"


def expression(sql: str | None) -> str | None:
    """A default, CHECK expression or index predicate in one spelling for both databases."""
    if sql is None:
        return None
    sql = re.sub(r"::(double precision|character varying|\w+)", "", sql)
    sql = re.sub(r"(\w+) = ANY \(ARRAY\[(.*?)\]\)", r"\1 IN (\2)", sql)
    parts = sql.split("'")  # outside string literals (the even parts): no case, no brackets
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"\s+", " ", parts[i].replace("(", " ").replace(")", " ")).lower()
    return "'".join(parts).strip()


def checks_in(table_sql: str) -> list[str]:
    """The expressions of the CHECK constraints written in a CREATE TABLE statement."""
    found = []
    for start in (m.end() for m in re.finditer(r"\bCHECK\s*\(", table_sql, re.IGNORECASE)):
        depth, quoted, end = 1, False, start
        while depth:
            char = table_sql[end]
            if char == "'":
                quoted = not quoted
            elif not quoted:
                depth += {"(": 1, ")": -1}.get(char, 0)
            end += 1
        found.append(table_sql[start:end - 1])
    return found


def sqlite_schema(path: Path) -> set[Fact]:
    conn = sqlite3.connect(path)
    try:
        facts: set[Fact] = set()
        tables = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"
                              " AND name NOT LIKE 'sqlite_%'").fetchall()
        for table, table_sql in tables:
            if table in RUNNER_TABLES:
                continue
            columns = conn.execute(f"PRAGMA table_info({table})").fetchall()
            key = [c[1] for c in sorted(columns, key=lambda c: c[5]) if c[5]]  # c[5]: pk
            facts.add(("columns", table, tuple(column[1] for column in columns)))
            facts.add(("primary key", table, tuple(key)))
            for _, name, declared, not_null, default, pk in columns:
                # INTEGER PRIMARY KEY is SQLite's rowid: PostgreSQL's identity column. A
                # primary key's columns are NOT NULL (SQLite lets a TEXT one hold NULL, an
                # old bug kept for compatibility; the code never stores one).
                rowid = declared.upper() == "INTEGER" and key == [name]
                facts.add(("column", table, name, affinity(declared), bool(not_null or pk),
                           expression(default), rowid))
            for check in checks_in(table_sql):
                facts.add(("check", table, expression(check)))
            for fk_id in {row[0] for row in conn.execute(f"PRAGMA foreign_key_list({table})")}:
                rows = sorted(row for row in conn.execute(f"PRAGMA foreign_key_list({table})")
                              if row[0] == fk_id)
                _, _, target, _, _, on_update, on_delete, _ = rows[0]
                facts.add(("foreign key", table, tuple(row[3] for row in rows), target,
                           tuple(row[4] for row in rows), on_delete, on_update))
            for _, index, unique, origin, _ in conn.execute(f"PRAGMA index_list({table})"):
                columns_of = tuple(row[2] for row in conn.execute(f"PRAGMA index_info({index})"))
                if origin == "u":
                    facts.add(("unique", table, columns_of))
                elif origin == "c":
                    (index_sql,) = conn.execute(
                        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
                        (index,)).fetchone()
                    where = re.search(r"\bWHERE\b(.*)$", index_sql, re.IGNORECASE | re.DOTALL)
                    facts.add(("index", index, table, columns_of, bool(unique),
                               expression(where.group(1)) if where else None))
        return facts
    finally:
        conn.close()


_PG_RULES = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL",
             "d": "SET DEFAULT"}
_PG_COLUMNS = """
    SELECT array_agg(a.attname ORDER BY k.n) FROM unnest({keys}) WITH ORDINALITY AS k (attnum, n)
    JOIN pg_attribute AS a ON a.attrelid = {table} AND a.attnum = k.attnum"""


async def postgres_schema(conn: asyncpg.Connection) -> set[Fact]:
    facts: set[Fact] = set()
    columns = await conn.fetch(
        "SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity"
        " FROM information_schema.columns WHERE table_schema = 'public'"
        " ORDER BY table_name, ordinal_position")
    names: dict[str, list[str]] = {}
    for row in columns:
        names.setdefault(row["table_name"], []).append(row["column_name"])
        facts.add(("column", row["table_name"], row["column_name"], affinity(row["data_type"]),
                   row["is_nullable"] == "NO", expression(row["column_default"]),
                   row["is_identity"] == "YES"))
    facts.update(("columns", table, tuple(each)) for table, each in names.items())
    constraints = await conn.fetch(f"""
        SELECT c.contype::text, t.relname AS table_name, pg_get_constraintdef(c.oid) AS definition,
               ({_PG_COLUMNS.format(keys="c.conkey", table="c.conrelid")}) AS columns,
               f.relname AS target,
               ({_PG_COLUMNS.format(keys="c.confkey", table="c.confrelid")}) AS target_columns,
               c.confdeltype::text, c.confupdtype::text
        FROM pg_constraint AS c JOIN pg_class AS t ON t.oid = c.conrelid
        JOIN pg_namespace AS s ON s.oid = t.relnamespace AND s.nspname = 'public'
        LEFT JOIN pg_class AS f ON f.oid = c.confrelid""")
    for row in constraints:
        table, kind = row["table_name"], row["contype"]
        if kind == "p":
            facts.add(("primary key", table, tuple(row["columns"])))
        elif kind == "u":
            facts.add(("unique", table, tuple(row["columns"])))
        elif kind == "f":
            facts.add(("foreign key", table, tuple(row["columns"]), row["target"],
                       tuple(row["target_columns"]), _PG_RULES[row["confdeltype"]],
                       _PG_RULES[row["confupdtype"]]))
        elif kind == "c":
            facts.add(("check", table, expression(row["definition"].removeprefix("CHECK "))))
    indexes = await conn.fetch("""
        SELECT x.relname AS index_name, t.relname AS table_name, i.indisunique,
               array(SELECT pg_get_indexdef(i.indexrelid, k, true)
                     FROM generate_series(1, i.indnkeyatts) AS k) AS columns,
               pg_get_expr(i.indpred, i.indrelid) AS predicate
        FROM pg_index AS i JOIN pg_class AS x ON x.oid = i.indexrelid
        JOIN pg_class AS t ON t.oid = i.indrelid
        JOIN pg_namespace AS s ON s.oid = t.relnamespace AND s.nspname = 'public'
        WHERE NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)""")
    for row in indexes:
        facts.add(("index", row["index_name"], row["table_name"], tuple(row["columns"]),
                   row["indisunique"], expression(row["predicate"])))
    return facts


async def test_postgresql_has_the_schema_sqlite_has_after_its_migrations(
        tmp_path: Path, postgres_database: str) -> None:
    async with Database(tmp_path / "panong.db") as db:
        await db.migrate()
    conn = await asyncpg.connect(postgres_database)
    try:
        async with conn.transaction():
            for _, _, sql in migration_files("postgresql"):
                await conn.execute(sql)
        postgres = await postgres_schema(conn)
    finally:
        await conn.close()
    sqlite = sqlite_schema(tmp_path / "panong.db")
    # Every kind of fact was read: readers that found nothing would agree on nothing.
    assert {fact[0] for fact in sqlite} == {"columns", "column", "primary key", "unique",
                                            "foreign key", "check", "index"}
    assert sorted(sqlite - postgres, key=repr) == [], "in SQLite only"
    assert sorted(postgres - sqlite, key=repr) == [], "in PostgreSQL only"


def test_every_migration_after_the_postgresql_baseline_comes_in_pairs() -> None:
    sqlite = [number for number, _, _ in migration_files("sqlite")]
    postgres = migration_files("postgresql")
    baseline, name, _ = postgres[0]
    # The baseline stands for SQLite's migrations up to its number.
    assert name == "baseline" and baseline in sqlite
    assert [number for number, _, _ in postgres[1:]] == [n for n in sqlite if n > baseline]
