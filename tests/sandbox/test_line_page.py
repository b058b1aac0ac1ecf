"""The LINE phones page: its JSON API, the sandbox serving it beside the Telegram page, and
(with Chromium) a person tapping what the bot sent, in a real browser."""

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration

from sandbox.line_server import API_PREFIX, build_line_app
from sandbox.lineapi import API, LineApi
from sandbox.run import LINE_DEMO_PEOPLE, LINE_SANDBOX_TOKEN, Sandbox
from tests.sandbox.test_browser import CHROMIUM, CHROMIUM_ARGS, screenshot_dir
from tests.support.line_openapi import call_errors

TOKEN = "sandbox-channel-access-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def line() -> AsyncIterator[tuple[LineApi, str]]:
    api = LineApi(TOKEN, "sandbox-channel-secret")
    runner = web.AppRunner(build_line_app(api), shutdown_timeout=1.0)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    yield api, f"http://{host}:{port}"
    api.close()
    await runner.cleanup()
    assert call_errors(api) == []


def push(api: LineApi, to: str, *messages: dict) -> None:
    answer = api.handle("POST", API, "/v2/bot/message/push", AUTH,
                        {"to": to, "messages": list(messages)})
    assert answer.status == 200, answer.body


async def test_people_act_through_the_page_api(line: tuple[LineApi, str]) -> None:
    api, url = line
    async with aiohttp.ClientSession(url) as session:
        for bad in ({"display_name": ""}, {"display_name": "x" * 21},
                    {"display_name": "Niran", "language": "fr"}):
            refused = await session.post("/sandbox/line/people", json=bad)
            assert refused.status == 400
        assert api.people == {} and api.emitted == []

        person = await (await session.post("/sandbox/line/people", json={
            "display_name": "ครูสมศรี", "language": "th"})).json()
        teacher = person["user_id"]
        assert api.emitted[-1]["type"] == "follow"
        sent = await session.post(f"/sandbox/line/chats/{teacher}/messages",
                                  json={"text": "สวัสดีค่ะ"})
        assert sent.status == 200
        assert api.emitted[-1]["message"]["text"] == "สวัสดีค่ะ"

        push(api, teacher, {"type": "text", "text": "ยืนยันไหม", "quickReply": {"items": [
            {"type": "action", "action": {"type": "postback", "label": "ยืนยัน",
                                          "data": "w:ok"}}]}})
        forged = await session.post(f"/sandbox/line/chats/{teacher}/postback",
                                    json={"data": "w:forged"})
        assert forged.status == 400 and "no such button" in (await forged.json())["error"]
        pressed = await session.post(f"/sandbox/line/chats/{teacher}/postback",
                                     json={"data": "w:ok"})
        assert pressed.status == 200 and api.emitted[-1]["postback"] == {"data": "w:ok"}

        form = aiohttp.FormData()
        form.add_field("file", "ชื่อ\n".encode(), filename="รายชื่อ.csv",
                       content_type="text/csv")
        uploaded = await session.post(f"/sandbox/line/chats/{teacher}/messages", data=form)
        message_id = (await uploaded.json())["id"]
        download = await session.get(f"/sandbox/line/content/{message_id}?name=a.csv")
        assert await download.read() == "ชื่อ\n".encode()
        assert download.headers["Content-Disposition"].startswith("attachment")

        blocked = await session.post(f"/sandbox/line/chats/{teacher}/block",
                                     json={"blocked": True})
        assert (await blocked.json())["friend"] is False
        assert api.emitted[-1]["type"] == "unfollow"
        nobody = await session.post("/sandbox/line/chats/Unobody/messages", json={"text": "x"})
        assert nobody.status == 404

        changes = await (await session.get("/sandbox/line/changes?since=0&timeout=0")).json()
        said = [c["entry"] for c in changes["changes"] if c["type"] == "said"]
        assert [e["from"] for e in said] == [teacher, "bot", teacher, teacher]
        assert said[1]["message"]["quickReply"]["items"][0]["action"]["data"] == "w:ok"
        for query in ("since=x", "timeout=nan"):
            nonsense = await session.get(f"/sandbox/line/changes?{query}")
            assert nonsense.status == 400


