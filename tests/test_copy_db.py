"""`panong copy-db`: a SQLite deployment, filled through the real services, copied into
PostgreSQL and compared table by table, row by row; and the copies it refuses."""

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.cli import main
from bot.domain.models import ReferralMessage, Role
from bot.runtime import Runtime
from bot.services import downloads, erasure, imports, linking, pushes
from bot.services.erasure import ErasureKind
from bot.services.referrals import unit as unit_referrals
from storage.bot_state import BOT_USERNAME
from storage.copy import CopyRefused, CopyResult, copy_to_postgres
from tests.conftest import FakeClock, add_user, make_settings
from tests.support import dataset
from tests.support.cases import by_need, register_and_send
from tests.test_imports import ROWS, THAI_HEADER, csv_bytes, read_bytes

ON_POSTGRESQL = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
# Tables a deployment may well have empty: none today. A table added later shows up in
# `test_every_table_is_copied_row_for_row` as empty until the deployment below fills it.
MAY_BE_EMPTY: set[str] = set()


@pytest.fixture
async def deployment(tmp_path: Path) -> AsyncIterator[Runtime]:
    """A SQLite deployment after some weeks of use: people on both channels, cases with
    referrals taken and pending, reminders, messages owed and sent, an imported list, a
    download, a half-filled registration, LINE events, an erased case."""
    clock = FakeClock()
    runtime = await Runtime.start(make_settings(tmp_path), clock=clock)
    try:
        await _use(runtime, clock, tmp_path)
        yield runtime
    finally:
        await runtime.close()


async def _use(runtime: Runtime, clock: FakeClock, tmp_path: Path) -> None:
    db = runtime.db
    coordinator = await add_user(runtime, Role.COORDINATOR, "peo_samutprakan", "9001",
                                 "Khun Prasert")
    teacher = await add_user(runtime, Role.TEACHER, "school_wat_phraek_sa", "1001",
                             "Kru Somsri", inviter=coordinator)
    focal = await add_user(runtime, Role.FOCAL_POINT, "spp1_samutprakan", "2001", "Khun Malai",
                           inviter=coordinator)
    code = await linking.make_code(db, teacher, now=clock())
    await linking.link(db, code=code.code, channel="line", channel_user_id="U" + "1" * 32,
                       now=clock())
    await unit_referrals.link_group(db, focal, channel="telegram", chat_id="-100200",
                                    title="SPP1 group", language="th", now=clock())
    changes = await register_and_send(runtime, teacher)
    clock.advance(hours=2)
    education = by_need(changes, "EDUCATION").view.referral
    await unit_referrals.accept(db, focal, education.id, now=clock())
    await register_and_send(runtime, teacher, given_name="มานี", district="1103")
    erased = await register_and_send(runtime, teacher, given_name="ปิติ")
    await erasure.erase(db, coordinator, ErasureKind.CASE,
                        erased[0].view.referral.case_id, now=clock())
    parsed = read_bytes(csv_bytes(THAI_HEADER, ROWS), "obec.csv", tmp_path)
    await imports.import_list(db, coordinator, parsed, file_name="obec.csv", now=clock())
    await downloads.offer(db, coordinator, bytes(range(256)) * 4, file_name="cases.xlsx",
                          content_type="application/octet-stream", now=clock(),
                          valid_for=timedelta(hours=1))
    await pushes.spent(db, "line", 3, budget=300, warn_at=10, now=clock(), tz=runtime.settings.tz,
                       default_language="th")
    async with db.unit_of_work() as uow:
        pending = await uow.outbox.pending(1)  # one delivered, the rest still owed
        await uow.outbox.sent(pending[0].id, clock())
        await uow.referrals.add_messages([ReferralMessage(
            referral_id=education.id, channel="telegram", chat_id="-100200", message_id="77",
            language="th")])
        await uow.conversations.put_data("user_data", {"1001": '{"draft": {"step": "name"}}'})
        await uow.conversations.put_states({("register", "1001"): '"name"'})
        await uow.inbox.add("line", [("01HX", "U" + "1" * 32,
                                      {"type": "message", "text": "สวัสดี"}),
                                     ("01HY", "U" + "2" * 32, {"type": "follow"})], clock())
        await uow.bot_state.put(BOT_USERNAME, "panong_test_bot")
        await uow.commit()


def _sqlite_rows(path: Path, table: str, columns: list[str]) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
    finally:
        conn.close()


