"""A coordinator sends a list; the school's teachers are told, and mark each child."""

import asyncio
import csv
import io
from collections.abc import Callable

import openpyxl
import pytest

from bot.domain.models import User
from bot.runtime import Runtime
from bot.services import users
from tests.handlers.conftest import COORDINATOR, OTHER_TEACHER, TEACHER, ChatHarness, pause_progress
from tests.test_imports import ROWS, THAI_HEADER, csv_bytes, xlsx_bytes, zip_bomb

ENGLISH_HEADER = ["Reference", "First name", "Last name", "Sex", "ID number", "Date of birth",
                  "District", "Subdistrict", "Phone"]


async def _english(runtime: Runtime, *people: User) -> None:
    for person in people:
        await users.set_language(runtime.db, person, "en", runtime.now())


def rejected_rows(chat: ChatHarness) -> list[list[str]]:
    message = next(m for m in reversed(chat.request.api.messages(COORDINATOR.id))
                   if "document" in m and m.get("from", {}).get("is_bot"))
    data = chat.request.api.file(message["document"]["file_id"]).data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(data)))


async def test_a_list_is_imported_once_and_the_school_locates_its_children(
    chat: ChatHarness, runtime: Runtime, coordinator: User, teacher: User
) -> None:
    await _english(runtime, coordinator, teacher)

    await chat.send_file(COORDINATOR, "obec.csv", csv_bytes(THAI_HEADER, ROWS), "text/csv")

    report = "\n".join(chat.request.texts(COORDINATOR.id))
    assert "List imported: 8 rows." in report
    assert "Added: 2 · already known: 0 · rejected: 6" in report
    assert rejected_rows(chat)[0] == ["Line", "Reference", "Reason"]
    assert ["5", "OBEC-004", "The sex is missing or not understood (male/female, ชาย/หญิง)."] \
        in rejected_rows(chat)
    # The child in Mueang goes to Wat Phraek Sa School (a primary school: the child is 12),
    # the one in Bang Phli to Wat Bang Chalong Nai School.
    assert "1 child from an imported list was given to your school" in chat.last_text(TEACHER)
    schools = {lead.ref: lead.school_id for lead in [await runtime.db.read.leads.get(n)
                                                     for n in (1, 2)] if lead}
    assert schools == {"OBEC-001": "school_wat_bang_chalong_nai",
                       "OBEC-002": "school_wat_phraek_sa"}

    again = xlsx_bytes(ENGLISH_HEADER, [row[:9] for row in ROWS[:2]])
    await chat.send_file(COORDINATOR, "obec.xlsx", again)
    assert "Added: 0 · already known: 2 · rejected: 0" in chat.request.texts(COORDINATOR.id)[-1]

    listing = await chat.send(TEACHER, "/locate")
    assert "Children to locate: 1" in listing and "Mya Thida" in listing
    assert "สมชาย" not in listing  # another school's child
    card = await chat.press(TEACHER, "Mya Thida")
    assert "Mueang Samut Prakan" in card and "Did you find the child?" in card
    assert await chat.press(TEACHER, "Not found (701)") == "Not found: Mya Thida (code 701)."
    lead = await runtime.db.read.leads.get(2)
    assert lead is not None and (lead.status, lead.result_code) == ("not_found", "701")
    assert "no children to locate" in await chat.send(TEACHER, "/locate")


async def test_only_coordinators_import_and_unreadable_files_change_nothing(
    chat: ChatHarness, runtime: Runtime, coordinator: User, teacher: User, other_teacher: User
) -> None:
    await _english(runtime, coordinator, teacher)

    refused = await chat.send_file(TEACHER, "list.csv", csv_bytes(THAI_HEADER, ROWS))
    assert "Only coordinators can import lists" in refused
    for data, name, answer in (
            ("เลขอ้างอิง,ชื่อ\n".encode("cp874"), "ansi.csv", "not in UTF-8"),
            (b"\x89PNG\r\n\x1a\n", "photo.png", "not a CSV or XLSX"),
            (b"", "empty.csv", "The file is empty."),
            (csv_bytes(["ชื่อ"], [["ก"]]), "short.csv", "lacks the columns")):
        await chat.send_file(COORDINATOR, name, data)
        assert answer in chat.request.texts(COORDINATOR.id)[-1], name
    rows = await runtime.db.read.conn.execute_fetchall("SELECT count(*) FROM leads")
    assert rows[0][0] == 0

    await chat.send_file(COORDINATOR, "obec.csv", csv_bytes(THAI_HEADER, ROWS))
    # A teacher of the DOLE Bang Phli centre: the list's children are not theirs to see.
    assert "ไม่มีเด็กที่ต้องติดตาม" in await chat.send(OTHER_TEACHER, "/locate")
    await chat.press_data(OTHER_TEACHER, "lo:2")
    await chat.press_data(OTHER_TEACHER, "lm:2:moved")
    assert chat.alerts() == ["คุณไม่มีสิทธิ์ทำรายการนี้"] * 2  # not allowed
    lead = await runtime.db.read.leads.get(2)
    assert lead is not None and lead.status == "to_locate"


