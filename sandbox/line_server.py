"""The local LINE over HTTP (aiohttp): the Messaging API for the bot, and its webhook events
delivered to the bot.

- `/line/api/<path>`: the api host (`https://api.line.me`): messages, quota, profiles,
  groups, rich menus.
- `/line/api-data/<path>`: the api-data host (`https://api-data.line.me`): content people
  send, rich menu images.
- `/line`: the LINE phones page; `/sandbox/line/...`: what it calls (people, a long-polled
  feed of what is said, writing, tapping postback buttons, sharing a location or a file,
  blocking); `/sandbox/line/content/<messageId>`: files people sent, for the page.

A bot using line-bot-sdk points one client at each (in v3 a `Configuration(host=...)`
applies to every call of its client): `MessagingApi` at `<sandbox>/line/api`,
`MessagingApiBlob` at `<sandbox>/line/api-data`. `WebhookDeliverer` posts the events people
cause to the bot's webhook URL, signed, and sends an event again until the bot takes it.
"""

import asyncio
import json
import logging
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote, unquote

import aiohttp
from aiohttp import web

from sandbox.botapi import ApiError
from sandbox.lineapi import (
    API,
    API_DATA,
    RICH_MENU_IMAGE_LIMIT,
    LineApi,
    LineError,
    WebhookDelivery,
)
from sandbox.server import LONG_POLL_LIMIT, MAX_UPLOAD_BYTES, error_answer, json_body, number

API_PREFIX = "/line/api"
API_DATA_PREFIX = "/line/api-data"
LINE_API_KEY = web.AppKey("line_api", LineApi)
STATIC_DIR = Path(__file__).parent / "static"

log = logging.getLogger(__name__)


def add_line_routes(app: web.Application, api: LineApi) -> None:
    """Mount both LINE hosts on `app`, beside whatever else it serves."""
    app[LINE_API_KEY] = api
    app.router.add_route("*", API_PREFIX + "/{path:.*}", _api_host)
    app.router.add_route("*", API_DATA_PREFIX + "/{path:.*}", _api_data_host)


def build_line_app(api: LineApi) -> web.Application:
    """LINE alone: both hosts and the phones page, with the page's assets."""
    # Room for a rich menu image over LINE's limit, so that LINE's own 413 answers it.
    app = web.Application(client_max_size=max(2 * RICH_MENU_IMAGE_LIMIT, MAX_UPLOAD_BYTES))
    add_line_routes(app, api)
    add_line_page(app)
    app.router.add_static("/static", STATIC_DIR)
    return app


def add_line_page(app: web.Application) -> None:
    """The LINE phones page and its JSON API, on an app that has the LINE routes."""
    app.router.add_get("/line", _page)
    app.router.add_get("/sandbox/line/state", _state)
    app.router.add_post("/sandbox/line/people", _add_person)
    app.router.add_get("/sandbox/line/changes", _changes)
    app.router.add_post("/sandbox/line/chats/{user_id}/messages", _send)
    app.router.add_post("/sandbox/line/chats/{user_id}/postback", _postback)
    app.router.add_post("/sandbox/line/chats/{user_id}/block", _block)
    app.router.add_get("/sandbox/line/content/{message_id}", _content)


async def _api_host(request: web.Request) -> web.Response:
    return await _answer(request, API)


async def _api_data_host(request: web.Request) -> web.Response:
    return await _answer(request, API_DATA)


async def _answer(request: web.Request, host: str) -> web.Response:
    api = request.app[LINE_API_KEY]
    body = await request.read() if request.can_read_body else b""
    answer = api.handle(request.method, host, "/" + request.match_info["path"],
                        dict(request.headers), body)
    if isinstance(answer.body, bytes):
        payload = answer.body
    else:
        payload = json.dumps(answer.body if answer.body is not None else {},
                             ensure_ascii=False).encode()
    return web.Response(status=answer.status, body=payload, headers=answer.headers,
                        content_type=answer.content_type)


# -- the LINE phones page --------------------------------------------------------------------


def _refused(err: Exception) -> web.Response:
    if isinstance(err, LineError):
        return error_answer(err.message)
    assert isinstance(err, ApiError)
    return error_answer(err.description.removeprefix("Bad Request: "))


async def _page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "line.html")


async def _state(request: web.Request) -> web.Response:
    api = request.app[LINE_API_KEY]
    menu = api.rich_menu(api.default_rich_menu) if api.default_rich_menu else None
    return web.json_response({"bot": {"user_id": api.bot_user_id, "display_name": api.bot_name,
                                      "basic_id": api.basic_id},
                              "people": [api.person(user_id) for user_id in api.people],
                              "rich_menu": menu})


