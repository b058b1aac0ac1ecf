"""Erasing a child's personal data on request: identifying data goes, the counts stay."""

from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain.models import Role, User
from bot.errors import NothingToErase, PermissionDenied, StaleAction
from bot.runtime import Runtime
from bot.services import erasure, imports, referrals, summaries
from bot.services.summaries import Period, Scope, ScopeKind
from tests.conftest import add_user
from tests.services.test_tallies import snapshot
from tests.support.cases import by_need, register_and_send
from tests.test_imports import ROWS, THAI_HEADER, csv_bytes, read_bytes


async def _summary(runtime: Runtime, coordinator: User) -> summaries.Summary:
    return await summaries.summarise(runtime.db, coordinator, Scope(ScopeKind.PROVINCE),
                                     Period.ALL_TIME, now=runtime.now(),
                                     tz=runtime.settings.tz, overdue_after=timedelta(days=7))


async def test_erasing_removes_what_identifies_the_child_and_keeps_the_figures(
    runtime: Runtime, teacher: User, coordinator: User
) -> None:
    focal = await add_user(runtime, Role.FOCAL_POINT, "spp1_samutprakan", "2001",
                           inviter=coordinator)
    changes = await register_and_send(runtime, teacher, given_name="สมชาย")
    education = by_need(changes, "EDUCATION").view.referral
    case = await runtime.db.read.cases.get(education.case_id)
    assert case is not None
    async with runtime.db.unit_of_work() as uow:  # as a teacher would have typed them
        await uow.conn.execute(
            "UPDATE children SET identity_number = '1234545678781', guardian_name = 'แม่',"
            " guardian_phone = '0812345678' WHERE id = ?", (case.child_id,))
        await uow.commit()
    await referrals.ask_information(runtime.db, focal, education.id,
                                    "Call the mother on 081-234-5678?", now=runtime.now())
    before = await _summary(runtime, coordinator)

    target = await erasure.erasable(runtime.db, coordinator, case.code.lower())
    erased = await erasure.erase(runtime.db, coordinator, target.kind, target.id,
                                 now=runtime.now())

    child = await runtime.db.read.cases.child(case.child_id)
    assert (child.given_name, child.family_name, child.identity_number, child.guardian_phone,
            child.guardian_name, child.birth_date) == ("—", None, None, None, None, None)
    assert child.birth_year == 2012 and child.sex == "male"  # still counted
    assert erased.notes_erased == 1
    notes = [entry.after.get("note") for entry in
             await runtime.db.read.audit.for_entity("referral", education.id)
             if entry.after and "note" in entry.after]
    assert notes == ["—"]
    dump = str(await runtime.db.read.conn.execute_fetchall("SELECT * FROM audit_log"))
    assert "081-234-5678" not in dump and "1234545678781" not in dump
    after = await _summary(runtime, coordinator)
    assert after.model_dump(exclude={"referrals"}) == before.model_dump(exclude={"referrals"})
    with pytest.raises(StaleAction):  # nothing left to erase
        await erasure.erasable(runtime.db, coordinator, case.code)


async def test_only_coordinators_erase(runtime: Runtime, teacher: User) -> None:
    changes = await register_and_send(runtime, teacher)
    code = changes[0].view.case_code
    with pytest.raises(PermissionDenied):
        await erasure.erasable(runtime.db, teacher, code)
    with pytest.raises(PermissionDenied):
        await erasure.erase(runtime.db, teacher, erasure.ErasureKind.CASE,
                            changes[0].view.referral.case_id, now=runtime.now())
    with pytest.raises(PermissionDenied):
        await erasure.erase(runtime.db, teacher, erasure.ErasureKind.LEAD, 1,
                            now=runtime.now())


# Every table of the database, in each dialect's catalog.
TABLES_SQL = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
}


