"""Invites, the first steps of a new user, and the coordinator's user list, in chat."""

import re

from bot.domain.models import Role, User
from bot.runtime import Runtime
from tests.handlers.conftest import COORDINATOR, STRANGER, TEACHER, ChatHarness
from tests.support.telegram_fake import FakeUser


async def test_a_coordinator_invites_a_teacher_who_joins_with_the_link(
    chat: ChatHarness, runtime: Runtime, coordinator: User
) -> None:
    await chat.send(COORDINATOR, "/invite")
    await chat.press(COORDINATOR, "Teacher")
    assert "Wat Phraek Sa School" not in chat.last_text(COORDINATOR)
    created = await chat.press(COORDINATOR, "Wat Phraek Sa School")
    link = re.search(r"https://t\.me/panong_test_bot\?start=([\w-]+)", created)
    assert link is not None, created

    newcomer = FakeUser(id=4242, first_name="Malee", language_code="th")
    welcome = await chat.send(newcomer, f"/start {link.group(1)}")
    assert "ครู" in welcome and "โรงเรียนวัดแพรกษา" in welcome
    joined = await runtime.db.read.users.by_channel_id("telegram", "4242")
    assert joined is not None and joined.role is Role.TEACHER
    assert joined.organisation_id == "school_wat_phraek_sa"
    # The coordinator hears that the invite was used in the language their phone used
    # when they last wrote (the command line made them, with no language saved).
    assert "Malee has joined Panong as Teacher" in chat.last_text(COORDINATOR)
    assert joined.language == "th"  # the newcomer's Telegram language, kept for notices
    # A teacher's menu adds /locate to everyone's, in their own chat.
    scoped = [c for c in chat.request.calls_to("setMyCommands") if "scope" in c.params]
    assert {c.params["scope"]["chat_id"] for c in scoped} == {4242}
    assert "locate" in [command["command"] for command in scoped[-1].params["commands"]]

    again = await chat.send(FakeUser(id=4343), f"/start {link.group(1)}")
    assert "ถูกใช้ไปแล้ว" in again  # "already used"
    assert await runtime.db.read.users.by_channel_id("telegram", "4343") is None


async def test_a_new_coordinator_gets_the_coordinator_menu(
    chat: ChatHarness, runtime: Runtime, coordinator: User
) -> None:
    await chat.send(COORDINATOR, "/invite")
    await chat.press(COORDINATOR, "Coordinator")
    created = await chat.press(COORDINATOR, "Samut Prakan PEO")
    code = re.search(r"start=([\w-]+)", created).group(1)
    await chat.send(FakeUser(id=7777, language_code="en"), f"/start {code}")
    scoped = [c for c in chat.request.calls_to("setMyCommands") if "scope" in c.params]
    assert {c.params["scope"]["chat_id"] for c in scoped} == {7777}
    assert any("invite" in [cmd["command"] for cmd in c.params["commands"]] for c in scoped)


async def test_an_unknown_user_is_told_how_to_get_access_and_can_do_nothing(
    chat: ChatHarness, runtime: Runtime
) -> None:
    for text in ("/start", "/new", "/mycases", "/case SPK-2568-00001", "hello"):
        reply = await chat.send(STRANGER, text)
        assert "ขอลิงก์เชิญ" in reply  # Thai: ask for an invite link
    await chat.press_data(STRANGER, "w:given_name:_cancel")
    assert "ขอลิงก์เชิญ" in chat.alerts()[-1]
    invalid = await chat.send(STRANGER, "/start not-a-real-code")
    assert "ไม่ถูกต้อง" in invalid
    assert await runtime.db.read.users.by_channel_id("telegram", str(STRANGER.id)) is None


async def test_only_coordinators_may_invite_or_list_users(
    chat: ChatHarness, teacher: User
) -> None:
    assert "not allowed" in await chat.send(TEACHER, "/invite")
    assert "not allowed" in await chat.send(TEACHER, "/users")
    # A forged invite button, as if from a coordinator's keyboard.
    await chat.press_data(TEACHER, "ivo:coordinator:peo_samutprakan")
    assert "not allowed" in chat.alerts()[-1]


