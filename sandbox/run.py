"""Bot, local Bot API and web chat in one process: `make run` with no Telegram token.

The bot is the real one, unmodified: the same Application, polling over real HTTP; only its
Bot API base URL points at this process instead of api.telegram.org.
"""

import asyncio
import contextlib
import ipaddress
import os
import socket
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import datetime
from pathlib import Path
from types import TracebackType

from aiohttp import web
from pydantic import SecretStr

from bot.config import Settings
from bot.runtime import Runtime, system_clock
from sandbox import line_server
from sandbox.botapi import BotApi
from sandbox.lineapi import LineApi
from sandbox.people import People
from sandbox.server import build_web_app

SANDBOX_TOKEN = "7000000001:SANDBOX-NOT-A-REAL-TOKEN"
BOT_USERNAME = "panong_sandbox_bot"
LINE_SANDBOX_TOKEN = "SANDBOX-LINE-CHANNEL-ACCESS-TOKEN-NOT-A-REAL-ONE"
LINE_SANDBOX_SECRET = "SANDBOX-LINE-CHANNEL-SECRET-NOT-A-REAL-ONE"
# On LINE's phones page; the bot has no LINE channel yet, so nobody answers them.
# Where the bot's own LINE webhook is mounted in the sandbox's server.
LINE_BOT_PREFIX = "/bot-line"
LINE_DEMO_PEOPLE = (("ครูสมศรี", "th"), ("Malee", "en"))


class UnsafeSandbox(Exception):
    """The sandbox would destroy real data or be open to other machines; nothing started."""


def _database_files(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("", "-wal", "-shm")]


def _same_file(a: Path, b: Path) -> bool:
    """The same file by another name: a relative path, a symbolic or a hard link."""
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist
        return False


def _loopback_only(host: str) -> bool:
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)} if host else set()
    except socket.gaierror:
        return False
    return bool(addresses) and all(
        ipaddress.ip_address(str(address).split("%")[0]).is_loopback for address in addresses)


def check_safe(settings: Settings) -> bool:
    """Refuse (UnsafeSandbox) a sandbox database that is, or shares a file with, the real
    one, since each start empties it; and an address beyond loopback unless
    PANONG_SANDBOX_ALLOW_REMOTE says so. True when it will be reachable from elsewhere."""
    production = _database_files(settings.database_path)
    for mine in _database_files(settings.sandbox_database_path):
        if any(_same_file(mine, theirs) for theirs in production):
            raise UnsafeSandbox(
                f"PANONG_SANDBOX_DATABASE_PATH ({settings.sandbox_database_path}) is the "
                f"production database ({settings.database_path}) or one of its files. The "
                "sandbox empties its database at every start, so it would destroy the real "
                "data. Point PANONG_SANDBOX_DATABASE_PATH at a file of its own, such as "
                "data/sandbox.db. Nothing was changed.")
    if _loopback_only(settings.sandbox_host):
        return False
    if not settings.sandbox_allow_remote:
        raise UnsafeSandbox(
            f"PANONG_SANDBOX_HOST is {settings.sandbox_host!r}, which is not this machine's "
            "loopback address. The sandbox has no login: anyone who can reach it could act "
            "as any demo person, coordinator included, and read everything typed into it. "
            "Use PANONG_SANDBOX_HOST=127.0.0.1, or, to show it on a network you trust, set "
            "PANONG_SANDBOX_ALLOW_REMOTE=true as well. Nothing was started.")
    return True


def fresh_database(settings: Settings) -> None:
    """The sandbox starts from a clean slate each time, never from yesterday's demo."""
    for path in _database_files(settings.sandbox_database_path):
        path.unlink(missing_ok=True)


