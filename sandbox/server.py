"""The sandbox over HTTP (aiohttp): the Bot API for the bot, a web chat for the people.

- `/bot<token>/<method>`: Bot API calls, as form, JSON or multipart posts (or a query string),
  answered in Telegram's `{"ok": ..., "result" | "error_code", "description"}` shape.
- `/file/bot<token>/<file_path>`: file downloads, as Telegram serves them.
- `/`: the web chat page; `/sandbox/api/...`: what it calls (people, a long-polled feed of
  changes, typing, pressing buttons, sharing a location, uploading a file);
  `/sandbox/files/<file_id>`: photos and documents for the page.
"""

import math
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from aiohttp import web
from pydantic import ValidationError

from bot.domain.models import Role
from bot.errors import AppError
from sandbox.botapi import ApiError, BotApi, JSONDict, Upload, bad_request
from sandbox.people import People

STATIC_DIR = Path(__file__).parent / "static"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # Telegram's own limit for bots downloading a file
LONG_POLL_LIMIT = 50.0

API_KEY = web.AppKey("api", BotApi)
PEOPLE_KEY = web.AppKey("people", People)


def build_web_app(api: BotApi, people: People | None = None) -> web.Application:
    """The Bot API and, given the people, the web chat; without them only the Bot API (a
    test that runs the bot as a separate process)."""
    app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
    app[API_KEY] = api
    app.router.add_route("*", "/bot{token}/{method}", _bot_api)
    app.router.add_get("/file/bot{token}/{path:.+}", _bot_file)
    if people is None:
        return app
    app[PEOPLE_KEY] = people
    app.router.add_get("/", _index)
    app.router.add_static("/static", STATIC_DIR)
    app.router.add_get("/sandbox/api/state", _state)
    app.router.add_get("/sandbox/api/organisations", _organisations)
    app.router.add_post("/sandbox/api/people", _add_person)
    app.router.add_get("/sandbox/api/changes", _changes)
    app.router.add_get("/sandbox/api/chats/{person_id}/commands", _commands)
    app.router.add_post("/sandbox/api/chats/{person_id}/messages", _send)
    app.router.add_post("/sandbox/api/chats/{person_id}/callback", _press)
    app.router.add_get("/sandbox/files/{file_id}", _file)
    return app


# -- the Bot API ---------------------------------------------------------------------------


def _answer(status: int, body: JSONDict) -> web.Response:
    return web.json_response(body, status=status)


async def _bot_api(request: web.Request) -> web.Response:
    api = request.app[API_KEY]
    if request.match_info["token"] != api.token:
        return _answer(HTTPStatus.UNAUTHORIZED,
                       {"ok": False, "error_code": 401, "description": "Unauthorized"})
    try:
        params, files = await _read_params(request)
        result = await api.call(request.match_info["method"], params, files)
    except ApiError as err:
        return _answer(err.status, err.body())
    return _answer(HTTPStatus.OK, {"ok": True, "result": result})


async def _read_params(request: web.Request) -> tuple[JSONDict, dict[str, Upload]]:
    params: JSONDict = dict(request.query)
    files: dict[str, Upload] = {}
    if request.method != "POST" or not request.can_read_body:
        return params, files
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON body") from None
        params.update(body if isinstance(body, dict) else {})
    elif request.content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if part.name is None or not hasattr(part, "read"):
                continue
            data = await part.read()
            if part.filename:
                files[part.name] = Upload(part.filename, bytes(data),
                                          part.headers.get("Content-Type"))
            else:
                params[part.name] = bytes(data).decode()
    else:
        params.update(await request.post())
    return params, files


async def _bot_file(request: web.Request) -> web.StreamResponse:
    api = request.app[API_KEY]
    stored = api.file_by_path(request.match_info["path"])
    if request.match_info["token"] != api.token or stored is None:
        raise web.HTTPNotFound()
    return web.Response(body=stored.data, content_type="application/octet-stream")


# -- the web chat --------------------------------------------------------------------------


def error_answer(description: str, status: int = HTTPStatus.BAD_REQUEST) -> web.Response:
    return web.json_response({"error": description}, status=status)


async def _index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "index.html")


