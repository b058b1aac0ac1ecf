"""The class that owns the database: migrations, transactions and online backups, against
a real SQLite file."""

import os
import sqlite3
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

import storage.database
from bot.domain.names import name_key
from bot.domain.phone import parse_phone
from bot.errors import DatabaseBusy
from storage.database import Database, _split_statements, backup_database, migration_files


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database(tmp_path / "panong.db") as database:
        await database.migrate()
        yield database


async def _tables(db: Database) -> set[str]:
    rows = await db.writer.execute_fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {row[0] for row in rows}


async def _recorded_migrations(db: Database) -> list[tuple[int, str]]:
    rows = await db.writer.execute_fetchall(
        "SELECT version, name FROM schema_migrations ORDER BY version"
    )
    return [(row[0], row[1]) for row in rows]


async def _rows(path: Path, sql: str) -> list[tuple]:
    async with aiosqlite.connect(path) as conn:
        return [tuple(row) for row in await conn.execute_fetchall(sql)]


def _real_migrations_and(*extra: tuple[int, str, str]) -> list[tuple[int, str, str]]:
    return [*migration_files("sqlite"), *extra]


# --- migrations -----------------------------------------------------------------------------


def test_the_shipped_migrations_are_numbered_in_order_without_gaps() -> None:
    numbers = [number for number, _, _ in migration_files("sqlite")]
    assert numbers == list(range(1, len(numbers) + 1))
    assert migration_files("sqlite")[0][1] == "initial"


async def test_migrate_applies_every_migration_and_records_it(tmp_path: Path) -> None:
    async with Database(tmp_path / "fresh.db") as db:
        applied = await db.migrate()

        expected = [f"{number:04d}_{name}" for number, name, _ in migration_files("sqlite")]
        assert applied == expected
        assert await _recorded_migrations(db) == [
            (number, name) for number, name, _ in migration_files("sqlite")
        ]
        assert {"users", "invites", "cases", "audit_log", "case_counters"} <= await _tables(db)


async def test_a_second_migrate_applies_nothing(db: Database) -> None:
    recorded = await _recorded_migrations(db)

    assert await db.migrate() == []
    assert await _recorded_migrations(db) == recorded


