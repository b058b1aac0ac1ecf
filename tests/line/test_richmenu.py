"""LINE's rich menus: one per role and language, made once and kept while unchanged, linked
to each person by their role and language; a button is its command, with the command's
own checks. The menus are made with the real SDK client against the LINE stand-in, which
checks each call against LINE's OpenAPI."""

import io
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from linebot.v3.messaging import AsyncMessagingApi, AsyncMessagingApiBlob
from PIL import Image

from bot.domain.models import Role, User
from bot.flows.callback_data import LanguageButton, MenuButton
from bot.i18n import translator
from bot.presenters import plain
from bot.runtime import Runtime
from bot.services import onboarding
from line import richmenu
from line.render import DATA_LIMIT, LABEL_LIMIT
from line.webhook import messaging_api
from sandbox.line_server import API_DATA_PREFIX, API_PREFIX, build_line_app
from sandbox.lineapi import LineApi
from tests.support import line_openapi
from tests.support.line import (
    PERSON,
    SECRET,
    RecordingMessaging,
    invite_code,
    post,
    postback,
    text,
)


class Line:
    """The stand-in over HTTP, and the SDK's clients of its two hosts."""

    def __init__(self, api: LineApi, messaging: AsyncMessagingApi,
                 blob: AsyncMessagingApiBlob) -> None:
        self.api, self.messaging, self.blob = api, messaging, blob

    def created(self) -> int:
        return sum(1 for call in self.api.calls
                   if (call.method, call.path) == ("POST", "/v2/bot/richmenu"))


@pytest.fixture
async def line_api(runtime: Runtime) -> AsyncIterator[Line]:
    api = LineApi("line-test-token", SECRET)
    async with TestClient(TestServer(build_line_app(api))) as server:
        base = str(server.make_url("")).rstrip("/")
        async with messaging_api(runtime, f"{base}{API_PREFIX}") as client, \
                messaging_api(runtime, f"{base}{API_DATA_PREFIX}") as data:
            yield Line(api, AsyncMessagingApi(client), AsyncMessagingApiBlob(data))
    assert line_openapi.call_errors(api) == []


async def _line_person(runtime: Runtime, api: LineApi, role: Role, language: str) -> str:
    user_id = api.add_person("Kru Malee", language)
    issued = await onboarding.create_invite(
        runtime.db, None, role=role, organisation_id="school_wat_phraek_sa",
        valid_for=timedelta(days=1), now=runtime.now())
    await onboarding.redeem_invite(runtime.db, code=issued.invite.code, channel="line",
                                   channel_user_id=user_id, display_name="Kru Malee",
                                   language=language, now=runtime.now())
    return user_id


async def _menu_ids(runtime: Runtime) -> dict[tuple[Role, str], str]:
    found = {}
    for role in richmenu.COMMANDS:
        for language in ("th", "en"):
            stored = await runtime.db.read.bot_state.get(
                richmenu.STATE_KEY.format(role=role.value, language=language))
            assert stored is not None
            found[role, language] = stored.partition(" ")[2]
    return found


async def test_each_role_gets_a_menu_in_each_language_within_lines_limits(
    runtime: Runtime, line_api: Line
) -> None:
    await richmenu.set_up(runtime, line_api.messaging, line_api.blob)

    ids = await _menu_ids(runtime)
    assert len(set(ids.values())) == 6
    teacher_th = line_api.api.rich_menu(ids[Role.TEACHER, "th"])
    t = translator("th")
    assert [area["action"]["displayText"] for area in teacher_th["areas"]] == [
        t(f"menu-{command[1:]}") for command in richmenu.COMMANDS[Role.TEACHER]]
    assert teacher_th["chatBarText"] == t("menu-chat-bar")
    for menu_id in ids.values():
        body = line_api.api.rich_menu(menu_id)
        for area in body["areas"]:
            action = area["action"]
            assert MenuButton.unpack(action["data"]) is not None
            assert len(action["data"]) <= DATA_LIMIT and len(action["label"]) <= LABEL_LIMIT
        stored = line_api.api._rich_menus[menu_id]
        assert stored.image_type == "image/png" and stored.image is not None
        assert len(stored.image) <= richmenu.IMAGE_LIMIT
        assert Image.open(io.BytesIO(stored.image)).size == (2500, 843)
    coordinator_en = line_api.api.rich_menu(ids[Role.COORDINATOR, "en"])
    assert [MenuButton.unpack(area["action"]["data"]).command  # type: ignore[union-attr]
            for area in coordinator_en["areas"]] == list(richmenu.COMMANDS[Role.COORDINATOR])


