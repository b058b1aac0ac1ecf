"""Bot, local Bot API and web chat in one process: `make run` with no Telegram token.

The bot is the real one, unmodified: the same Application, polling over real HTTP; only its
Bot API base URL points at this process instead of api.telegram.org.
"""

import asyncio
import contextlib
import socket
from collections.abc import Callable
from datetime import datetime
from types import TracebackType

from aiohttp import web
from pydantic import SecretStr

from bot.config import Settings
from bot.runtime import Runtime, system_clock
from sandbox.botapi import BotApi
from sandbox.people import People
from sandbox.server import build_web_app

SANDBOX_TOKEN = "7000000001:SANDBOX-NOT-A-REAL-TOKEN"
BOT_USERNAME = "panong_sandbox_bot"


def fresh_database(settings: Settings) -> None:
    """The sandbox starts from a clean slate each time, never from yesterday's demo."""
    path = settings.sandbox_database_path
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


class Sandbox:
    """Start with `async with Sandbox(settings) as sandbox:`; `sandbox.url` is the web chat."""

    def __init__(self, settings: Settings, *, seed: bool = True,
                 clock: Callable[[], datetime] = system_clock) -> None:
        self.settings = settings
        self.seed = seed
        self.clock = clock
        self.api = BotApi(SANDBOX_TOKEN, username=BOT_USERNAME)
        self.url = ""
        self.runtime: Runtime | None = None
        self.people: People | None = None
        self._runner: web.AppRunner | None = None
        self._stop = asyncio.Event()
        self._bot: asyncio.Task[None] | None = None

    async def __aenter__(self) -> "Sandbox":
        from handlers.app import serve  # only running the bot needs the Telegram library

        settings = self.settings
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
            "bot_username": BOT_USERNAME,
        })
        try:
            fresh_database(settings)
            self.runtime = await Runtime.start(bot_settings, clock=self.clock)
            self.people = People(self.api, self.runtime)
            self._runner = web.AppRunner(build_web_app(self.api, self.people),
                                         shutdown_timeout=1.0, access_log=None)
            await self._runner.setup()
            await web.SockSite(self._runner, sock).start()
            if self.seed:
                await self.people.seed()
            self._bot = asyncio.create_task(serve(self.runtime, self._stop))
        except BaseException:
            sock.close()
            await self.close()
            raise
        return self

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
        self.api.close()
        if self._bot is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._bot
        if self.runtime is not None:
            await self.runtime.close()
        if self._runner is not None:
            await self._runner.cleanup()

