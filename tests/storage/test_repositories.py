"""Repository methods whose SQL carries a rule of its own: running case numbers, the
directory reload, conversation state, the user list's order and the outbox's claim."""

import json
from datetime import timedelta

import pytest

from bot.domain.models import Organisation, OrganisationKind, OutboxKind, User
from bot.runtime import Runtime
from storage import conversations
from storage.outbox import Owed
from tests.support.plans import statements_run

# --- case codes -----------------------------------------------------------------------------


async def test_case_codes_count_up_per_prefix_and_buddhist_year(runtime: Runtime) -> None:
    async with runtime.db.unit_of_work() as uow:
        codes = [
            await uow.cases.next_code("SPK", 2568),
            await uow.cases.next_code("SPK", 2568),
            await uow.cases.next_code("SPK", 2569),
            await uow.cases.next_code("BKK", 2568),
            await uow.cases.next_code("SPK", 2568),
        ]
        await uow.commit()

    assert codes == [
        "SPK-2568-00001",
        "SPK-2568-00002",
        "SPK-2569-00001",
        "BKK-2568-00001",
        "SPK-2568-00003",
    ]
    counters = await runtime.db.read.conn.execute_fetchall(
        "SELECT prefix, year_be, last_value FROM case_counters ORDER BY prefix, year_be"
    )
    assert [tuple(row) for row in counters] == [
        ("BKK", 2568, 1), ("SPK", 2568, 3), ("SPK", 2569, 1)
    ]


async def test_a_case_number_taken_in_a_rolled_back_unit_of_work_is_given_out_again(
    runtime: Runtime,
) -> None:
    async with runtime.db.unit_of_work() as uow:
        assert await uow.cases.next_code("SPK", 2568) == "SPK-2568-00001"

    async with runtime.db.unit_of_work() as uow:
        assert await uow.cases.next_code("SPK", 2568) == "SPK-2568-00001"
        await uow.commit()


# --- the directory --------------------------------------------------------------------------


def _renamed(org: Organisation, **changes: object) -> Organisation:
    return org.model_copy(update=changes)


async def test_replace_all_deactivates_units_missing_from_the_new_list(runtime: Runtime) -> None:
    current = await runtime.db.read.organisations.active()
    kept = [org for org in current if org.id != "school_wat_khlong_mon"]

    async with runtime.db.unit_of_work() as uow:
        await uow.organisations.replace_all(kept)
        await uow.commit()

    read = runtime.db.read.organisations
    dropped = await read.get("school_wat_khlong_mon")
    assert dropped is not None and not dropped.active
    assert "school_wat_khlong_mon" not in {org.id for org in await read.active()}
    assert len(await read.active()) == len(current) - 1
    # Deactivated, not deleted: users and cases may still point at it.
    rows = await runtime.db.read.conn.execute_fetchall(
        "SELECT active FROM organisations WHERE id = 'school_wat_khlong_mon'"
    )
    assert [row[0] for row in rows] == [0]


async def test_replace_all_brings_a_dropped_unit_back(runtime: Runtime) -> None:
    current = await runtime.db.read.organisations.active()
    async with runtime.db.unit_of_work() as uow:
        await uow.organisations.replace_all(
            [org for org in current if org.id != "school_wat_khlong_mon"]
        )
        await uow.organisations.replace_all(current)
        await uow.commit()

    school = await runtime.db.read.organisations.get("school_wat_khlong_mon")
    assert school is not None
    assert school.parent_id == "spp1_samutprakan"


async def test_replace_all_updates_names_and_districts(runtime: Runtime) -> None:
    current = await runtime.db.read.organisations.active()
    changed = [
        _renamed(org, name_th="โรงเรียนวัดแพรกษา (ใหม่)", name_en="Wat Phraek Sa New School",
                 short_en="Phraek Sa New", districts=("1101", "1102"))
        if org.id == "school_wat_phraek_sa" else org
        for org in current
    ]

    async with runtime.db.unit_of_work() as uow:
        await uow.organisations.replace_all(changed)
        await uow.commit()

    school = await runtime.db.read.organisations.get("school_wat_phraek_sa")
    assert school is not None
    assert school.name_th == "โรงเรียนวัดแพรกษา (ใหม่)"
    assert school.name_en == "Wat Phraek Sa New School"
    assert school.short_name("en") == "Phraek Sa New"
    assert school.districts == ("1101", "1102")
    assert school.kind is OrganisationKind.SCHOOL


