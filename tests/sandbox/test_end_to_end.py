"""End to end over real HTTP: the unmodified bot polls the local Bot API, and people drive it
through the web chat's JSON API, as the page does. Few and meaningful: each follows one
journey a province would try first. Rules and edge cases are tested below this level."""

import re

import aiohttp

from bot.domain.models import ReferralStatus
from sandbox.run import SANDBOX_TOKEN, Sandbox
from tests.support.journeys import answer_from_nationality, answer_up_to_identity
from tests.support.webchat import WebChat, WebPerson

MALEE = WebPerson(100004, "Malee")  # the English-speaking demo teacher
SOMCHAI = WebPerson(100005, "สมชาย (สพป.1)")  # focal point of Primary ESA 1 (Mueang)
CHANPEN = WebPerson(100008, "จันทร์เพ็ญ (พมจ.)")  # of the Social Development Office
NAPA = WebPerson(100009, "นภา (สพป.2)")  # of Primary ESA 2 (Bang Phli); all three speak Thai
INVITE_LINK = re.compile(r"https://t\.me/panong_sandbox_bot\?start=(?P<code>[\w-]+)")


async def test_a_coordinator_invites_a_teacher_who_joins_with_the_link(web: WebChat) -> None:
    coordinator = await web.add_person("Prasert", "en", "coordinator", "peo_samutprakan")
    newcomer = await web.add_person("Niran", "en")

    refused = await web.send(newcomer, "/start")
    assert "only for invited teachers" in refused

    await web.send(coordinator, "/invite")
    await web.press(coordinator, "Teacher")
    created = await web.press(coordinator, "Wat Bang Chalong Nai")
    link = INVITE_LINK.search(created)
    assert link, created

    joined = await web.send(newcomer, f"/start {link['code']}")
    assert "You joined as Teacher of Wat Bang Chalong Nai School" in joined
    await web.catch_up()
    assert "Niran has joined Panong as Teacher" in web.last_text(coordinator)

    again = await web.send(newcomer, f"/start {link['code']}")
    assert "already" in again


async def test_a_teacher_registers_a_child_by_pressing_buttons(
    web: WebChat, sandbox: Sandbox
) -> None:
    await answer_up_to_identity(web, MALEE)
    await web.press(MALEE, "No document")
    summary = await answer_from_nationality(web, MALEE)
    assert "Mya Thida" in summary and "Bang Phli Yai, Bang Phli" in summary

    done = await web.press(MALEE, "Confirm")
    assert "SPK-2568-00001" in done
    assert sandbox.runtime is not None
    case = await sandbox.runtime.db.read.cases.by_code("SPK-2568-00001")
    assert case is not None and case.needs == ("CONSUMABLES", "EDUCATION")

    listed = await web.send(MALEE, "/mycases")
    assert "SPK-2568-00001" in listed


