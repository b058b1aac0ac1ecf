"""Excel, CSV and chart files through the real Application: what each role gets, that the
files hold the figures, and that writing a large one does not stop the bot answering."""

import asyncio
import csv
import io
from datetime import timedelta

import openpyxl
import pytest

from bot.domain.models import User
from bot.flows.callback_data import ReportButton
from bot.runtime import Runtime
from bot.services import users
from tests.conftest import START
from tests.handlers.conftest import COORDINATOR, TEACHER, ChatHarness, pause_progress
from tests.support.cases import register_case
from tests.support.dataset import generate, write
from tests.support.telegram_fake import callback_update


@pytest.fixture
async def cases(runtime: Runtime, coordinator: User, teacher: User) -> int:
    generated = generate(300, seed=5, start=START - timedelta(days=30), days=29)
    await write(runtime.db, generated, teacher_id=teacher.id)
    for user in (coordinator, teacher):
        await users.set_language(runtime.db, user, "en", runtime.now())
    return len(generated)


def sent_file(chat: ChatHarness, chat_id: int) -> bytes:
    """The newest document or photo the bot sent to the chat."""
    message = next(m for m in reversed(chat.request.api.messages(chat_id))
                   if "document" in m or "photo" in m)
    sent = message["document"] if "document" in message else message["photo"][-1]
    return chat.request.api.file(sent["file_id"]).data


async def test_a_coordinator_gets_the_workbook_with_every_table_and_the_case_list(
    chat: ChatHarness, runtime: Runtime, cases: int
) -> None:
    await chat.send(COORDINATOR, "/summary")
    await chat.press(COORDINATOR, "Excel")

    workbook = openpyxl.load_workbook(io.BytesIO(sent_file(chat, COORDINATOR.id)),
                                      read_only=True)
    assert workbook.sheetnames == ["Children", "Districts", "Age groups", "Needs", "Causes",
                                   "Imported lists", "Table 5", "Referrals", "Cases"]
    children = {row[0]: row[1] for row in workbook["Children"].iter_rows(min_row=4,
                                                                          values_only=True)}
    listed = list(workbook["Cases"].iter_rows(min_row=2, values_only=True))
    assert len(listed) == children["Total"] == cases
    assert all(str(row[0]).startswith("GEN-") for row in listed)
    assert "✅ The file is ready." in chat.request.texts(COORDINATOR.id)


async def test_the_csv_case_list_is_for_coordinators_only(
    chat: ChatHarness, runtime: Runtime, cases: int
) -> None:
    await chat.send(COORDINATOR, "/summary")
    await chat.press(COORDINATOR, "CSV")
    text = sent_file(chat, COORDINATOR.id).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Case", "Registered", "District"] and len(rows) == cases + 1

    await chat.send(TEACHER, "/summary")
    assert "CSV" not in " ".join(label for label, _ in chat.buttons(TEACHER))
    await chat.press_data(TEACHER, "rp:csv:teacher:2:fy")
    assert "You are not allowed to do that." in chat.alerts()
    await chat.press(TEACHER, "Excel")  # a teacher's workbook: tables, no case list
    workbook = openpyxl.load_workbook(io.BytesIO(sent_file(chat, TEACHER.id)), read_only=True)
    assert "Cases" not in workbook.sheetnames


async def test_the_chart_is_a_picture_sent_in_private(
    chat: ChatHarness, runtime: Runtime, cases: int
) -> None:
    await chat.send(COORDINATOR, "/chart")
    picture = sent_file(chat, COORDINATOR.id)
    assert picture.startswith(b"\x89PNG") and len(picture) > 20_000


async def test_the_bot_answers_others_while_a_large_workbook_is_written(
    chat: ChatHarness, runtime: Runtime, cases: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export's worker thread stops half-way until the teacher has had an answer: were
    the workbook written on the bot's loop, the teacher would wait for ever."""
    reached, release = pause_progress(monkeypatch)
    monkeypatch.setattr("bot.reports.PROGRESS_EVERY", 100)
    await chat.send(COORDINATOR, "/summary")
    exporting = asyncio.create_task(chat.press(COORDINATOR, "Excel"))
    assert await asyncio.to_thread(reached.wait, 10)

    answer = await chat.send(TEACHER, "/help")

    assert "What you can do" in answer and not exporting.done()
    release.set()
    await exporting
    assert any("Writing the case list" in text for text in chat.request.texts(COORDINATOR.id))


# Personal data of one registered child, none of which may leave in a file.
PERSONAL = ("สมชาย", "ใจดี", "1101700203451", "นางมาลี", "+66812345678", "99/1 ซอยวัด")


@pytest.fixture
async def registered_child(runtime: Runtime, teacher: User) -> None:
    case = await register_case(runtime, teacher)
    async with runtime.db.unit_of_work() as uow:
        await uow.conn.execute(
            "UPDATE children SET identity_type = 'thai_id', identity_number = ?,"
            " guardian_name = ?, guardian_phone = ? WHERE id = ?",
            (PERSONAL[2], PERSONAL[3], PERSONAL[4], case.child_id))
        await uow.conn.execute("UPDATE cases SET address = ? WHERE id = ?",
                               (PERSONAL[5], case.id))
        await uow.commit()


def _cells(data: bytes) -> str:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True)
                     for value in row if value is not None)


async def test_no_file_carries_a_name_an_identity_number_a_phone_or_an_address(
    chat: ChatHarness, runtime: Runtime, cases: int, registered_child: None
) -> None:
    await chat.send(COORDINATOR, "/summary")
    await chat.press(COORDINATOR, "CSV")
    listed = sent_file(chat, COORDINATOR.id).decode("utf-8-sig")
    await chat.press(COORDINATOR, "Excel")
    workbook = _cells(sent_file(chat, COORDINATOR.id))

    assert "SPK-2568-00001" in listed and "SPK-2568-00001" in workbook  # the child is listed
    for value in PERSONAL:
        assert value not in listed and value not in workbook, value


async def test_a_file_asked_for_from_a_group_goes_to_the_askers_private_chat_only(
    chat: ChatHarness, runtime: Runtime, cases: int
) -> None:
    """A file button pressed in a group (a forwarded summary, a forged button): the file
    goes to the coordinator's private chat; the group sees nothing of it."""
    group = -1001
    chat.request.api.add_group(group, "Unit group")
    for kind in ("csv", "xlsx", "chart"):
        data = ReportButton(kind=kind, scope="province", key="-", period="fy").pack()
        await chat.app.process_update(
            callback_update(chat.app.bot, COORDINATOR, data, chat_id=group))

    private = [m for m in chat.request.api.messages(COORDINATOR.id)
               if "document" in m or "photo" in m]
    assert len(private) == 3
    assert chat.request.sent_messages(group) == []
