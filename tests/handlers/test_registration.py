"""A teacher registers found children through the real Application, pressing buttons."""

import pytest

from bot.domain.models import Role, User
from bot.runtime import Runtime
from handlers.app import build_application
from tests.conftest import add_user
from tests.handlers.conftest import COORDINATOR, TEACHER, ChatHarness, start_app
from tests.support.journeys import answer_from_nationality, answer_up_to_identity
from tests.support.telegram_fake import (
    FakeUser,
    RecordingRequest,
    photo_update,
)

VALID_THAI_ID = "1-2345-45678-78-1"


async def register_the_same_thai_id_twice(chat: ChatHarness) -> str:
    """Confirm two registrations with one Thai ID; the reply to the second confirm."""
    for _ in range(2):
        await answer_up_to_identity(chat, TEACHER)
        await chat.press(TEACHER, "Thai ID")
        await chat.send(TEACHER, VALID_THAI_ID)
        await answer_from_nationality(chat, TEACHER, nationality="Thai")
        reply = await chat.press(TEACHER, "Confirm")
    return reply


async def test_a_teacher_registers_a_child_without_any_document(
    chat: ChatHarness, runtime: Runtime, teacher: User
) -> None:
    await answer_up_to_identity(chat, TEACHER)
    await chat.press(TEACHER, "No document")
    summary = await answer_from_nationality(chat, TEACHER)

    assert "Please check before saving" in summary
    assert "Mya Thida" in summary
    assert "about 11 years" in summary and "age group 6–15" in summary
    assert "Bang Phli Yai, Bang Phli" in summary
    assert "081 234 5678" in summary
    assert "Education, Food and supplies" in summary

    done = await chat.press(TEACHER, "Confirm")
    assert "SPK-2568-00001" in done
    case = await runtime.db.read.cases.by_code("SPK-2568-00001")
    assert case is not None and case.teacher_id == teacher.id
    assert case.district_code == "1103" and case.subdistrict_code == "110301"
    assert case.needs == ("CONSUMABLES", "EDUCATION")
    assert (case.latitude, case.longitude) == (13.6052, 100.7068)
    child = await runtime.db.read.cases.child(case.child_id)
    assert child.identity_type == "none" and child.identity_number is None
    assert child.guardian_phone == "+66812345678"
    assert child.birth_estimated and child.birth_year == 2014
    audit = await runtime.db.read.audit.for_entity("case", case.id)
    assert [entry.action for entry in audit] == ["case.register"]
    assert audit[0].actor_id == teacher.id

    listing = await chat.send(TEACHER, "/mycases")
    assert "SPK-2568-00001" in listing and "Mya Thida" in listing


async def test_the_second_registration_of_the_same_thai_id_is_warned_as_a_duplicate(
    chat: ChatHarness, runtime: Runtime, teacher: User
) -> None:
    reply = await register_the_same_thai_id_twice(chat)
    assert "may already be registered" in reply and "SPK-2568-00001" in reply
    assert await runtime.db.read.cases.by_code("SPK-2568-00002") is None

    card = await chat.press(TEACHER, "SPK-2568-00001")
    assert "Case SPK-2568-00001" in card
    assert "63-5" not in card and "78-1" in card  # the ID is shown masked: last digits only
    assert await runtime.db.read.cases.by_code("SPK-2568-00002") is None


async def test_registering_anyway_links_the_new_case_to_the_possible_duplicate(
    chat: ChatHarness, runtime: Runtime, teacher: User
) -> None:
    await register_the_same_thai_id_twice(chat)
    saved = await chat.press(TEACHER, "Register anyway")
    assert "SPK-2568-00002" in saved
    second = await runtime.db.read.cases.by_code("SPK-2568-00002")
    first = await runtime.db.read.cases.by_code("SPK-2568-00001")
    assert second is not None and first is not None
    assert second.possible_duplicate_of == first.id