async def test_replace_all_inserts_a_new_child_unit_listed_before_its_parent(
    runtime: Runtime,
) -> None:
    current = await runtime.db.read.organisations.active()
    parent = Organisation(id="dole_new_centre", kind=OrganisationKind.DOLE,
                          name_th="ศูนย์ใหม่", name_en="New centre", short_th="ศูนย์ใหม่",
                          short_en="New centre", parent_id="dole_province_samutprakan",
                          districts=("1105",))
    child = Organisation(id="school_new", kind=OrganisationKind.SCHOOL, name_th="โรงเรียนใหม่",
                         name_en="New School", short_th="รร.ใหม่", short_en="New School",
                         parent_id="dole_new_centre", districts=("1105",))

    async with runtime.db.unit_of_work() as uow:
        await uow.organisations.replace_all([child, *current, parent])
        await uow.commit()

    assert await runtime.db.read.organisations.get("school_new") == child
    assert await runtime.db.read.organisations.get("dole_new_centre") == parent


async def test_active_organisations_can_be_filtered_by_kind(runtime: Runtime) -> None:
    peos = await runtime.db.read.organisations.active([OrganisationKind.PEO])
    schools = await runtime.db.read.organisations.active([OrganisationKind.SCHOOL])

    assert [org.id for org in peos] == ["peo_samutprakan"]
    assert len(schools) == 4
    assert all(org.parent_id is not None for org in schools)


# --- conversation state ---------------------------------------------------------------------


async def test_conversation_data_round_trips_as_json_with_thai_text_intact(
    runtime: Runtime,
) -> None:
    draft = {"given_name": "สมชาย", "family_name": "ใจดี", "needs": ["EDUCATION"],
             "age": 12, "found": True, "latitude": 13.6, "nickname": None}

    async with runtime.db.unit_of_work() as uow:
        await uow.conversations.put_data("user", {
            "1001": json.dumps({"draft": draft}, ensure_ascii=False),
            "1002": json.dumps({"draft": {"given_name": "Aung"}})})
        await uow.conversations.put_data("chat", {"1001": json.dumps({"last_message": 7})})
        await uow.commit()

    loaded = await runtime.db.read.conversations.load_data("user")
    assert loaded == {"1001": {"draft": draft}, "1002": {"draft": {"given_name": "Aung"}}}
    stored = await runtime.db.read.conn.execute_fetchall(
        "SELECT data FROM conversation_data WHERE kind = 'user' AND data_key = '1001'"
    )
    assert "สมชาย" in stored[0][0]  # readable in the database, not \\u escapes
    assert await runtime.db.read.conversations.load_data("chat") == {"1001": {"last_message": 7}}


async def test_conversation_data_is_overwritten_and_dropped(runtime: Runtime) -> None:
    async with runtime.db.unit_of_work() as uow:
        await uow.conversations.put_data("user", {"1001": '{"draft": {"given_name": "สมชาย"}}',
                                                  "1003": "{}"})
        await uow.conversations.put_data("user", {"1001": '{"draft": {"given_name": "สมหญิง"}}',
                                                  "1002": "{}"})
        await uow.commit()
    assert await runtime.db.read.conversations.load_data("user") == {
        "1001": {"draft": {"given_name": "สมหญิง"}}, "1002": {}, "1003": {}
    }

    async with runtime.db.unit_of_work() as uow:  # one call writes and deletes
        await uow.conversations.put_data("user", {"1001": None, "1003": '{"n": 1}'})
        await uow.commit()
    assert await runtime.db.read.conversations.load_data("user") == {"1002": {},
                                                                     "1003": {"n": 1}}


async def test_many_rows_are_written_and_deleted_a_statement_per_chunk(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conversations, "ROWS_PER_STATEMENT", 2)
    async with runtime.db.unit_of_work() as uow:
        await uow.conversations.put_data("user", {str(n): f'{{"n": {n}}}' for n in range(5)})
        await uow.conversations.put_states({("registration", f"[{n}, {n}]"): '"filling"'
                                            for n in range(5)})
        await uow.commit()
    async with runtime.db.unit_of_work() as uow:
        await uow.conversations.put_data("user", {**{str(n): None for n in range(3)},
                                                  "4": '{"n": 40}'})
        await uow.conversations.put_states({
            **{("registration", f"[{n}, {n}]"): None for n in (0, 2, 4)},
            ("notes", "[9]"): '"writing"'})
        await uow.commit()
    assert await runtime.db.read.conversations.load_data("user") == {"3": {"n": 3},
                                                                     "4": {"n": 40}}
    assert await runtime.db.read.conversations.load_states("registration") == {
        "[1, 1]": "filling", "[3, 3]": "filling"}
    assert await runtime.db.read.conversations.load_states("notes") == {"[9]": "writing"}


