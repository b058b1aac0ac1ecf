"""A stand-in for LINE: the part of the Messaging API that Panong uses, and the people on the
other side of the chats.

`LineApi` holds the whole state (people, groups, what was said in each chat, reply tokens,
retry keys, the month's push count, rich menus, webhook events waiting to be delivered) and
answers Messaging API calls with LINE's own status codes, headers and bodies. Like
`sandbox.botapi` it knows nothing of HTTP: `sandbox.line_server` puts it behind aiohttp on
two base URLs, one for the api host and one for the api-data host (message content and
rich menu images), and delivers its webhook events to the bot. Requests and events follow
LINE's OpenAPI files (`sandbox/line_openapi/`, checked in `tests/sandbox/test_lineapi.py`),
and what the files leave out is in `sandbox.line_limits`.

Where LINE's pages leave a behaviour open the stand-in takes the stricter reading: lengths
are counted in UTF-16 units, and a request that fails validation does not use up its reply
token. A push to somebody who has blocked the bot is accepted but neither delivered nor
counted, as LINE does not tell a bot who blocked it except by the unfollow event.
"""

import base64
import copy
import hashlib
import hmac
import itertools
import json
import mimetypes
import re
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from sandbox.botapi import Signal
from sandbox.formatting import utf16_len
from sandbox.line_limits import BY_OWNER, Limit

JSONDict = dict[str, Any]

API = "api"  # https://api.line.me
API_DATA = "api-data"  # https://api-data.line.me: content people send, rich menu images

REPLY_TOKEN_LIFETIME = 60.0  # seconds; LINE says "within a certain period", about a minute
RETRY_KEY_LIFETIME = 24 * 3600.0
RICH_MENU_IMAGE_LIMIT = 1024 * 1024
BULK_LINK_LIMIT = 500  # user ids in one bulk link
WEBHOOK_USER_AGENT = "LineBotWebhook/2.0"
CALLS_KEPT = 10_000  # a sandbox left running for days keeps only the latest calls

UNAUTHORIZED = ("Authentication failed. Confirm that the access token in the authorization "
                "header is valid.")
INVALID_REPLY_TOKEN = "Invalid reply token"
MONTHLY_LIMIT = "You have reached your monthly limit."
RETRY_KEY_ACCEPTED = "The retry key is already accepted"
RETRY_KEY_INVALID = "The value for the 'X-Line-Retry-Key' header is invalid"