async def test_a_wrong_thai_id_checksum_is_explained_and_asked_again(
    chat: ChatHarness, teacher: User
) -> None:
    await answer_up_to_identity(chat, TEACHER)
    await chat.press(TEACHER, "Thai ID")
    texts_before = len(chat.request.texts(TEACHER.id))
    await chat.send(TEACHER, "1-2345-45678-78-9")
    new_texts = chat.request.texts(TEACHER.id)[texts_before:]
    assert any("last digit does not match" in text for text in new_texts)
    assert "number" in new_texts[-1]  # the same question again
    await chat.send(TEACHER, VALID_THAI_ID)
    assert "Nationality" in chat.last_text(TEACHER)


async def test_impossible_dates_photos_and_typed_choices_change_nothing(
    chat: ChatHarness, teacher: User
) -> None:
    await answer_up_to_identity(chat, TEACHER)
    await chat.press(TEACHER, "No document")
    await chat.press(TEACHER, "Myanmar")
    await chat.send(TEACHER, "31/2/2555")
    assert any("does not exist" in text for text in chat.request.texts(TEACHER.id)[-2:])
    await chat.app.process_update(photo_update(chat.app.bot, TEACHER))
    assert any("type the answer as text" in text for text in chat.request.texts(TEACHER.id)[-2:])
    assert await chat.send(TEACHER, "15 มี.ค. 2555") != ""
    assert "district" in chat.last_text(TEACHER)
    await chat.send(TEACHER, "Bang Phli")  # typed where a button is expected
    assert any("choose one of the buttons" in text
               for text in chat.request.texts(TEACHER.id)[-2:])
    assert "district" in chat.last_text(TEACHER)


async def test_back_and_edit_from_the_summary_change_one_answer(
    chat: ChatHarness, runtime: Runtime, teacher: User
) -> None:
    await answer_up_to_identity(chat, TEACHER)
    back = await chat.press(TEACHER, "Back")
    assert "Sex" in back
    await chat.press(TEACHER, "Female")
    await chat.press(TEACHER, "No document")
    await answer_from_nationality(chat, TEACHER)
    await chat.press(TEACHER, "Edit")
    await chat.press(TEACHER, "Guardian")
    await chat.send(TEACHER, "Ko Aung")
    summary = await chat.press(TEACHER, "Skip")  # no phone this time
    assert "Please check before saving" in summary
    assert "Ko Aung" in summary and "081 234 5678" not in summary
    await chat.press(TEACHER, "Confirm")
    case = await runtime.db.read.cases.by_code("SPK-2568-00001")
    assert case is not None
    child = await runtime.db.read.cases.child(case.child_id)
    assert child.guardian_name == "Ko Aung" and child.guardian_phone is None


async def test_cancel_discards_the_draft_and_old_buttons_go_stale(
    chat: ChatHarness, runtime: Runtime, teacher: User
) -> None:
    await answer_up_to_identity(chat, TEACHER)
    old_buttons = chat.buttons(TEACHER)
    assert "cancelled" in await chat.send(TEACHER, "/cancel")
    await chat.press_data(TEACHER, old_buttons[0][1])
    assert "no longer valid" in chat.alerts()[-1]
    assert await runtime.db.read.cases.by_code("SPK-2568-00001") is None


async def test_a_button_from_an_earlier_question_is_refused(
    chat: ChatHarness, teacher: User
) -> None:
    await chat.send(TEACHER, "/new")
    await chat.send(TEACHER, "Mya")
    await chat.press(TEACHER, "Skip")
    nickname_skip = next(data for label, data in chat.buttons(TEACHER) if "Skip" in label)
    await chat.press(TEACHER, "Skip")
    assert "Sex" in chat.last_text(TEACHER)
    await chat.press_data(TEACHER, nickname_skip)
    assert "no longer valid" in chat.alerts()[-1]
    assert "Sex" in chat.last_text(TEACHER)


