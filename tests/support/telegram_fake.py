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

CHANNEL_ID = -1001000000001

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
NOT_FOUND = "Bad Request: message to edit not found"
BLOCKED = "Forbidden: bot was blocked by the user"
NOT_IMPLEMENTED = "Bad Request: method not implemented in RecordingRequest"

# Methods that create a message the bot "sent"; the accessors below look at these.
MESSAGE_SENDING = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
_SENDS = MESSAGE_SENDING | {"sendLocation"}
_EDITS = frozenset({"editMessageText", "editMessageCaption", "editMessageReplyMarkup"})
_TRUE_METHODS = frozenset(
    {
        "deleteMessage",
        "answerCallbackQuery",
        "setMyCommands",
        "deleteMyCommands",
        "setChatMenuButton",
        "sendChatAction",
        "deleteWebhook",
        "setWebhook",
        "setMyDescription",
        "setMyShortDescription",
    }
)
_EMPTY_LIST_METHODS = frozenset({"getUpdates", "getMyCommands"})
# Parameters whose value is a JSON object/array. PTB normally hands these over already decoded
# (``RequestData.parameters`` holds the ``to_dict()`` form), but ``api_kwargs`` may carry them
# as JSON strings, which is what Telegram itself would receive.
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "commands",
        "scope",
        "menu_button",
        "allowed_updates",
        "media",
        "results",
    }
)


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


@dataclass
class _Failure:
    status: int
    description: str
    retry_after: int | None


class _ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def _chat_dict(chat_id: int) -> JSONDict:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Test"}
    return {"id": chat_id, "type": "group", "title": "Test group"}


def _normalise_chat_id(value: Any) -> int:
    if isinstance(value, bool):
        raise _ApiError(400, "Bad Request: chat not found")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    raise _ApiError(400, "Bad Request: chat not found")


def _decode_params(request_data: RequestData | None) -> tuple[JSONDict, dict[str, str]]:
    if request_data is None:
        return {}, {}
    # JSON round trip: tuples become lists, everything becomes plain JSON values.
    params: JSONDict = json.loads(json.dumps(request_data.parameters))
    for key in _JSON_PARAMS & params.keys():
        value = params[key]
        if isinstance(value, str) and value[:1] in ("{", "["):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    files: dict[str, str] = {}
    for part, field_tuple in request_data.multipart_data.items():
        files[part] = str(field_tuple[0])
    return params, files


def _inline_markup(params: JSONDict) -> JSONDict | None:
    """The markup Telegram echoes back on the Message: only inline keyboards are echoed."""
    markup = params.get("reply_markup")
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return markup
    return None