async def test_the_sandbox_serves_line_beside_telegram(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as session:
        for path in ("/line", "/static/line.js", "/static/line.css", "/static/common.js",
                     "/", "/static/chat.js"):
            response = await session.get(sandbox.url + path)
            assert response.status == 200, path
        state = await (await session.get(f"{sandbox.url}/sandbox/line/state")).json()
    assert [p["display_name"] for p in state["people"]] == [n for n, _ in LINE_DEMO_PEOPLE]
    configuration = Configuration(host=sandbox.url + API_PREFIX,
                                  access_token=LINE_SANDBOX_TOKEN)
    async with AsyncApiClient(configuration) as client:
        info = await AsyncMessagingApi(client).get_bot_info()
    assert info.user_id == sandbox.line.bot_user_id


# -- in a real browser -------------------------------------------------------------------------


@pytest.mark.skipif(CHROMIUM is None, reason="SKIPPED THE BROWSER TEST: Chromium is not "
                    "installed (Debian package `chromium`)")
async def test_a_person_taps_what_the_bot_sent_in_the_line_phone(
        line: tuple[LineApi, str], tmp_path: Path) -> None:
    from playwright.async_api import async_playwright, expect

    api, url = line
    teacher = api.add_person("ครูสมศรี")
    picker = {"type": "datetimepicker", "label": "เลือกวันที่", "data": "w:date",
              "mode": "date"}
    push(api, teacher, {"type": "template", "altText": "วันที่พบเด็ก", "template": {
        "type": "buttons", "title": "วันที่พบเด็ก", "text": "พบเด็กวันไหน",
        "actions": [picker]}}, {"type": "text", "text": "หรือยืนยันเลย", "quickReply": {
            "items": [{"type": "action", "action": {"type": "postback", "label": "ยืนยัน",
                                                   "data": "w:ok"}}]}})
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 800})
            await page.goto(url + "/line")
            phone = page.locator(f'section.phone[data-user-id="{teacher}"]')
            await expect(phone.locator(".template-title")).to_have_text("วันที่พบเด็ก")
            await phone.locator(".template-button", has_text="เลือกวันที่").click()
            await phone.locator(".picker input").fill("2026-11-30")
            await phone.locator(".picker-ok").click()
            await expect(phone.locator(".tapped")).to_contain_text("2026-11-30")
            await expect(phone.locator(".chip")).to_have_count(0)  # no longer the last message
            push(api, teacher, {"type": "text", "text": "ยืนยันไหม", "quickReply": {
                "items": [{"type": "action", "action": {"type": "postback", "label": "ยืนยัน",
                                                       "data": "w:ok"}}]}})
            await phone.locator(".chip", has_text="ยืนยัน").click()
            await expect(phone.locator(".tapped").last).to_contain_text("ยืนยัน")
            # A card (the wizard's summary) and a date picker among the quick replies.
            born = {**picker, "label": "📅 วันเกิด", "data": "w:born", "min": "2001-01-01",
                    "max": "2026-11-30"}
            push(api, teacher, {"type": "flex", "altText": "ตรวจสอบข้อมูล", "contents": {
                "type": "bubble",
                "body": {"type": "box", "layout": "vertical", "contents": [
                    {"type": "box", "layout": "baseline", "contents": [
                        {"type": "text", "text": "ชื่อ", "flex": 2},
                        {"type": "text", "text": "สมชาย", "flex": 5}]}]},
                "footer": {"type": "box", "layout": "vertical", "contents": [
                    {"type": "button", "style": "primary", "action": {
                        "type": "postback", "label": "ยืนยัน", "data": "w:confirm"}}]}},
                "quickReply": {"items": [{"type": "action", "action": born}]}})
            await expect(phone.locator(".flex-text", has_text="สมชาย")).to_be_visible()
            await phone.locator(".chip", has_text="วันเกิด").click()
            await phone.locator(".picker input").fill("2014-03-15")
            await phone.locator(".picker-ok").click()
            await expect(phone.locator(".tapped").last).to_contain_text("2014-03-15")
            await phone.locator(".flex-button", has_text="ยืนยัน").click()
            await expect(phone.locator(".tapped").last).to_contain_text("ยืนยัน")
            await phone.screenshot(path=screenshot_dir(tmp_path) / "sandbox-line.png")
        finally:
            await browser.close()
    pressed = [e["postback"] for e in api.emitted if e["type"] == "postback"]
    assert pressed == [{"data": "w:date", "params": {"date": "2026-11-30"}}, {"data": "w:ok"},
                       {"data": "w:born", "params": {"date": "2014-03-15"}},
                       {"data": "w:confirm"}]
