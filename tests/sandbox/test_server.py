"""The sandbox's HTTP faces: the Bot API as PTB's own `Bot` sees it, and the web chat's API."""

import aiohttp
from telegram import Bot

from sandbox.run import SANDBOX_TOKEN, Sandbox

TEACHER = 100001
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10" + b"\x00" * 16


def ptb_bot(sandbox: Sandbox) -> Bot:
    return Bot(SANDBOX_TOKEN, base_url=f"{sandbox.url}/bot",
               base_file_url=f"{sandbox.url}/file/bot")


async def test_a_file_a_person_uploads_reaches_the_bot(sandbox: Sandbox) -> None:
    data = "เลขประจำตัว,ชื่อ\nG123,มยา\n".encode()
    async with aiohttp.ClientSession() as session:
        form = aiohttp.FormData()
        form.add_field("file", data, filename="รายชื่อ.csv", content_type="text/csv")
        form.add_field("caption", "นำเข้า")
        posted = await session.post(f"{sandbox.url}/sandbox/api/chats/{TEACHER}/messages",
                                    data=form)
        message = sandbox.api.message(TEACHER, (await posted.json())["message_id"])

    async with ptb_bot(sandbox) as bot:
        file = await bot.get_file(message["document"]["file_id"])
        assert bytes(await file.download_as_bytearray()) == data
    assert message["document"]["file_name"] == "รายชื่อ.csv"
    assert message["caption"] == "นำเข้า"


async def test_a_photo_the_bot_uploads_is_shown_on_the_page(sandbox: Sandbox) -> None:
    async with ptb_bot(sandbox) as bot:
        sent = await bot.send_photo(TEACHER, PNG, caption="<b>กราฟ</b>", parse_mode="HTML")
    assert sent.caption == "กราฟ" and sent.photo[-1].width == 16
    async with aiohttp.ClientSession() as session:
        shown = await session.get(f"{sandbox.url}/sandbox/files/{sent.photo[-1].file_id}")
        assert shown.status == 200 and shown.content_type == "image/png"
        assert await shown.read() == PNG


async def test_the_web_api_refuses_bad_requests_and_changes_nothing(sandbox: Sandbox) -> None:
    people = len(sandbox.api.users)
    async with aiohttp.ClientSession() as session:
        bad = await session.post(f"{sandbox.url}/sandbox/api/people",
                                 json={"first_name": "Niran", "language_code": "fr"})
        assert bad.status == 400 and "language" in (await bad.json())["error"]
        wrong_unit = await session.post(f"{sandbox.url}/sandbox/api/people", json={
            "first_name": "Niran", "language_code": "en", "role": "coordinator",
            "organisation_id": "school_wat_phraek_sa"})
        assert wrong_unit.status == 400
        nobody = await session.post(f"{sandbox.url}/sandbox/api/chats/555/messages",
                                    json={"text": "hi"})
        assert nobody.status == 404
        forged = await session.post(f"{sandbox.url}/sandbox/api/chats/{TEACHER}/callback",
                                    json={"message_id": 1, "data": "w:confirm"})
        assert forged.status == 400
        for query in ("since=x", "since=inf", "timeout=nan"):
            nonsense = await session.get(f"{sandbox.url}/sandbox/api/changes?{query}")
            assert nonsense.status == 400 and "must be a number" in (await nonsense.json())[
                "error"]
    assert len(sandbox.api.users) == people


async def test_the_page_and_its_assets_are_served(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as session:
        for path in ("/", "/static/chat.js", "/static/chat.css"):
            response = await session.get(sandbox.url + path)
            assert response.status == 200, path
        assert "Panong sandbox" in await (await session.get(sandbox.url)).text()
