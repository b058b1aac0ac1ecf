"""A stand-in for Telegram: the subset of the Bot API that Panong uses, and the people on the
other side of the chats.

`BotApi` holds the whole state (people, chats, messages, pending updates, files, command menus)
and answers Bot API calls with Telegram's own result and error shapes. It knows nothing of
HTTP: `sandbox.server` puts it behind aiohttp for the web chat and the end-to-end tests, and the
in-process test fake (`tests/support/telegram_fake.py`) calls it directly from a
`telegram.request.BaseRequest`. So the bot meets the same behaviour in the fastest unit test,
over real HTTP, and in the browser: HTML it sends is parsed as Telegram parses it, an edit that
changes nothing is refused, a blocked user answers 403, and a test can ask for a 429.
"""

import asyncio
import contextlib
import copy
import dataclasses
import itertools
import json
import mimetypes
import struct
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from sandbox.formatting import EntityParseError, parse_html, utf16_len

JSONDict = dict[str, Any]

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)
QUERY_INVALID = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)


class ApiError(Exception):
    """An error answer, in Telegram's shape: HTTP status, description, optional retry_after."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(description: str) -> ApiError:
    return ApiError(HTTPStatus.BAD_REQUEST, f"Bad Request: {description}")


@dataclass(frozen=True)
class Upload:
    """A file as it arrives in a multipart part."""

    file_name: str
    data: bytes
    mime_type: str | None = None


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None
    mime_type: str | None


class Signal:
    """Wakes everybody waiting for "something changed"; waiting is bounded by a timeout."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def notify(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait(self, seconds: float) -> None:
        if self._event is None:
            self._event = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)


class _Params:
    """Bot API parameters, whether they came decoded (in process) or as form strings (HTTP)."""

    def __init__(self, raw: JSONDict) -> None:
        self.raw = raw

    def __contains__(self, name: str) -> bool:
        return self.raw.get(name) is not None

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self.raw.get(name)
        return default if value is None else str(value)

    def int(self, name: str, default: int | None = None) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def float(self, name: str) -> float:
        try:
            return float(self.raw[name])
        except (KeyError, TypeError, ValueError):
            raise bad_request(f"{name} is empty") from None

    def bool(self, name: str) -> bool:
        value = self.raw.get(name)
        return value is True or str(value).lower() == "true"

    def json(self, name: str) -> Any:
        value = self.raw.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def chat_id(self) -> int:
        value = self.int("chat_id")
        if value is None:
            raise bad_request("chat_id is empty")
        return value


def _png_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    return 0, 0


@dataclass
class _Stall:
    remaining: int
    accept: bool
    reached: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)