async def test_a_registration_survives_a_restart_halfway(
    runtime: Runtime, teacher: User
) -> None:
    telegram = RecordingRequest()  # plays Telegram, which keeps the chat across restarts
    app = await start_app(runtime, telegram)
    await answer_up_to_identity(ChatHarness(app, telegram), TEACHER)
    await ChatHarness(app, telegram).press(TEACHER, "No document")
    await app.shutdown()  # everything in the bot's memory is gone

    app = build_application(runtime, request=telegram, rate_limit=False)
    await app.initialize()
    try:
        chat = ChatHarness(app, telegram)
        # The teacher answers the question that was on screen before the restart.
        assert "Nationality" in chat.last_text(TEACHER)
        assert "Date of birth" in await chat.press(TEACHER, "Myanmar")
        await chat.press(TEACHER, "Date not known")
        await chat.press(TEACHER, "11")
        await chat.press(TEACHER, "Bang Phli")
        await chat.press(TEACHER, "Bang Phli Yai")
        await chat.press(TEACHER, "Skip")  # address
        await chat.press(TEACHER, "Skip")  # location
        await chat.press(TEACHER, "Not found")
        await chat.press(TEACHER, "Not known")
        await chat.press(TEACHER, "Skip")  # guardian's name
        await chat.press(TEACHER, "Skip")  # guardian's phone
        await chat.press(TEACHER, "Not asked yet")
        await chat.press(TEACHER, "No support needed")
        summary = await chat.press(TEACHER, "Non-formal")
        assert "Mya Thida" in summary
        assert "SPK-2568-00001" in await chat.press(TEACHER, "Confirm")
    finally:
        await app.shutdown()


async def test_a_registration_survives_a_crash_after_the_periodic_save(
    runtime: Runtime, teacher: User
) -> None:
    telegram = RecordingRequest()
    crashed = await start_app(runtime, telegram)
    await answer_up_to_identity(ChatHarness(crashed, telegram), TEACHER)
    # What the persistence loop does every second while the bot runs; then the process
    # dies without shutting down.
    await crashed.update_persistence()

    app = build_application(runtime, request=telegram, rate_limit=False)
    await app.initialize()
    try:
        chat = ChatHarness(app, telegram)
        assert "Myanmar" not in chat.last_text(TEACHER)
        assert "Nationality" in await chat.press(TEACHER, "No document")
    finally:
        await app.shutdown()


async def test_an_answer_typed_after_a_crash_is_filed_under_the_question_it_answers(
    runtime: Runtime, teacher: User
) -> None:
    """The bot dies right after asking for the family name, before any periodic save: the
    teacher's next answer is the family name, not a second given name."""
    telegram = RecordingRequest()
    crashed = await start_app(runtime, telegram)
    await ChatHarness(crashed, telegram).send(TEACHER, "/new")
    assert "family name" in await ChatHarness(crashed, telegram).send(TEACHER, "Mya")
    # No shutdown and no persistence round: the process is gone.

    app = build_application(runtime, request=telegram, rate_limit=False)
    await app.initialize()
    try:
        await ChatHarness(app, telegram).send(TEACHER, "Thida")
    finally:
        await app.shutdown()
    [draft] = (await runtime.db.read.conversations.load_data("user")).values()
    answered = draft["registration"]
    assert (answered["given_name"], answered["family_name"]) == ("Mya", "Thida")


async def test_a_thai_speaking_teacher_is_asked_in_thai(
    chat: ChatHarness, runtime: Runtime, coordinator: User
) -> None:
    from tests.conftest import add_user

    await add_user(runtime, Role.TEACHER, "dole_d1101", "3003", inviter=coordinator)
    thai_teacher = FakeUser(id=3003, language_code="th")
    await chat.send(thai_teacher, "/new")
    assert "ชื่อ" in chat.last_text(thai_teacher)
    await chat.send(thai_teacher, "สมชาย")
    await chat.send(thai_teacher, "ใจดี")
    await chat.press(thai_teacher, "ข้าม")
    assert "เพศ" in chat.last_text(thai_teacher)
    labels = [label for label, _ in chat.buttons(thai_teacher)]
    assert "ชาย" in labels and "หญิง" in labels


async def test_new_in_the_middle_of_a_registration_resumes_it(
    chat: ChatHarness, teacher: User
) -> None:
    await answer_up_to_identity(chat, TEACHER)
    await chat.send(TEACHER, "/new")
    assert any("here is where you left it" in text
               for text in chat.request.texts(TEACHER.id)[-2:])
    assert "identity document" in chat.last_text(TEACHER)
    assert "Nationality" in await chat.press(TEACHER, "No document")


