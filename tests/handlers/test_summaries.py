"""/summary through the real Application: tables that fit a phone, scope and period buttons
for coordinators, and nobody else's figures for anyone else."""

from datetime import timedelta

from bot.domain.models import Role, User
from bot.runtime import Runtime
from bot.services import users
from tests.conftest import START, add_user
from tests.handlers.conftest import COORDINATOR, TEACHER, ChatHarness
from tests.support.dataset import generate, write
from tests.support.telegram_fake import FakeUser

FOCAL = FakeUser(id=4001, first_name="Dao", language_code="en")


async def _dataset(runtime: Runtime, teacher: User) -> None:
    cases = generate(60, seed=3, start=START - timedelta(days=40), days=40)
    await write(runtime.db, cases, teacher_id=teacher.id)


async def test_a_coordinator_reads_the_province_then_a_district(
    chat: ChatHarness, runtime: Runtime, coordinator: User, teacher: User
) -> None:
    await _dataset(runtime, teacher)
    await users.set_language(runtime.db, coordinator, "en", runtime.now())

    text = await chat.send(COORDINATOR, "/summary")
    everything = "\n".join(chat.request.texts(COORDINATOR.id))
    assert "Summary: The province" in everything and "fiscal year 2569" in everything
    assert "Children recorded:" in everything and "By district" in everything
    assert "Back in education (Table 5)" in everything and "Referrals" in text
    assert all(len(line) <= 40 for line in everything.splitlines()
               if line.startswith(("Mueang", "Bang", "Phra", "District")))
    labels = [label for label, _ in chat.buttons(COORDINATOR)]
    assert "• This fiscal year" in labels and "A district…" in labels

    await chat.press(COORDINATOR, "A district…")
    await chat.press(COORDINATOR, "Bang Phli")
    assert any("Summary: Bang Phli" in text for text in chat.request.texts(COORDINATOR.id))


async def test_teachers_and_focal_points_see_only_their_own_part(
    chat: ChatHarness, runtime: Runtime, coordinator: User, teacher: User
) -> None:
    await _dataset(runtime, teacher)
    await add_user(runtime, Role.FOCAL_POINT, "dole_d1103", str(FOCAL.id), "Dao",
                   inviter=coordinator, language="en")

    mine = await chat.send(TEACHER, "/summary")
    assert "Summary: your cases" in "\n".join(chat.request.texts(TEACHER.id))
    assert "Referrals" in mine
    assert [label for label, _ in chat.buttons(TEACHER)] == [
        "• This fiscal year", "Last 30 days", "All time", "📥 Excel", "📈 Chart"]
    await chat.press_data(TEACHER, "sm:province:-:fy")  # forged: the province
    await chat.press_data(TEACHER, "sm:pick-unit:-:fy")
    assert chat.alerts() == ["You are not allowed to do that."] * 2

    await chat.send(FOCAL, "/summary")
    assert "Summary: Bang Phli District Learning" in "\n".join(chat.request.texts(FOCAL.id))
    before = len(chat.request.texts(FOCAL.id))
    await chat.press(FOCAL, "All time")
    again = "\n".join(chat.request.texts(FOCAL.id)[before:])
    assert "Summary: Bang Phli District Learning" in again and "all time" in again
