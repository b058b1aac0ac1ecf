"""The local Bot API answers as Telegram does, for the behaviours the bot relies on."""

import asyncio
from http import HTTPStatus

import pytest

from sandbox.botapi import ApiError, BotApi, Upload
from sandbox.formatting import EntityParseError, parse_html

TOKEN = "42:SECRET"
TEACHER = 100


@pytest.fixture
def api() -> BotApi:
    api = BotApi(TOKEN, clock=lambda: 1_700_000_000.0)
    api.add_user(TEACHER, "ครูสมศรี", "th", label="Teacher")
    return api


async def send(api: BotApi, text: str, **params: object) -> dict:
    return await api.call("sendMessage", {"chat_id": str(TEACHER), "text": text, **params}, {})


async def error(api: BotApi, method: str, params: dict) -> ApiError:
    with pytest.raises(ApiError) as raised:
        await api.call(method, params, {})
    return raised.value


def test_html_becomes_text_and_utf16_entities() -> None:
    text, entities = parse_html('👧 <b>เด็ก <i>หญิง</i></b> &lt;3 <a href="https://x.th">ลิงก์</a>')
    assert text == "👧 เด็ก หญิง <3 ลิงก์"
    # The emoji is two UTF-16 units, so everything after it is offset by one more.
    assert entities == [
        {"offset": 3, "type": "bold", "length": 9},
        {"offset": 8, "type": "italic", "length": 4},
        {"offset": 16, "type": "text_link", "url": "https://x.th", "length": 5},
    ]


@pytest.mark.parametrize("markup", ["<b>open", "<script>x</script>", "<b><i>x</b></i>",
                                    '<a href="">x</a>'])
def test_html_telegram_refuses_is_refused(markup: str) -> None:
    with pytest.raises(EntityParseError, match="Can't parse entities"):
        parse_html(markup)


async def test_messages_telegram_refuses_are_refused(api: BotApi) -> None:
    too_long = await error(api, "sendMessage", {"chat_id": TEACHER, "text": "ก" * 4097})
    assert too_long.description == "Bad Request: message is too long"
    assert (await send(api, "ก" * 4096))["text"] == "ก" * 4096
    keyboard = {"inline_keyboard": [[{"text": "x", "callback_data": "d" * 65}]]}
    data = await error(api, "sendMessage", {"chat_id": TEACHER, "text": "t",
                                            "reply_markup": keyboard})
    assert data.description == "Bad Request: BUTTON_DATA_INVALID"
    nowhere = await error(api, "sendMessage", {"chat_id": 999, "text": "t"})
    assert nowhere.description == "Bad Request: chat not found"
    api.block(TEACHER)
    blocked = await error(api, "sendMessage", {"chat_id": TEACHER, "text": "t"})
    assert blocked.status == HTTPStatus.FORBIDDEN


async def test_an_edit_that_changes_nothing_is_refused(api: BotApi) -> None:
    sent = await send(api, "<b>คำถาม</b>", parse_mode="HTML")
    same = {"chat_id": TEACHER, "message_id": sent["message_id"], "text": "<b>คำถาม</b>",
            "parse_mode": "HTML"}
    refused = await error(api, "editMessageText", same)
    assert "message is not modified" in refused.description
    edited = await api.call("editMessageText", {**same, "text": "คำถาม"}, {})
    assert edited["text"] == "คำถาม" and "entities" not in edited and edited["edit_date"]


async def test_updates_wait_for_a_person_and_are_confirmed_by_offset(api: BotApi) -> None:
    poll = asyncio.create_task(api.call("getUpdates", {"timeout": "30"}, {}))
    await asyncio.sleep(0.01)
    assert not poll.done()  # a long poll waits
    api.send_text(TEACHER, "/new now")
    [update] = await asyncio.wait_for(poll, 1)
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 4}]

    again = await api.call("getUpdates", {"offset": "0"}, {})
    assert [u["update_id"] for u in again] == [update["update_id"]]  # not confirmed yet
    confirmed = await api.call("getUpdates", {"offset": str(update["update_id"] + 1)}, {})
    assert confirmed == [] and api.pending_updates() == 0


async def test_get_updates_conflicts_with_a_webhook(api: BotApi) -> None:
    await api.call("setWebhook", {"url": "https://panong.example/hook"}, {})
    conflict = await error(api, "getUpdates", {})
    assert conflict.status == HTTPStatus.CONFLICT
    await api.call("deleteWebhook", {}, {})
    assert await api.call("getUpdates", {}, {}) == []


