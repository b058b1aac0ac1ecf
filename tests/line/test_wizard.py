"""/new on LINE, through the real webhook server: a teacher registers a child by taps and
typing, the case is saved and its plan offered, then sent; bad answers, old and forged
buttons, a restart and /cancel, each checked against what is stored."""

from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from linebot.v3.messaging import FlexMessage, TextMessage

from bot.config import Settings
from bot.domain.models import ReferralStatus, User
from bot.flows.callback_data import CaseActionButton, DestinationListButton, WizardButton
from bot.i18n import translator
from bot.presenters import plain
from bot.runtime import Runtime
from bot.services.registration import CaseDraft, Step
from line.conversation import Doing, recall
from tests.conftest import FakeClock
from tests.support.line import (
    PERSON,
    RecordingMessaging,
    actions,
    answer,
    event,
    invite_code,
    line_focal_point,
    parts,
    post,
    postback,
    text,
    webhook_app,
)

TH = translator("th")
FOCAL_POINT = "U" + "f" * 32


def offered(messaging: RecordingMessaging) -> dict[str, str]:
    """The wizard's values offered by the last question (a card's without the fingerprint
    of what it shows), with their postback data."""
    found = {}
    for action in actions(answer(messaging)[-1]):
        pressed = WizardButton.unpack(action.get("data"))
        if pressed is not None:
            found[pressed.value.partition(".")[0]] = action["data"]
    return found


async def draft_of(runtime: Runtime) -> CaseDraft | None:
    stored = (await recall(runtime.db, PERSON)).data.get("registration")
    return CaseDraft.model_validate(stored) if stored else None


async def step_of(runtime: Runtime) -> Step | None:
    draft = await draft_of(runtime)
    return draft.step if draft else None


async def press(webhook: TestClient[Any, Any], messaging: RecordingMessaging,
                value: str) -> None:
    """Tap the last question's button for `value` (it must be offered)."""
    data = offered(messaging)
    assert value in data, (value, sorted(data))
    await post(webhook, postback(data[value]))


async def join(webhook: TestClient[Any, Any], runtime: Runtime, coordinator: User) -> None:
    await post(webhook, text(f"/start {await invite_code(runtime, coordinator)}"))


async def up_to_sex(webhook: TestClient[Any, Any], runtime: Runtime,
                    messaging: RecordingMessaging, coordinator: User) -> None:
    await join(webhook, runtime, coordinator)
    await post(webhook, text("/new"))
    await post(webhook, text("สมชาย"))
    await press(webhook, messaging, "_skip")
    await press(webhook, messaging, "_skip")
    assert await step_of(runtime) is Step.SEX


def location(latitude: float, longitude: float) -> dict[str, Any]:
    return event("message", {"type": "user", "userId": PERSON}, message={
        "id": "7", "type": "location", "title": "บ้าน", "address": "สมุทรปราการ",
        "latitude": latitude, "longitude": longitude})


