"""A lean in-process Bot API for the chat-load benchmark.

The sandbox's `BotApi` (behind `tests/support/telegram_fake.RecordingRequest`) keeps every
message, deep-copies it on every read and JSON-round-trips every call: right for tests, but
in a load test that is the driver's work showing up as the bot's. This stand-in answers each
call as Telegram would, and keeps only what the driver needs to press buttons (the last few
messages with a keyboard in each chat):

- `sendMessage` and `editMessageText` answer with the whole Message (chat, sender, date,
  text with the HTML parse mode applied as entities, and the inline keyboard that was sent),
  so PTB parses what it parses in production;
- `answerCallbackQuery` and every other call answer `true` (`getMe` the bot's own user);
  the chat load makes no other call that returns a message;
- the bot's side of each call is kept: PTB encodes the parameters to JSON, as its HTTPX
  request does before sending, and decodes Telegram's JSON answer. Telegram's side is made
  cheap: a prompt's HTML is parsed once, and the keyboard echoed in an answer is the JSON
  the bot sent, not encoded again.

It never fails a call (no "message is not modified", no 429): the bench measures throughput,
and the error paths have their own tests.

`track` follows each update through the application's update processor, so the driver
knows when the bot is done with an update and when it first answered it: the first message
it sent or edited in the sender's chat while processing the update, or, when it sent none,
its answer to the button (a pop-up alert, say). For the few chats it is asked to `record`,
it also keeps the calls the bot made while processing each update, as PTB handed them over.
"""

import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict
from contextvars import ContextVar
from functools import lru_cache
from http import HTTPStatus
from typing import Any

from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from sandbox.formatting import parse_html
from tests.support.telegram_fake import BOT_USER

JSONDict = dict[str, Any]
# The bot as the sender of a message (getMe tells more).
SENDER = {key: BOT_USER[key] for key in ("id", "is_bot", "first_name", "username")}
KEYBOARDS_KEPT = 4  # per chat: what a person might still scroll back to and press


@lru_cache(maxsize=8192)
def _formatted(markup: str) -> tuple[str, list[JSONDict]]:
    """Text and entities as Telegram returns them; prompts repeat, so parse each once."""
    return parse_html(markup)


def _chat(chat_id: int) -> JSONDict:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Test"}
    return {"id": chat_id, "type": "group", "title": "Test group"}