class Sandbox:
    """Start with `async with Sandbox(settings) as sandbox:`; `sandbox.url` is the web chat."""

    def __init__(self, settings: Settings, *, seed: bool = True,
                 clock: Callable[[], datetime] = system_clock) -> None:
        self.settings = settings
        self.seed = seed
        self.clock = clock
        self.api = BotApi(SANDBOX_TOKEN, username=BOT_USERNAME)
        self.line = LineApi(LINE_SANDBOX_TOKEN, LINE_SANDBOX_SECRET)
        self.url = ""
        self.remote = False  # listening beyond loopback, as PANONG_SANDBOX_ALLOW_REMOTE let it
        self.runtime: Runtime | None = None
        self.people: People | None = None
        self._runner: web.AppRunner | None = None
        self._stop = asyncio.Event()
        self._bot: asyncio.Task[None] | None = None
        self._channels = AsyncExitStack()
        self._deliverer: asyncio.Task[None] | None = None

    async def __aenter__(self) -> "Sandbox":
        settings = self.settings
        self.remote = check_safe(settings)
        # The socket first: the bot's base URL needs the port it got (port 0 picks a free one).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((settings.sandbox_host, settings.sandbox_port))
        except OSError:
            sock.close()
            raise
        host, port = sock.getsockname()[:2]
        self.url = f"http://{host}:{port}"
        bot_settings = settings.model_copy(update={
            "telegram_token": SecretStr(SANDBOX_TOKEN),
            "base_url": f"{self.url}/bot",
            "base_file_url": f"{self.url}/file/bot",
            "database_path": settings.sandbox_database_path,
            "database_url": None,  # the sandbox never touches a production server
            "bot_username": BOT_USERNAME,
            "line_channel_secret": SecretStr(LINE_SANDBOX_SECRET),
            "line_channel_access_token": SecretStr(LINE_SANDBOX_TOKEN),
            "line_api_base_url": f"{self.url}{line_server.API_PREFIX}",
            "line_api_data_base_url": f"{self.url}{line_server.API_DATA_PREFIX}",
            # Where the bot's LINE server is reached: its files' links (exports, charts).
            "line_public_url": f"{self.url}{LINE_BOT_PREFIX}",
        })
        try:
            fresh_database(settings)
            self.runtime = await Runtime.start(bot_settings, clock=self.clock)
            self.people = People(self.api, self.runtime)
            app = build_web_app(self.api, self.people)
            line_server.add_line_routes(app, self.line)
            line_server.add_line_page(app)
            # The bot's LINE webhook, served here; the stand-in posts people's events to it.
            from line.webhook import line_channel  # only running the bot needs LINE's SDK

            app.add_subapp(LINE_BOT_PREFIX,
                           await self._channels.enter_async_context(line_channel(self.runtime)))
            self._deliverer = asyncio.create_task(line_server.WebhookDeliverer(
                self.line, f"{self.url}{LINE_BOT_PREFIX}{bot_settings.line_webhook_path}",
            ).run())
            self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
            await self._runner.setup()
            await web.SockSite(self._runner, sock).start()
            if self.seed:
                await self.people.seed()
                for display_name, language in LINE_DEMO_PEOPLE:
                    self.line.add_person(display_name, language)
            self._bot = asyncio.create_task(self._serve())
        except BaseException:
            sock.close()
            await self.close()
            raise
        return self

    async def _serve(self) -> None:
        """The bot and its outbox, as `panong run` serves them."""
        from handlers.app import serve  # only running the bot needs the Telegram library

        await asyncio.gather(serve(self.runtime, self._stop),
                             self.runtime.outbox.run(self._stop))

    async def run_until(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set; a bot that stops by itself (it failed) raises here."""
        assert self._bot is not None, "the sandbox is not started"
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait([stopping, self._bot], return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if self._bot.done():
            self._bot.result()

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    async def close(self) -> None:
        self._stop.set()
        if self._deliverer is not None:
            # Before the stand-in closes: its closing wakes the deliverer, and a wake-up
            # at the moment of cancelling can swallow the cancellation (asyncio.wait_for).
            self._deliverer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._deliverer
        self.api.close()
        self.line.close()
        if self._bot is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._bot
        await self._channels.aclose()
        if self.runtime is not None:
            await self.runtime.close()
        if self._runner is not None:
            await self._runner.cleanup()