async def _add_person(request: web.Request) -> web.Response:
    api = request.app[LINE_API_KEY]
    try:
        body = await json_body(request)
        name = str(body.get("display_name", "")).strip()
        language = str(body.get("language", "th"))
        if not 1 <= len(name) <= 20:  # LINE's own limit on a display name
            raise LineError(HTTPStatus.BAD_REQUEST, "a display name of 1 to 20 characters")
        if language not in ("th", "en"):
            raise LineError(HTTPStatus.BAD_REQUEST, "language must be th or en")
        user_id = api.add_person(name, language)
    except (LineError, ApiError) as err:
        return _refused(err)
    return web.json_response(api.person(user_id))


async def _changes(request: web.Request) -> web.Response:
    try:
        since = int(number("since", request.query.get("since")))
        wait = min(number("timeout", request.query.get("timeout"), 25), LONG_POLL_LIMIT)
    except ApiError as err:
        return _refused(err)
    seq, changes = await request.app[LINE_API_KEY].changes(max(since, 0), max(wait, 0))
    return web.json_response({"seq": seq, "changes": changes})


def _user_id(request: web.Request) -> str:
    user_id = request.match_info["user_id"]
    if user_id not in request.app[LINE_API_KEY].people:
        raise web.HTTPNotFound()
    return user_id


async def _send(request: web.Request) -> web.Response:
    api = request.app[LINE_API_KEY]
    user_id = _user_id(request)
    try:
        if request.content_type == "multipart/form-data":
            form = await request.post()
            upload = form.get("file")
            if not isinstance(upload, web.FileField):
                raise LineError(HTTPStatus.BAD_REQUEST, "no file in the upload")
            event = api.send_file(user_id, unquote(upload.filename), upload.file.read())
        else:
            body = await json_body(request)
            location = body.get("location")
            if isinstance(location, dict):
                event = api.send_location(
                    user_id, number("latitude", location.get("latitude")),
                    number("longitude", location.get("longitude")),
                    str(location.get("title", "")), str(location.get("address", "")))
            else:
                event = api.send_text(user_id, str(body.get("text", "")))
    except (LineError, ApiError) as err:
        return _refused(err)
    return web.json_response({"id": event["message"]["id"]})


async def _postback(request: web.Request) -> web.Response:
    api = request.app[LINE_API_KEY]
    user_id = _user_id(request)
    try:
        body = await json_body(request)
        picked = body.get("picked")
        api.press(user_id, str(body.get("data", "")),
                  picked=str(picked) if picked is not None else None)
    except (LineError, ApiError) as err:
        return _refused(err)
    return web.json_response({"ok": True})


async def _block(request: web.Request) -> web.Response:
    api = request.app[LINE_API_KEY]
    user_id = _user_id(request)
    try:
        blocked = bool((await json_body(request)).get("blocked"))
    except ApiError as err:
        return _refused(err)
    if blocked != (not api.people[user_id].friend):
        (api.block if blocked else api.unblock)(user_id)
    return web.json_response(api.person(user_id))


async def _content(request: web.Request) -> web.Response:
    try:
        data, mime = request.app[LINE_API_KEY].content(request.match_info["message_id"])
    except KeyError:
        raise web.HTTPNotFound() from None
    # Offered as a download, never shown inline: it is whatever a person uploaded.
    name = request.query.get("name", "file")
    return web.Response(body=data, content_type=mime, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


# -- webhook delivery ------------------------------------------------------------------------


class WebhookDeliverer:
    """Posts the stand-in's webhook events to `url`, one request at a time and in order.

    An event the bot does not answer with 2xx (an error status, a refused connection, no
    answer within `timeout`) stays first in line and is posted again after `retry_after`
    seconds, marked as a redelivery with the same `webhookEventId`, until the bot takes it:
    the sandbox never drops an event, so a bot that failed can be seen to catch up."""

    def __init__(self, api: LineApi, url: str, *, retry_after: float = 1.0,
                 timeout: float = 10.0) -> None:
        self.api = api
        self.url = url
        self.retry_after = retry_after
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.failures = 0

    async def run(self) -> None:
        """Deliver until cancelled, or until the stand-in is closed."""
        while not self.api.closed:
            await self.deliver_pending()
            await self.api.wait_for_webhook(60.0)

    async def deliver_pending(self) -> None:
        """Post every event waiting, each until the bot takes it."""
        async with aiohttp.ClientSession(timeout=self.timeout) as session:
            while (delivery := self.api.next_webhook()) is not None:
                taken = await self._post(session, delivery)
                self.api.webhook_answered(delivery, taken)
                if not taken:
                    self.failures += 1
                    await asyncio.sleep(self.retry_after)

    async def _post(self, session: aiohttp.ClientSession, delivery: WebhookDelivery) -> bool:
        try:
            async with session.post(self.url, data=delivery.body,
                                    headers=delivery.headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return True
                reason = f"status {response.status}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            reason = type(exc).__name__
        # The event's contents stay out of the log: they are what people typed.
        log.warning("LINE webhook %s not taken (%s, attempt %d); sending it again",
                    delivery.id, reason, delivery.attempts + 1)
        return False
