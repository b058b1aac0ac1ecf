"""Referrals through the real Application: a teacher sends, focal points accept, decline and
complete, a coordinator re-routes; everybody sees only what is theirs."""


import pytest

from bot.domain.models import ReferralStatus, Role, User
from bot.runtime import Runtime
from tests.conftest import add_user
from tests.handlers.conftest import COORDINATOR, TEACHER, ChatHarness
from tests.support.journeys import answer_from_nationality, answer_up_to_identity
from tests.support.telegram_fake import FakeUser, callback_update, text_update

# Focal points, created by the fixture below with these Telegram ids.
MALAI = FakeUser(id=2101, first_name="Malai", language_code="en")  # primary ESA 2
WICHAI = FakeUser(id=2102, first_name="Wichai", language_code="en")  # primary ESA 2
SUDA = FakeUser(id=3101, first_name="Suda", language_code="en")  # social development office
DAO = FakeUser(id=4101, first_name="Dao", language_code="en")  # DOLE Bang Phli
UNIT_GROUP = -500
CODE = "SPK-2568-00001"


@pytest.fixture
async def focal_points(runtime: Runtime, coordinator: User, teacher: User) -> None:
    for person, unit in ((MALAI, "spp2_samutprakan"), (WICHAI, "spp2_samutprakan"),
                         (SUDA, "msdhs_pso_samutprakan"), (DAO, "dole_d1103")):
        await add_user(runtime, Role.FOCAL_POINT, unit, str(person.id), person.first_name,
                       inviter=coordinator, language=person.language_code)


async def register_and_send(chat: ChatHarness) -> None:
    """Mya Thida, 11, in Bang Phli, needs education (back to school) and supplies."""
    await answer_up_to_identity(chat, TEACHER)
    await chat.press(TEACHER, "No document")
    await answer_from_nationality(chat, TEACHER)
    plan = await chat.press(TEACHER, "Confirm")
    assert "Education → Primary ESA 2" in plan
    assert "Food and supplies → Social Development Office" in plan
    sent = await chat.press(TEACHER, "Send")
    assert "Referrals sent" in sent


def everything_seen(chat: ChatHarness, chat_id: int) -> str:
    return "\n".join(chat.request.texts(chat_id))


async def _status(runtime: Runtime, need: str) -> ReferralStatus:
    case = await runtime.db.read.cases.by_code(CODE)
    assert case is not None
    return next(r.status for r in reversed(await runtime.db.read.referrals.for_case(case.id))
                if r.need == need)


async def test_two_needs_go_to_two_units_and_the_teacher_hears_of_every_step(
    chat: ChatHarness, runtime: Runtime, focal_points: None
) -> None:
    await register_and_send(chat)

    referral = chat.last_text(MALAI)
    assert "Referral: Education" in referral and CODE in referral
    assert "about 11 years" in referral and "Myanmar" in referral and "Bang Phli" in referral
    assert "Thida" not in referral and "081" not in referral
    assert [label for label, _ in chat.buttons(MALAI)] == [
        "✅ Accept", "✖ Decline", "❓ Ask for information"]

    await chat.press(MALAI, "Accept")
    assert "Mya Thida" in chat.last_text(MALAI)  # the details, privately, to her alone
    assert "081 234 5678" in chat.last_text(MALAI)
    assert "accepted by Malai" in chat.request.texts(WICHAI.id)[-1]  # her colleague's copy
    assert "Primary ESA 2 accepted" in chat.last_text(TEACHER)

    await chat.press(MALAI, "Record the outcome")
    await chat.press(MALAI, "enrolled in a school")
    assert "completed: enrolled in a school" in chat.request.texts(MALAI.id)[-1]
    assert "recorded the outcome" in chat.last_text(TEACHER)
    assert "enrolled in a school" in chat.last_text(TEACHER)

    await chat.press(SUDA, "Decline")
    await chat.press(SUDA, "no place at the moment")
    assert "declined" in chat.last_text(TEACHER) and "no place" in chat.last_text(TEACHER)
    assert "/queue" in chat.last_text(COORDINATOR)

    queue = await chat.send(COORDINATOR, "/queue")
    assert CODE in queue and "Food and supplies" in queue
    await chat.press(COORDINATOR, f"Send {CODE}")
    await chat.press(COORDINATOR, "DOLE Bang Phli")
    assert "Food and supplies → DOLE Bang Phli" in chat.last_text(COORDINATOR)
    assert "Referral: Food and supplies" in chat.last_text(DAO)
    assert "was sent to DOLE Bang Phli" in chat.last_text(TEACHER)
    assert "The queue is empty" in await chat.send(COORDINATOR, "/queue")

    for outsider in (SUDA, DAO):
        seen = everything_seen(chat, outsider.id)
        assert "Thida" not in seen and "081" not in seen
    assert await _status(runtime, "EDUCATION") is ReferralStatus.COMPLETED
    assert await _status(runtime, "CONSUMABLES") is ReferralStatus.SENT

    card = await chat.send(TEACHER, f"/case {CODE}")
    assert "Status:</b>" not in card  # rendered, not raw HTML
    assert "Education → Primary ESA 2: completed: enrolled in a school" in card
    assert "Food and supplies → Social Development Office: declined" in card
    assert "Food and supplies → DOLE Bang Phli: waiting for the unit's answer" in card


