"""Coordinators' tools on LINE: invites with both apps' links, /invites, /users,
/reminders with the month's pushes, /erase; every press checked again on the server."""

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.config import Settings
from bot.domain.models import Role, User
from bot.flows.callback_data import (
    EraseButton,
    InviteOrganisationButton,
    UserActiveButton,
)
from bot.runtime import Runtime
from bot.services import onboarding, pushes
from bot.services.erasure import ERASED, ErasureKind
from storage.bot_state import BOT_USERNAME
from tests.conftest import make_settings
from tests.support.cases import register_and_send
from tests.support.line import (
    SECRET,
    RecordingMessaging,
    line_person,
    post,
    postback,
    quick_replies,
    text,
)

TEACHER_ON_LINE = "U" + "7" * 32


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    return make_settings(tmp_path, database_url=database_url, line_channel_secret=SECRET,
                         line_channel_access_token="line-test-token", line_push_budget=10,
                         line_push_warn_at=2, line_basic_id="@panong",
                         line_public_url="https://panong.example.org")


@pytest.fixture
async def line_coordinator(webhook: TestClient[Any, Any], runtime: Runtime,
                           coordinator: User) -> User:
    return await line_person(webhook, runtime, coordinator, Role.COORDINATOR,
                             "peo_samutprakan")


def check_limits(messaging: RecordingMessaging) -> None:
    """What LINE takes: five messages a reply, 13 quick replies, 20-character labels."""
    for request in messaging.replies:
        assert len(request.messages) <= 5
        for message in request.messages:
            items = message.quick_reply.items if message.quick_reply else []
            assert len(items) <= 13
            assert all(len(item.action.label) <= 20 and len(item.action.data) <= 300
                       for item in items)


def choice(messaging: RecordingMessaging, label: str) -> str:
    """The data of the last reply's quick reply whose label starts with `label`."""
    return next(data for shown, data in quick_replies(messaging.replies[-1])
                if shown.startswith(label))


async def test_an_invite_made_on_line_carries_the_telegram_and_the_line_link(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    line_coordinator: User
) -> None:
    async with runtime.db.unit_of_work() as uow:
        await uow.bot_state.put(BOT_USERNAME, "panong_bot")
        await uow.commit()

    await post(webhook, text("/invite"))
    assert [label for label, _ in quick_replies(messaging.replies[-1])] == [
        "Teacher", "Focal point", "Coordinator"]
    await post(webhook, postback(choice(messaging, "Teacher")))
    assert "Which organisation does the new Teacher belong to?" in messaging.replied()[-1]
    await post(webhook, postback(choice(messaging, "Next")))  # the second page
    await post(webhook, postback(quick_replies(messaging.replies[-1])[0][1]))

    invite = messaging.replied()[-1]
    [made] = (await onboarding.list_invites(runtime.db, line_coordinator, 0,
                                            runtime.now())).invites
    assert f"https://t.me/panong_bot?start={made.invite.code}" in invite
    assert onboarding.line_start_link("@panong", made.invite.code) in invite
    check_limits(messaging)


async def test_a_teacher_cannot_invite_even_with_forged_data(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User
) -> None:
    await line_person(webhook, runtime, coordinator, Role.TEACHER, "school_wat_phraek_sa")
    await post(webhook, text("/invite"))
    assert messaging.replied()[-1] == "You are not allowed to do that."
    await post(webhook, postback(InviteOrganisationButton(
        role=Role.COORDINATOR, organisation_id="peo_samutprakan").pack()))
    assert messaging.replied()[-1] == "You are not allowed to do that."
    found = await onboarding.list_invites(runtime.db, coordinator, 0, runtime.now())
    assert found.invites == []  # the teacher's own invite is used; no other was made