async def test_a_button_press_must_be_on_a_message_the_bot_sent(api: BotApi) -> None:
    keyboard = {"inline_keyboard": [[{"text": "ใช่", "callback_data": "yes"}]]}
    sent = await send(api, "ไปโรงเรียนไหม", reply_markup=keyboard)
    with pytest.raises(ApiError, match="no such button"):
        api.press(TEACHER, TEACHER, sent["message_id"], "forged")

    query_id = api.press(TEACHER, TEACHER, sent["message_id"], "yes")
    [update] = await api.call("getUpdates", {}, {})
    assert update["callback_query"]["data"] == "yes"
    assert update["callback_query"]["message"]["message_id"] == sent["message_id"]
    await api.call("answerCallbackQuery", {"callback_query_id": query_id, "text": "บันทึกแล้ว"},
                   {})
    twice = await error(api, "answerCallbackQuery", {"callback_query_id": query_id})
    assert "query ID is invalid" in twice.description
    assert api.events[-1] == {"type": "callback_answer", "chat_id": TEACHER,
                              "text": "บันทึกแล้ว", "show_alert": False}


async def test_the_menu_follows_telegrams_scope_order(api: BotApi) -> None:
    def commands(*names: str) -> list[dict]:
        return [{"command": name, "description": name} for name in names]

    await api.call("setMyCommands", {"commands": commands("help")}, {})
    await api.call("setMyCommands", {"commands": commands("help_th"),
                                     "language_code": "th"}, {})
    assert [c["command"] for c in api.commands_for(TEACHER, "th")] == ["help_th"]
    assert [c["command"] for c in api.commands_for(TEACHER, "en")] == ["help"]
    await api.call("setMyCommands", {"commands": commands("invite"),
                                     "scope": {"type": "chat", "chat_id": TEACHER}}, {})
    assert [c["command"] for c in api.commands_for(TEACHER, "th")] == ["invite"]
    bad = await error(api, "setMyCommands", {"commands": commands("Bad Name")})
    assert bad.description == "Bad Request: BOT_COMMAND_INVALID"


async def test_files_go_both_ways(api: BotApi) -> None:
    sent = api.send_document(TEACHER, Upload("รายชื่อ.csv", "ชื่อ,อายุ\n".encode()))
    file_id = sent["document"]["file_id"]
    info = await api.call("getFile", {"file_id": file_id}, {})
    assert api.file_by_path(info["file_path"]).data == "ชื่อ,อายุ\n".encode()

    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (640).to_bytes(4, "big") + (
        480).to_bytes(4, "big")
    photo = await api.call("sendPhoto", {"chat_id": TEACHER, "caption": "<b>กราฟ</b>",
                                         "parse_mode": "HTML"},
                           {"photo": Upload("chart.png", png, "image/png")})
    assert (photo["photo"][0]["width"], photo["photo"][0]["height"]) == (640, 480)
    assert photo["caption"] == "กราฟ"
    resent = await api.call("sendPhoto", {"chat_id": TEACHER,
                                          "photo": photo["photo"][0]["file_id"]}, {})
    assert resent["photo"][0]["file_id"] == photo["photo"][0]["file_id"]
    url = await error(api, "sendPhoto", {"chat_id": TEACHER, "photo": "https://x.th/a.png"})
    assert "wrong file identifier" in url.description


async def test_injected_failures_come_once_in_telegrams_shape(api: BotApi) -> None:
    api.fail_next("sendMessage", 429, retry_after=3)
    flood = await error(api, "sendMessage", {"chat_id": TEACHER, "text": "t"})
    assert flood.body() == {"ok": False, "error_code": 429,
                            "description": "Too Many Requests: retry after 3",
                            "parameters": {"retry_after": 3}}
    assert (await send(api, "t"))["text"] == "t"


async def test_a_stall_on_a_chat_holds_up_only_that_chats_calls(api: BotApi) -> None:
    other = api.add_user(TEACHER + 1, "ครูอนันต์", "th")["id"]
    third = api.add_user(TEACHER + 2, "ครูมาลัย", "th")["id"]
    teacher_held = api.stall("sendMessage", after=1, chat_id=TEACHER)
    other_held = api.stall("sendMessage", chat_id=other, accept=True)
    await send(api, "first")  # the one call let through
    held = [asyncio.create_task(send(api, "second")),
            asyncio.create_task(api.call("sendMessage", {"chat_id": other, "text": "taken"}, {}))]
    await asyncio.wait_for(asyncio.gather(teacher_held.wait(), other_held.wait()), 1)
    for _ in range(3):  # a third chat's calls neither stall nor count
        await asyncio.wait_for(api.call("sendMessage", {"chat_id": third, "text": "t"}, {}),
                               1)
    assert not any(task.done() for task in held)

    api.release_stalls()
    for task in held:
        with pytest.raises(ApiError) as raised:
            await task
        assert raised.value.status == HTTPStatus.BAD_GATEWAY
    assert [m["text"] for m in api.messages(TEACHER)] == ["first"]
    assert [m["text"] for m in api.messages(other)] == ["taken"]  # Telegram had taken it
    assert len(api.messages(third)) == 3