def chat_of(params: JSONDict) -> int | None:
    """The chat a call goes to, if it names one."""
    try:
        return int(params["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None


# The chat whose update the running task is processing (see `LeanBotApi.track`).
_PROCESSING: ContextVar[int | None] = ContextVar("processing", default=None)


class TelegramSide:
    """Telegram's side of the calls, shared by the in-process stand-in and the HTTP one
    (`bench.chat_load_workers`): each call answered as Telegram would, and the last few
    keyboards of each chat kept for the driver to press."""

    def __init__(self) -> None:
        # chat -> message id -> message that has an inline keyboard, least recent first; the
        # last few only, so that the driver's memory does not weigh on the bot's garbage
        # collections
        self._keyboards: dict[int, dict[int, JSONDict]] = defaultdict(dict)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1))
        # chat -> messages sent or edited in it so far, and an event set at each
        self.written: dict[int, int] = defaultdict(int)
        self._news: dict[int, asyncio.Event] = {}

    async def until_written(self, chat_id: int, written: int, seconds: float = 5) -> None:
        """Until more than `written` messages have been sent or edited in the chat,
        `seconds` at most: a person looking at the chat for what the bot sends after the
        update is done (through the outbox) before the next tap."""
        news = self._news.setdefault(chat_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while self.written[chat_id] <= written:
                    news.clear()
                    await news.wait()

    def reply(self, method: str, params: JSONDict, encoded_markup: str | None) -> bytes:
        """Telegram's JSON answer to a call; `encoded_markup`: the keyboard as the bot
        encoded it, echoed as it came rather than encoded again (Telegram's share of the
        work is not the bot's)."""
        result = self._answer(method, params)
        if isinstance(result, dict) and "reply_markup" in result and encoded_markup:
            rest = json.dumps({key: value for key, value in result.items()
                               if key != "reply_markup"})
            return (f'{{"ok": true, "result": {rest[:-1]}, "reply_markup": '
                    f'{encoded_markup}}}}}').encode()
        return json.dumps({"ok": True, "result": result}).encode()

    # -- what the driver reads -------------------------------------------------------------

    def offers(self, chat_id: int, label: str) -> bool:
        """Whether the newest message with a keyboard in the chat has such a button."""
        keyboards = self._keyboards.get(chat_id)
        if not keyboards:
            return False
        message = next(reversed(keyboards.values()))
        return any(label in button["text"]
                   for row in message["reply_markup"]["inline_keyboard"] for button in row)

    def buttons(self, chat_id: int, label: str) -> tuple[JSONDict, list[str]] | None:
        """The message most recently sent or edited in the chat with a button whose text
        contains `label` (shared: do not change it), and the callback data of every such
        button on it; None when no message has one."""
        for message in reversed(self._keyboards.get(chat_id, {}).values()):
            found = [button.get("callback_data") or ""
                     for row in message["reply_markup"]["inline_keyboard"] for button in row
                     if label in button["text"]]
            if found:
                return message, found
        return None

    # -- Telegram's side -------------------------------------------------------------------

    def _answer(self, method: str, params: JSONDict) -> object:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            chat_id = int(params["chat_id"])
            return self._message(chat_id, next(self._message_ids[chat_id]), params)
        if method == "editMessageText" and "chat_id" in params:
            return self._message(int(params["chat_id"]), int(params["message_id"]), params,
                                 edited=True)
        return True

    def _message(self, chat_id: int, message_id: int, params: JSONDict,
                 edited: bool = False) -> JSONDict:
        text = str(params["text"])
        entities: list[JSONDict] = params.get("entities") or []
        if str(params.get("parse_mode", "")).lower() == "html":
            text, entities = _formatted(text)
        self.written[chat_id] += 1
        if news := self._news.get(chat_id):
            news.set()
        now = int(time.time())
        message: JSONDict = {"message_id": message_id, "from": SENDER,
                             "chat": _chat(chat_id), "date": now, "text": text}
        if entities:
            message["entities"] = entities
        if edited:
            message["edit_date"] = now
        keyboards = self._keyboards[chat_id]
        keyboards.pop(message_id, None)
        markup = params.get("reply_markup")
        # Telegram drops an inline keyboard that an edit does not send again.
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
            keyboards[message_id] = message
            if len(keyboards) > KEYBOARDS_KEPT:
                del keyboards[next(iter(keyboards))]
        return message


class LeanBotApi(BaseRequest, TelegramSide):
    """Answers every Bot API call in process; tells waiting people when the bot is done with
    their update and when it first answered it, and remembers the keyboards they can press."""

    def __init__(self) -> None:
        TelegramSide.__init__(self)
        # chat -> set when the bot is done with the chat's update
        self.done: dict[int, asyncio.Event] = defaultdict(asyncio.Event)
        # chat -> when the bot first wrote in it, or answered its button, for that update
        self._wrote: dict[int, float] = {}
        self._answered: dict[int, float] = {}
        # recorded chat -> (method, parameters) of each call made for its current update
        self._calls: dict[int, list[tuple[str, JSONDict]]] = {}

    def track(self, app: Application) -> None:
        """Follow every update through `app`'s update processor (call before it starts)."""
        processor = app.update_processor
        process = processor.do_process_update

        async def tracked(update: object, coroutine: Any) -> None:
            chat = None
            if isinstance(update, Update) and update.effective_chat is not None:
                chat = update.effective_chat.id
            _PROCESSING.set(chat)  # this task's own context: one update per task
            try:
                await process(update, coroutine)
            finally:
                if chat is not None:
                    self.done[chat].set()

        processor.do_process_update = tracked  # type: ignore[method-assign]

    def expect(self, chat_id: int) -> asyncio.Event:
        """Before putting an update of `chat_id` on the queue: the event set when the bot is
        done with it (`replied_at` then says when it answered)."""
        self._wrote.pop(chat_id, None)
        self._answered.pop(chat_id, None)
        if chat_id in self._calls:
            self._calls[chat_id] = []
        done = self.done[chat_id]
        done.clear()
        return done

    def record(self, chat_id: int) -> None:
        """Keep the calls made for each update of `chat_id` from now on (see `calls`)."""
        self._calls[chat_id] = []

    def calls(self, chat_id: int) -> list[tuple[str, JSONDict]]:
        """The calls the bot made while processing the recorded chat's last update: method
        and parameters (JSON values), whichever chat they went to."""
        return self._calls[chat_id]

    def replied_at(self, chat_id: int) -> float | None:
        """When the bot answered the update it is done with: its first message in the
        chat, else its answer to the button; None if it said nothing."""
        return self._wrote.get(chat_id, self._answered.get(chat_id))

    # -- BaseRequest -----------------------------------------------------------------------

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        params: JSONDict = {}
        encoded: dict[str, str] = {}
        if request_data is not None:
            encoded = request_data.json_parameters  # what PTB's HTTPXRequest would send
            params = request_data.parameters
        method = url.rsplit("/", 1)[-1]
        sender = _PROCESSING.get()
        if sender in self._calls:
            self._calls[sender].append((method, params))
        elif sender is None and (chat := chat_of(params)) in self._calls:
            # Sent after the commit, by the outbox (a referral opened from the inbox): part
            # of the step the person is waiting on.
            self._calls[chat].append((method, params))
        if sender is not None:
            if method == "answerCallbackQuery":
                self._answered.setdefault(sender, time.perf_counter())
            elif str(params.get("chat_id")) == str(sender):
                self._wrote.setdefault(sender, time.perf_counter())
        return HTTPStatus.OK, self.reply(method, params, encoded.get("reply_markup"))
