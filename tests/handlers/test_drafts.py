"""Abandoned drafts hold a child's data: they expire, and go with a deactivated author,
from the database and from PTB's memory alike."""

from datetime import UTC, datetime, timedelta

from bot.domain.models import User
from bot.runtime import Runtime
from handlers.drafts import expire_drafts
from handlers.registration import DRAFT_KEY
from storage.conversations import USER_DATA
from tests.conftest import FakeClock
from tests.handlers.conftest import COORDINATOR, OTHER_TEACHER, TEACHER, ChatHarness
from tests.support.telegram_fake import FakeUser


async def _stored_drafts(runtime: Runtime) -> dict[str, object]:
    return await runtime.db.read.conversations.load_data(USER_DATA)


async def _start_a_draft(chat: ChatHarness, person: FakeUser, name: str) -> None:
    await chat.send(person, "/new")
    await chat.send(person, name)


async def _answers(chat: ChatHarness, person: FakeUser, text: str) -> str:
    """Everything the bot answered to `text`."""
    before = len(chat.request.texts(person.id))
    await chat.send(person, text)
    return "\n".join(chat.request.texts(person.id)[before:])


async def test_a_draft_untouched_past_the_expiry_goes_from_database_and_memory(
    chat: ChatHarness, runtime: Runtime, clock: FakeClock, teacher: User, other_teacher: User
) -> None:
    await _start_a_draft(chat, TEACHER, "สมหญิง")
    await _start_a_draft(chat, OTHER_TEACHER, "มานี")
    async with runtime.db.unit_of_work() as uow:  # the first one, abandoned 31 days ago
        await uow.conn.execute(
            "UPDATE conversation_data SET updated_at = ? WHERE data_key = ?",
            ((datetime.now(UTC) - timedelta(days=31)).isoformat(), str(TEACHER.id)))
        await uow.commit()
    clock.now = datetime.now(UTC)
    assert runtime.settings.draft_expiry_days == 30

    assert await expire_drafts(chat.app) == [str(TEACHER.id)]

    assert list(await _stored_drafts(runtime)) == [str(OTHER_TEACHER.id)]
    assert DRAFT_KEY not in chat.app.user_data.get(TEACHER.id, {})
    assert DRAFT_KEY in chat.app.user_data[OTHER_TEACHER.id]
    await chat.app.update_persistence()  # PTB's next round deletes nothing more
    assert list(await _stored_drafts(runtime)) == [str(OTHER_TEACHER.id)]
    assert "Let's register the child you found" in await _answers(chat, TEACHER, "/new")
    assert "การบันทึกที่ยังไม่เสร็จ" in await _answers(chat, OTHER_TEACHER, "/new")  # resumed


async def test_a_deactivated_teachers_draft_goes_at_once(
    chat: ChatHarness, runtime: Runtime, coordinator: User, teacher: User
) -> None:
    await _start_a_draft(chat, TEACHER, "สมหญิง")
    assert str(TEACHER.id) in await _stored_drafts(runtime)

    await chat.send(COORDINATOR, "/users")
    await chat.press(COORDINATOR, "Deactivate Kru Somsri")
    await chat.press(COORDINATOR, "Yes")

    assert str(TEACHER.id) not in await _stored_drafts(runtime)
    assert DRAFT_KEY not in chat.app.user_data.get(TEACHER.id, {})
    await chat.app.update_persistence()
    assert str(TEACHER.id) not in await _stored_drafts(runtime)
