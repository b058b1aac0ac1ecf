"""The LINE webhook: LINE posts each event to the bot's own aiohttp server; every request's
`X-Line-Signature` is checked with the channel secret, and one that is unsigned or
wrongly signed is refused (400) and logged, without its body.

LINE is answered at once (200) and the events are handled after, each chat's in order, so
that a slow answer never makes LINE give up and send the events again.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress

from aiohttp import web
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    Configuration,
)
from linebot.v3.webhook import WebhookParser

from bot.errors import AppError
from bot.runtime import Runtime
from bot.services import downloads
from line import CHANNEL
from line.events import LineAdapter
from line.files import file_server
from line.sender import LineSender

log = logging.getLogger(__name__)

# The events being handled: waited for by tests, and finished before the server stops.
HANDLING = web.AppKey("handling", set)


def build_webhook(runtime: Runtime, adapter: LineAdapter) -> web.Application:
    settings = runtime.settings
    assert settings.line_channel_secret is not None
    parser = WebhookParser(settings.line_channel_secret.get_secret_value())
    handling: set[asyncio.Task[None]] = set()

    async def receive(request: web.Request) -> web.Response:
        signature = request.headers.get("X-Line-Signature")
        body = await request.text()
        try:
            if not signature:
                raise InvalidSignatureError("no signature")
            events = parser.parse(body, signature)
        except InvalidSignatureError:
            log.warning("refused a LINE webhook request from %s: %s signature",
                        request.remote, "a wrong" if signature else "no")
            return web.Response(status=400, text="bad signature")
        for event in events:
            task = asyncio.create_task(adapter.handle(event))
            handling.add(task)
            task.add_done_callback(_finished(handling))
        return web.Response(text="OK")

    app = web.Application(client_max_size=1024 * 1024)
    app[HANDLING] = handling
    app.router.add_post(settings.line_webhook_path, receive)
    # Files LINE cannot send (exports, charts), fetched by their short-lived links.
    app.router.add_get(settings.line_files_path.rstrip("/") + "/{token}",
                       file_server(runtime))
    return app


def _finished(handling: set[asyncio.Task[None]]) -> Callable[[asyncio.Task[None]], None]:
    def done(task: asyncio.Task[None]) -> None:
        handling.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a LINE event could not be handled", exc_info=task.exception())
    return done


def messaging_api(runtime: Runtime, host: str | None = None) -> AsyncApiClient:
    """A client of LINE's api host, or of `host` (the api-data host: files people send)."""
    settings = runtime.settings
    assert settings.line_channel_access_token is not None
    return AsyncApiClient(Configuration(
        host=host or settings.line_api_base_url,
        access_token=settings.line_channel_access_token.get_secret_value()))


@asynccontextmanager
async def line_channel(runtime: Runtime) -> AsyncIterator[web.Application]:
    """LINE's side of the bot while the block runs: its messaging client, its sender
    registered with the outbox, and the webhook application to serve."""
    async with messaging_api(runtime) as client, \
            messaging_api(runtime, runtime.settings.line_api_data_base_url) as data_client:
        messaging = AsyncMessagingApi(client)
        runtime.outbox.register(CHANNEL, LineSender(messaging, runtime))
        yield build_webhook(runtime, LineAdapter(runtime, messaging,
                                                 AsyncMessagingApiBlob(data_client)))


async def serve(runtime: Runtime, stop: asyncio.Event) -> None:
    """Receive LINE's webhooks until `stop` is set, and push what the outbox owes people on
    LINE (the caller runs the outbox)."""
    settings = runtime.settings
    async with line_channel(runtime) as webhook:
        runner = web.AppRunner(webhook, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, settings.line_webhook_host,
                          settings.line_webhook_port).start()
        log.info("LINE webhook listening on %s:%s%s (public address: %s)",
                 settings.line_webhook_host, settings.line_webhook_port,
                 settings.line_webhook_path, settings.line_public_url or "not set")
        try:
            await _forget_expired_files(runtime, stop)
        finally:
            await runner.cleanup()


async def _forget_expired_files(runtime: Runtime, stop: asyncio.Event) -> None:
    """Until `stop` is set: delete the files whose links have expired, as often as due
    reminders are looked for (a LINE-only bot has no reminders job to do it)."""
    interval = runtime.settings.reminder_interval_seconds
    while not stop.is_set():
        try:
            await downloads.forget_expired(runtime.db, now=runtime.now())
        except AppError as error:  # the database busy elsewhere: the next round does it
            log.warning("expired LINE files not deleted yet: %s", error.key)
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