async def _everything(runtime: Runtime) -> str:
    """Every value of every table, as one text."""
    conn = runtime.db.read.conn
    tables = [row[0] for row in await conn.execute_fetchall(TABLES_SQL[conn.dialect])]
    assert "children" in tables
    found = []
    for table in tables:
        rows = await conn.execute_fetchall(f'SELECT * FROM "{table}"')
        found.extend(str(tuple(row)) for row in rows)
    return "\n".join(found)


def _on_disk(runtime: Runtime) -> bytes:
    """SQLite's file and its log. PostgreSQL's files are the server's own, not this
    process's to read: there `checkpoint` vacuums the tables that held the values, and the
    deployment guide asks for an encrypted disk."""
    if runtime.db.read.conn.dialect != "sqlite":
        return b""
    path = runtime.db.path  # type: ignore[union-attr]
    return b"".join(each.read_bytes() for each in
                    (path, path.with_name(path.name + "-wal")) if each.exists())


async def test_after_erasing_no_erased_value_is_in_any_table_or_on_disk(
    runtime: Runtime, teacher: User, coordinator: User, tmp_path: Path
) -> None:
    # On a list first (สมชาย ใจดี in Bang Phli, with a Thai ID; Mya Thida in Mueang, without),
    # then สมชาย found and registered under the same Thai ID.
    await imports.import_list(runtime.db, coordinator, read_bytes(
        csv_bytes(THAI_HEADER, ROWS), "list.csv", tmp_path, runtime.geography, runtime.today()),
        file_name="list.csv", now=runtime.now())
    changes = await register_and_send(runtime, teacher, given_name="สมชาย")
    case = await runtime.db.read.cases.get(changes[0].view.referral.case_id)
    assert case is not None
    async with runtime.db.unit_of_work() as uow:
        await uow.conn.execute(
            "UPDATE children SET identity_number = '1234545678781', guardian_name = 'แม่ทองใบ',"
            " guardian_phone = '0812345678' WHERE id = ?", (case.child_id,))
        await uow.commit()
    erased_values = ["สมชาย", "ใจดี", "1234545678781", "0812345678", "แม่ทองใบ", "2012-03-15",
                     "Thida", "2013-01-01"]
    everything = await _everything(runtime)
    assert all(value in everything for value in erased_values)
    before = await _summary(runtime, coordinator)

    by_code = await erasure.erasable(runtime.db, coordinator, case.code)
    of_case = await erasure.erase(runtime.db, coordinator, by_code.kind, by_code.id,
                                  now=runtime.now())
    by_ref = await erasure.erasable(runtime.db, coordinator, "OBEC-002")
    of_lead = await erasure.erase(runtime.db, coordinator, by_ref.kind, by_ref.id,
                                  now=runtime.now())

    assert (of_case.list_rows_erased, of_lead.list_rows_erased) == (1, 1)
    assert by_ref == erasure.ErasureTarget(kind=erasure.ErasureKind.LEAD, id=2,
                                           reference="OBEC-002")
    everything = await _everything(runtime)
    disk = _on_disk(runtime)
    for value in erased_values:
        assert value not in everything, value
        assert value.encode() not in disk, value
    assert "OBEC-001" in everything and "OBEC-002" in everything  # a re-import adds nothing
    after = await _summary(runtime, coordinator)
    assert after.model_dump(exclude={"referrals"}) == before.model_dump(exclude={"referrals"})
    assert after.lists and after.lists == before.lists
    kept = await snapshot(runtime)
    async with runtime.db.unit_of_work() as uow:
        await uow.tallies.rebuild()
        await uow.commit()
    assert await snapshot(runtime) == kept
    with pytest.raises(StaleAction):  # nothing left to erase
        await erasure.erasable(runtime.db, coordinator, "OBEC-001")


async def test_a_name_that_is_neither_a_case_nor_a_list_reference_is_refused(
    runtime: Runtime, coordinator: User
) -> None:
    with pytest.raises(NothingToErase):
        await erasure.erasable(runtime.db, coordinator, "OBEC-404")