async def test_conversation_states_round_trip_and_none_deletes(runtime: Runtime) -> None:
    async with runtime.db.unit_of_work() as uow:
        await uow.conversations.put_states({("registration", "[1001, 1001]"): '"given_name"',
                                            ("registration", "[1002, 1002]"): '"district"',
                                            ("invite", "[9001, 9001]"): "3"})
        await uow.conversations.put_states({("registration", "[1002, 1002]"): '"address"'})
        await uow.commit()
    assert await runtime.db.read.conversations.load_states("registration") == {
        "[1001, 1001]": "given_name", "[1002, 1002]": "address"
    }
    assert await runtime.db.read.conversations.load_states("invite") == {"[9001, 9001]": 3}

    async with runtime.db.unit_of_work() as uow:
        await uow.conversations.put_states({("registration", "[1001, 1001]"): None})
        await uow.commit()
    assert await runtime.db.read.conversations.load_states("registration") == {
        "[1002, 1002]": "address"
    }


# --- users ----------------------------------------------------------------------------------


async def test_the_user_list_shows_active_users_first_then_newest_first(
    runtime: Runtime, coordinator: User, teacher: User, other_teacher: User
) -> None:
    async with runtime.db.unit_of_work() as uow:
        await uow.users.set_active(teacher.id, False)
        await uow.commit()

    users = await runtime.db.read.users.page(offset=0, limit=10)
    total = await runtime.db.read.users.count()

    assert [user.id for user in users] == [other_teacher.id, coordinator.id, teacher.id]
    assert [user.active for user in users] == [True, True, False]
    assert total == 3
    second = await runtime.db.read.users.page(offset=2, limit=2)
    assert [user.id for user in second] == [teacher.id]
    assert total == 3


# --- the outbox -----------------------------------------------------------------------------


async def _steps_to_claim_the_next_message(runtime: Runtime, owed: int) -> int:
    """Owe notices to `owed` more chats, then claim the oldest ready row: how many hundred
    instructions SQLite ran for it."""
    now = runtime.now()
    async with runtime.db.unit_of_work() as uow:
        await uow.outbox.release_all()
        await uow.outbox.add([Owed(channel="telegram", chat_id=str(chat), language="en",
                                   kind=OutboxKind.NOTICE) for chat in range(owed)], now)
        steps = 0

        def count() -> int:
            nonlocal steps
            steps += 1
            return 0  # go on

        await uow.conn.set_progress_handler(count, 100)
        [taken] = await uow.outbox.claim(now, now + timedelta(minutes=5), 1, ["telegram"], 5)
        await uow.conn.set_progress_handler(None, 100)
        await uow.commit()
    assert taken.id == 1
    return steps


@pytest.mark.sqlite_only  # SQLite's progress handler; the PostgreSQL twin follows
async def test_claiming_the_next_message_reads_no_more_with_a_long_backlog(
    runtime: Runtime
) -> None:
    few = await _steps_to_claim_the_next_message(runtime, 10)
    many = await _steps_to_claim_the_next_message(runtime, 2_000)
    # It reads the pending rows oldest first and stops at what it takes: before, it read
    # and sorted every pending row at each claim (29 ms with 10,000 owed, bench/outbox.py).
    assert many <= 2 * few + 1


async def _rows_read_to_claim_the_next_message(runtime: Runtime, owed: int) -> int:
    """Owe notices to `owed` more chats (with statistics, as autovacuum keeps them), then
    claim the oldest ready row: how many rows PostgreSQL read for the statements that
    chose it, by EXPLAIN ANALYZE of each in the same transaction."""
    now = runtime.now()
    async with runtime.db.unit_of_work() as uow:
        await uow.outbox.release_all()
        await uow.outbox.add([Owed(channel="telegram", chat_id=str(chat), language="en",
                                   kind=OutboxKind.NOTICE) for chat in range(owed)], now)
        await uow.commit()
    await runtime.db.read.conn.execute("ANALYZE outbox")
    async with runtime.db.unit_of_work() as uow:
        with statements_run(uow.conn) as run:  # type: ignore[arg-type]
            [taken] = await uow.outbox.claim(now, now + timedelta(minutes=5), 1,
                                             ["telegram"], 5)
        read = 0
        for sql, values in run:
            if sql.lstrip().upper().startswith("SELECT"):
                [plan] = await uow.conn.execute_fetchall(
                    "EXPLAIN (ANALYZE, FORMAT JSON) " + sql, values)
                pending = [json.loads(plan[0])[0]["Plan"]]
                while pending:
                    node = pending.pop()
                    pending.extend(node.get("Plans", []))
                    if "Relation Name" in node:
                        read += (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
                                 ) * node["Actual Loops"]
        await uow.commit()
    assert taken.id == 1
    return read


@pytest.mark.postgresql_only
async def test_on_postgresql_claiming_the_next_message_reads_no_more_with_a_long_backlog(
    runtime: Runtime
) -> None:
    few = await _rows_read_to_claim_the_next_message(runtime, 10)
    many = await _rows_read_to_claim_the_next_message(runtime, 2_000)
    assert 0 < many <= 2 * few + 1, (few, many)