# The kinds of message the stand-in takes (what Panong can send), with their required
# properties. LINE has more (video, audio, imagemap, coupon, textV2); the stand-in refuses
# them with LINE's own message so that a bot starting to send one is noticed here first.
MESSAGE_REQUIRED = {
    "text": ("text",),
    "image": ("originalContentUrl", "previewImageUrl"),
    "sticker": ("packageId", "stickerId"),
    "location": ("title", "address", "latitude", "longitude"),
    "template": ("altText", "template"),
    "flex": ("altText", "contents"),
}
ACTION_REQUIRED = {
    "postback": ("data",),
    "datetimepicker": ("data", "mode"),
    "message": ("text",),
    "uri": ("uri",),
    "camera": (),
    "cameraRoll": (),
    "location": (),
}
FLEX_CONTAINERS = ("bubble", "carousel")
PICKER_FORMATS = {"date": r"\d{4}-\d{2}-\d{2}", "time": r"\d{2}:\d{2}",
                  "datetime": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"}
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class LineError(Exception):
    """An error answer in LINE's shape: `{"message": ..., "details": [...]}` and a status."""

    def __init__(self, status: int, message: str, details: list[JSONDict] | None = None,
                 headers: dict[str, str] | None = None,
                 sent_messages: list[JSONDict] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or []
        self.headers = headers or {}
        self.sent_messages = sent_messages

    def body(self) -> JSONDict:
        body: JSONDict = {"message": self.message}
        if self.details:
            body["details"] = self.details
        if self.sent_messages is not None:
            body["sentMessages"] = self.sent_messages
        return body


def bad_request(message: str, details: list[JSONDict] | None = None) -> LineError:
    return LineError(HTTPStatus.BAD_REQUEST, message, details)


def not_found(message: str = "Not found") -> LineError:
    return LineError(HTTPStatus.NOT_FOUND, message)


def invalid_body(details: list[JSONDict]) -> LineError:
    return bad_request(f"The request body has {len(details)} error(s)", details)


@dataclass(frozen=True)
class Answer:
    """One answer: its status, its body (JSON, raw bytes or nothing) and its headers."""

    status: int
    body: JSONDict | bytes | None
    headers: dict[str, str]
    content_type: str = "application/json"

    def json(self) -> JSONDict:
        assert isinstance(self.body, dict), f"not a JSON answer: {self.body!r}"
        return self.body


@dataclass(frozen=True)
class Call:
    """A request the stand-in answered, kept (the latest `CALLS_KEPT`) so that tests can
    check every one of them."""

    method: str
    host: str
    path: str
    headers: dict[str, str]
    body: JSONDict | bytes | None
    answer: Answer


@dataclass
class Person:
    user_id: str
    display_name: str
    language: str
    friend: bool = True  # has added the bot and not blocked it
    rich_menu: str | None = None  # the menu the bot linked to them (else the default shows)


@dataclass
class Chat:
    """A one-to-one chat (its id is the person's) or a group, with everything said in it."""

    id: str
    kind: str  # "user" or "group"
    name: str = ""
    members: list[str] = field(default_factory=list)
    bot_present: bool = True
    transcript: list[JSONDict] = field(default_factory=list)


@dataclass
class _ReplyToken:
    chat_id: str
    issued_at: float
    used: bool = False


@dataclass(frozen=True)
class _Accepted:
    at: float
    request_id: str
    sent: list[JSONDict]


@dataclass
class _RichMenu:
    body: JSONDict
    image: bytes | None = None
    image_type: str = ""


@dataclass
class WebhookDelivery:
    """One webhook request waiting for the bot to take it: LINE sends an event again, marked
    as a redelivery, until the bot answers 2xx."""

    id: int
    event: JSONDict
    attempts: int = 0
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Request:
    headers: Mapping[str, str]
    raw: bytes
    request_id: str

    def json(self) -> JSONDict:
        try:
            body = json.loads(self.raw or b"null")
        except ValueError:
            raise bad_request("The request body could not be parsed as JSON") from None
        if not isinstance(body, dict):
            raise bad_request("The request body could not be parsed as JSON")
        return body


Handler = Callable[[_Request, dict[str, str]], tuple[int, JSONDict | bytes | None]]


def ulid(milliseconds: int, serial: int) -> str:
    """A ULID, as LINE's `webhookEventId`: 48 bits of time, 80 of (here) a serial number."""
    value = (milliseconds << 80) | (serial & ((1 << 80) - 1))
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def _check_length(limit: Limit, value: Any, path: str, details: list[JSONDict]) -> None:
    if isinstance(value, str):
        size, word = utf16_len(value), "Length"
    elif isinstance(value, list):
        size, word = len(value), "Size"
    else:
        return
    if not limit.minimum <= size <= limit.maximum:
        details.append({"message": f"{word} must be between {limit.minimum} and "
                                   f"{limit.maximum}", "property": path})


def _owner(key: str, value: Any) -> str:
    """What kind of object `value` is, from the property that holds it."""
    if key in ("action", "defaultAction", "actions"):
        return "action"
    if key == "quickReply":
        return "quickReply"
    if key == "template" and isinstance(value, dict):
        return f"template:{value.get('type')}"
    if key == "contents" and isinstance(value, dict) and value.get("type") == "carousel":
        return "flex:carousel"
    return ""


def _check_picker(action: JSONDict, path: str, details: list[JSONDict]) -> None:
    """A datetime picker's mode, and its initial, min and max in that mode's format, with
    min before max and the initial between them (LINE's reference, not its OpenAPI)."""
    mode = action.get("mode")
    if mode not in PICKER_FORMATS:
        details.append({"message": "Invalid datetime picker mode", "property": f"{path}.mode"})
        return
    bounds = {name: action[name] for name in ("initial", "min", "max")
              if action.get(name) is not None}
    for name, value in bounds.items():
        if not isinstance(value, str) or not re.fullmatch(PICKER_FORMATS[mode], value):
            details.append({"message": f"Invalid {mode} format", "property": f"{path}.{name}"})
            return
    low, high = bounds.get("min"), bounds.get("max")
    if low is not None and high is not None and low >= high:
        details.append({"message": "max must be later than min", "property": f"{path}.max"})
    initial = bounds.get("initial")
    if initial is not None and ((low is not None and initial < low)
                                or (high is not None and initial > high)):
        details.append({"message": "initial must be between min and max",
                        "property": f"{path}.initial"})


def _check_object(value: Any, path: str, owner: str, details: list[JSONDict]) -> None:
    """Every documented limit on `value` and what it holds, as LINE reports them."""
    if not isinstance(value, dict):
        return
    if owner == "action":
        kind = value.get("type")
        if kind not in ACTION_REQUIRED:
            details.append({"message": "Invalid action type", "property": f"{path}.type"})
        for name in ACTION_REQUIRED.get(kind, ()):
            if value.get(name) is None:
                details.append({"message": "must be specified", "property": f"{path}.{name}"})
        if kind == "datetimepicker":
            _check_picker(value, path, details)
    for key, item in value.items():
        limit = BY_OWNER.get((owner, key))
        if limit is not None:
            _check_length(limit, item, f"{path}.{key}", details)
        if isinstance(item, list):
            for index, element in enumerate(item):
                _check_object(element, f"{path}.{key}[{index}]", _owner(key, element), details)
        else:
            _check_object(item, f"{path}.{key}", _owner(key, item), details)
    if owner == "quickReply":
        for index, item in enumerate(value.get("items") or []):
            action = item.get("action") if isinstance(item, dict) else None
            if not isinstance(action, dict) or not action.get("label"):
                details.append({"message": "must be specified",
                                "property": f"{path}.items[{index}].action.label"})


def checked_messages(body: JSONDict) -> list[JSONDict]:
    """The messages of a reply or push, or LINE's 400 listing everything wrong with them."""
    messages = body.get("messages")
    if not isinstance(messages, list):
        raise invalid_body([{"message": "must be specified", "property": "messages"}])
    details: list[JSONDict] = []
    _check_length(BY_OWNER[("request", "messages")], messages, "messages", details)
    for index, message in enumerate(messages):
        path = f"messages[{index}]"
        kind = message.get("type") if isinstance(message, dict) else None
        if kind not in MESSAGE_REQUIRED:
            details.append({"message": "must be one of the following values: "
                                       f"[{', '.join(MESSAGE_REQUIRED)}]",
                            "property": f"{path}.type"})
            continue
        for name in MESSAGE_REQUIRED[kind]:
            if message.get(name) is None:
                details.append({"message": "must be specified", "property": f"{path}.{name}"})
        contents = message.get("contents")
        if kind == "flex" and (not isinstance(contents, dict)
                               or contents.get("type") not in FLEX_CONTAINERS):
            details.append({"message": "must be one of the following values: "
                                       f"[{', '.join(FLEX_CONTAINERS)}]",
                            "property": f"{path}.contents.type"})
        _check_object(message, path, f"message:{kind}", details)
    if details:
        raise invalid_body(details)
    return messages


def _actions(value: Any) -> Iterator[JSONDict]:
    """Every postback or datetime picker action inside a message."""
    if isinstance(value, dict):
        if value.get("type") in ("postback", "datetimepicker") and "data" in value:
            yield value
        for item in value.values():
            yield from _actions(item)
    elif isinstance(value, list):
        for item in value:
            yield from _actions(item)


class LineApi:
    """LINE, as far as Panong can tell."""

    def __init__(self, access_token: str, channel_secret: str, *,
                 bot_name: str = "พาน้อง", basic_id: str = "@panong",
                 clock: Callable[[], float] = time.time,
                 reply_token_lifetime: float = REPLY_TOKEN_LIFETIME,
                 monthly_limit: int | None = None) -> None:
        """`monthly_limit`: pushes a month (counted per recipient) before LINE answers 429;
        None for an account without a limit."""
        self.access_token = access_token
        self.channel_secret = channel_secret
        self.bot_user_id = "U" + hashlib.sha256(access_token.encode()).hexdigest()[:32]
        self.bot_name = bot_name
        self.basic_id = basic_id
        self.clock = clock
        self.reply_token_lifetime = reply_token_lifetime
        self.monthly_limit = monthly_limit
        self.people: dict[str, Person] = {}
        self.chats: dict[str, Chat] = {}
        self.calls: deque[Call] = deque(maxlen=CALLS_KEPT)
        self.emitted: list[JSONDict] = []  # every webhook event, in order
        self.changes_log: list[JSONDict] = []  # what the web page shows, in order
        self._changes_signal = Signal()
        self.closed = False
        self._reply_tokens: dict[str, _ReplyToken] = {}
        self._retry_keys: dict[str, _Accepted] = {}
        self._pushed: dict[str, int] = {}  # by month, "2026-12"
        self._contents: dict[str, tuple[bytes, str]] = {}  # message id -> (data, type)
        self._rich_menus: dict[str, _RichMenu] = {}
        self.default_rich_menu: str | None = None
        self._webhooks: deque[WebhookDelivery] = deque()
        self._webhook_signal = Signal()
        self._serial = itertools.count(1)
        self._routes: list[tuple[str, str, re.Pattern[str], Handler]] = []
        for method, host, pattern, handler in (
            ("POST", API, "/v2/bot/message/reply", self._reply),
            ("POST", API, "/v2/bot/message/push", self._push),
            ("GET", API, "/v2/bot/message/quota", self._quota),
            ("GET", API, "/v2/bot/message/quota/consumption", self._consumption),
            ("GET", API, "/v2/bot/profile/{userId}", self._profile),
            ("GET", API, "/v2/bot/info", self._info),
            ("GET", API, "/v2/bot/group/{groupId}/summary", self._group_summary),
            ("POST", API, "/v2/bot/group/{groupId}/leave", self._leave_group),
            ("POST", API, "/v2/bot/richmenu", self._create_rich_menu),
            ("POST", API, "/v2/bot/user/all/richmenu/{richMenuId}", self._set_default_menu),
            ("GET", API, "/v2/bot/user/all/richmenu", self._default_menu),
            ("GET", API, "/v2/bot/richmenu/list", self._menu_list),
            ("DELETE", API, "/v2/bot/richmenu/{richMenuId}", self._delete_menu),
            ("POST", API, "/v2/bot/user/{userId}/richmenu/{richMenuId}", self._link_menu),
            ("GET", API, "/v2/bot/user/{userId}/richmenu", self._menu_of),
            ("POST", API, "/v2/bot/richmenu/bulk/link", self._bulk_link),
            ("GET", API_DATA, "/v2/bot/message/{messageId}/content", self._content),
            ("POST", API_DATA, "/v2/bot/richmenu/{richMenuId}/content", self._menu_image),
        ):
            regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
            self._routes.append((method, host, re.compile(f"^{regex}$"), handler))

    # -- the bot's side: one Messaging API call ------------------------------------------------

    def handle(self, method: str, host: str, path: str, headers: Mapping[str, str],
               body: bytes | JSONDict | None = None) -> Answer:
        """Answer one request to the api or api-data host, as LINE would."""
        lower = {name.lower(): value for name, value in headers.items()}
        raw = json.dumps(body).encode() if isinstance(body, dict) else (body or b"")
        request = _Request(lower, raw, str(uuid.UUID(int=next(self._serial))))
        answer_headers = {"x-line-request-id": request.request_id}
        try:
            if lower.get("authorization") != f"Bearer {self.access_token}":
                raise LineError(HTTPStatus.UNAUTHORIZED, UNAUTHORIZED)
            handler, args = self._route(method.upper(), host, path)
            status, result = handler(request, args)
        except LineError as err:
            answer = Answer(err.status, err.body(), {**answer_headers, **err.headers})
        else:
            content_type = "application/json"
            if isinstance(result, bytes):
                content_type = self._contents.get(args.get("messageId", ""), (b"", ""))[1]
            answer = Answer(status, result, answer_headers, content_type or
                            "application/octet-stream")
        try:
            recorded: JSONDict | bytes | None = request.json() if raw else None
        except LineError:
            recorded = raw
        self.calls.append(Call(method.upper(), host, path, lower, recorded, answer))
        return answer

    def _route(self, method: str, host: str, path: str) -> tuple[Handler, dict[str, str]]:
        found = False
        for route_method, route_host, pattern, handler in self._routes:
            match = pattern.match(path)
            if match is None or route_host != host:
                continue
            found = True
            if route_method == method:
                return handler, match.groupdict()
        if found:
            raise LineError(HTTPStatus.METHOD_NOT_ALLOWED, "Method not allowed")
        raise not_found()

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    def _reply(self, request: _Request, args: dict[str, str]) -> tuple[int, JSONDict]:
        body = request.json()
        messages = checked_messages(body)
        issued = self._reply_tokens.get(str(body.get("replyToken")))
        if issued is None or issued.used or (
                self.clock() - issued.issued_at > self.reply_token_lifetime):
            raise bad_request(INVALID_REPLY_TOKEN)
        chat = self.chats[issued.chat_id]
        if not chat.bot_present:  # a group the bot has left since
            raise bad_request(INVALID_REPLY_TOKEN)
        issued.used = True
        return HTTPStatus.OK, {"sentMessages": self._deliver(chat, messages, "reply")}

    def _push(self, request: _Request, args: dict[str, str]) -> tuple[int, JSONDict]:
        body = request.json()
        retry_key = request.headers.get("x-line-retry-key")
        if retry_key is not None:
            try:
                uuid.UUID(retry_key)
            except ValueError:
                raise bad_request(RETRY_KEY_INVALID) from None
            accepted = self._retry_keys.get(retry_key)
            if accepted is not None and self.clock() - accepted.at < RETRY_KEY_LIFETIME:
                raise LineError(HTTPStatus.CONFLICT, RETRY_KEY_ACCEPTED,
                                headers={"x-line-accepted-request-id": accepted.request_id},
                                sent_messages=copy.deepcopy(accepted.sent))
        messages = checked_messages(body)
        chat = self.chats.get(str(body.get("to")))
        if chat is None or (chat.kind == "group" and not chat.bot_present):
            raise bad_request("The property, 'to', in the request body is invalid "
                              "(line: -, column: -)")
        recipients = self._recipients(chat)
        month = self.month()
        if self.monthly_limit is not None and (
                self._pushed.get(month, 0) + recipients > self.monthly_limit):
            raise LineError(HTTPStatus.TOO_MANY_REQUESTS, MONTHLY_LIMIT)
        self._pushed[month] = self._pushed.get(month, 0) + recipients
        sent = self._deliver(chat, messages, "push")
        if retry_key is not None:
            self._retry_keys[retry_key] = _Accepted(self.clock(), request.request_id, sent)
        return HTTPStatus.OK, {"sentMessages": sent}

    def _recipients(self, chat: Chat) -> int:
        """A push counts once per person it reaches: each member of a group; a person who
        has blocked the bot, not at all."""
        if chat.kind == "group":
            return len(chat.members)
        return 1 if self.people[chat.id].friend else 0

    def month(self) -> str:
        """The month pushes are counted in (the sandbox's calendar month, in UTC)."""
        return datetime.fromtimestamp(self.clock(), UTC).strftime("%Y-%m")

    def pushes_this_month(self) -> int:
        return self._pushed.get(self.month(), 0)

    def _deliver(self, chat: Chat, messages: list[JSONDict], via: str) -> list[JSONDict]:
        sent = []
        delivered = chat.kind == "group" or self.people[chat.id].friend
        for message in messages:
            message_id = str(next(self._serial))
            entry: JSONDict = {"id": message_id}
            if message["type"] == "text":
                entry["quoteToken"] = f"q{uuid.uuid4().hex}"
            sent.append(entry)
            if delivered:
                self._say(chat, {"from": "bot", "via": via, "id": message_id,
                                 "at": self._now_ms(), "message": copy.deepcopy(message)})
        return sent

    def _say(self, chat: Chat, entry: JSONDict) -> None:
        chat.transcript.append(entry)
        self._change({"type": "said", "chat_id": chat.id, "entry": copy.deepcopy(entry)})

    def _change(self, change: JSONDict) -> None:
        self.changes_log.append(change)
        self._changes_signal.notify()

    async def changes(self, since: int, wait: float) -> tuple[int, list[JSONDict]]:
        """Changes after the first `since`, waiting up to `wait` seconds for one."""
        if len(self.changes_log) <= since and not self.closed:
            await self._changes_signal.wait(wait)
        return len(self.changes_log), copy.deepcopy(self.changes_log[since:])

    def _quota(self, request: _Request, args: dict[str, str]) -> tuple[int, JSONDict]:
        if self.monthly_limit is None:
            return HTTPStatus.OK, {"type": "none"}
        return HTTPStatus.OK, {"type": "limited", "value": self.monthly_limit}

    def _consumption(self, request: _Request, args: dict[str, str]) -> tuple[int, JSONDict]:
        return HTTPStatus.OK, {"totalUsage": self.pushes_this_month()}

    def _profile(self, request: _Request, args: dict[str, str]) -> tuple[int, JSONDict]:
        person = self.people.get(args["userId"])
        if person is None or not person.friend:
            raise not_found()
        return HTTPStatus.OK, {"userId": person.user_id, "displayName": person.display_name,
                               "language": person.language}

    def _info(self, request: _Request, args: dict[str, str]) -> tuple[int, JSONDict]:
        return HTTPStatus.OK, {"userId": self.bot_user_id, "basicId": self.basic_id,
                               "displayName": self.bot_name, "chatMode": "bot",
                               "markAsReadMode": "auto"}

    def _group(self, group_id: str) -> Chat:
        chat = self.chats.get(group_id)
        if chat is None or chat.kind != "group" or not chat.bot_present:
            raise not_found()
        return chat

    def _group_summary(self, request: _Request, args: dict[str, str]) -> tuple[int, JSONDict]:
        chat = self._group(args["groupId"])
        return HTTPStatus.OK, {"groupId": chat.id, "groupName": chat.name}

    def _leave_group(self, request: _Request, args: dict[str, str]) -> tuple[int, JSONDict]:
        chat = self._group(args["groupId"])
        chat.bot_present = False
        self._emit("leave", {"type": "group", "groupId": chat.id})
        return HTTPStatus.OK, {}

    def _content(self, request: _Request, args: dict[str, str]) -> tuple[int, bytes]:
        stored = self._contents.get(args["messageId"])
        if stored is None:
            raise not_found()
        return HTTPStatus.OK, stored[0]

    def _create_rich_menu(self, request: _Request, args: dict[str, str]) -> tuple[int, JSONDict]:
        body = request.json()
        details: list[JSONDict] = []
        for name in ("size", "selected", "name", "chatBarText", "areas"):
            if body.get(name) is None:
                details.append({"message": "must be specified", "property": name})
            limit = BY_OWNER.get(("richmenu", name))
            if limit is not None:
                _check_length(limit, body.get(name), name, details)
        for index, area in enumerate(body.get("areas") or []):
            _check_object(area, f"areas[{index}]", "", details)
        if details:
            raise invalid_body(details)
        menu_id = f"richmenu-{uuid.UUID(int=next(self._serial)).hex}"
        self._rich_menus[menu_id] = _RichMenu(body)
        return HTTPStatus.OK, {"richMenuId": menu_id}

    def _menu_image(self, request: _Request, args: dict[str, str]) -> tuple[int, JSONDict]:
        menu = self._rich_menus.get(args["richMenuId"])
        if menu is None:
            raise not_found("richmenu not found")
        content_type = request.headers.get("content-type", "").split(";")[0].strip()
        if content_type not in ("image/png", "image/jpeg"):
            raise LineError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type")
        if len(request.raw) > RICH_MENU_IMAGE_LIMIT:
            raise LineError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Request entity too large")
        if menu.image is not None:
            raise bad_request("An image has already been uploaded to the richmenu")
        menu.image, menu.image_type = request.raw, content_type
        return HTTPStatus.OK, {}

    def _set_default_menu(self, request: _Request, args: dict[str, str]) -> tuple[int, JSONDict]:
        menu = self._rich_menus.get(args["richMenuId"])
        if menu is None:
            raise not_found("richmenu not found")
        if menu.image is None:
            raise bad_request("must upload richmenu image before applying it to user")
        self.default_rich_menu = args["richMenuId"]
        self._change({"type": "rich_menu", "rich_menu": self.rich_menu(self.default_rich_menu)})
        return HTTPStatus.OK, {}

    def _default_menu(self, request: _Request, args: dict[str, str]) -> tuple[int, JSONDict]:
        if self.default_rich_menu is None:
            raise not_found("no default richmenu")
        return HTTPStatus.OK, {"richMenuId": self.default_rich_menu}

    def _menu_list(self, request: _Request, args: dict[str, str]) -> tuple[int, JSONDict]:
        return HTTPStatus.OK, {"richmenus": [{"richMenuId": menu_id, **self.rich_menu(menu_id)}
                                             for menu_id in self._rich_menus]}

    def _delete_menu(self, request: _Request, args: dict[str, str]) -> tuple[int, JSONDict]:
        menu_id = args["richMenuId"]
        if self._rich_menus.pop(menu_id, None) is None:
            raise not_found("richmenu not found")
        if self.default_rich_menu == menu_id:
            self.default_rich_menu = None
            self._change({"type": "rich_menu", "rich_menu": None})
        for person in self.people.values():  # a deleted menu leaves the people it was on
            if person.rich_menu == menu_id:
                person.rich_menu = None
                self._change({"type": "person", "person": self.person(person.user_id)})
        return HTTPStatus.OK, {}

    def _linkable(self, menu_id: str) -> None:
        menu = self._rich_menus.get(menu_id)
        if menu is None:
            raise not_found("richmenu not found")
        if menu.image is None:
            raise bad_request("must upload richmenu image before applying it to user")

    def _link_menu(self, request: _Request, args: dict[str, str]) -> tuple[int, JSONDict]:
        self._linkable(args["richMenuId"])
        person = self.people.get(args["userId"])
        if person is None:
            raise bad_request("The user hasn't added the LINE Official Account as a friend.")
        person.rich_menu = args["richMenuId"]
        self._change({"type": "person", "person": self.person(person.user_id)})
        return HTTPStatus.OK, {}

    def _menu_of(self, request: _Request, args: dict[str, str]) -> tuple[int, JSONDict]:
        person = self.people.get(args["userId"])
        if person is None or person.rich_menu is None:
            raise not_found("the user has no richmenu")
        return HTTPStatus.OK, {"richMenuId": person.rich_menu}

    def _bulk_link(self, request: _Request, args: dict[str, str]) -> tuple[int, JSONDict]:
        """LINE links in the background and answers 202; here it is done at once. Ids of
        people who are not friends are skipped, as LINE does."""
        body = request.json()
        user_ids, menu_id = body.get("userIds") or [], str(body.get("richMenuId", ""))
        if not 1 <= len(user_ids) <= BULK_LINK_LIMIT:
            raise invalid_body([{"message": f"size must be between 1 and {BULK_LINK_LIMIT}",
                                 "property": "userIds"}])
        self._linkable(menu_id)
        for user_id in user_ids:
            person = self.people.get(user_id)
            if person is not None:
                person.rich_menu = menu_id
                self._change({"type": "person", "person": self.person(user_id)})
        return HTTPStatus.ACCEPTED, {}

    def rich_menus(self) -> list[str]:
        """The ids of the rich menus the bot has made, oldest first."""
        return list(self._rich_menus)

    def rich_menu(self, menu_id: str) -> JSONDict:
        """A rich menu as the bot created it, for the page and the tests."""
        return copy.deepcopy(self._rich_menus[menu_id].body)

    def close(self) -> None:
        """Answer pending long polls of the page now (with nothing) and from then on."""
        self.closed = True
        self._changes_signal.notify()
        self._webhook_signal.notify()

    # -- the people's side: each step is a webhook event -----------------------------------------

    def add_person(self, display_name: str, language: str = "th",
                   user_id: str | None = None) -> str:
        """Somebody adds the bot as a friend (a follow event); their user id."""
        user_id = user_id or f"U{next(self._serial):032x}"
        if user_id in self.people:
            raise bad_request("user already exists")
        self.people[user_id] = Person(user_id, display_name, language)
        self.chats[user_id] = Chat(user_id, "user", display_name)
        self._change({"type": "person", "person": self.person(user_id)})
        self._emit("follow", {"type": "user", "userId": user_id},
                   {"follow": {"isUnblocked": False}}, reply_to=user_id)
        return user_id

    def block(self, user_id: str) -> JSONDict:
        """The person blocks the bot: an unfollow event, and nothing reaches them any more."""
        self._person(user_id).friend = False
        self._change({"type": "person", "person": self.person(user_id)})
        return self._emit("unfollow", {"type": "user", "userId": user_id})

    def unblock(self, user_id: str) -> JSONDict:
        self._person(user_id).friend = True
        self._change({"type": "person", "person": self.person(user_id)})
        return self._emit("follow", {"type": "user", "userId": user_id},
                          {"follow": {"isUnblocked": True}}, reply_to=user_id)

    def send_text(self, user_id: str, text: str, group_id: str | None = None) -> JSONDict:
        if not text.strip():
            raise bad_request("a message needs some text")
        return self._message(user_id, group_id, {"type": "text", "text": text,
                                                 "quoteToken": f"q{uuid.uuid4().hex}"})

    def send_location(self, user_id: str, latitude: float, longitude: float,
                      title: str = "", address: str = "",
                      group_id: str | None = None) -> JSONDict:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise bad_request("no such place")
        location: JSONDict = {"type": "location", "latitude": latitude, "longitude": longitude}
        if title:
            location["title"] = title
        if address:
            location["address"] = address
        return self._message(user_id, group_id, location)

    def send_file(self, user_id: str, file_name: str, data: bytes,
                  group_id: str | None = None) -> JSONDict:
        """A file the bot fetches from the api-data host by the event's message id."""
        event = self._message(user_id, group_id, {"type": "file", "fileName": file_name,
                                                  "fileSize": len(data)})
        mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        self._contents[event["message"]["id"]] = (data, mime)
        return event

    def press(self, user_id: str, data: str, group_id: str | None = None,
              picked: str | None = None) -> JSONDict:
        """The person taps a postback (or datetime picker) action the bot sent in this chat;
        for a picker, `picked` is what they chose, in the picker's own format."""
        person = self._person(user_id)
        chat = self._chat_of(person, group_id)
        return self._tapped(person, chat, self._pressable(chat, data), data, picked)

    def press_together(self, user_ids: list[str], data: str, group_id: str) -> list[JSONDict]:
        """Members of a group tap the same action at once: each before the others' taps
        reach their phones (and hide the quick replies), so each is checked against the
        chat as it was before any of them; the events go in the order given."""
        people = [self._person(user_id) for user_id in user_ids]
        for person in people:  # every one of them in the group, or nobody taps
            self._chat_of(person, group_id)
        chat = self._group(group_id)
        tapping = [(person, self._pressable(chat, data)) for person in people]
        return [self._tapped(person, chat, action, data, None) for person, action in tapping]

    def _tapped(self, person: Person, chat: Chat, action: JSONDict, data: str,
                picked: str | None) -> JSONDict:
        postback: JSONDict = {"data": data}
        if action["type"] == "datetimepicker":
            mode = action["mode"]
            if picked is None or not re.fullmatch(PICKER_FORMATS[mode], picked):
                raise bad_request(f"pick a {mode} like {PICKER_FORMATS[mode]}")
            # LINE's picker offers nothing outside the action's min and max.
            if picked < action.get("min", picked) or picked > action.get("max", picked):
                raise bad_request(f"pick a {mode} between {action.get('min', '…')} and "
                                  f"{action.get('max', '…')}")
            postback["params"] = {mode: picked}
        self._say(chat, {"from": person.user_id, "id": str(next(self._serial)),
                         "at": self._now_ms(), "postback": copy.deepcopy(postback),
                         "label": action.get("label", "")})
        return self._emit("postback", self._source(person, chat), {"postback": postback},
                          reply_to=chat.id)

    def forge_press(self, user_id: str, data: str, group_id: str | None = None) -> JSONDict:
        """A postback carrying `data` that no button in the chat carries: what a tampered
        client sends, and LINE delivers as it came. For tests of the bot's checks."""
        person = self._person(user_id)
        chat = self._chat_of(person, group_id)
        self._say(chat, {"from": user_id, "id": str(next(self._serial)), "at": self._now_ms(),
                         "postback": {"data": data}, "label": ""})
        return self._emit("postback", self._source(person, chat), {"postback": {"data": data}},
                          reply_to=chat.id)

    def _pressable(self, chat: Chat, data: str) -> JSONDict:
        """The action carrying `data`: on the rich menu the person sees (the one linked to
        them, else the default), on any bot message's template or flex body, or on the quick
        reply of the chat's last message (LINE shows quick replies only there)."""
        person = self.people.get(chat.id)
        menu = (person.rich_menu if person is not None else None) or self.default_rich_menu
        if menu is not None:
            for action in _actions(self._rich_menus[menu].body):
                if action["data"] == data:
                    return action
        for position, entry in enumerate(chat.transcript):
            message = entry.get("message")
            if entry["from"] != "bot" or message is None:
                continue
            last = position == len(chat.transcript) - 1
            body = {key: value for key, value in message.items()
                    if key != "quickReply" or last}
            for action in _actions(body):
                if action["data"] == data:
                    return action
        raise bad_request("no such button in this chat")

    def add_group(self, name: str, members: list[str]) -> str:
        """The first member adds the bot to a new group (a join event); its group id."""
        for user_id in members:
            self._person(user_id)
        group_id = f"C{next(self._serial):032x}"
        self.chats[group_id] = Chat(group_id, "group", name, list(members))
        self._emit("join", {"type": "group", "groupId": group_id}, reply_to=group_id)
        return group_id

    def join_group(self, group_id: str, user_id: str) -> JSONDict:
        chat = self._group(group_id)
        self._person(user_id)
        if user_id in chat.members:
            raise bad_request("already in the group")
        chat.members.append(user_id)
        return self._emit("memberJoined", {"type": "group", "groupId": group_id},
                          {"joined": {"members": [{"type": "user", "userId": user_id}]}},
                          reply_to=group_id)

    def leave_group(self, group_id: str, user_id: str) -> JSONDict:
        chat = self._group(group_id)
        if user_id not in chat.members:
            raise bad_request("not in the group")
        chat.members.remove(user_id)
        return self._emit("memberLeft", {"type": "group", "groupId": group_id},
                          {"left": {"members": [{"type": "user", "userId": user_id}]}})

    def remove_bot(self, group_id: str) -> JSONDict:
        """A member removes the bot from the group."""
        chat = self._group(group_id)
        chat.bot_present = False
        return self._emit("leave", {"type": "group", "groupId": group_id})

    def transcript(self, chat_id: str) -> list[JSONDict]:
        """What was said in a chat, oldest first: the bot's messages as sent (quick replies,
        templates, flex bodies and their actions included) and the people's."""
        return copy.deepcopy(self.chats[chat_id].transcript)

    def content(self, message_id: str) -> tuple[bytes, str]:
        return self._contents[message_id]

    def person(self, user_id: str) -> JSONDict:
        """A person as the web page shows them."""
        person = self._person(user_id)
        return {"user_id": person.user_id, "display_name": person.display_name,
                "language": person.language, "friend": person.friend,
                "rich_menu": self.rich_menu(person.rich_menu) if person.rich_menu else None}

    def _person(self, user_id: str) -> Person:
        person = self.people.get(user_id)
        if person is None:
            raise bad_request("no such person")
        return person

    def _chat_of(self, person: Person, group_id: str | None) -> Chat:
        if not person.friend and group_id is None:
            raise bad_request("the person has blocked the bot")
        chat = self.chats[person.user_id] if group_id is None else self._group(group_id)
        if group_id is not None and person.user_id not in chat.members:
            raise bad_request("not in the group")
        return chat

    @staticmethod
    def _source(person: Person, chat: Chat) -> JSONDict:
        if chat.kind == "group":
            return {"type": "group", "groupId": chat.id, "userId": person.user_id}
        return {"type": "user", "userId": person.user_id}

    def _message(self, user_id: str, group_id: str | None, message: JSONDict) -> JSONDict:
        person = self._person(user_id)
        chat = self._chat_of(person, group_id)
        message = {"id": str(next(self._serial)), **message}
        self._say(chat, {"from": user_id, "id": message["id"], "at": self._now_ms(),
                         "message": copy.deepcopy(message)})
        return self._emit("message", self._source(person, chat), {"message": message},
                          reply_to=chat.id)

    def _emit(self, kind: str, source: JSONDict, fields: JSONDict | None = None,
              reply_to: str | None = None) -> JSONDict:
        """An event in LINE's shape, queued for the bot's webhook; a reply token with it when
        LINE gives one (follow, message, postback, join, memberJoined)."""
        now = self._now_ms()
        event: JSONDict = {"type": kind, "timestamp": now, "mode": "active",
                           "webhookEventId": ulid(now, next(self._serial)),
                           "deliveryContext": {"isRedelivery": False}, "source": source}
        if reply_to is not None:
            self._forget_expired()
            token = uuid.uuid4().hex
            self._reply_tokens[token] = _ReplyToken(reply_to, self.clock())
            event["replyToken"] = token
        event.update(copy.deepcopy(fields or {}))
        self.emitted.append(copy.deepcopy(event))
        self._webhooks.append(WebhookDelivery(next(self._serial), event))
        self._webhook_signal.notify()
        return copy.deepcopy(event)

    def _forget_expired(self) -> None:
        """Drop reply tokens and retry keys that can no longer be used, so that a sandbox
        left running does not hoard them."""
        now = self.clock()
        for token in [token for token, issued in self._reply_tokens.items()
                      if issued.used or now - issued.issued_at > self.reply_token_lifetime]:
            del self._reply_tokens[token]
        for key in [key for key, accepted in self._retry_keys.items()
                    if now - accepted.at >= RETRY_KEY_LIFETIME]:
            del self._retry_keys[key]

    # -- webhook delivery (the HTTP side is sandbox.line_server's) -----------------------------

    def signature(self, body: bytes) -> str:
        """`X-Line-Signature`: base64 of the HMAC-SHA256 of the exact body, keyed by the
        channel secret."""
        digest = hmac.new(self.channel_secret.encode(), body, hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    def next_webhook(self) -> WebhookDelivery | None:
        """The oldest event not yet taken by the bot, as the request to send for it now."""
        if not self._webhooks:
            return None
        delivery = self._webhooks[0]
        event = {**delivery.event, "deliveryContext": {"isRedelivery": delivery.attempts > 0}}
        delivery.body = json.dumps({"destination": self.bot_user_id, "events": [event]},
                                   ensure_ascii=False, separators=(",", ":")).encode()
        delivery.headers = {"Content-Type": "application/json; charset=utf-8",
                            "User-Agent": WEBHOOK_USER_AGENT,
                            "X-Line-Signature": self.signature(delivery.body)}
        return delivery

    def webhook_answered(self, delivery: WebhookDelivery, ok: bool) -> None:
        """The bot took the event (2xx), or it is sent again later as a redelivery."""
        if not self._webhooks or self._webhooks[0].id != delivery.id:
            raise ValueError("not the webhook being delivered")
        if ok:
            self._webhooks.popleft()
        else:
            delivery.attempts += 1

    def pending_webhooks(self) -> int:
        return len(self._webhooks)

    async def wait_for_webhook(self, seconds: float) -> None:
        if not self._webhooks:
            await self._webhook_signal.wait(seconds)