class RecordingRequest(BaseRequest):
    """A ``BaseRequest`` that records every call and answers like the Bot API."""

    def __init__(self) -> None:
        self.calls: list[SentCall] = []
        self.initialized = False
        self._failures: dict[str, deque[_Failure]] = defaultdict(deque)
        self._blocked: set[int] = set()
        # chat_id -> message_id -> current message dict (only messages the bot sent)
        self._messages: dict[int, dict[int, JSONDict]] = defaultdict(dict)
        # chat_id -> message_ids in order of last send/edit (most recent last)
        self._activity: dict[int, list[int]] = defaultdict(list)
        # chat_id -> texts of every successful send and text/caption edit, in order
        self._texts: dict[int, list[str]] = defaultdict(list)
        self._next_message_id: dict[int, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1)
        )
        self._file_ids = itertools.count(1)

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
        api_method = url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
        params, files = _decode_params(request_data)
        call = SentCall(method=api_method, params=params, files=files)
        self.calls.append(call)
        try:
            result = self._answer(api_method, params, files)
        except _ApiError as err:
            call.status = err.status
            body: JSONDict = {
                "ok": False,
                "error_code": err.status,
                "description": err.description,
            }
            if err.retry_after is not None:
                body["parameters"] = {"retry_after": err.retry_after}
            return err.status, json.dumps(body).encode()
        return HTTPStatus.OK, json.dumps({"ok": True, "result": result}).encode()

    # -- fault injection ---------------------------------------------------------------------

    def fail_next(
        self, method: str, status: int, description: str, retry_after: int | None = None
    ) -> None:
        """Make the next call of ``method`` fail with this HTTP status and description.

        Failures queue up per method. A 429 without ``retry_after`` gets ``retry_after=1`` so
        PTB raises ``RetryAfter`` (without it PTB would raise a plain ``NetworkError``).
        """
        if status == HTTPStatus.TOO_MANY_REQUESTS and retry_after is None:
            retry_after = 1
        self._failures[method].append(_Failure(status, description, retry_after))

    def block_chat(self, chat_id: int) -> None:
        """Every call carrying this ``chat_id`` answers 403 "bot was blocked by the user"."""
        self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

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
            if message_id in self._messages[chat_id]:
                return copy.deepcopy(self._messages[chat_id][message_id])
        raise LookupError(f"the bot has no (undeleted) message in chat {chat_id}")

    def get_message(self, chat_id: int, message_id: int) -> JSONDict:
        """The current state of one message the bot sent (deep copy)."""
        try:
            return copy.deepcopy(self._messages[chat_id][message_id])
        except KeyError:
            raise LookupError(f"no bot message {message_id} in chat {chat_id}") from None

    def texts(self, chat_id: int) -> list[str]:
        """Text (or caption) of every message sent and every text/caption edit, in order.

        Markup-only edits (editMessageReplyMarkup) add nothing here.
        """
        return list(self._texts.get(chat_id, []))

    def buttons(self, chat_id: int) -> list[tuple[str, str]]:
        """(text, callback_data) of the inline keyboard on the most recently sent/edited message
        in the chat that has one. URL buttons give their url instead; [] if there is none."""
        for message_id in reversed(self._activity.get(chat_id, [])):
            message = self._messages[chat_id].get(message_id)
            markup = (message or {}).get("reply_markup")
            if markup:
                return [
                    (
                        button["text"],
                        button.get("callback_data") or button.get("url") or "",
                    )
                    for row in markup["inline_keyboard"]
                    for button in row
                ]
        return []

    def clear(self) -> None:
        """Forget recorded calls and stored messages (message ids keep increasing).

        Pending ``fail_next`` failures and blocked chats stay as configured.
        """
        self.calls.clear()
        self._messages.clear()
        self._activity.clear()
        self._texts.clear()

    # -- the fake server ---------------------------------------------------------------------

    def _answer(self, method: str, params: JSONDict, files: dict[str, str]) -> Any:
        failures = self._failures.get(method)
        if failures:
            failure = failures.popleft()
            raise _ApiError(failure.status, failure.description, failure.retry_after)
        if "chat_id" in params and method != "getMe":
            chat_id = _normalise_chat_id(params["chat_id"])
            if chat_id in self._blocked:
                raise _ApiError(HTTPStatus.FORBIDDEN, BLOCKED)

        if method == "getMe":
            return dict(BOT_USER)
        if method in _SENDS:
            return self._send(method, params, files)
        if method in _EDITS:
            return self._edit(method, params)
        if method == "deleteMessage":
            chat_id = _normalise_chat_id(params.get("chat_id"))
            self._messages[chat_id].pop(int(params.get("message_id", 0)), None)
            return True
        if method in _TRUE_METHODS:
            return True
        if method in _EMPTY_LIST_METHODS:
            return []
        raise _ApiError(HTTPStatus.BAD_REQUEST, NOT_IMPLEMENTED)

    def _file(self, kind: str, given: Any) -> JSONDict:
        n = next(self._file_ids)
        file_id = given if isinstance(given, str) and given and "://" not in given else None
        return {"file_id": file_id or f"{kind}-file-{n}", "file_unique_id": f"{kind}-uniq-{n}"}

    def _send(self, method: str, params: JSONDict, files: dict[str, str]) -> JSONDict:
        if "chat_id" not in params:
            raise _ApiError(400, "Bad Request: chat_id is empty")
        chat_id = _normalise_chat_id(params["chat_id"])
        message: JSONDict = {
            "message_id": next(self._next_message_id[chat_id]),
            "date": int(time.time()),
            "chat": _chat_dict(chat_id),
            "from": dict(BOT_USER),
        }
        text: str | None = None
        if method == "sendMessage":
            text = params.get("text")
            if not text:
                raise _ApiError(400, "Bad Request: message text is empty")
            message["text"] = text
        elif method == "sendPhoto":
            base = self._file("photo", params.get("photo"))
            message["photo"] = [
                {
                    **base,
                    "file_unique_id": base["file_unique_id"] + "-s",
                    "width": 90,
                    "height": 90,
                },
                {**base, "width": 800, "height": 800},
            ]
        elif method == "sendDocument":
            document = self._file("document", params.get("document"))
            if "document" in files:
                document["file_name"] = files["document"]
            message["document"] = document
        elif method == "sendLocation":
            message["location"] = {
                "latitude": params.get("latitude"),
                "longitude": params.get("longitude"),
            }
        if method in ("sendPhoto", "sendDocument") and params.get("caption"):
            text = params["caption"]
            message["caption"] = text
        markup = _inline_markup(params)
        if markup is not None:
            message["reply_markup"] = markup

        self._store(chat_id, message, text)
        return copy.deepcopy(message)

    def _edit(self, method: str, params: JSONDict) -> JSONDict | bool:
        if "inline_message_id" in params:
            return True  # Telegram answers True for inline messages; nothing to store.
        chat_id = _normalise_chat_id(params.get("chat_id"))
        message_id = int(params.get("message_id", 0))
        old = self._messages.get(chat_id, {}).get(message_id)
        if old is None:
            raise _ApiError(HTTPStatus.BAD_REQUEST, NOT_FOUND)

        new = copy.deepcopy(old)
        new_text: str | None = None
        if method == "editMessageText":
            if "text" not in old:
                raise _ApiError(400, "Bad Request: there is no text in the message to edit")
            new_text = params.get("text")
            if not new_text:
                raise _ApiError(400, "Bad Request: message text is empty")
            new["text"] = new_text
            new.pop("entities", None)
        elif method == "editMessageCaption":
            if "text" in old:
                raise _ApiError(400, "Bad Request: there is no caption in the message to edit")
            new_text = params.get("caption") or ""
            if new_text:
                new["caption"] = new_text
            else:
                new.pop("caption", None)
            new.pop("caption_entities", None)
        # Telegram drops the inline keyboard when an edit does not pass one.
        markup = _inline_markup(params)
        if markup is None:
            new.pop("reply_markup", None)
        else:
            new["reply_markup"] = markup

        if {k: v for k, v in new.items() if k != "edit_date"} == {
            k: v for k, v in old.items() if k != "edit_date"
        }:
            raise _ApiError(HTTPStatus.BAD_REQUEST, NOT_MODIFIED)
        new["edit_date"] = int(time.time())
        self._store(chat_id, new, new_text)
        return copy.deepcopy(new)

    def _store(self, chat_id: int, message: JSONDict, text: str | None) -> None:
        message_id = message["message_id"]
        self._messages[chat_id][message_id] = copy.deepcopy(message)
        activity = self._activity[chat_id]
        if message_id in activity:
            activity.remove(message_id)
        activity.append(message_id)
        if text is not None:
            self._texts[chat_id].append(text)


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
