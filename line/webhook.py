"""The LINE webhook: LINE posts each event to the bot's own aiohttp server; every request's
`X-Line-Signature` is checked with the channel secret, and one that is unsigned or
wrongly signed is refused (400) and logged, without its body.

The events are stored before LINE is answered 200, and handled after, each chat's in order
(`line.inbox`): a slow answer never makes LINE give up and send them again, and an event
LINE was told it need not send again is never lost to a crash.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress

from aiohttp import web
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    Configuration,
)
from linebot.v3.webhook import SignatureValidator

from bot.errors import AppError, DatabaseBusy
from bot.runtime import Runtime
from bot.services import downloads
from line import CHANNEL, richmenu
from line.events import LineAdapter
from line.files import file_server
from line.inbox import LineInbox
from line.sender import LineSender

log = logging.getLogger(__name__)

# The events being handled: waited for by tests, and finished before the server stops.
HANDLING = web.AppKey("handling", set)


def build_webhook(runtime: Runtime, inbox: LineInbox) -> web.Application:
    settings = runtime.settings
    assert settings.line_channel_secret is not None
    validator = SignatureValidator(settings.line_channel_secret.get_secret_value())

    async def receive(request: web.Request) -> web.Response:
        signature = request.headers.get("X-Line-Signature")
        body = await request.text()
        if not signature or not validator.validate(body, signature):
            log.warning("refused a LINE webhook request from %s: %s signature",
                        request.remote, "a wrong" if signature else "no")
            return web.Response(status=400, text="bad signature")
        try:
            events = json.loads(body)["events"]
        except (ValueError, KeyError, TypeError):
            events = None
        if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
            return web.Response(status=400, text="not a webhook body")
        try:
            await inbox.receive(events)
        except DatabaseBusy:
            # Not taken: LINE sends the events again (with redelivery on).
            log.warning("a LINE webhook request could not be stored: the database is busy")
            return web.Response(status=503, text="busy")
        return web.Response(text="OK")

    app = web.Application(client_max_size=1024 * 1024)
    app[HANDLING] = inbox.handling
    app.router.add_post(settings.line_webhook_path, receive)
    # Files LINE cannot send (exports, charts), fetched by their short-lived links.
    app.router.add_get(settings.line_files_path.rstrip("/") + "/{token}",
                       file_server(runtime))
    return app


def messaging_api(runtime: Runtime, host: str | None = None) -> AsyncApiClient:
    """A client of the api host, or of `host` (the api-data host: the SDK's own default
    for it would bypass a stand-in)."""
    settings = runtime.settings
    assert settings.line_channel_access_token is not None
    return AsyncApiClient(Configuration(
        host=host or settings.line_api_base_url,
        access_token=settings.line_channel_access_token.get_secret_value()))


@asynccontextmanager
async def line_channel(runtime: Runtime) -> AsyncIterator[web.Application]:
    """LINE's side of the bot while the block runs: its messaging client, its sender
    registered with the outbox, its rich menus, and the webhook application to serve. The
    events a crash or a stop left unhandled are taken up first; at the end, those being
    handled finish."""
    async with messaging_api(runtime) as client, \
            messaging_api(runtime, runtime.settings.line_api_data_base_url) as data_client:
        messaging = AsyncMessagingApi(client)
        runtime.outbox.register(CHANNEL, LineSender(messaging, runtime))
        # Beside the bot: the menus are a convenience, and LINE may not be reachable yet.
        blob = AsyncMessagingApiBlob(data_client)
        menus = asyncio.create_task(richmenu.set_up(runtime, messaging, blob))
        inbox = LineInbox(runtime, LineAdapter(runtime, messaging, blob))
        await inbox.recover()
        try:
            yield build_webhook(runtime, inbox)
        finally:
            menus.cancel()
            with suppress(asyncio.CancelledError):
                await menus
            await inbox.finish()


async def serve(runtime: Runtime, stop: asyncio.Event,
                routes: Sequence[Callable[[web.Application], None]] = ()) -> None:
    """Receive LINE's webhooks until `stop` is set, and push what the outbox owes people on
    LINE (the caller runs the outbox and the inbox). `routes` add other routes to the same
    server (Telegram's webhook). Several processes on one machine share the port
    (SO_REUSEPORT): the kernel spreads the connections among them."""
    settings = runtime.settings
    async with line_channel(runtime) as webhook:
        for add in routes:
            add(webhook)
        runner = web.AppRunner(webhook, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, settings.line_webhook_host, settings.line_webhook_port,
                          reuse_port=True).start()
        log.info("LINE webhook listening on %s:%s%s (LINE's webhook URL: %s)",
                 settings.line_webhook_host, settings.line_webhook_port,
                 settings.line_webhook_path,
                 settings.line_public_url.rstrip("/") + settings.line_webhook_path
                 if settings.line_public_url else "PANONG_LINE_PUBLIC_URL not set")
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