async def test_two_focal_points_pressing_accept_together_make_one_acceptance(
    chat: ChatHarness, runtime: Runtime, focal_points: None
) -> None:
    await register_and_send(chat)
    presses = []
    for person in (MALAI, WICHAI):
        [data] = [data for label, data in chat.buttons(person) if "Accept" in label]
        message = chat.request.keyboard_message(person.id)
        presses.append(callback_update(chat.app.bot, person, data, message))

    await chat.process(*presses)

    case = await runtime.db.read.cases.by_code(CODE)
    assert case is not None
    [education] = [r for r in await runtime.db.read.referrals.for_case(case.id)
                   if r.need == "EDUCATION"]
    audit = await runtime.db.read.audit.for_entity("referral", education.id)
    assert [e.action for e in audit].count("referral.accept") == 1
    assert education.accepted_by is not None
    taker = await runtime.db.read.users.get(education.accepted_by)
    assert taker is not None
    winner = taker.display_name
    for person, press in zip((MALAI, WICHAI), presses, strict=True):  # both copies agree
        assert press.callback_query is not None and press.callback_query.message is not None
        message = chat.request.get_message(person.id, press.callback_query.message.message_id)
        assert f"accepted by {winner}" in message["text"]
    assert f"{winner} already took this referral." in chat.alerts()


async def test_a_focal_point_of_another_unit_cannot_accept_with_forged_data(
    chat: ChatHarness, runtime: Runtime, focal_points: None
) -> None:
    await register_and_send(chat)
    [accept] = [data for label, data in chat.buttons(MALAI) if "Accept" in label]

    assert "no open referrals" in await chat.send(DAO, "/inbox")
    await chat.press_data(DAO, accept)  # DOLE Bang Phli pressing primary ESA 2's button

    assert "You are not allowed to do that." in chat.alerts()
    assert await _status(runtime, "EDUCATION") is ReferralStatus.SENT
    assert "Thida" not in everything_seen(chat, DAO.id)


async def test_the_unit_asks_and_the_teacher_answers_through_the_bot(
    chat: ChatHarness, runtime: Runtime, focal_points: None
) -> None:
    await register_and_send(chat)

    prompt = await chat.press(MALAI, "Ask for information")
    assert "Type your question" in prompt
    await chat.send(MALAI, "Which grade did she finish?")
    assert "sent to the teacher" in chat.last_text(MALAI)
    question = chat.last_text(TEACHER)
    assert "Which grade did she finish?" in question

    assert "Type your answer" in await chat.press(TEACHER, "Answer")
    await chat.send(TEACHER, "Grade 4, in Myanmar")
    assert "sent to the unit" in chat.last_text(TEACHER)
    assert any("Grade 4, in Myanmar" in text for text in chat.request.texts(MALAI.id)[-3:])
    assert await _status(runtime, "EDUCATION") is ReferralStatus.SENT
    assert "Accept" in next(label for label, _ in chat.buttons(WICHAI))


async def test_a_linked_group_gets_one_message_edited_for_everyone(
    chat: ChatHarness, runtime: Runtime, focal_points: None
) -> None:
    await chat.process(text_update(chat.app.bot, MALAI, "/linkgroup", UNIT_GROUP))
    assert "This group now receives the referrals" in chat.request.texts(UNIT_GROUP)[-1]

    await register_and_send(chat)
    assert "Referral: Education" in chat.request.texts(UNIT_GROUP)[-1]
    assert "Referral" not in everything_seen(chat, MALAI.id)  # not in private any more

    await chat.press(WICHAI, "Accept", chat_id=UNIT_GROUP)

    assert "accepted by Wichai" in chat.request.texts(UNIT_GROUP)[-1]
    assert "Mya Thida" in chat.last_text(WICHAI)
    assert "Thida" not in everything_seen(chat, UNIT_GROUP)
    assert "Accept" not in " ".join(label for label, _ in chat.request.buttons(UNIT_GROUP))


async def test_the_teacher_withdraws_a_referral_from_the_case_card(
    chat: ChatHarness, runtime: Runtime, focal_points: None
) -> None:
    await register_and_send(chat)

    await chat.send(TEACHER, f"/case {CODE}")
    await chat.press(TEACHER, "Withdraw a referral")
    await chat.press(TEACHER, "Food and supplies")
    done = await chat.press(TEACHER, "sent by mistake")

    assert "withdrawn" in done
    assert "withdrawn by" in chat.last_text(SUDA)
    assert "withdrawn: sent by mistake" in chat.request.texts(SUDA.id)[-2]  # her copy, edited
    assert await _status(runtime, "CONSUMABLES") is ReferralStatus.CANCELLED


async def test_a_child_who_moved_is_rerouted_to_the_new_districts_unit(
    chat: ChatHarness, runtime: Runtime, focal_points: None
) -> None:
    await register_and_send(chat)

    await chat.send(TEACHER, f"/case {CODE}")
    await chat.press(TEACHER, "The child moved")
    offer = await chat.press(TEACHER, "Mueang Samut Prakan")
    assert "Education: Primary ESA 2 → Primary ESA 1" in offer
    await chat.press(TEACHER, "Send them there")

    assert "withdrawn: the child moved" in chat.request.texts(MALAI.id)[-2]
    case = await runtime.db.read.cases.by_code(CODE)
    assert case is not None and case.district_code == "1101"
    units = {(r.need, r.organisation_id, r.status)
             for r in await runtime.db.read.referrals.for_case(case.id)}
    assert ("EDUCATION", "spp1_samutprakan", ReferralStatus.SENT) in units
