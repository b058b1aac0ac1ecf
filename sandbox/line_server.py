"""The local LINE over HTTP (aiohttp): the Messaging API for the bot, and its webhook events
delivered to the bot.

- `/line/api/<path>`: the api host (`https://api.line.me`): messages, quota, profiles,
  groups, rich menus.
- `/line/api-data/<path>`: the api-data host (`https://api-data.line.me`): content people
  send, rich menu images.

A bot using line-bot-sdk points one client at each (in v3 a `Configuration(host=...)`
applies to every call of its client): `MessagingApi` at `<sandbox>/line/api`,
`MessagingApiBlob` at `<sandbox>/line/api-data`. `WebhookDeliverer` posts the events people
cause to the bot's webhook URL, signed, and sends an event again until the bot takes it.
"""

import asyncio
import json
import logging

import aiohttp
from aiohttp import web

from sandbox.lineapi import API, API_DATA, RICH_MENU_IMAGE_LIMIT, LineApi, WebhookDelivery

API_PREFIX = "/line/api"
API_DATA_PREFIX = "/line/api-data"
LINE_API_KEY = web.AppKey("line_api", LineApi)

log = logging.getLogger(__name__)


def add_line_routes(app: web.Application, api: LineApi) -> None:
    """Mount both LINE hosts on `app`, beside whatever else it serves."""
    app[LINE_API_KEY] = api
    app.router.add_route("*", API_PREFIX + "/{path:.*}", _api_host)
    app.router.add_route("*", API_DATA_PREFIX + "/{path:.*}", _api_data_host)


def build_line_app(api: LineApi) -> web.Application:
    # Room for a rich menu image over LINE's limit, so that LINE's own 413 answers it.
    app = web.Application(client_max_size=2 * RICH_MENU_IMAGE_LIMIT)
    add_line_routes(app, api)
    return app


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
        """Deliver until cancelled."""
        while True:
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