async def test_names_that_look_like_html_are_shown_as_typed_and_the_messages_stay_valid(
    chat: ChatHarness, runtime: Runtime, coordinator: User
) -> None:
    await add_user(runtime, Role.TEACHER, "school_wat_phraek_sa", str(TEACHER.id),
                   "Kru O'Neil & <Som>", inviter=coordinator)
    await chat.send(TEACHER, "/new")
    await chat.send(TEACHER, "<b>O'Brien (Tun)</b>")
    await chat.send(TEACHER, "D’Souza & Co")
    await chat.press(TEACHER, "Skip")  # nickname
    await chat.press(TEACHER, "Female")
    await chat.press(TEACHER, "No document")
    await answer_from_nationality(chat, TEACHER)
    await chat.press(TEACHER, "Edit")
    await chat.press(TEACHER, "Guardian")
    await chat.send(TEACHER, "Daw <i>Hla</i> \"Mimi\"")
    summary = await chat.send(TEACHER, "+95 9 420 123 456")

    # The fake Bot API refuses text that is not valid Telegram HTML; what the teacher reads
    # is the name as typed, not bold, with no entity shown (&amp;, &#x27;) and no tag lost.
    assert "<b>O'Brien (Tun)</b> D’Souza & Co" in summary
    assert "Daw <i>Hla</i> \"Mimi\" · +95 9 42012 3456" in summary
    sent = chat.request.sent_messages(TEACHER.id)[-1].params["text"]
    assert "&lt;b&gt;O&#x27;Brien (Tun)&lt;/b&gt;" in sent

    await chat.press(TEACHER, "Confirm")
    card = await chat.send(TEACHER, "/case SPK-2568-00001")
    assert "<b>O'Brien (Tun)</b> D’Souza & Co" in card
    assert "Daw <i>Hla</i> \"Mimi\" · +95 9 42012 3456" in card
    assert "Kru O'Neil & <Som>" in card
    listed = await chat.send(TEACHER, "/mycases")
    assert "<b>O'Brien (Tun)</b> D’Souza & Co" in listed
    child = await runtime.db.read.cases.child(
        (await runtime.db.read.cases.by_code("SPK-2568-00001")).child_id)
    assert (child.given_name, child.guardian_phone) == ("<b>O'Brien (Tun)</b>", "+959420123456")

    await chat.send(COORDINATOR, "/users")  # button labels are plain text: nothing to escape
    assert "Deactivate Kru O'Neil & <Som>" in [label for label, _ in chat.buttons(COORDINATOR)]


async def test_past_the_daily_limit_a_teacher_is_told_of_a_match_without_its_code(
    chat: ChatHarness, runtime: Runtime, teacher: User, other_teacher: User,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.settings, "duplicate_reveals_per_day", 0)
    other = FakeUser(id=int(other_teacher.channel_user_id), first_name="Anan",
                     language_code="en")
    for person in (TEACHER, other):
        await answer_up_to_identity(chat, person)
        await chat.press(person, "Thai ID")
        await chat.send(person, VALID_THAI_ID)
        await answer_from_nationality(chat, person, nationality="Thai")
        reply = await chat.press(person, "Confirm")

    assert "may already be registered" in reply and "a coordinator can check" in reply
    assert "SPK-2568-00001" not in str(chat.request.calls[-1].params)  # nor in a button
    first = await runtime.db.read.cases.by_code("SPK-2568-00001")
    assert first is not None
    await chat.press_data(other, f"w:duplicates:{first.id}")  # forged: the withheld case
    assert "no longer valid" in chat.alerts()[-1]
    saved = await chat.press(other, "Register anyway")
    assert "SPK-2568-00002" in saved
    audit = await runtime.db.read.audit.for_entity("case", first.id)
    assert (audit[-1].action, audit[-1].actor_id) == ("case.duplicate_withheld",
                                                      other_teacher.id)