class BotApi:
    """Telegram, as far as Panong can tell."""

    def __init__(
        self,
        token: str,
        *,
        username: str = "panong_sandbox_bot",
        first_name: str = "Panong",
        clock: Callable[[], float] = time.time,
        open_chats: bool = False,
    ) -> None:
        """`open_chats`: a bot message to an unknown chat creates it (private for positive ids,
        a group otherwise) instead of failing with "chat not found". The in-process fake uses
        it, because its tests build updates for users the stand-in was never told about."""
        self.token = token
        self.bot_user: JSONDict = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.clock = clock
        self.open_chats = open_chats
        self.users: dict[int, JSONDict] = {}
        self.labels: dict[int, str] = {}
        self.chats: dict[int, JSONDict] = {}
        self.blocked: set[int] = set()
        self.webhook_url = ""
        self.closed = False
        self._messages: dict[int, dict[int, JSONDict]] = defaultdict(dict)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1))
        self._updates: deque[JSONDict] = deque()
        self._update_ids = itertools.count(1)
        self._allowed_updates: list[str] = []
        # callback query id -> (chat it came from, answered yet)
        self._queries: dict[str, tuple[int | None, bool]] = {}
        self._query_ids = itertools.count(1)
        self._files: dict[str, StoredFile] = {}
        self._file_ids = itertools.count(1)
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._failures: dict[str, deque[ApiError]] = defaultdict(deque)
        self._stalls: dict[tuple[str, int | None], _Stall] = {}  # by method and chat
        self.events: list[JSONDict] = []
        self._updates_signal = Signal()
        self._events_signal = Signal()
        self._methods: dict[str, Callable[[_Params, dict[str, Upload]], Any]] = {
            "getMe": lambda p, f: dict(self.bot_user),
            "logOut": lambda p, f: True,
            "close": lambda p, f: True,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendLocation": self._send_location,
            "editMessageText": self._edit_text,
            "editMessageCaption": self._edit_caption,
            "editMessageReplyMarkup": self._edit_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback,
            "getFile": self._get_file,
            "setMyCommands": self._set_commands,
            "getMyCommands": self._get_commands,
            "deleteMyCommands": self._delete_commands,
            "sendChatAction": self._chat_action,
            "setChatMenuButton": lambda p, f: True,
            "setMyDescription": lambda p, f: True,
            "setMyShortDescription": lambda p, f: True,
        }

    # -- the bot's side: one Bot API call ------------------------------------------------------

    async def call(self, method: str, raw: JSONDict, files: dict[str, Upload]) -> Any:
        """Answer one Bot API call: its `result`, or `ApiError`."""
        if method == "getUpdates":
            return await self._get_updates(_Params(raw))
        failures = self._failures.get(method)
        if failures:
            raise failures.popleft()
        handler = self._methods.get(method)
        if handler is None:
            raise ApiError(HTTPStatus.NOT_FOUND, "Not Found")
        params = _Params(raw)
        if "chat_id" in params and params.int("chat_id") in self.blocked:
            raise ApiError(HTTPStatus.FORBIDDEN, BLOCKED)
        stall = self._stall_for(method, params)
        if stall is None or stall.remaining > 0:
            if stall is not None:
                stall.remaining -= 1
            return handler(params, files)
        if stall.accept:
            handler(params, files)
        stall.reached.set()
        await stall.released.wait()
        raise ApiError(HTTPStatus.BAD_GATEWAY, "Bad Gateway")

    def fail_next(self, method: str, status: int, description: str | None = None,
                  retry_after: int | None = None) -> None:
        """The next call of `method` fails with this answer; failures queue up per method.

        A 429 always carries `retry_after` (1 s unless given), as Telegram's do.
        """
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            retry_after = retry_after or 1
            description = description or f"Too Many Requests: retry after {retry_after}"
        self._failures[method].append(
            ApiError(status, description or HTTPStatus(status).phrase, retry_after))

    def stall(self, method: str, *, after: int = 0, accept: bool = False,
              chat_id: int | None = None) -> asyncio.Event:
        """After `after` more calls of `method` are answered, the next ones get no answer, as
        when the network dies mid-call: with `accept`, Telegram had already done what was
        asked (the message exists), without, it had not. With `chat_id`, only the calls to
        that chat count and stall, so that a test can hold up one person's answer while
        everybody else's go through; stalls of one method on different chats are
        independent, and one without `chat_id` takes the calls no other claims. The event
        is set when a call first stalls; `release_stalls` (or `close`) ends them with a
        502."""
        stall = self._stalls[(method, chat_id)] = _Stall(remaining=after, accept=accept)
        return stall.reached

    def release_stalls(self) -> None:
        for stall in self._stalls.values():
            stall.released.set()
        self._stalls.clear()

    def close(self) -> None:
        """Answer pending long polls now (with nothing) and from then on."""
        self.release_stalls()
        self.closed = True
        self._updates_signal.notify()
        self._events_signal.notify()

    # -- the people's side ---------------------------------------------------------------------

    def add_user(self, user_id: int, first_name: str, language_code: str | None = "th",
                 label: str = "") -> JSONDict:
        """A person who has opened a private chat with the bot. `label` says who they are in
        the web chat ("Teacher · Wat Phraek Sa School")."""
        if user_id in self.users:
            raise bad_request("user already exists")
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        self.users[user_id] = user
        self.labels[user_id] = label
        self.chats[user_id] = {"id": user_id, "type": "private", "first_name": first_name}
        self._event({"type": "person", "person": self.person(user_id)})
        return dict(user)

    def person(self, user_id: int) -> JSONDict:
        """A person as the web chat shows them."""
        user = self._user(user_id)
        return {"id": user_id, "first_name": user["first_name"],
                "language_code": user.get("language_code", ""),
                "role_label": self.labels.get(user_id, ""), "blocked": user_id in self.blocked}

    def add_group(self, chat_id: int, title: str) -> JSONDict:
        self.chats[chat_id] = {"id": chat_id, "type": "group", "title": title}
        return dict(self.chats[chat_id])

    def send_text(self, user_id: int, text: str, chat_id: int | None = None) -> JSONDict:
        """The person types `text`; a leading /command gets its bot_command entity."""
        text = text.strip()
        if not text:
            raise bad_request("message text is empty")
        fields: JSONDict = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            fields["entities"] = [{"type": "bot_command", "offset": 0,
                                   "length": utf16_len(command)}]
        return self._from_user(user_id, chat_id, fields)

    def send_location(self, user_id: int, latitude: float, longitude: float) -> JSONDict:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise bad_request("wrong location")
        return self._from_user(user_id, None,
                               {"location": {"latitude": latitude, "longitude": longitude}})

    def send_document(self, user_id: int, upload: Upload, caption: str | None = None) -> JSONDict:
        stored = self._store_file(upload, "documents")
        fields: JSONDict = {"document": self._document_dict(stored)}
        if caption:
            fields["caption"] = caption
        return self._from_user(user_id, None, fields)

    def press(self, user_id: int, chat_id: int, message_id: int, data: str) -> str:
        """The person presses the inline button carrying `data` on a message the bot sent."""
        user = self._user(user_id)
        message = self._messages[chat_id].get(message_id)
        buttons = [button.get("callback_data") for row in
                   ((message or {}).get("reply_markup") or {}).get("inline_keyboard", [])
                   for button in row]
        if message is None or data not in buttons:
            raise bad_request("there is no such button on this message")
        query_id = str(next(self._query_ids))
        self._queries[query_id] = (chat_id, False)
        self._queue_update({"callback_query": {
            "id": query_id, "from": dict(user), "message": copy.deepcopy(message),
            "chat_instance": f"sandbox-{chat_id}", "data": data,
        }})
        return query_id

    def block(self, user_id: int, blocked: bool = True) -> None:
        """The person blocks the bot (403 from then on), or unblocks it."""
        if blocked:
            self.blocked.add(user_id)
        else:
            self.blocked.discard(user_id)
        if user_id in self.users:
            self._event({"type": "person", "person": self.person(user_id)})

    # -- reading the state ---------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[JSONDict]:
        return [copy.deepcopy(m) for _, m in sorted(self._messages[chat_id].items())]

    def message(self, chat_id: int, message_id: int) -> JSONDict:
        try:
            return copy.deepcopy(self._messages[chat_id][message_id])
        except KeyError:
            raise LookupError(f"no message {message_id} in chat {chat_id}") from None

    def file(self, file_id: str) -> StoredFile:
        return self._files[file_id]

    def file_by_path(self, file_path: str) -> StoredFile | None:
        return next((f for f in self._files.values() if f.file_path == file_path), None)

    def commands_for(self, chat_id: int, language: str | None) -> list[JSONDict]:
        """The menu a person sees in this chat, resolved as Telegram resolves scopes."""
        private = self.chats.get(chat_id, {}).get("type", "private") == "private"
        scopes = [f"chat:{chat_id}", "all_private_chats" if private else "all_group_chats",
                  "default"]
        for scope in scopes:
            for lang in ([language] if language else []) + [""]:
                commands = self._commands.get((scope, lang))
                if commands:
                    return copy.deepcopy(commands)
        return []

    async def changes(self, since: int, wait: float) -> tuple[int, list[JSONDict]]:
        """Events after `since` (1-based sequence), waiting up to `wait` seconds for one."""
        if len(self.events) <= since and not self.closed:
            await self._events_signal.wait(wait)
        return len(self.events), copy.deepcopy(self.events[since:])

    def pending_updates(self) -> int:
        return len(self._updates)

    # -- internals -----------------------------------------------------------------------------

    def _user(self, user_id: int) -> JSONDict:
        try:
            return self.users[user_id]
        except KeyError:
            raise bad_request("user not found") from None

    def _stall_for(self, method: str, params: _Params) -> _Stall | None:
        if not self._stalls:
            return None
        chat_id = params.int("chat_id") if "chat_id" in params else None
        return self._stalls.get((method, chat_id)) or self._stalls.get((method, None))

    def _chat(self, chat_id: int) -> JSONDict:
        chat = self.chats.get(chat_id)
        if chat is None:
            if not self.open_chats:
                raise bad_request("chat not found")
            chat = ({"id": chat_id, "type": "private", "first_name": "Test"} if chat_id > 0
                    else {"id": chat_id, "type": "group", "title": "Test group"})
            self.chats[chat_id] = chat
        return chat

    def _event(self, event: JSONDict) -> None:
        self.events.append(event)
        self._events_signal.notify()

    def _queue_update(self, payload: JSONDict) -> None:
        self._updates.append({"update_id": next(self._update_ids), **payload})
        self._updates_signal.notify()

    def _from_user(self, user_id: int, chat_id: int | None, fields: JSONDict) -> JSONDict:
        user = self._user(user_id)
        chat = self._chat(user_id if chat_id is None else chat_id)
        message = {"message_id": next(self._message_ids[chat["id"]]), "from": dict(user),
                   "chat": dict(chat), "date": int(self.clock()), **fields}
        self._messages[chat["id"]][message["message_id"]] = message
        self._event({"type": "message", "chat_id": chat["id"], "message": message})
        self._queue_update({"message": copy.deepcopy(message)})
        return copy.deepcopy(message)

    async def _get_updates(self, params: _Params) -> list[JSONDict]:
        if self.webhook_url:
            raise ApiError(HTTPStatus.CONFLICT, WEBHOOK_ACTIVE)
        offset = params.int("offset", 0) or 0
        limit = min(max(params.int("limit", 100) or 100, 1), 100)
        timeout = max(params.int("timeout", 0) or 0, 0)
        allowed = params.json("allowed_updates")
        if allowed is not None:
            self._allowed_updates = list(allowed)
        if offset > 0:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()
        if not self._updates and timeout and not self.closed:
            await self._updates_signal.wait(timeout)
        return [copy.deepcopy(u) for u in itertools.islice(self._updates, limit)
                if self._allowed(u)]

    def _allowed(self, update: JSONDict) -> bool:
        if not self._allowed_updates:
            return True
        return any(kind in update for kind in self._allowed_updates)

    def _set_webhook(self, params: _Params, files: dict[str, Upload]) -> bool:
        url = params.str("url", "") or ""
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        return True

    def _delete_webhook(self, params: _Params, files: dict[str, Upload]) -> bool:
        self.webhook_url = ""
        if params.bool("drop_pending_updates"):
            self._updates.clear()
        return True

    def _webhook_info(self, params: _Params, files: dict[str, Upload]) -> JSONDict:
        return {"url": self.webhook_url, "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}

    def _formatted(self, params: _Params, name: str, entities_name: str,
                   limit: int) -> tuple[str, list[JSONDict]]:
        """Text (or caption) after its parse mode, as the recipient will see it."""
        markup = params.str(name, "") or ""
        mode = (params.str("parse_mode", "") or "").lower()
        entities = params.json(entities_name) or []
        if mode == "html":
            try:
                markup, entities = parse_html(markup)
            except EntityParseError as exc:
                raise bad_request(str(exc)) from None
        elif mode:
            raise bad_request(f"unsupported parse_mode {mode!r} in the sandbox")
        if utf16_len(markup) > limit:
            raise bad_request("message is too long" if name == "text"
                              else "message caption is too long")
        return markup, entities

    def _inline_markup(self, params: _Params) -> JSONDict | None:
        markup = params.json("reply_markup")
        if not isinstance(markup, dict) or "inline_keyboard" not in markup:
            return None  # reply keyboards and removals are not echoed on the message
        for row in markup["inline_keyboard"]:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                    raise bad_request("BUTTON_DATA_INVALID")
                if not button.get("text"):
                    raise bad_request("text buttons are unallowed in the inline keyboard")
        return markup

    def _new_message(self, params: _Params, fields: JSONDict) -> JSONDict:
        chat = self._chat(params.chat_id())
        message: JSONDict = {"message_id": next(self._message_ids[chat["id"]]),
                             "from": dict(self.bot_user), "chat": dict(chat),
                             "date": int(self.clock()), **fields}
        markup = self._inline_markup(params)
        if markup is not None:
            message["reply_markup"] = markup
        return self._save(message)

    def _save(self, message: JSONDict) -> JSONDict:
        chat_id = message["chat"]["id"]
        self._messages[chat_id][message["message_id"]] = message
        self._event({"type": "message", "chat_id": chat_id, "message": message})
        return copy.deepcopy(message)

    def _send_message(self, params: _Params, files: dict[str, Upload]) -> JSONDict:
        text, entities = self._formatted(params, "text", "entities", MESSAGE_LIMIT)
        if not text.strip():
            raise bad_request("message text is empty")
        fields: JSONDict = {"text": text}
        if entities:
            fields["entities"] = entities
        return self._new_message(params, fields)

    def _captioned(self, params: _Params, fields: JSONDict) -> JSONDict:
        caption, entities = self._formatted(params, "caption", "caption_entities", CAPTION_LIMIT)
        if caption:
            fields["caption"] = caption
            if entities:
                fields["caption_entities"] = entities
        return self._new_message(params, fields)

    def _input_file(self, params: _Params, files: dict[str, Upload], name: str,
                    folder: str) -> StoredFile:
        if name in files:
            return self._store_file(files[name], folder)
        given = params.str(name)
        if given and given.startswith("attach://") and given[9:] in files:
            return self._store_file(files[given[9:]], folder)
        if given in self._files:
            return self._files[given]
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _send_photo(self, params: _Params, files: dict[str, Upload]) -> JSONDict:
        # Telegram re-encodes photos; here PNG stays PNG and anything else is called JPEG.
        files = {name: dataclasses.replace(upload, mime_type="image/png"
                                           if _png_size(upload.data) != (0, 0) else "image/jpeg")
                 for name, upload in files.items()}
        stored = self._input_file(params, files, "photo", "photos")
        width, height = _png_size(stored.data)
        photo = [{"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                  "file_size": len(stored.data), "width": width, "height": height}]
        return self._captioned(params, {"photo": photo})

    def _send_document(self, params: _Params, files: dict[str, Upload]) -> JSONDict:
        stored = self._input_file(params, files, "document", "documents")
        return self._captioned(params, {"document": self._document_dict(stored)})

    def _send_location(self, params: _Params, files: dict[str, Upload]) -> JSONDict:
        location = {"latitude": params.float("latitude"), "longitude": params.float("longitude")}
        return self._new_message(params, {"location": location})

    def _editable(self, params: _Params) -> JSONDict:
        if "inline_message_id" in params:
            raise bad_request("inline messages are not supported by the sandbox")
        chat_id = params.chat_id()
        message = self._messages[chat_id].get(params.int("message_id", 0) or 0)
        if message is None or message["from"]["id"] != self.bot_user["id"]:
            raise bad_request("message to edit not found")
        return copy.deepcopy(message)

    def _replace(self, old: JSONDict, new: JSONDict, params: _Params) -> JSONDict:
        # Telegram drops the inline keyboard when an edit does not pass one.
        markup = self._inline_markup(params)
        new.pop("reply_markup", None)
        if markup is not None:
            new["reply_markup"] = markup
        new.pop("edit_date", None)
        if new == {k: v for k, v in old.items() if k != "edit_date"}:
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        new["edit_date"] = int(self.clock())
        return self._save(new)

    def _edit_text(self, params: _Params, files: dict[str, Upload]) -> JSONDict:
        old = self._editable(params)
        if "text" not in old:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._formatted(params, "text", "entities", MESSAGE_LIMIT)
        if not text.strip():
            raise bad_request("message text is empty")
        new = {**old, "text": text}
        new.pop("entities", None)
        if entities:
            new["entities"] = entities
        return self._replace(old, new, params)

    def _edit_caption(self, params: _Params, files: dict[str, Upload]) -> JSONDict:
        old = self._editable(params)
        if "text" in old:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = self._formatted(params, "caption", "caption_entities",
                                            CAPTION_LIMIT)
        new = {k: v for k, v in old.items() if k not in ("caption", "caption_entities")}
        if caption:
            new["caption"] = caption
            if entities:
                new["caption_entities"] = entities
        return self._replace(old, new, params)

    def _edit_markup(self, params: _Params, files: dict[str, Upload]) -> JSONDict:
        old = self._editable(params)
        return self._replace(old, copy.deepcopy(old), params)

    def _delete_message(self, params: _Params, files: dict[str, Upload]) -> bool:
        chat_id = params.chat_id()
        message_id = params.int("message_id", 0) or 0
        if self._messages[chat_id].pop(message_id, None) is None:
            raise bad_request("message to delete not found")
        self._event({"type": "delete", "chat_id": chat_id, "message_id": message_id})
        return True

    def _answer_callback(self, params: _Params, files: dict[str, Upload]) -> bool:
        query_id = params.str("callback_query_id") or ""
        # Queries the stand-in did not issue (built by a test) can be answered once too.
        chat_id, answered = self._queries.get(query_id, (None, False))
        if answered:
            raise bad_request(QUERY_INVALID.removeprefix("Bad Request: "))
        self._queries[query_id] = (chat_id, True)
        text = params.str("text", "") or ""
        if len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        if text:
            self._event({"type": "callback_answer", "chat_id": chat_id, "text": text,
                         "show_alert": params.bool("show_alert")})
        return True

    def _chat_action(self, params: _Params, files: dict[str, Upload]) -> bool:
        chat = self._chat(params.chat_id())
        self._event({"type": "chat_action", "chat_id": chat["id"],
                     "action": params.str("action", "typing")})
        return True

    def _store_file(self, upload: Upload, folder: str) -> StoredFile:
        n = next(self._file_ids)
        suffix = upload.file_name.rsplit(".", 1)[-1] if "." in upload.file_name else "bin"
        mime = upload.mime_type or mimetypes.guess_type(upload.file_name)[0]
        stored = StoredFile(file_id=f"sandbox-file-{n}", file_unique_id=f"sandbox-unique-{n}",
                            file_path=f"{folder}/file_{n}.{suffix}", data=upload.data,
                            file_name=upload.file_name, mime_type=mime)
        self._files[stored.file_id] = stored
        return stored

    @staticmethod
    def _document_dict(stored: StoredFile) -> JSONDict:
        document: JSONDict = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                              "file_size": len(stored.data)}
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        return document

    def _get_file(self, params: _Params, files: dict[str, Upload]) -> JSONDict:
        stored = self._files.get(params.str("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.data), "file_path": stored.file_path}

    @staticmethod
    def _scope_key(params: _Params) -> str:
        scope = params.json("scope") or {"type": "default"}
        if scope.get("type") in ("chat", "chat_administrators", "chat_member"):
            return f"chat:{scope.get('chat_id')}"
        return str(scope.get("type", "default"))

    def _set_commands(self, params: _Params, files: dict[str, Upload]) -> bool:
        commands = params.json("commands") or []
        for command in commands:
            name = str(command.get("command", ""))
            if not (1 <= len(name) <= 32 and name.replace("_", "").isalnum() and name.islower()):
                raise bad_request("BOT_COMMAND_INVALID")
        key = (self._scope_key(params), params.str("language_code", "") or "")
        self._commands[key] = [{"command": c["command"], "description": c["description"]}
                               for c in commands]
        return True

    def _get_commands(self, params: _Params, files: dict[str, Upload]) -> list[JSONDict]:
        key = (self._scope_key(params), params.str("language_code", "") or "")
        return copy.deepcopy(self._commands.get(key, []))

    def _delete_commands(self, params: _Params, files: dict[str, Upload]) -> bool:
        self._commands.pop((self._scope_key(params), params.str("language_code", "") or ""),
                           None)
        return True

