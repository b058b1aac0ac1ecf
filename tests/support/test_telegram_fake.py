"""The fake Bot API behaves like Telegram when driven by a real Application."""

from __future__ import annotations

import datetime as dtm
import warnings

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.support.telegram_fake import (
    BOT_USER,
    FakeUser,
    RecordingRequest,
    callback_update,
    channel_post_update,
    document_update,
    edited_text_update,
    location_update,
    photo_update,
    sticker_update,
    text_update,
)

USER = FakeUser(id=4242, first_name="Somchai")
KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("ใช่", callback_data="yes")],
        [InlineKeyboardButton("ไม่ใช่", callback_data="no")],
    ]
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.bot_data.setdefault("args", []).append(list(context.args or []))
    await update.effective_message.reply_text("สวัสดี เด็กคนนี้ไปโรงเรียนไหม", reply_markup=KEYBOARD)


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()
    if query.data == "same":
        # Re-send exactly what is there: Telegram refuses with "message is not modified".
        await query.edit_message_text(query.message.text, reply_markup=query.message.reply_markup)
        return
    again = InlineKeyboardMarkup([[InlineKeyboardButton("เริ่มใหม่", callback_data="again")]])
    await query.edit_message_text(f"คุณตอบ: {query.data}", reply_markup=again)


async def collect_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.bot_data.setdefault("errors", []).append(context.error)


@pytest.fixture
def req() -> RecordingRequest:
    return RecordingRequest()


@pytest.fixture
async def app(req: RecordingRequest):
    application = (
        ApplicationBuilder()
        .token("123:ABC")
        .request(req)
        .get_updates_request(RecordingRequest())
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(answer))
    application.add_error_handler(collect_error)
    await application.initialize()
    yield application
    await application.shutdown()


def errors(app: Application) -> list[Exception]:
    return app.bot_data.get("errors", [])


