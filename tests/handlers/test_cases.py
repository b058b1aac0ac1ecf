"""Who may open which case, through commands and (possibly forged) buttons."""

from bot.domain.models import User
from bot.runtime import Runtime
from tests.handlers.conftest import COORDINATOR, OTHER_TEACHER, TEACHER, ChatHarness
from tests.handlers.test_registration import answer_from_nationality, answer_up_to_identity


async def register_one(chat: ChatHarness) -> None:
    await answer_up_to_identity(chat, TEACHER)
    await chat.press(TEACHER, "No document")
    await answer_from_nationality(chat, TEACHER)
    await chat.press(TEACHER, "Confirm")


async def test_the_teacher_and_the_coordinators_open_the_case_card(
    chat: ChatHarness, teacher: User, coordinator: User
) -> None:
    await register_one(chat)
    own = await chat.send(TEACHER, "/case spk-2568-00001")
    assert "Case SPK-2568-00001" in own and "Mya Thida" in own
    assert "Kru Somsri" in own
    coordinators = await chat.send(COORDINATOR, "/case SPK-2568-00001")
    assert "Mya Thida" in coordinators


async def test_another_teacher_cannot_open_the_case_even_with_a_forged_button(
    chat: ChatHarness, runtime: Runtime, teacher: User, other_teacher: User
) -> None:
    await register_one(chat)
    refused = await chat.send(OTHER_TEACHER, "/case SPK-2568-00001")
    assert "Mya" not in refused
    await chat.send(OTHER_TEACHER, "/mycases")
    await chat.press_data(OTHER_TEACHER, "case:SPK-2568-00001")
    assert "ไม่พบเคส SPK-2568-00001" in chat.alerts()[-1]  # "no case you may open"
    assert all("Mya" not in text for text in chat.request.texts(OTHER_TEACHER.id))


async def test_my_cases_lists_only_ones_own_cases_page_by_page(
    chat: ChatHarness, teacher: User, other_teacher: User
) -> None:
    for _ in range(6):
        await register_one(chat)
        if chat.buttons(TEACHER) and any("Register anyway" in label
                                         for label, _ in chat.buttons(TEACHER)):
            await chat.press(TEACHER, "Register anyway")
    first = await chat.send(TEACHER, "/mycases")
    assert "6" in first and "SPK-2568-00006" in first and "SPK-2568-00002" in first
    assert "SPK-2568-00001" not in first
    second = await chat.press(TEACHER, "Next")
    assert "SPK-2568-00001" in second
    assert "ยังไม่ได้บันทึกเด็ก" in await chat.send(OTHER_TEACHER, "/mycases")


async def test_wrong_arguments_to_case_get_the_usage(chat: ChatHarness, teacher: User) -> None:
    assert "/case SPK-2568-00042" in await chat.send(TEACHER, "/case")
    assert "/case SPK-2568-00042" in await chat.send(TEACHER, "/case a b")