async def _postgres_tables(url: str) -> dict[str, list[str]]:
    """Each table of the target but the migrations' own, with its columns."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'"
            " ORDER BY table_name, ordinal_position")
    finally:
        await conn.close()
    tables: dict[str, list[str]] = {}
    for row in rows:
        tables.setdefault(row["table_name"], []).append(row["column_name"])
    return tables


async def _postgres_rows(url: str, table: str, columns: list[str]) -> list[tuple]:
    conn = await asyncpg.connect(url)
    try:
        return [tuple(row) for row in
                await conn.fetch(f"SELECT {', '.join(columns)} FROM {table}")]
    finally:
        await conn.close()


async def _foreign_keys(url: str) -> list[tuple[str, str]]:
    conn = await asyncpg.connect(url)
    try:
        return [tuple(row) for row in await conn.fetch(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint"
            " WHERE contype = 'f'")]
    finally:
        await conn.close()


def _sorted(rows: list[tuple]) -> list[tuple]:
    return sorted(rows, key=repr)


async def _copy(path: Path, url: str, batch: int = 5000) -> CopyResult:
    return await copy_to_postgres(path, url, batch=batch)


@ON_POSTGRESQL
async def test_every_table_is_copied_row_for_row(
    deployment: Runtime, database_url: str
) -> None:
    source = deployment.settings.database_path
    tables = await _postgres_tables(database_url)
    empty = {table for table, columns in tables.items()
             if not _sqlite_rows(source, table, columns[:1])}
    assert empty == MAY_BE_EMPTY  # the deployment above fills every table

    result = await _copy(source, database_url, batch=3)  # many batches even here

    order = [count.table for count in result.counts]
    for table, referenced in await _foreign_keys(database_url):
        assert table == referenced or order.index(referenced) < order.index(table)
    assert not result.mismatched
    assert {count.table for count in result.counts} == set(tables)
    for table, columns in tables.items():
        assert _sorted(await _postgres_rows(database_url, table, columns)) == \
            _sorted(_sqlite_rows(source, table, columns)), table
    [(content,)] = _sqlite_rows(source, "downloads", ["content"])
    assert content == bytes(range(256)) * 4


@ON_POSTGRESQL
async def test_the_copy_goes_on_where_sqlite_left_off(
    deployment: Runtime, database_url: str, tmp_path: Path
) -> None:
    """After the copy the ids continue (realigned), and the bot runs on PostgreSQL."""
    await _copy(deployment.settings.database_path, database_url)
    settings = make_settings(tmp_path, database_url=database_url)
    moved = await Runtime.start(settings, clock=FakeClock())
    try:
        teacher = await moved.db.read.users.by_channel_id("telegram", "1001")
        assert teacher is not None
        changes = await register_and_send(moved, teacher, given_name="ชูใจ")
        case = await moved.db.read.cases.get(changes[0].view.referral.case_id)
        assert case is not None and case.id == 4 and case.code.endswith("00004")
    finally:
        await moved.close()


@ON_POSTGRESQL
async def test_a_bulk_dataset_is_copied_in_batches(tmp_path: Path, database_url: str) -> None:
    runtime = await Runtime.start(make_settings(tmp_path), clock=FakeClock())
    try:
        teacher = await add_user(runtime, Role.TEACHER, "school_wat_phraek_sa", "1001")
        cases = dataset.generate(500, seed=7, start=runtime.now(), days=60)
        await dataset.write(runtime.db, cases, teacher_id=teacher.id)
    finally:
        await runtime.close()

    result = await _copy(tmp_path / "panong.db", database_url, batch=64)

    counts = {count.table: count for count in result.counts}
    assert counts["cases"].postgresql == 500 and counts["children"].postgresql == 500
    assert counts["referrals"].postgresql == sum(len(case.referrals) for case in cases)
    assert not result.mismatched


async def _target_is_empty(url: str) -> bool:
    conn = await asyncpg.connect(url)
    try:
        for table in await _postgres_tables(url):
            if await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {table})"):
                return False
        return True
    finally:
        await conn.close()


@ON_POSTGRESQL
async def test_a_target_that_holds_data_is_refused(
    deployment: Runtime, database_url: str
) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("INSERT INTO bot_state (key, value) VALUES ('somebody', 'else')")
    finally:
        await conn.close()

    with pytest.raises(CopyRefused, match=r"already holds data \(in bot_state\)"):
        await _copy(deployment.settings.database_path, database_url)

    assert await _postgres_rows(database_url, "bot_state", ["key", "value"]) == [
        ("somebody", "else")]


@ON_POSTGRESQL
async def test_a_table_the_copier_does_not_know_stops_it_before_anything_is_written(
    deployment: Runtime, database_url: str
) -> None:
    conn = sqlite3.connect(deployment.settings.database_path)
    conn.execute("CREATE TABLE visits (id INTEGER PRIMARY KEY, note TEXT)")
    conn.close()

    with pytest.raises(CopyRefused, match="tables copy-db does not know: visits"):
        await _copy(deployment.settings.database_path, database_url)

    assert await _target_is_empty(database_url)


@ON_POSTGRESQL
async def test_a_file_that_is_not_a_panong_database_or_is_behind_is_refused(
    deployment: Runtime, database_url: str, tmp_path: Path
) -> None:
    other = tmp_path / "notes.db"
    other.write_bytes(b"not a database at all" * 100)
    with pytest.raises(CopyRefused, match="is not a Panong SQLite database"):
        await _copy(other, database_url)

    conn = sqlite3.connect(deployment.settings.database_path)
    conn.execute("DELETE FROM schema_migrations WHERE version = 18")  # as before an update
    conn.commit()
    conn.close()
    with pytest.raises(CopyRefused, match=r"lacks migrations \[18\]: run `panong migrate`"):
        await _copy(deployment.settings.database_path, database_url)

    assert await _target_is_empty(database_url)


@ON_POSTGRESQL
async def test_a_value_its_column_cannot_hold_is_named_and_nothing_is_copied(
    deployment: Runtime, database_url: str
) -> None:
    conn = sqlite3.connect(deployment.settings.database_path)
    conn.execute("UPDATE cases SET found = 'yes, at home' WHERE id = 2")  # old code, say
    conn.commit()
    conn.close()

    with pytest.raises(CopyRefused) as refused:
        await _copy(deployment.settings.database_path, database_url, batch=1)

    assert "cases.found, rowid 2" in str(refused.value)
    assert "at home" not in str(refused.value)  # the value itself is not shown
    assert await _target_is_empty(database_url)


@ON_POSTGRESQL
async def test_text_that_is_not_utf8_is_located_and_nothing_is_copied(
    deployment: Runtime, database_url: str
) -> None:
    conn = sqlite3.connect(deployment.settings.database_path)
    conn.execute("UPDATE children SET nickname = CAST(x'ff41' AS TEXT) WHERE id = 2")
    conn.commit()
    conn.close()

    with pytest.raises(CopyRefused, match="children holds text that is not UTF-8, in the 1 "
                       "rows after rowid 1"):
        await _copy(deployment.settings.database_path, database_url, batch=1)

    assert await _target_is_empty(database_url)


@ON_POSTGRESQL
async def test_rows_written_while_the_copy_runs_are_left_for_later_not_half_copied(
    deployment: Runtime, database_url: str
) -> None:
    """The bot may still be writing: the copy and its counts are one moment of the file."""
    copied = asyncio.Event()

    async def keep_writing() -> int:
        written = 0
        while not copied.is_set():
            async with deployment.db.unit_of_work() as uow:
                await uow.audit.record(at=deployment.now(), actor_id=None, action="test.write",
                                       entity="test", entity_id=str(written))
                await uow.commit()
            written += 1
            await asyncio.sleep(0.001)
        return written

    writer = asyncio.create_task(keep_writing())
    await asyncio.sleep(0.01)
    try:
        result = await _copy(deployment.settings.database_path, database_url, batch=2)
    finally:
        copied.set()
    await writer

    assert not result.mismatched
    [audit] = [count for count in result.counts if count.table == "audit_log"]
    [(now_in_sqlite,)] = _sqlite_rows(deployment.settings.database_path, "audit_log",
                                      ["count(*)"])
    assert now_in_sqlite > audit.postgresql  # written after the copy's moment: not in it


@ON_POSTGRESQL
async def test_a_row_that_refers_to_nothing_is_refused(
    deployment: Runtime, database_url: str
) -> None:
    """SQLite checks foreign keys only on connections that ask (an administrator's sqlite3
    does not): PostgreSQL checks them all once the rows are in."""
    conn = sqlite3.connect(deployment.settings.database_path)
    conn.execute("INSERT INTO case_needs (case_id, need) VALUES (999, 'HEALTH')")
    conn.commit()
    conn.close()
    keys = await _foreign_keys(database_url)

    with pytest.raises(CopyRefused, match="Rows of case_needs refer to rows that are not"):
        await _copy(deployment.settings.database_path, database_url)

    assert await _target_is_empty(database_url)
    assert await _foreign_keys(database_url) == keys  # dropped for the copy, and back


@ON_POSTGRESQL
async def test_loose_sqlite_values_are_converted_to_the_columns_types(
    deployment: Runtime, database_url: str
) -> None:
    """What SQLite's type affinity lets through: bytes in a TEXT column, text in a BLOB
    column (numbers in a TEXT column are made text by SQLite itself)."""
    conn = sqlite3.connect(deployment.settings.database_path)
    conn.execute("UPDATE bot_state SET value = CAST(value AS BLOB)")
    conn.execute("UPDATE downloads SET content = 'plain text'")
    conn.commit()
    assert conn.execute("SELECT DISTINCT typeof(value), typeof(content)"
                        " FROM bot_state, downloads").fetchall() == [("blob", "text")]
    conn.close()

    await _copy(deployment.settings.database_path, database_url)

    assert ("bot_username", "panong_test_bot") in await _postgres_rows(
        database_url, "bot_state", ["key", "value"])
    assert await _postgres_rows(database_url, "downloads", ["content"]) == [(b"plain text",)]


@ON_POSTGRESQL
def test_copy_db_prints_each_tables_counts(
    deployment: Runtime, database_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PANONG_DATABASE_PATH", str(deployment.settings.database_path))

    assert main(["copy-db", "--to", database_url]) == 0

    out = capsys.readouterr().out
    assert "every table's count matches" in out
    cases_line = next(line for line in out.splitlines() if line.startswith("cases "))
    assert cases_line.split() == ["cases", "3", "3"]


@ON_POSTGRESQL
def test_a_count_that_differs_is_reported_and_fails_the_command(
    deployment: Runtime, database_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    """A row lost on the way (here a trigger on the target swallows one) is caught by the
    counts, whatever lost it."""
    async def swallow_one_event() -> None:
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute(
                "CREATE FUNCTION lose_one() RETURNS trigger LANGUAGE plpgsql AS"
                " $$BEGIN IF NEW.event_id = '01HY' THEN RETURN NULL; END IF;"
                " RETURN NEW; END$$;"
                " CREATE TRIGGER lose_one BEFORE INSERT ON inbox"
                " FOR EACH ROW EXECUTE FUNCTION lose_one()")
        finally:
            await conn.close()

    asyncio.run(swallow_one_event())
    monkeypatch.setenv("PANONG_DATABASE_PATH", str(deployment.settings.database_path))

    assert main(["copy-db", "--to", database_url]) == 1

    captured = capsys.readouterr()
    assert re.search(r"^inbox +2 +1  MISMATCH$", captured.out, re.MULTILINE)
    assert "MISMATCH in inbox" in captured.err


@ON_POSTGRESQL
def test_copy_db_refuses_a_url_that_is_not_postgresql_a_missing_file_and_no_server(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PANONG_DATABASE_PATH", str(tmp_path / "nowhere.db"))

    assert main(["copy-db", "--to", str(tmp_path / "other.db")]) == 2
    assert "postgresql://" in capsys.readouterr().err
    assert main(["copy-db", "--to", database_url]) == 2
    assert "Not found" in capsys.readouterr().err
    assert main(["copy-db", "--to", "postgresql://panong:pw@127.0.0.1:1/nowhere"]) == 2
    err = capsys.readouterr().err
    assert "PostgreSQL cannot be reached" in err and "pw" not in err
    assert not (tmp_path / "nowhere.db").exists()


async def _run(*command: object) -> None:
    process = await asyncio.create_subprocess_exec(*map(str, command))
    assert await process.wait() == 0, command


PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))


@pytest.mark.skipif(not PG_BIN, reason="pg_dump is not installed")
@ON_POSTGRESQL
async def test_the_guides_pg_dump_and_pg_restore_bring_back_every_row(
    deployment: Runtime, database_url: str, postgres_database: str, tmp_path: Path
) -> None:
    """The commands of docs/deployment.md's PostgreSQL backups, on a copied deployment."""
    await _copy(deployment.settings.database_path, database_url)
    bin_dir = PG_BIN[-1].parent
    dump = tmp_path / "panong.dump"
    await _run(bin_dir / "pg_dump", "--format=custom", f"--file={dump}",
               f"--dbname={database_url}")
    restored = postgres_database  # new and empty, as `createdb` makes it

    await _run(bin_dir / "pg_restore", "--exit-on-error", "--single-transaction",
               "--no-owner", f"--dbname={restored}", dump)

    tables = await _postgres_tables(database_url)
    assert set(await _postgres_tables(restored)) == set(tables)
    for table, columns in tables.items():
        assert _sorted(await _postgres_rows(restored, table, columns)) == \
            _sorted(await _postgres_rows(database_url, table, columns)), table