async def test_invites_are_withdrawn_after_a_confirmation(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    line_coordinator: User
) -> None:
    await onboarding.create_invite(runtime.db, line_coordinator, role=Role.TEACHER,
                                   organisation_id="school_wat_phraek_sa",
                                   valid_for=runtime.settings.invite_validity,
                                   now=runtime.now())
    await post(webhook, text("/invites"))
    assert "Pending invites" in messaging.replied()[-1]
    await post(webhook, postback(choice(messaging, "Withdraw 1")))
    assert "Withdraw the invite for a Teacher" in messaging.replied()[-1]
    await post(webhook, postback(choice(messaging, "No")))
    assert len((await onboarding.list_invites(runtime.db, line_coordinator, 0,
                                              runtime.now())).invites) == 1
    await post(webhook, postback(choice(messaging, "Withdraw 1")))
    await post(webhook, postback(choice(messaging, "Yes")))

    assert messaging.replied()[-2] == "The invite is withdrawn: its link no longer works."
    assert messaging.replied()[-1] == "No invite is waiting to be used."
    check_limits(messaging)


async def test_a_user_is_deactivated_after_a_confirmation_and_forged_presses_change_nothing(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    line_coordinator: User, coordinator: User, teacher: User
) -> None:
    other = await line_person(webhook, runtime, coordinator, Role.TEACHER,
                              "school_wat_phraek_sa", person=TEACHER_ON_LINE)
    await post(webhook, postback(UserActiveButton(user_id=teacher.id, active=0, confirmed=1,
                                                  page=0).pack(), user=TEACHER_ON_LINE))
    assert (await runtime.db.read.users.get(teacher.id)).active  # a teacher's forged press
    assert other.active

    await post(webhook, text("/users"))
    assert "Kru Somsri" in messaging.replied()[-1]
    await post(webhook, postback(choice(messaging, "Deactivate Kru Som")))
    assert messaging.replied()[-1].startswith("Deactivate Kru Somsri?")
    assert (await runtime.db.read.users.get(teacher.id)).active  # asked, not done
    await post(webhook, postback(choice(messaging, "Yes")))

    assert not (await runtime.db.read.users.get(teacher.id)).active
    assert messaging.replied()[-2] == "Kru Somsri is deactivated."
    labels = [label for label, _ in quick_replies(messaging.replies[-1])]
    assert "Restore Kru Somsri" in labels
    assert not any(UserActiveButton.unpack(data).user_id == line_coordinator.id
                   for _, data in quick_replies(messaging.replies[-1])
                   if UserActiveButton.unpack(data))  # never themselves
    check_limits(messaging)


async def test_reminders_on_line_show_the_months_pushes_against_the_budget(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    line_coordinator: User
) -> None:
    settings = runtime.settings
    await pushes.spent(runtime.db, "line", 3, budget=settings.line_push_budget,
                       warn_at=settings.line_push_warn_at, now=runtime.now(), tz=settings.tz,
                       default_language="en")
    await post(webhook, text("/reminders"))
    answer = messaging.replied()[-1]
    assert answer.startswith("Reminders")
    assert "LINE pushes in 2025-11: 3 of 10 (7 left)." in answer


async def test_a_case_is_erased_only_once_confirmed_and_not_by_a_teacher(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, teacher: User
) -> None:
    await register_and_send(runtime, teacher)
    case = await runtime.db.read.cases.get(1)
    assert case is not None
    await line_person(webhook, runtime, coordinator, Role.TEACHER, "school_wat_phraek_sa",
                      person=TEACHER_ON_LINE)
    forged = EraseButton(kind=ErasureKind.CASE, target_id=case.id, confirmed=1).pack()
    await post(webhook, postback(forged, user=TEACHER_ON_LINE))
    assert messaging.replied()[-1] == "You are not allowed to do that."

    await line_person(webhook, runtime, coordinator, Role.COORDINATOR, "peo_samutprakan")
    await post(webhook, text("/erase"))
    assert messaging.replied()[-1].startswith("Send the case code after the command")
    await post(webhook, text(f"/erase {case.code}"))
    assert messaging.replied()[-1].startswith(f"Erase the personal data of {case.code}?")
    await post(webhook, postback(quick_replies(messaging.replies[-1])[1][1]))  # keep
    assert messaging.replied()[-1] == "Nothing was changed."
    assert (await runtime.db.read.cases.child(case.child_id)).given_name != ERASED

    await post(webhook, text(f"/erase {case.code}"))
    await post(webhook, postback(quick_replies(messaging.replies[-1])[0][1]))
    assert messaging.replied()[-1].startswith(f"Erased: the personal data of {case.code}")
    assert (await runtime.db.read.cases.child(case.child_id)).given_name == ERASED