async def _state(request: web.Request) -> web.Response:
    api = request.app[API_KEY]
    return web.json_response({"bot": {key: api.bot_user[key]
                                      for key in ("id", "first_name", "username")},
                              "people": [api.person(user_id) for user_id in api.users]})


async def _organisations(request: web.Request) -> web.Response:
    return web.json_response(await request.app[PEOPLE_KEY].organisations())


async def json_body(request: web.Request) -> JSONDict:
    try:
        body = await request.json()
    except ValueError:
        raise bad_request("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object")
    return body


async def _add_person(request: web.Request) -> web.Response:
    try:
        body = await json_body(request)
        role = Role(body["role"]) if body.get("role") else None
        person = await request.app[PEOPLE_KEY].add(
            str(body.get("first_name", "")), str(body.get("language_code", "th")), role,
            body.get("organisation_id") or None)
    except ApiError as err:
        return error_answer(err.description.removeprefix("Bad Request: "))
    except (AppError, ValueError, ValidationError):
        return error_answer("that role cannot belong to that organisation")
    return web.json_response(person)


def number(name: str, value: Any, default: float = 0) -> float:
    try:
        number = float(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise bad_request(f"{name} must be a number")
    return number


async def _changes(request: web.Request) -> web.Response:
    try:
        since = int(number("since", request.query.get("since")))
        wait = min(number("timeout", request.query.get("timeout"), 25), LONG_POLL_LIMIT)
    except ApiError as err:
        return error_answer(err.description.removeprefix("Bad Request: "))
    seq, events = await request.app[API_KEY].changes(max(since, 0), max(wait, 0))
    return web.json_response({"seq": seq, "events": events})


def _person_id(request: web.Request) -> int:
    api = request.app[API_KEY]
    try:
        person_id = int(request.match_info["person_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    if person_id not in api.users:
        raise web.HTTPNotFound()
    return person_id


async def _commands(request: web.Request) -> web.Response:
    api = request.app[API_KEY]
    person_id = _person_id(request)
    language = api.users[person_id].get("language_code")
    return web.json_response(api.commands_for(person_id, language))


async def _send(request: web.Request) -> web.Response:
    api = request.app[API_KEY]
    person_id = _person_id(request)
    try:
        if request.content_type == "multipart/form-data":
            message = await _send_upload(api, person_id, request)
        else:
            body = await json_body(request)
            location = body.get("location")
            if isinstance(location, dict):
                latitude = number("latitude", location.get("latitude"))
                longitude = number("longitude", location.get("longitude"))
                message = api.send_location(person_id, latitude, longitude)
            else:
                message = api.send_text(person_id, str(body.get("text", "")))
    except ApiError as err:
        return error_answer(err.description.removeprefix("Bad Request: "))
    return web.json_response({"message_id": message["message_id"]})


async def _send_upload(api: BotApi, person_id: int, request: web.Request) -> JSONDict:
    form = await request.post()
    upload = form.get("file")
    if not isinstance(upload, web.FileField):
        raise bad_request("no file in the upload")
    caption = form.get("caption")
    return api.send_document(
        # Some clients percent-encode non-ASCII file names; browsers send them as they are.
        person_id, Upload(unquote(upload.filename), upload.file.read(), upload.content_type),
        caption if isinstance(caption, str) else None)


async def _press(request: web.Request) -> web.Response:
    api = request.app[API_KEY]
    person_id = _person_id(request)
    try:
        body = await json_body(request)
        message_id = int(number("message_id", body.get("message_id")))
        api.press(person_id, person_id, message_id, str(body.get("data", "")))
    except ApiError as err:
        return error_answer(err.description.removeprefix("Bad Request: "))
    return web.json_response({"ok": True})


async def _file(request: web.Request) -> web.Response:
    try:
        stored = request.app[API_KEY].file(request.match_info["file_id"])
    except KeyError:
        raise web.HTTPNotFound() from None
    headers = {}
    if stored.file_name and not (stored.mime_type or "").startswith("image/"):
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(stored.file_name)}"
    return web.Response(body=stored.data, headers=headers,
                        content_type=stored.mime_type or "application/octet-stream")
