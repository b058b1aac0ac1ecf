"""/erase through the real Application: a coordinator confirms before anything goes."""

from bot.domain.models import User
from bot.runtime import Runtime
from bot.services import users
from tests.handlers.conftest import COORDINATOR, ChatHarness
from tests.support.cases import register_and_send


async def test_a_coordinator_erases_from_chat_after_confirming(
    chat: ChatHarness, runtime: Runtime, teacher: User, coordinator: User
) -> None:
    await users.set_language(runtime.db, coordinator, "en", runtime.now())
    changes = await register_and_send(runtime, teacher)
    code = changes[0].view.case_code
    assert "There is no case SPK-2568-09999" in await chat.send(COORDINATOR,
                                                                 "/erase SPK-2568-09999")
    await chat.send(COORDINATOR, f"/erase {code}")
    assert await chat.press(COORDINATOR, "Keep") == "Nothing was changed."
    assert (await runtime.db.read.cases.child(1)).given_name != "—"
    await chat.send(COORDINATOR, f"/erase {code}")
    assert f"Erased: the personal data of {code}" in await chat.press(COORDINATOR, "Erase")
    assert (await runtime.db.read.cases.child(1)).given_name == "—"