async def test_a_coordinator_deactivates_a_teacher_who_then_can_do_nothing(
    chat: ChatHarness, runtime: Runtime, coordinator: User, teacher: User
) -> None:
    listing = await chat.send(COORDINATOR, "/users")
    assert "Kru Somsri" in listing and "Khun Prasert" in listing
    await chat.press(COORDINATOR, "Deactivate Kru Somsri")
    assert "Deactivate Kru Somsri?" in chat.last_text(COORDINATOR)
    await chat.press(COORDINATOR, "Yes")
    assert "deactivated" in chat.last_text(COORDINATOR)
    stored = await runtime.db.read.users.get(teacher.id)
    assert stored is not None and not stored.active
    assert "deactivated" in await chat.send(TEACHER, "/new")
    audit = await runtime.db.read.audit.for_entity("user", teacher.id)
    assert audit[-1].action == "user.deactivate" and audit[-1].actor_id == coordinator.id


async def test_the_language_choice_is_saved_and_used(
    chat: ChatHarness, runtime: Runtime, teacher: User
) -> None:
    await chat.send(TEACHER, "/language")
    await chat.press(TEACHER, "ไทย")
    assert "ภาษาไทย" in chat.last_text(TEACHER)
    assert "สิ่งที่ทำได้" in await chat.send(TEACHER, "/help")
    stored = await runtime.db.read.users.get(teacher.id)
    assert stored is not None and stored.language == "th"


async def test_an_edited_message_is_not_taken_as_an_answer(
    chat: ChatHarness, teacher: User
) -> None:
    from tests.support.telegram_fake import edited_text_update

    await chat.send(TEACHER, "/new")
    await chat.app.process_update(edited_text_update(chat.app.bot, TEACHER, "Mya"))
    assert "send it again as a new message" in chat.last_text(TEACHER)
    # The wizard still waits for the given name.
    assert "family name" in await chat.send(TEACHER, "Mya")


async def test_a_coordinator_lists_pending_invites_and_withdraws_one(
    chat: ChatHarness, runtime: Runtime, coordinator: User
) -> None:
    await chat.send(COORDINATOR, "/invite")
    await chat.press(COORDINATOR, "Teacher")
    created = await chat.press(COORDINATOR, "Wat Phraek Sa School")
    link = re.search(r"start=([\w-]+)", created)
    assert link is not None, created

    listing = await chat.send(COORDINATOR, "/invites")
    assert ("1. Teacher, Wat Phraek Sa School: made by Khun Prasert, works until 1 Dec 2025"
            in listing)
    assert link.group(1) not in str(chat.request.calls[-1].params)  # buttons hold no code
    await chat.press(COORDINATOR, "Withdraw 1")
    assert "Withdraw the invite for a Teacher" in chat.last_text(COORDINATOR)
    await chat.press(COORDINATOR, "Yes")
    assert "withdrawn" in chat.alerts()[-1]
    assert "No invite is waiting" in chat.last_text(COORDINATOR)

    refused = await chat.send(FakeUser(id=4242, first_name="Malee"), f"/start {link.group(1)}")
    assert "ถูกยกเลิก" in refused  # "withdrawn", in the newcomer's default language
    assert await runtime.db.read.users.by_channel_id("telegram", "4242") is None


async def test_link_gives_a_code_that_links_another_app_to_the_same_account(
    chat: ChatHarness, runtime: Runtime, teacher: User
) -> None:
    from bot.services import linking

    answer = await chat.send(TEACHER, "/link")
    [code] = [word for word in answer.split() if word.startswith("link-")]
    linked = await linking.link(runtime.db, code=code, channel="line",
                                channel_user_id="U" + "1" * 32, now=runtime.now())
    assert linked.user.id == teacher.id
    assert "/link" in await chat.send(TEACHER, "/help")