async def test_others_are_answered_while_a_list_is_read(
    chat: ChatHarness, runtime: Runtime, coordinator: User, teacher: User,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reading stops half-way until the teacher has had an answer: were the list read
    on the bot's loop, the teacher would wait for ever."""
    await _english(runtime, coordinator, teacher)
    reached, release = pause_progress(monkeypatch)
    monkeypatch.setattr("bot.imports.PROGRESS_EVERY", 1)
    importing = asyncio.create_task(
        chat.send_file(COORDINATOR, "obec.csv", csv_bytes(THAI_HEADER, ROWS)))
    assert await asyncio.to_thread(reached.wait, 10)

    answer = await chat.send(TEACHER, "/help")

    assert "What you can do" in answer and not importing.done()
    release.set()
    await importing
    assert any("Checked 1 rows" in text for text in chat.request.texts(COORDINATOR.id))
    assert "List imported" in "\n".join(chat.request.texts(COORDINATOR.id))


def far_away_cell() -> bytes:
    """1.6 KB: a header, and one cell at row 1,000,000 of the last column."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(THAI_HEADER)
    sheet["XFD1000000"] = "x"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("name", "make", "answer"), [
    ("far.xlsx", far_away_cell, "too large or too complex to read safely"),
    ("bomb.xlsx", lambda: zip_bomb(50), "compressed more than 100 times"),
    ("long.csv", lambda: csv_bytes(THAI_HEADER, [["OBEC-1", "x" * 200_000]]),
     "Line 2 has a cell longer than 131,072 characters"),
    ("newlines.csv", lambda: csv_bytes(THAI_HEADER, []) + b"\n" * 19 * 1024 * 1024,
     "The file is empty."),
    ("list.xlsx", lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,
     "not a CSV or XLSX"),
])
async def test_a_hostile_file_is_refused_in_the_users_language_and_nothing_is_imported(
    chat: ChatHarness, runtime: Runtime, coordinator: User, name: str,
    make: Callable[[], bytes], answer: str
) -> None:
    await _english(runtime, coordinator)

    await chat.send_file(COORDINATOR, name, make())

    assert answer in chat.request.texts(COORDINATOR.id)[-1]
    rows = await runtime.db.read.conn.execute_fetchall("SELECT count(*) FROM imports")
    assert rows[0][0] == 0
    assert "What you can do" in await chat.send(COORDINATOR, "/help")  # the bot is still up


async def test_a_list_that_reads_too_long_is_stopped_and_refused(
    chat: ChatHarness, runtime: Runtime, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _english(runtime, coordinator)
    monkeypatch.setattr(runtime.settings, "import_seconds", 0.001)

    await chat.send_file(COORDINATOR, "obec.csv", csv_bytes(THAI_HEADER, ROWS))

    assert "took longer than 0 seconds" in chat.request.texts(COORDINATOR.id)[-1]
    rows = await runtime.db.read.conn.execute_fetchall("SELECT count(*) FROM leads")
    assert rows[0][0] == 0


async def test_the_rejected_rows_file_cannot_run_formulas_and_says_what_was_not_understood(
    chat: ChatHarness, runtime: Runtime, coordinator: User
) -> None:
    await _english(runtime, coordinator)
    header = [*THAI_HEADER, "สัญชาติ"]
    rows = [[*ROWS[0], "สัญชาติไทย"], [*ROWS[1], "Martian"],
            ['=HYPERLINK("http://evil.example","x")', *ROWS[3][1:], ""],
            ["@SUM(1)", "Aye", "", "หญิง", "", "1/1/2566", "บางพลี", "", "", ""]]

    listed = io.StringIO()
    csv.writer(listed).writerows([header, *rows])  # quoted where a cell has a comma

    await chat.send_file(COORDINATOR, "obec.csv", listed.getvalue().encode())

    assert "Added: 1 · already known: 0 · rejected: 3" in "\n".join(
        chat.request.texts(COORDINATOR.id))
    assert rejected_rows(chat)[1:] == [
        ["3", "OBEC-002", 'The nationality "Martian" is not understood (Thai, Myanmar, '
         "Cambodian, Lao, other or unknown; ไทย, เมียนมา, กัมพูชา, ลาว)."],
        ["4", "'=HYPERLINK(\"http://evil.example\",\"x\")",
         "The sex is missing or not understood (male/female, ชาย/หญิง)."],
        ["5", "'@SUM(1)", "The child is 2 years old, outside the ages 3–18 this programme "
         "locates."]]


async def test_the_answer_says_where_a_long_run_of_blank_lines_ended_the_list(
    chat: ChatHarness, runtime: Runtime, coordinator: User
) -> None:
    await _english(runtime, coordinator)
    after = csv_bytes(THAI_HEADER, ROWS[1:2]).split(b"\n", 1)[1]

    await chat.send_file(COORDINATOR, "obec.csv",
                         csv_bytes(THAI_HEADER, ROWS[:1]) + b"\n" * 1_001 + after)

    report = chat.request.texts(COORDINATOR.id)[-1]
    assert "List imported: 1 rows." in report
    assert "Reading stopped after line 2: 1,000 blank lines followed it, and nothing after " \
        "them was read." in report
