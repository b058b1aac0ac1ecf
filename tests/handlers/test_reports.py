"""Excel, CSV and chart files through the real Application: what each role gets, that the
files hold the figures, and that writing a large one does not stop the bot answering."""

import asyncio
import csv
import io
import threading
from datetime import timedelta

import openpyxl
import pytest

from bot.domain.models import User
from bot.runtime import Runtime
from bot.services import users
from handlers.progress import Progress
from tests.conftest import START
from tests.handlers.conftest import COORDINATOR, TEACHER, ChatHarness
from tests.support.dataset import generate, write


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
    reached, release = threading.Event(), threading.Event()
    original = Progress.__call__

    def pause(self: Progress, done: int) -> None:
        original(self, done)
        reached.set()
        assert release.wait(timeout=10), "the teacher was not answered meanwhile"

    monkeypatch.setattr(Progress, "__call__", pause)
    monkeypatch.setattr("bot.reports.PROGRESS_EVERY", 100)
    await chat.send(COORDINATOR, "/summary")
    exporting = asyncio.create_task(chat.press(COORDINATOR, "Excel"))
    assert await asyncio.to_thread(reached.wait, 10)

    answer = await chat.send(TEACHER, "/help")

    assert "What you can do" in answer and not exporting.done()
    release.set()
    await exporting
    assert any("Writing the case list" in text for text in chat.request.texts(COORDINATOR.id))