async def test_a_unit_accepts_a_referral_and_only_then_sees_the_childs_name(
    web: WebChat, sandbox: Sandbox
) -> None:
    await answer_up_to_identity(web, MALEE)
    await web.press(MALEE, "No document")
    await answer_from_nationality(web, MALEE)  # Bang Phli: education and food, 11 years old
    plan = await web.press(MALEE, "Confirm")
    assert "Education → Primary ESA 2" in plan
    assert "Food and supplies → Social Development Office" in plan
    assert "Referrals sent" in await web.press(MALEE, "Send")

    await web.catch_up()
    referral = web.last_text(NAPA)
    assert referral.startswith("📨 ส่งต่อ: ด้านการศึกษา · SPK-2568-00001")  # Education
    assert "ประมาณ 11 ปี" in referral and "บางพลี" in referral  # about 11 years, Bang Phli
    assert "สถานะ: รอหน่วยงานตอบ" in referral  # waiting for the unit's answer
    assert [label for label, _ in web.buttons(NAPA)] == [
        "✅ รับเรื่อง", "✖ ปฏิเสธ", "❓ ขอข้อมูลเพิ่ม"]  # Accept, Decline, Ask
    assert web.last_text(CHANPEN).startswith("📨 ส่งต่อ: ด้านอุปโภค-บริโภค")  # Food, supplies
    assert not any("📨" in text for text in web.texts(SOMCHAI))  # Mueang's unit: nothing
    for unit in (NAPA, CHANPEN):
        seen = "\n".join(web.texts(unit))
        assert "Thida" not in seen and "Daw Hla" not in seen and "081" not in seen

    referral_id = web.activity[NAPA.id][-1]
    since = web.seq
    details = await web.press(NAPA, "รับเรื่อง")  # Accept

    assert details.startswith("🔒 สำหรับหน่วยงานของคุณเท่านั้น ห้ามส่งต่อ")  # do not forward
    assert "Mya Thida" in details and "Daw Hla · 081 234 5678" in details
    accepted = web.messages[NAPA.id][referral_id]  # the referral message, edited in place
    assert "สถานะ: นภา (สพป.2) รับเรื่องแล้ว" in accepted["text"]  # accepted by Napa
    assert "Thida" not in accepted["text"]
    assert [label for label, _ in web.buttons(NAPA)] == [
        "เริ่มดำเนินการแล้ว", "บันทึกผล", "🔒 ข้อมูลเด็ก"]  # Work started, Outcome, Details
    assert "คุณรับเรื่องนี้แล้ว ข้อมูลเด็กอยู่ในแชตส่วนตัวของคุณ" in web.alerts
    notice = await web.wait_for_answer(MALEE, since)
    assert notice == "✅ Primary ESA 2 accepted SPK-2568-00001 · Education (นภา (สพป.2))."
    assert "Thida" not in "\n".join(web.texts(CHANPEN))  # the other unit still waits, blind
    assert "สถานะ: รอหน่วยงานตอบ" in web.last_text(CHANPEN)

    assert sandbox.runtime is not None
    case = await sandbox.runtime.db.read.cases.by_code("SPK-2568-00001")
    assert case is not None
    statuses = {r.need: (r.organisation_id, r.status)
                for r in await sandbox.runtime.db.read.referrals.for_case(case.id)}
    assert statuses == {
        "EDUCATION": ("spp2_samutprakan", ReferralStatus.ACCEPTED),
        "CONSUMABLES": ("msdhs_pso_samutprakan", ReferralStatus.SENT)}


async def test_the_bot_rides_out_a_429_from_the_bot_api(web: WebChat, sandbox: Sandbox) -> None:
    sandbox.api.fail_next("sendMessage", 429, retry_after=1)

    answer = await web.send(MALEE, "/help")

    assert "/new" in answer
    # Retried after retry_after, and delivered once.
    assert [text for text in web.texts(MALEE) if text.startswith("What you can do")] == [answer]


async def test_the_bot_api_speaks_telegrams_error_shapes(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as session:
        wrong = await session.post(f"{sandbox.url}/bot123:WRONG/getMe")
        assert wrong.status == 401
        assert await wrong.json() == {"ok": False, "error_code": 401,
                                      "description": "Unauthorized"}

        bad = await session.post(f"{sandbox.url}/bot{SANDBOX_TOKEN}/sendMessage",
                                 data={"chat_id": "100004", "text": "<b>open", "parse_mode":
                                       "HTML"})
        body = await bad.json()
        assert bad.status == 400 and body["error_code"] == 400
        assert body["description"].startswith("Bad Request: Can't parse entities")

        sent = await session.post(f"{sandbox.url}/bot{SANDBOX_TOKEN}/sendMessage",
                                  json={"chat_id": 100004, "text": "<b>ครู</b> &amp; co",
                                        "parse_mode": "HTML"})
        message = (await sent.json())["result"]
        assert message["text"] == "ครู & co"
        assert message["entities"] == [{"offset": 0, "length": 3, "type": "bold"}]
