"""SIGKILL the real bot on LINE after it has answered LINE 200 for a person's events and
before it has handled them, start it again, and check that each event is handled once, in
the order the person sent them.

A stranger adds the bot, joins with an invite, asks for the language menu and for help.
The LINE stand-in holds up the profile look-up the join makes, so the kill lands for
certain while the join is being handled and the two later events are taken (stored,
answered 200) and waiting behind it. The bot runs as a real `panong run` process on LINE
alone; the stand-in, its webhook deliverer and the hold run here, in the test.
"""

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web

from bot.config import Settings
from bot.domain.models import Role
from bot.i18n import translator
from bot.presenters import plain
from bot.runtime import Runtime
from bot.services import onboarding
from sandbox.line_server import WebhookDeliverer, add_line_routes
from sandbox.lineapi import LineApi
from sandbox.run import LINE_SANDBOX_SECRET, LINE_SANDBOX_TOKEN
from tests.conftest import add_user, make_settings
from tests.support.bot_process import free_port, kill, start_line_bot, stop


@pytest.fixture
async def invited(tmp_path: Path) -> tuple[Settings, str]:
    """The bot's settings, and a teacher's invite code made before it starts."""
    settings = make_settings(tmp_path)
    runtime = await Runtime.start(settings)  # the real clock: the bot reads it too
    try:
        coordinator = await add_user(runtime, Role.COORDINATOR, "peo_samutprakan", "9001",
                                     "Khun Prasert", language="en")
        issued = await onboarding.create_invite(
            runtime.db, coordinator, role=Role.TEACHER, organisation_id="school_wat_phraek_sa",
            valid_for=settings.invite_validity, now=runtime.now())
    finally:
        await runtime.close()
    return settings, issued.invite.code


class ProfileHold:
    """Holds up the bot's profile look-ups while `closed`."""

    def __init__(self) -> None:
        self.reached = asyncio.Event()
        self.released = asyncio.Event()

    @web.middleware
    async def middleware(self, request: web.Request,
                         handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                         ) -> web.StreamResponse:
        if "/v2/bot/profile/" in request.path and not self.released.is_set():
            self.reached.set()
            await self.released.wait()
        return await handler(request)


@contextlib.asynccontextmanager
async def serve_line(api: LineApi, hold: ProfileHold) -> AsyncIterator[str]:
    app = web.Application(middlewares=[hold.middleware])
    add_line_routes(app, api)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        hold.released.set()
        api.close()
        await runner.cleanup()


def _bot_said(api: LineApi, user_id: str) -> list[str]:
    return [entry["message"]["text"] for entry in api.transcript(user_id)
            if entry["from"] == "bot"]


async def test_a_kill_after_line_was_answered_loses_no_event_and_repeats_none(
    invited: tuple[Settings, str], tmp_path: Path
) -> None:
    settings, code = invited
    api, hold = LineApi(LINE_SANDBOX_TOKEN, LINE_SANDBOX_SECRET), ProfileHold()
    port = free_port()
    async with serve_line(api, hold) as url:
        deliverer = asyncio.create_task(WebhookDeliverer(
            api, f"http://127.0.0.1:{port}/line/webhook", retry_after=0.2).run())
        try:
            bot = await start_line_bot(settings, url, port, tmp_path / "bot.log")
            try:
                person = api.add_person("Kru Malee")
                api.send_text(person, f"/start {code}")
                api.send_text(person, "/language")
                api.send_text(person, "/help")
                async with asyncio.timeout(30):
                    await hold.reached.wait()
                    while api.pending_webhooks():  # all taken: LINE will not send them again
                        await api.changes(len(api.changes_log), wait=0.2)
            finally:
                await kill(bot)
            hold.released.set()
            assert len(_bot_said(api, person)) == 1  # only the stranger's welcome

            bot = await start_line_bot(settings, url, port, tmp_path / "bot.log")
            try:
                async with asyncio.timeout(30):
                    while len(_bot_said(api, person)) < 4:
                        await api.changes(len(api.changes_log), wait=0.5)
                await asyncio.sleep(0.5)  # time for anything more to come: nothing may
                assert await stop(bot) == 0
            finally:
                await kill(bot)
        finally:
            deliverer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await deliverer

    t = translator("th")
    said = [plain(text) for text in _bot_said(api, person)]
    assert len(said) == 4, said
    assert said[0] == plain(t("not-registered"))
    assert "/new" in said[1]  # joined: the teacher's help follows the welcome
    assert said[2] == plain(t("language-ask"))
    assert said[3].startswith(plain(t("start-welcome", name="Kru Malee")))