def seconds(value: int | float | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else value


async def test_initialize_calls_get_me(app: Application, req: RecordingRequest) -> None:
    assert [c.method for c in req.calls] == ["getMe"]
    assert req.initialized
    assert app.bot.username == "panong_test_bot"
    assert app.bot.id == BOT_USER["id"]


async def test_command_replies_with_inline_keyboard(
    app: Application, req: RecordingRequest
) -> None:
    await app.process_update(text_update(app.bot, USER, "/start"))

    assert errors(app) == []
    assert [c.method for c in req.calls] == ["getMe", "sendMessage"]
    call = req.sent_messages(USER.id)[0]
    assert call.params["chat_id"] == USER.id
    assert call.params["reply_markup"] == KEYBOARD.to_dict()  # a JSON dict, not a PTB object
    assert req.texts(USER.id) == ["สวัสดี เด็กคนนี้ไปโรงเรียนไหม"]
    assert req.buttons(USER.id) == [("ใช่", "yes"), ("ไม่ใช่", "no")]
    last = req.last_message(USER.id)
    assert last["chat"] == {"id": USER.id, "type": "private", "first_name": "Test"}
    assert last["from"]["id"] == BOT_USER["id"]
    assert last["reply_markup"] == KEYBOARD.to_dict()


async def test_command_with_bot_name_and_args(app: Application, req: RecordingRequest) -> None:
    await app.process_update(text_update(app.bot, USER, "/start@panong_test_bot school 12"))
    await app.process_update(text_update(app.bot, USER, "/start@other_bot x"))

    assert app.bot_data["args"] == [["school", "12"]]
    assert len(req.sent_messages(USER.id)) == 1


async def test_callback_edits_message(app: Application, req: RecordingRequest) -> None:
    await app.process_update(text_update(app.bot, USER, "/start"))
    sent = req.last_message(USER.id)

    await app.process_update(callback_update(app.bot, USER, "yes", sent))

    assert errors(app) == []
    assert [c.method for c in req.calls[-2:]] == ["answerCallbackQuery", "editMessageText"]
    edit = req.calls[-1].params
    assert (edit["chat_id"], edit["message_id"]) == (USER.id, sent["message_id"])
    edited = req.last_message(USER.id)
    assert edited["message_id"] == sent["message_id"]
    assert edited["text"] == "คุณตอบ: yes"
    assert "edit_date" in edited
    assert req.get_message(USER.id, sent["message_id"]) == edited
    assert req.texts(USER.id) == ["สวัสดี เด็กคนนี้ไปโรงเรียนไหม", "คุณตอบ: yes"]
    assert req.buttons(USER.id) == [("เริ่มใหม่", "again")]
    assert len(req.sent_messages(USER.id)) == 1


async def test_not_modified_surfaces_as_bad_request(
    app: Application, req: RecordingRequest
) -> None:
    await app.process_update(text_update(app.bot, USER, "/start"))
    before = req.last_message(USER.id)

    await app.process_update(callback_update(app.bot, USER, "same", before))

    [error] = errors(app)
    assert isinstance(error, BadRequest)
    assert "message is not modified" in error.message.lower()
    assert req.calls[-1].method == "editMessageText"
    assert req.calls[-1].status == 400
    assert req.last_message(USER.id) == before
    assert req.texts(USER.id) == ["สวัสดี เด็กคนนี้ไปโรงเรียนไหม"]


async def test_edit_unknown_message_is_bad_request(app: Application) -> None:
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await app.bot.edit_message_text("x", chat_id=USER.id, message_id=999)

    # A callback on a message the bot never sent (the minimal default) fails the same way.
    await app.process_update(callback_update(app.bot, USER, "yes"))
    [error] = errors(app)
    assert isinstance(error, BadRequest)


async def test_edit_reply_markup_and_delete(app: Application, req: RecordingRequest) -> None:
    first = await app.bot.send_message(USER.id, "one", reply_markup=KEYBOARD)
    second = await app.bot.send_message(USER.id, "two")
    assert first.message_id + 1 == second.message_id

    edited = await app.bot.edit_message_reply_markup(USER.id, first.message_id)
    assert edited.reply_markup is None
    assert req.last_message(USER.id)["message_id"] == first.message_id
    assert req.buttons(USER.id) == []
    assert req.texts(USER.id) == ["one", "two"]  # markup-only edits add no text
    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await app.bot.edit_message_reply_markup(USER.id, first.message_id)

    assert await app.bot.delete_message(USER.id, first.message_id) is True
    assert req.last_message(USER.id)["text"] == "two"
    with pytest.raises(BadRequest):
        await app.bot.edit_message_text("again", USER.id, first.message_id)


async def test_fail_next_429_is_retry_after(app: Application, req: RecordingRequest) -> None:
    req.fail_next("sendMessage", 429, "Too Many Requests: retry after 5", retry_after=5)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 warns about RetryAfter.retry_after's type
        with pytest.raises(RetryAfter) as info:
            await app.bot.send_message(USER.id, "hello")
        assert seconds(info.value.retry_after) == 5

    assert req.calls[-1].status == 429
    assert req.sent_messages() == []
    # Only the next call fails.
    message = await app.bot.send_message(USER.id, "hello")
    assert message.text == "hello"
    assert req.texts(USER.id) == ["hello"]


async def test_fail_next_queues_per_method(app: Application, req: RecordingRequest) -> None:
    req.fail_next("sendMessage", 400, "Bad Request: chat not found")
    req.fail_next("sendMessage", 502, "Bad Gateway")
    await app.process_update(text_update(app.bot, USER, "/start"))
    await app.process_update(text_update(app.bot, USER, "/start"))
    await app.process_update(text_update(app.bot, USER, "/start"))

    assert [type(e).__name__ for e in errors(app)] == ["BadRequest", "NetworkError"]
    assert len(req.sent_messages(USER.id)) == 1


async def test_block_chat_is_forbidden(app: Application, req: RecordingRequest) -> None:
    other = FakeUser(id=5151)
    req.block_chat(USER.id)

    await app.process_update(text_update(app.bot, USER, "/start"))
    await app.process_update(text_update(app.bot, other, "/start"))

    [error] = errors(app)
    assert isinstance(error, Forbidden)
    assert "bot was blocked by the user" in error.message
    blocked_call = req.calls_to("sendMessage")[0]
    assert blocked_call.params["chat_id"] == USER.id and blocked_call.status == 403
    assert req.sent_messages(USER.id) == []
    assert len(req.sent_messages(other.id)) == 1
    with pytest.raises(Forbidden):
        await app.bot.send_chat_action(USER.id, "typing")

    req.unblock_chat(USER.id)
    await app.bot.send_message(USER.id, "back")
    assert req.texts(USER.id) == ["back"]


async def test_unknown_method_is_not_found(app: Application, req: RecordingRequest) -> None:
    # Telegram answers 404 "Not Found" for a method it does not have.
    with pytest.raises(InvalidToken):  # what PTB makes of a 404
        await app.bot.get_chat(USER.id)
    assert req.calls[-1].method == "getChat"
    assert req.calls[-1].status == 404


async def test_true_and_list_methods(app: Application, req: RecordingRequest) -> None:
    assert await app.bot.set_my_commands([("start", "เริ่ม")]) is True
    assert req.calls[-1].params["commands"] == [{"command": "start", "description": "เริ่ม"}]
    assert [c.command for c in await app.bot.get_my_commands()] == ["start"]
    assert await app.bot.get_my_commands(language_code="en") == ()
    assert await app.bot.delete_webhook() is True
    assert await app.bot.set_my_description("d") is True
    assert await app.bot.set_my_short_description("s") is True
    assert await app.bot.send_chat_action(USER.id, "typing") is True


async def test_photo_document_location_and_reply_keyboard(
    app: Application, req: RecordingRequest
) -> None:
    photo = await app.bot.send_photo(USER.id, b"\x89PNG fake", caption="รูป")
    assert photo.caption == "รูป" and photo.photo
    # An upload travels as a multipart part, not as a parameter.
    assert "photo" in req.calls[-1].files and "photo" not in req.calls[-1].params

    doc = await app.bot.send_document(USER.id, b"%PDF-1.4", filename="report.pdf")
    assert doc.document.file_name == "report.pdf"
    assert req.calls[-1].files["document"] == "report.pdf"

    where = await app.bot.send_location(USER.id, latitude=13.75, longitude=100.5)
    assert (where.location.latitude, where.location.longitude) == (13.75, 100.5)

    keyboard = ReplyKeyboardMarkup([[KeyboardButton("ส่งตำแหน่ง", request_location=True)]])
    msg = await app.bot.send_message(USER.id, "where?", reply_markup=keyboard)
    assert msg.reply_markup is None  # Telegram echoes only inline keyboards
    assert req.calls[-1].params["reply_markup"]["keyboard"][0][0]["request_location"] is True

    assert [c.method for c in req.sent_messages(USER.id)] == [
        "sendPhoto",
        "sendDocument",
        "sendMessage",
    ]
    assert req.texts(USER.id) == ["รูป", "where?"]


async def test_group_chat_ids(app: Application, req: RecordingRequest) -> None:
    group = -100200
    await app.process_update(text_update(app.bot, USER, "/start", chat_id=group))
    assert req.last_message(group)["chat"]["type"] == "group"
    assert req.sent_messages(group) and req.sent_messages(USER.id) == []


async def test_clear(app: Application, req: RecordingRequest) -> None:
    first = await app.bot.send_message(USER.id, "a")
    req.block_chat(99)
    req.clear()
    assert req.calls == [] and req.texts(USER.id) == [] and req.buttons(USER.id) == []
    with pytest.raises(LookupError):
        req.last_message(USER.id)
    second = await app.bot.send_message(USER.id, "b")
    assert second.message_id > first.message_id
    with pytest.raises(Forbidden):
        await app.bot.send_message(99, "still blocked")


async def test_factories_build_real_updates(app: Application) -> None:
    bot = app.bot
    user = FakeUser(id=77, language_code=None, username="somsri")

    upd = location_update(bot, user, 13.7, 100.5)
    assert filters.LOCATION.check_update(upd)
    assert upd.message.location.latitude == 13.7
    assert upd.effective_user.username == "somsri"
    assert upd.effective_user.language_code is None

    upd = photo_update(bot, user)
    assert filters.PHOTO.check_update(upd) and not filters.TEXT.check_update(upd)
    assert upd.message.text is None and upd.message.caption is None

    upd = document_update(bot, user, "card.pdf", "application/pdf")
    assert filters.Document.MimeType("application/pdf").check_update(upd)
    assert upd.message.document.file_name == "card.pdf"

    upd = edited_text_update(bot, user, "แก้ไข")
    assert upd.edited_message.text == "แก้ไข" and upd.message is None
    assert filters.UpdateType.EDITED_MESSAGE.check_update(upd)

    upd = channel_post_update(bot, "ประกาศ")
    assert upd.channel_post.chat.type == "channel" and upd.effective_user is None
    assert filters.ChatType.CHANNEL.check_update(upd)

    upd = sticker_update(bot, user)
    assert filters.Sticker.ALL.check_update(upd)

    a, b = text_update(bot, user, "hi"), text_update(bot, user, "hi")
    assert b.update_id > a.update_id and b.message.message_id > a.message.message_id
    assert a.message.get_bot() is bot
    assert not filters.COMMAND.check_update(a)

    cmd = text_update(bot, user, "/ช่วย ด้วย")
    assert cmd.message.entities[0].length == len("/ช่วย")

    query = callback_update(bot, user, "x", chat_id=-5).callback_query
    assert query.message.chat.id == -5 and query.message.from_user.is_bot
    assert query.data == "x" and query.chat_instance


async def test_factory_updates_route_to_handlers(app: Application, req: RecordingRequest) -> None:
    async def echo_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        loc = update.message.location
        await update.message.reply_text(f"{loc.latitude},{loc.longitude}")

    app.add_handler(MessageHandler(filters.LOCATION, echo_location))
    await app.process_update(location_update(app.bot, USER, 13.5, 100.25))
    assert req.texts(USER.id) == ["13.5,100.25"]