async def test_a_restart_with_the_same_menus_makes_and_uploads_nothing(
    runtime: Runtime, line_api: Line
) -> None:
    await richmenu.set_up(runtime, line_api.messaging, line_api.blob)
    before = await _menu_ids(runtime)
    await richmenu.set_up(runtime, line_api.messaging, line_api.blob)

    assert await _menu_ids(runtime) == before
    assert line_api.created() == 6
    assert sum(1 for call in line_api.api.calls if call.path.endswith("/content")) == 6


async def test_a_changed_menu_replaces_the_old_one_and_its_people_move_to_it(
    runtime: Runtime, line_api: Line
) -> None:
    teacher = await _line_person(runtime, line_api.api, Role.TEACHER, "th")
    english = await _line_person(runtime, line_api.api, Role.TEACHER, "en")
    await richmenu.set_up(runtime, line_api.messaging, line_api.blob)
    old = await _menu_ids(runtime)
    assert line_api.api.people[teacher].rich_menu == old[Role.TEACHER, "th"]
    assert line_api.api.people[english].rich_menu == old[Role.TEACHER, "en"]
    key = richmenu.STATE_KEY.format(role="teacher", language="th")
    async with runtime.db.unit_of_work() as uow:  # as if this version drew it differently
        await uow.bot_state.put(key, f"an-older-design {old[Role.TEACHER, 'th']}")
        await uow.commit()

    await richmenu.set_up(runtime, line_api.messaging, line_api.blob)

    new = await _menu_ids(runtime)
    assert line_api.created() == 7
    assert new[Role.TEACHER, "th"] != old[Role.TEACHER, "th"]
    assert {k: v for k, v in new.items() if k != (Role.TEACHER, "th")} == \
        {k: v for k, v in old.items() if k != (Role.TEACHER, "th")}
    assert old[Role.TEACHER, "th"] not in line_api.api._rich_menus  # deleted
    assert line_api.api.people[teacher].rich_menu == new[Role.TEACHER, "th"]
    assert line_api.api.people[english].rich_menu == old[Role.TEACHER, "en"]


async def test_lines_refusal_leaves_the_bot_without_menus_not_without_line(
    runtime: Runtime, line_api: Line, caplog: pytest.LogCaptureFixture
) -> None:
    line_api.api.access_token = "another-token"  # LINE refuses every call
    await richmenu.set_up(runtime, line_api.messaging, line_api.blob)

    assert "rich menus could not be set up: 401" in caplog.text
    assert await runtime.db.read.bot_state.get(
        richmenu.STATE_KEY.format(role="teacher", language="th")) is None


async def _menus_known(runtime: Runtime) -> None:
    async with runtime.db.unit_of_work() as uow:
        for role in richmenu.COMMANDS:
            for language in ("th", "en"):
                await uow.bot_state.put(
                    richmenu.STATE_KEY.format(role=role.value, language=language),
                    f"digest menu-{role.value}-{language}")
        await uow.commit()


async def test_a_person_gets_their_roles_menu_on_joining_and_another_on_changing_language(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User
) -> None:
    await _menus_known(runtime)
    await post(webhook, text(f"/start {await invite_code(runtime, coordinator)}"))
    assert messaging.menus_linked == [(PERSON, "menu-teacher-th")]

    await post(webhook, postback(LanguageButton(language="en").pack()))
    assert messaging.menus_linked[-1] == (PERSON, "menu-teacher-en")
    assert not messaging.pushes  # linking a menu is not a message


async def test_a_menu_button_is_its_command_with_the_commands_own_checks(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User
) -> None:
    await post(webhook, text(f"/start {await invite_code(runtime, coordinator)}"))
    t = translator("th")
    invites = await _invites(runtime)

    await post(webhook, postback(MenuButton(command="/invite").pack()))  # forged: a teacher
    await post(webhook, postback(MenuButton(command="/queue").pack()))  # a coordinator's
    await post(webhook, postback(MenuButton(command="/help").pack()))
    await post(webhook, text("/help"))
    await post(webhook, postback("mn:/start some-code"))  # no button the bot made

    replied = messaging.replied()[-5:]
    assert replied[0] == plain(t("error-permission"))
    assert replied[1] == plain(t("error-permission"))
    assert replied[2] == replied[3]  # the button and the typed command answer alike
    assert replied[4] == plain(t("error-stale"))
    assert await _invites(runtime) == invites


async def _invites(runtime: Runtime) -> int:
    rows = await runtime.db.read.conn.execute_fetchall("SELECT count(*) FROM invites")
    return int(rows[0][0])