async def test_a_teacher_registers_a_child_by_taps_and_typing_and_sends_the_plan(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User
) -> None:
    await line_focal_point(webhook, runtime, coordinator, FOCAL_POINT)
    await join(webhook, runtime, coordinator)
    await post(webhook, text("/new"))
    intro, asked = answer(messaging)
    assert intro.text == plain(TH("new-intro"))
    assert asked.text == plain(TH("ask-given_name")) and set(offered(messaging)) == {"_cancel"}

    await post(webhook, text("สมชาย"))
    assert set(offered(messaging)) == {"_back", "_skip", "_cancel"}
    await press(webhook, messaging, "_skip")  # family name
    await press(webhook, messaging, "_skip")  # nickname
    await press(webhook, messaging, "male")
    await press(webhook, messaging, "none")  # no document: no number asked
    await press(webhook, messaging, "thai")

    # The birth date: LINE's date picker, within the ages Panong registers, or typed.
    [picker] = [a for a in actions(answer(messaging)[-1]) if a["type"] == "datetimepicker"]
    today = runtime.today()
    assert picker["mode"] == "date" and picker["max"] == today.isoformat()
    assert picker["min"] <= picker["initial"] <= picker["max"]
    assert int(picker["max"][:4]) - int(picker["min"][:4]) == 25
    await post(webhook, postback(picker["data"], date="2014-03-15"))
    draft = await draft_of(runtime)
    assert draft is not None and draft.birth_date is not None
    assert draft.birth_date.isoformat() == "2014-03-15" and draft.step is Step.DISTRICT

    await press(webhook, messaging, "1101")
    # Mueang has more subdistricts than LINE shows at once: a page at a time.
    first_page = offered(messaging)
    assert "unknown" not in first_page and "_page1" in first_page
    await press(webhook, messaging, "_page1")
    assert await step_of(runtime) is Step.SUBDISTRICT  # paging changes nothing
    assert "_page0" in offered(messaging)
    await press(webhook, messaging, "unknown")

    await post(webhook, text("ซอย 5 ข้างวัด"))
    assert [a["type"] for a in actions(answer(messaging)[-1])
            if a["type"] == "location"] == ["location"]
    await post(webhook, location(13.5991, 100.5968))
    await press(webhook, messaging, "yes")
    assert len(offered(messaging)) == 13  # eleven causes, Back and Cancel
    await press(webhook, messaging, "LOW_INCOME")
    await press(webhook, messaging, "_skip")
    await press(webhook, messaging, "_skip")
    await press(webhook, messaging, "given")
    await press(webhook, messaging, "EDUCATION")
    chosen = [a["label"] for a in actions(answer(messaging)[-1])]
    assert plain(TH("need-EDUCATION")) not in chosen
    assert "✅ " + plain(TH("need-EDUCATION")) in chosen
    await press(webhook, messaging, "done")
    await press(webhook, messaging, "school")

    # The check before saving: a card, its fields, Confirm and Edit.
    [card] = answer(messaging)
    assert isinstance(card, FlexMessage)
    body = card.to_dict()
    words = [part["text"] for part in parts(body["contents"]) if part.get("type") == "text"]
    assert plain(TH("summary-title")) in words and "สมชาย" in words
    assert "ซอย 5 ข้างวัด" in words and plain(TH("location-shared")) in words
    assert card.alt_text.startswith(plain(TH("summary-title")))
    footer = [part["action"]["data"] for part in parts(body["contents"]["footer"])
              if "action" in part]
    assert [WizardButton.unpack(data).value.partition(".")[0] for data in footer] == [
        "confirm", "edit"]
    assert {"_back", "_cancel"} <= set(offered(messaging))
    await press(webhook, messaging, "confirm")

    saved, plan = answer(messaging)[:2]
    case = await runtime.db.read.cases.by_code("SPK-2568-00001")
    assert case is not None and case.latitude == 13.5991 and case.address == "ซอย 5 ข้างวัด"
    assert saved.text == plain(TH("line-new-registered", code=case.code))
    assert await recall(runtime.db, PERSON) == Doing()  # the flow ended with the save
    assert isinstance(plan, TextMessage) and case.code in plan.text
    choices = {a["label"]: a["data"] for a in actions(plan)}
    send = choices[plain(TH("button-send"))]
    assert any(DestinationListButton.unpack(data) for data in choices.values())

    await post(webhook, postback(send))
    assert answer(messaging)[0].text.startswith(plain(TH("plan-sent")))
    referrals = await runtime.db.read.referrals.for_case(case.id)
    assert [r.status for r in referrals] == [ReferralStatus.SENT]
    owed = await runtime.db.read.outbox.pending(20)
    assert any((row.channel, row.chat_id, row.referral_id) == ("line", FOCAL_POINT,
                                                                referrals[0].id)
               for row in owed)


async def test_a_bad_answer_is_explained_in_the_persons_language_and_changes_nothing(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User
) -> None:
    await up_to_sex(webhook, runtime, messaging, coordinator)
    before = await draft_of(runtime)

    await post(webhook, text("ผู้ชาย"))  # typed where only the buttons answer
    error, asked = answer(messaging)
    assert error.text == plain(TH("error-choice-expected"))
    assert asked.text == plain(TH("ask-sex")) and {"male", "female"} <= set(offered(messaging))
    sticker = event("message", {"type": "user", "userId": PERSON}, message={
        "id": "8", "type": "sticker", "packageId": "446", "stickerId": "1988",
        "stickerResourceType": "STATIC", "quoteToken": "q"})
    await post(webhook, sticker)
    assert answer(messaging)[0].text == plain(TH("error-invalid-input"))
    assert await draft_of(runtime) == before

    await press(webhook, messaging, "male")
    await press(webhook, messaging, "none")
    await press(webhook, messaging, "thai")
    before = await draft_of(runtime)
    await post(webhook, text("31/2/2555"))
    assert answer(messaging)[0].text == plain(TH("error-date-impossible"))
    [picker] = [a for a in actions(answer(messaging)[-1]) if a["type"] == "datetimepicker"]
    await post(webhook, postback(picker["data"], date="2099-01-01"))  # forged: LINE's max
    assert answer(messaging)[0].text == plain(TH("error-date-future"))
    await post(webhook, postback(picker["data"]))  # a picker press without its date
    assert answer(messaging)[0].text == plain(TH("error-date-format"))
    assert await draft_of(runtime) == before

    await post(webhook, text("15 มี.ค. 2555"))  # typed, the same rule as the picker's
    assert await step_of(runtime) is Step.DISTRICT


async def test_an_old_or_forged_button_changes_nothing_and_gets_the_current_question(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User
) -> None:
    await up_to_sex(webhook, runtime, messaging, coordinator)
    old = messaging.replies[-2].messages[-1]  # the nickname's question, answered already
    old_skip, old_back = (next(a["data"] for a in actions(old) if a["data"].endswith(verb))
                          for verb in ("_skip", "_back"))
    before = await draft_of(runtime)
    for data in (old_skip, old_back,
                 WizardButton(step="sex", value="robot").pack(),
                 WizardButton(step="sex", value="_page99").pack()):
        await post(webhook, postback(data))
        messages = answer(messaging)
        assert messages[-1].text == plain(TH("ask-sex"))
        assert await draft_of(runtime) == before
    assert messaging.replies[-4].messages[0].text == plain(TH("error-stale"))

    await post(webhook, postback("w:sex"))  # data the bot never made
    assert messaging.replied()[-1] == plain(TH("error-stale"))
    # Another case's action, mid-wizard: refused by its own check; the draft stays.
    await post(webhook, postback(CaseActionButton(case_id=1, action="withdraw").pack()))
    assert messaging.replied()[-1] in (plain(TH("error-stale")), plain(TH("error-permission")))
    assert await draft_of(runtime) == before