async def test_new_migrations_are_applied_in_order_and_recorded(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 0091 only works after 0090 has created its table.
    monkeypatch.setattr(storage.database, "migration_files",
                        lambda _dialect: _real_migrations_and(
        (90, "notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);"),
        (91, "note_index", "CREATE INDEX notes_body ON notes (body);"),
    ))

    assert await db.migrate() == ["0090_notes", "0091_note_index"]
    assert [version for version, _ in await _recorded_migrations(db)][-2:] == [90, 91]


async def test_a_failing_migration_leaves_nothing_behind(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await _recorded_migrations(db)
    broken = (
        "CREATE TABLE half_done (id INTEGER PRIMARY KEY);\n"
        "INSERT INTO half_done (id) VALUES (1);\n"
        "INSERT INTO no_such_table (id) VALUES (1);\n"
    )
    monkeypatch.setattr(storage.database, "migration_files",
                        lambda _dialect: _real_migrations_and((90, "broken", broken)))

    with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
        await db.migrate()

    assert "half_done" not in await _tables(db)
    assert await _recorded_migrations(db) == before
    assert not db.writer.in_transaction
    # The write lock was released: the database is still usable.
    async with db.unit_of_work() as uow:
        await uow.bot_state.put("still", "works")
        await uow.commit()
    assert await db.read.bot_state.get("still") == "works"


async def test_migration_12_stores_old_guardian_phones_in_e164(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before_12 = [m for m in migration_files("sqlite") if m[0] < 12]
    async with Database(tmp_path / "old.db") as db:
        monkeypatch.setattr(storage.database, "migration_files", lambda _dialect: before_12)
        await db.migrate()
        # What the code before migration 12 stored: the 10-digit national mobile form.
        await db.writer.executemany(
            "INSERT INTO children (id, given_name, name_key, sex, identity_type, nationality,"
            " birth_year, guardian_phone, created_at) VALUES (?, 'Mya', 'mya', 'female',"
            " 'none', 'myanmar', 2014, ?, '2025-01-01')",
            [(1, "0812345678"), (2, None), (3, "+959420123456")])
        await db.writer.execute(
            "INSERT INTO imports (id, file_name, imported_at, total, added, already, rejected)"
            " VALUES (1, 'list.csv', '2025-01-01', 1, 1, 0, 0)")
        await db.writer.execute(
            "INSERT INTO leads (ref, import_id, given_name, sex, identity_type, nationality,"
            " birth_year, district_code, guardian_phone, created_at) VALUES ('OBEC-1', 1,"
            " 'Mya', 'female', 'none', 'myanmar', 2014, '1103', '0612345678', '2025-01-01')")
        await db.writer.commit()

        monkeypatch.undo()
        assert (await db.migrate())[0] == "0012_phones_e164"

        children = await db.writer.execute_fetchall(
            "SELECT guardian_phone FROM children ORDER BY id")
        leads = await db.writer.execute_fetchall("SELECT guardian_phone FROM leads")
    # The duplicate check compares stored phones with what the teacher types, parsed.
    assert [row[0] for row in children] == [parse_phone("081-234-5678"), None,
                                            "+959420123456"]
    assert [row[0] for row in leads] == ["+66612345678"]


async def test_migration_18_files_the_cases_already_saved_under_their_names_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before_18 = [m for m in migration_files("sqlite") if m[0] < 18]
    async with Database(tmp_path / "old.db") as db:
        monkeypatch.setattr(storage.database, "migration_files", lambda _dialect: before_18)
        await db.migrate()
        await db.writer.execute("PRAGMA foreign_keys = OFF")  # no teacher or school here
        # A child as registered before, and one erased since (an empty name key).
        await db.writer.executemany(
            "INSERT INTO children (id, given_name, name_key, sex, identity_type, nationality,"
            " birth_year, created_at) VALUES (?, ?, ?, 'female', 'none', 'myanmar', 2014,"
            " '2025-01-01')", [(1, "Nang Hseng", "nang hseng"), (2, "—", "")])
        await db.writer.executemany(
            "INSERT INTO cases (id, code, child_id, teacher_id, organisation_id, status,"
            " district_code, found, consent, education_wish, submission_id, created_at,"
            " updated_at) VALUES (?, ?, ?, 1, 'school', 'open', '1103', 1, 'given', 'school',"
            " ?, '2025-01-01', '2025-01-01')", [(1, "A-1", 1, "s1"), (2, "A-2", 2, "s2")])
        await db.writer.commit()

        monkeypatch.undo()
        assert (await db.migrate())[0] == "0018_case_name_keys"

        found = await db.read.cases.name_candidates(
            district_code="1103", birth_years=(2014,), name_key=name_key("Nang", "Seng"))
        filed = await db.writer.execute_fetchall("SELECT DISTINCT case_id FROM case_name_keys")
    assert [candidate.code for candidate in found] == ["A-1"]
    assert [row[0] for row in filed] == [1]


def test_migration_sql_is_split_into_statements_without_comment_lines() -> None:
    sql = """
-- A comment line; with a semicolon that ends nothing.
CREATE TABLE a (
    id INTEGER PRIMARY KEY,  -- an inline comment; also harmless
    -- a comment line inside a statement
    note TEXT DEFAULT 'semi;colon'
);

CREATE TABLE b (id INTEGER PRIMARY KEY, total INTEGER NOT NULL DEFAULT 0);
    -- an indented comment line
CREATE TRIGGER a_counts AFTER INSERT ON a BEGIN
    UPDATE b SET total = total + 1;
    INSERT INTO b (id, total) SELECT 1, 1 WHERE changes() = 0;
END;
INSERT INTO a (id) VALUES (1); INSERT INTO a (id) VALUES (2);
"""
    statements = _split_statements(sql)

    assert [s.split()[0:3] for s in statements] == [
        ["CREATE", "TABLE", "a"],
        ["CREATE", "TABLE", "b"],
        ["CREATE", "TRIGGER", "a_counts"],
        ["INSERT", "INTO", "a"],
    ]
    assert not any(s.startswith("--") for s in statements)
    assert "comment line" not in "".join(statements)
    assert "'semi;colon'" in statements[0]
    assert statements[2].endswith("END;")


def test_split_statements_refuses_an_unfinished_statement() -> None:
    with pytest.raises(ValueError, match="incomplete SQL statement"):
        _split_statements("CREATE TABLE a (id INTEGER);\nCREATE TABLE b (id INTEGER)\n")


def test_split_statements_of_the_initial_migration_run_on_a_blank_database() -> None:
    _, _, sql = migration_files("sqlite")[0]
    conn = sqlite3.connect(":memory:")
    try:
        for statement in _split_statements(sql):
            conn.execute(statement)
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()
    assert {"organisations", "users", "children", "cases", "conversation_states"} <= tables


# --- connections ----------------------------------------------------------------------------


async def test_the_database_runs_in_wal_mode_with_foreign_keys_on(db: Database) -> None:
    journal = await db.writer.execute_fetchall("PRAGMA journal_mode")
    assert journal[0][0] == "wal"
    for conn in (db.writer, db.read.conn):
        assert (await conn.execute_fetchall("PRAGMA foreign_keys"))[0][0] == 1


async def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        async with db.unit_of_work() as uow:
            await uow.conn.execute(
                "INSERT INTO users (channel, channel_user_id, display_name, role,"
                " organisation_id, created_at) VALUES ('telegram', '1', 'X', 'teacher',"
                " 'no_such_unit', '2025-11-24T03:00:00+00:00')"
            )
            await uow.commit()
    assert await db.read.users.by_channel_id("telegram", "1") is None


async def test_the_reader_cannot_write(db: Database) -> None:
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await db.read.bot_state.put("key", "value")


async def test_a_closed_database_says_so(tmp_path: Path) -> None:
    db = Database(tmp_path / "closed.db")
    with pytest.raises(RuntimeError, match="not open"):
        db.writer  # noqa: B018
    with pytest.raises(RuntimeError, match="not open"):
        db.read  # noqa: B018


# --- units of work --------------------------------------------------------------------------


async def test_a_unit_of_work_keeps_what_it_commits(db: Database) -> None:
    async with db.unit_of_work() as uow:
        await uow.bot_state.put("bot_username", "panong_bot")
        await uow.commit()

    assert await db.read.bot_state.get("bot_username") == "panong_bot"


async def test_a_unit_of_work_left_without_commit_rolls_back(db: Database) -> None:
    async with db.unit_of_work() as uow:
        await uow.bot_state.put("bot_username", "panong_bot")
        assert await uow.bot_state.get("bot_username") == "panong_bot"

    assert not db.writer.in_transaction
    assert await db.read.bot_state.get("bot_username") is None
    assert await db.writer.execute_fetchall("SELECT * FROM bot_state") == []


async def test_an_exception_inside_a_unit_of_work_rolls_back_and_propagates(
    db: Database,
) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with db.unit_of_work() as uow:
            await uow.bot_state.put("bot_username", "panong_bot")
            raise Boom()

    assert not db.writer.in_transaction
    assert await db.read.bot_state.get("bot_username") is None
    # The lock was released: the next unit of work runs.
    async with db.unit_of_work() as uow:
        await uow.bot_state.put("after", "yes")
        await uow.commit()
    assert await db.read.bot_state.get("after") == "yes"


async def test_a_lock_held_elsewhere_past_the_busy_timeout_raises_database_busy(
    tmp_path: Path,
) -> None:
    async with Database(tmp_path / "panong.db", busy_timeout=0.1) as db:
        await db.migrate()
        other = sqlite3.connect(db.path)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(DatabaseBusy):
                async with db.unit_of_work() as uow:
                    await uow.bot_state.put("bot_username", "panong_bot")
                    await uow.commit()
        finally:
            other.rollback()
            other.close()
        assert not db.writer.in_transaction
        assert await db.read.bot_state.get("bot_username") is None
        # Nothing stays stuck: once the lock is gone, the next write goes through.
        async with db.unit_of_work() as uow:
            await uow.bot_state.put("bot_username", "panong_bot")
            await uow.commit()
        assert await db.read.bot_state.get("bot_username") == "panong_bot"


# --- backups --------------------------------------------------------------------------------


async def _fill(db: Database, count: int) -> None:
    async with db.unit_of_work() as uow:
        for number in range(count):
            await uow.bot_state.put(f"key{number}", f"ค่า {number}")
        await uow.commit()


async def test_an_online_backup_copies_the_committed_rows_of_a_live_database(
    db: Database, tmp_path: Path
) -> None:
    await _fill(db, 25)
    target = tmp_path / "not" / "yet" / "there" / "copy.db"

    async with db.unit_of_work() as uow:  # a writer is busy while the backup runs
        await uow.bot_state.put("uncommitted", "must not be copied")
        await db.backup(target)

    assert target.exists()
    assert not target.with_name("copy.db.partial").exists()
    copied = await _rows(target, "SELECT key, value FROM bot_state ORDER BY key")
    original = await db.read.conn.execute_fetchall(
        "SELECT key, value FROM bot_state ORDER BY key"
    )
    assert copied == [tuple(row) for row in original]
    assert len(copied) == 25
    assert ("key7", "ค่า 7") in copied
    assert await _rows(target, "SELECT version FROM schema_migrations") == [
        (number,) for number, _, _ in migration_files("sqlite")
    ]


async def test_backup_database_replaces_an_older_copy(db: Database, tmp_path: Path) -> None:
    target = tmp_path / "backups" / "panong.db"
    await _fill(db, 1)
    await backup_database(db.path, target)
    await _fill(db, 3)

    await backup_database(db.path, target)

    assert await _rows(target, "SELECT count(*) FROM bot_state") == [(3,)]
    assert sorted(p.name for p in target.parent.iterdir()) == ["panong.db"]


async def test_backing_up_a_missing_database_raises_file_not_found(tmp_path: Path) -> None:
    target = tmp_path / "backups" / "copy.db"

    with pytest.raises(FileNotFoundError):
        await backup_database(tmp_path / "missing.db", target)
    with pytest.raises(FileNotFoundError):
        await Database(tmp_path / "missing.db").backup(target)

    assert not (tmp_path / "missing.db").exists()
    assert not target.exists()


# --- what is deleted, and who may read the files ------------------------------------------


async def test_the_database_its_wal_and_a_new_folder_are_the_owners_only(
    tmp_path: Path,
) -> None:
    path = tmp_path / "new" / "panong.db"
    async with Database(path) as db:
        await db.migrate()
        await _fill(db, 3)
        for each in (path, path.with_name("panong.db-wal"), path.with_name("panong.db-shm")):
            assert stat.S_IMODE(os.stat(each).st_mode) == 0o600, each
        assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


async def test_an_existing_world_readable_database_is_narrowed_to_its_owner(
    tmp_path: Path,
) -> None:
    path = tmp_path / "panong.db"
    sqlite3.connect(path).close()
    path.chmod(0o644)
    async with Database(path):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


async def test_a_backup_and_its_new_folder_are_the_owners_only(db: Database,
                                                               tmp_path: Path) -> None:
    target = tmp_path / "backups" / "copy.db"
    await _fill(db, 2)

    await backup_database(db.path, target)

    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(target.parent).st_mode) == 0o700


async def test_every_connection_zeroes_deleted_content_and_commits_durably(
    db: Database,
) -> None:
    for conn in (db.writer, db.read.conn):
        assert (await conn.execute_fetchall("PRAGMA secure_delete"))[0][0] == 1
        assert (await conn.execute_fetchall("PRAGMA journal_size_limit"))[0][0] == (
            storage.database.JOURNAL_SIZE_LIMIT)
    assert (await db.writer.execute_fetchall("PRAGMA synchronous"))[0][0] == 2  # FULL


async def test_a_checkpoint_leaves_deleted_values_nowhere_on_disk(db: Database) -> None:
    secret = "ค่าลับ-0812345678"
    async with db.unit_of_work() as uow:
        await uow.conn.execute("INSERT INTO bot_state (key, value) VALUES ('k', ?)", (secret,))
        await uow.commit()
    async with db.unit_of_work() as uow:
        await uow.conn.execute("DELETE FROM bot_state WHERE key = 'k'")
        await uow.commit()
    wal = db.path.with_name(db.path.name + "-wal")
    assert secret.encode() in wal.read_bytes()  # the WAL still holds the inserted page

    assert await db.checkpoint()

    assert wal.stat().st_size == 0
    assert secret.encode() not in db.path.read_bytes()
