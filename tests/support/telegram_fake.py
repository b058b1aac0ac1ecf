"""An in-process Telegram Bot API for tests: real ``Update`` objects, real ``Application``.

``RecordingRequest`` is a :class:`telegram.request.BaseRequest`, the same seam PTB's own test
suite uses (``tests/auxil/networking.py``). Give it to ``ApplicationBuilder().request(...)`` and
every Bot API call the application makes lands here instead of on the network: it is recorded
as a :class:`SentCall` and answered with Telegram-shaped JSON, including Telegram's own error
answers (400 "message is not modified", 403 "bot was blocked by the user", 429 with
``retry_after``), so PTB raises the same exceptions it would in production.

The update factories at the bottom build plain Bot API dicts and turn them into real objects
with ``Update.de_json(data, bot)``, so shortcuts such as ``update.message.reply_text`` work and
go through the bot, hence through the recording request.

Typical use::

    req = RecordingRequest()
    app = (
        ApplicationBuilder().token("123:ABC").request(req)
        .get_updates_request(RecordingRequest()).build()
    )
    app.add_handler(...)
    await app.initialize()
    user = FakeUser(id=42)
    await app.process_update(text_update(app.bot, user, "/start"))
    assert req.texts(42) == [...]
    await app.process_update(callback_update(app.bot, user, "yes", req.last_message(42)))
    await app.shutdown()
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from telegram import Bot, Update
from telegram.request import BaseRequest, RequestData

from sandbox.botapi import ApiError, BotApi, Upload

JSONDict = dict[str, Any]

BOT_USER: JSONDict = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Panong",
    "username": "panong_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}

TOKEN = f"{BOT_USER['id']}:TEST"
CHANNEL_ID = -1001000000001

BLOCKED = "Forbidden: bot was blocked by the user"

# Methods that create a message the bot "sent"; the accessors below look at these.
MESSAGE_SENDING = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
_TEXT_CHANGING = MESSAGE_SENDING | {"editMessageText", "editMessageCaption"}
_MESSAGE_RESULTS = _TEXT_CHANGING | {"sendLocation", "editMessageReplyMarkup"}


@dataclass
class SentCall:
    """One Bot API call as the fake server received it.

    ``params`` are JSON-shaped (dicts/lists, not PTB objects). ``files`` maps multipart part name
    to upload file name for files uploaded with the call (an uploaded ``photo``/``document`` is
    not in ``params``: PTB sends it only as a multipart part). ``status`` is the HTTP status the
    fake answered with (200, or the error status).
    """

    method: str
    params: JSONDict
    files: dict[str, str] = field(default_factory=dict)
    status: int = 200

    @property
    def ok(self) -> bool:
        return self.status == HTTPStatus.OK


def _decode(request_data: RequestData | None) -> tuple[JSONDict, dict[str, Upload]]:
    if request_data is None:
        return {}, {}
    # JSON round trip: tuples become lists, everything becomes plain JSON values.
    params: JSONDict = json.loads(json.dumps(request_data.parameters))
    files = {}
    for part, (file_name, content, mime_type, *_) in request_data.multipart_data.items():
        data = content if isinstance(content, bytes) else content.read()
        files[part] = Upload(str(file_name), data, mime_type)
    return params, files


class RecordingRequest(BaseRequest):
    """A ``BaseRequest`` that records every call and has the sandbox's ``BotApi`` answer it."""

    def __init__(self) -> None:
        self.api = BotApi(TOKEN, username=BOT_USER["username"], first_name="Panong",
                          open_chats=True)
        self.calls: list[SentCall] = []
        self.initialized = False
        # chat_id -> message_ids in order of last send/edit (most recent last)
        self._activity: dict[int, list[int]] = defaultdict(list)
        # chat_id -> texts of every successful send and text/caption edit, in order
        self._texts: dict[int, list[str]] = defaultdict(list)
        self._current: dict[int, dict[int, str]] = defaultdict(dict)  # message id -> text
        # method -> (error, whether the Bot API had done the call first), in order
        self._raises: dict[str, deque[tuple[Exception, bool]]] = defaultdict(deque)

    # -- BaseRequest -------------------------------------------------------------------------

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        self.initialized = True

    async def shutdown(self) -> None:
        self.initialized = False

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:  # a file download
            stored = self.api.file_by_path(url.split("/file/bot", 1)[1].split("/", 1)[1])
            return (HTTPStatus.OK, stored.data) if stored else (HTTPStatus.NOT_FOUND, b"")
        api_method = url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
        params, files = _decode(request_data)
        call = SentCall(method=api_method, params=params,
                        files={part: upload.file_name for part, upload in files.items()})
        self.calls.append(call)
        raised = self._raises[api_method].popleft() if self._raises.get(api_method) else None
        if raised is not None and not raised[1]:
            raise raised[0]
        try:
            result = await self.api.call(api_method, params, files)
        except ApiError as err:
            call.status = err.status
            return err.status, json.dumps(err.body()).encode()
        if api_method in _MESSAGE_RESULTS and isinstance(result, dict):
            self._remember(api_method, result)
        if raised is not None:
            raise raised[0]
        return HTTPStatus.OK, json.dumps({"ok": True, "result": result}).encode()

    # -- fault injection ---------------------------------------------------------------------

    def fail_next(
        self, method: str, status: int, description: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Make the next call of ``method`` fail with this HTTP status and description.

        Failures queue up per method. A 429 always carries ``retry_after`` so PTB raises
        ``RetryAfter`` (without it PTB would raise a plain ``NetworkError``).
        """
        self.api.fail_next(method, status, description, retry_after)

    def raise_next(self, method: str, error: Exception, *, taken: bool = False) -> None:
        """Make the next call of ``method`` raise ``error`` as the HTTP layer would on a
        timeout (``TimedOut``) or a dropped connection (``NetworkError``). With ``taken``
        the Bot API had done the call first (the answer was what got lost)."""
        self._raises[method].append((error, taken))

    def block_chat(self, chat_id: int) -> None:
        """Every call carrying this ``chat_id`` answers 403 "bot was blocked by the user"."""
        self.api.block(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        self.api.block(chat_id, blocked=False)

    # -- accessors ---------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[SentCall]:
        """Every recorded call of one Bot API method (successful or not)."""
        return [c for c in self.calls if c.method == method]

    def sent_messages(self, chat_id: int | None = None) -> list[SentCall]:
        """Successful sendMessage/sendPhoto/sendDocument calls, optionally to one chat."""
        out = []
        for call in self.calls:
            if call.method not in MESSAGE_SENDING or not call.ok:
                continue
            if chat_id is not None and str(call.params.get("chat_id")) != str(chat_id):
                continue
            out.append(call)
        return out

    def last_message(self, chat_id: int) -> JSONDict:
        """The current state of the message the bot most recently sent or edited in the chat.

        A deep copy of the stored Message dict (with ``reply_markup``), fit for
        ``Message.de_json`` and for :func:`callback_update`.
        """
        for message_id in reversed(self._activity.get(chat_id, [])):
            with contextlib.suppress(LookupError):
                return self.api.message(chat_id, message_id)
        raise LookupError(f"the bot has no (undeleted) message in chat {chat_id}")

    def get_message(self, chat_id: int, message_id: int) -> JSONDict:
        """The current state of one message the bot sent (deep copy)."""
        return self.api.message(chat_id, message_id)

    def texts(self, chat_id: int) -> list[str]:
        """Text (or caption) of every message sent and every text/caption edit, in order, as
        the user reads it (HTML markup applied, entities unescaped).

        Markup-only edits (editMessageReplyMarkup) add nothing here.
        """
        return list(self._texts.get(chat_id, []))

    def newest_text(self, chat_id: int) -> str:
        """The text of the newest message in the chat as it reads now (edits included):
        what a person sees at the bottom of the chat. "" when there is none."""
        current = self._current.get(chat_id)
        return current[max(current)] if current else ""

    def keyboard_message(self, chat_id: int) -> JSONDict | None:
        """The most recently sent/edited message in the chat that has an inline keyboard."""
        for message_id in reversed(self._activity.get(chat_id, [])):
            try:
                message = self.api.message(chat_id, message_id)
            except LookupError:
                continue
            if message.get("reply_markup"):
                return message
        return None

    def buttons(self, chat_id: int) -> list[tuple[str, str]]:
        """(text, callback_data) of the inline keyboard on the most recently sent/edited message
        in the chat that has one. URL buttons give their url instead; [] if there is none."""
        message = self.keyboard_message(chat_id)
        if message is None:
            return []
        return [(button["text"], button.get("callback_data") or button.get("url") or "")
                for row in message["reply_markup"]["inline_keyboard"] for button in row]

    def clear(self) -> None:
        """Forget recorded calls and what was sent (message ids keep increasing).

        Pending ``fail_next`` failures and blocked chats stay as configured.
        """
        self.calls.clear()
        self._activity.clear()
        self._texts.clear()
        self._current.clear()

    def _remember(self, method: str, message: JSONDict) -> None:
        chat_id = message["chat"]["id"]
        activity = self._activity[chat_id]
        if message["message_id"] in activity:
            activity.remove(message["message_id"])
        activity.append(message["message_id"])
        if method in _TEXT_CHANGING:
            text = message.get("text", message.get("caption"))
            if text is not None:
                self._texts[chat_id].append(text)
                self._current[chat_id][message["message_id"]] = text


# ------------------------------------------------------------------------------------------
# Update factories
# ------------------------------------------------------------------------------------------

_update_ids = itertools.count(1)
# User messages get ids far above the ones RecordingRequest hands out to the bot's messages,
# so the two never collide in one chat.
_message_ids = itertools.count(1_000_001)


@dataclass
class FakeUser:
    id: int
    first_name: str = "Test"
    language_code: str | None = "th"
    username: str | None = None

    def as_dict(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code is not None:
            data["language_code"] = self.language_code
        if self.username is not None:
            data["username"] = self.username
        return data


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _chat_dict(chat_id: int) -> JSONDict:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Test"}
    return {"id": chat_id, "type": "group", "title": "Test group"}


def _user_chat(user: FakeUser, chat_id: int | None) -> JSONDict:
    if chat_id is None or chat_id == user.id:
        chat: JSONDict = {"id": user.id, "type": "private", "first_name": user.first_name}
        if user.username is not None:
            chat["username"] = user.username
        return chat
    return _chat_dict(chat_id)


def _user_message(user: FakeUser, chat_id: int | None = None, **fields: Any) -> JSONDict:
    return {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": _user_chat(user, chat_id),
        "from": user.as_dict(),
        **fields,
    }


def _update(bot: Bot, **payload: Any) -> Update:
    return Update.de_json({"update_id": next(_update_ids), **payload}, bot)


def text_update(bot: Bot, user: FakeUser, text: str, chat_id: int | None = None) -> Update:
    """A text message from ``user`` (private chat unless ``chat_id`` says otherwise).

    Text starting with "/" gets a ``bot_command`` entity covering "/cmd" or "/cmd@botname",
    so ``CommandHandler`` matches it and sees the rest as ``context.args``.
    """
    message = _user_message(user, chat_id, text=text)
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]
    return _update(bot, message=message)


def callback_update(
    bot: Bot,
    user: FakeUser,
    data: str,
    message: JSONDict | None = None,
    chat_id: int | None = None,
) -> Update:
    """``user`` pressing an inline button with ``data`` on ``message``.

    ``message`` is normally ``request.last_message(chat_id)``; without it a minimal text
    message from the bot in ``chat_id`` (default: the user's private chat) is used.
    """
    if message is None:
        message = {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": _user_chat(user, chat_id) if chat_id is None else _chat_dict(chat_id),
            "from": dict(BOT_USER),
            "text": "…",
        }
    query = {
        "id": uuid.uuid4().hex,
        "from": user.as_dict(),
        "chat_instance": f"ci-{message['chat']['id']}",
        "data": data,
        "message": copy.deepcopy(message),
    }
    return _update(bot, callback_query=query)


def location_update(bot: Bot, user: FakeUser, latitude: float, longitude: float) -> Update:
    location = {"latitude": latitude, "longitude": longitude}
    return _update(bot, message=_user_message(user, location=location))


def photo_update(bot: Bot, user: FakeUser) -> Update:
    """A photo message with no text and no caption."""
    n = next(_message_ids)
    photo = [
        {
            "file_id": f"user-photo-{n}-s",
            "file_unique_id": f"up-{n}-s",
            "width": 90,
            "height": 90,
            "file_size": 1_000,
        },
        {
            "file_id": f"user-photo-{n}",
            "file_unique_id": f"up-{n}",
            "width": 1280,
            "height": 960,
            "file_size": 100_000,
        },
    ]
    return _update(bot, message=_user_message(user, photo=photo))


def document_update(bot: Bot, user: FakeUser, file_name: str, mime_type: str) -> Update:
    n = next(_message_ids)
    document = {
        "file_id": f"user-doc-{n}",
        "file_unique_id": f"ud-{n}",
        "file_name": file_name,
        "mime_type": mime_type,
        "file_size": 10_000,
    }
    return _update(bot, message=_user_message(user, document=document))


def edited_text_update(
    bot: Bot, user: FakeUser, text: str, message_id: int | None = None
) -> Update:
    """``user`` editing one of their text messages (``update.edited_message``)."""
    message = _user_message(user, text=text, edit_date=int(time.time()))
    if message_id is not None:
        message["message_id"] = message_id
    return _update(bot, edited_message=message)


def channel_post_update(bot: Bot, text: str, chat_id: int = CHANNEL_ID) -> Update:
    chat = {"id": chat_id, "type": "channel", "title": "Test channel"}
    post = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat,
        "sender_chat": dict(chat),
        "text": text,
    }
    return _update(bot, channel_post=post)


def sticker_update(bot: Bot, user: FakeUser) -> Update:
    n = next(_message_ids)
    sticker = {
        "file_id": f"user-sticker-{n}",
        "file_unique_id": f"us-{n}",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "👍",
    }
    return _update(bot, message=_user_message(user, sticker=sticker))