async def test_a_restart_in_the_middle_resumes_at_the_same_step(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, settings: Settings, clock: FakeClock
) -> None:
    await up_to_sex(webhook, runtime, messaging, coordinator)
    await press(webhook, messaging, "female")
    sex_again = WizardButton(step="sex", value="male").pack()

    # Another process, on the same database: nothing of the first one's memory.
    restarted = await Runtime.start(settings, clock=clock)
    try:
        async with TestClient(TestServer(webhook_app(restarted, messaging))) as again:
            await post(again, postback(sex_again))  # an old button: still the same step
            assert answer(messaging)[-1].text == plain(TH("ask-id_type"))
            await press(again, messaging, "g_code")
            assert await step_of(restarted) is Step.ID_NUMBER
            await post(again, text("/new"))  # resumed, never started afresh
            resumed, asked = answer(messaging)
            assert resumed.text == plain(TH("new-resumed"))
            assert asked.text == plain(TH("ask-id_number"))
            draft = await draft_of(restarted)
            assert draft is not None and draft.given_name == "สมชาย"
            assert draft.sex == "female"
    finally:
        await restarted.close()


async def test_cancel_discards_the_registration(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User
) -> None:
    await up_to_sex(webhook, runtime, messaging, coordinator)
    await post(webhook, text("/cancel"))
    assert messaging.replied()[-1] == plain(TH("new-cancelled"))
    assert await recall(runtime.db, PERSON) == Doing()
    await post(webhook, text("สมหญิง"))  # typed text is no longer an answer
    assert messaging.replied()[-1] == plain(TH("not-understood"))

    await post(webhook, text("/new"))
    assert messaging.replied()[-2] == plain(TH("new-intro"))  # a new one, from the start
    await press(webhook, messaging, "_cancel")
    assert messaging.replied()[-1] == plain(TH("new-cancelled"))
    assert await recall(runtime.db, PERSON) == Doing()


async def test_a_possible_duplicate_is_asked_about_and_can_be_opened_instead(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User
) -> None:
    await up_to_sex(webhook, runtime, messaging, coordinator)
    for value in ("male", "none", "thai"):
        await press(webhook, messaging, value)
    await post(webhook, text("15/3/2555"))
    for value in ("1101", "unknown"):
        if value not in offered(messaging):
            await press(webhook, messaging, "_page1")
        await press(webhook, messaging, value)
    await press(webhook, messaging, "_skip")
    await press(webhook, messaging, "_skip")
    for value in ("yes", "LOW_INCOME"):
        await press(webhook, messaging, value)
    await press(webhook, messaging, "_skip")
    await press(webhook, messaging, "_skip")
    for value in ("given", "EDUCATION", "done", "school"):
        await press(webhook, messaging, value)
    assert await step_of(runtime) is Step.SUMMARY
    summary = offered(messaging)["confirm"]
    await press(webhook, messaging, "confirm")
    first = await runtime.db.read.cases.by_code("SPK-2568-00001")
    assert first is not None

    # The same child again: the wizard asks before saving twice.
    await post(webhook, text("/new"))
    for typed in ("สมชาย",):
        await post(webhook, text(typed))
    await press(webhook, messaging, "_skip")
    await press(webhook, messaging, "_skip")
    for value in ("male", "none", "thai"):
        await press(webhook, messaging, value)
    await post(webhook, text("15/3/2555"))
    for value in ("1101", "unknown"):
        if value not in offered(messaging):
            await press(webhook, messaging, "_page1")
        await press(webhook, messaging, value)
    for value in ("_skip", "_skip", "yes", "LOW_INCOME", "_skip", "_skip", "given",
                  "EDUCATION", "done", "school"):
        await press(webhook, messaging, value)
    for old in (summary,  # the first registration's card: not this one
                WizardButton(step="summary", value="confirm").pack()):  # forged
        await post(webhook, postback(old))
        stale, card = answer(messaging)
        assert stale.text == plain(TH("error-stale")) and isinstance(card, FlexMessage)
        assert await step_of(runtime) is Step.SUMMARY
    await press(webhook, messaging, "confirm")
    assert await step_of(runtime) is Step.DUPLICATES
    assert first.code in answer(messaging)[-1].text
    assert set(offered(messaging)) >= {str(first.id), "register"}

    await press(webhook, messaging, str(first.id))
    opened, card = answer(messaging)
    assert opened.text == plain(TH("new-opened-existing")) and first.code in card.text
    assert await recall(runtime.db, PERSON) == Doing()
    assert await runtime.db.read.cases.by_code("SPK-2568-00002") is None
