"""What users change about themselves, and what coordinators change about users."""

from datetime import timedelta

import pytest

from bot.domain.models import Role, User
from bot.errors import AccountDeactivated, PermissionDenied, StaleAction
from bot.runtime import Runtime
from bot.services import users
from bot.services.users import USERS_PAGE_SIZE
from tests.conftest import FakeClock, add_user


async def _stored(runtime: Runtime, user: User) -> User:
    found = await runtime.db.read.users.get(user.id)
    assert found is not None
    return found


async def _actions(runtime: Runtime, user: User) -> list[str]:
    return [entry.action for entry in await runtime.db.read.audit.for_entity("user", user.id)]


# --- language -------------------------------------------------------------------------------


async def test_set_language_saves_the_choice_and_audits_it(
    runtime: Runtime, teacher: User, clock: FakeClock
) -> None:
    clock.advance(minutes=5)

    changed = await users.set_language(runtime.db, teacher, "en", runtime.now())

    assert changed.language == "en"
    assert (await _stored(runtime, teacher)).language == "en"
    entries = await runtime.db.read.audit.for_entity("user", teacher.id)
    assert [(e.action, e.actor_id, e.before, e.after) for e in entries][-1] == (
        "user.language", teacher.id, {"language": None}, {"language": "en"}
    )
    assert entries[-1].at == runtime.now()

    await users.set_language(runtime.db, changed, "th", runtime.now())
    assert (await _stored(runtime, teacher)).language == "th"
    assert (await runtime.db.read.audit.for_entity("user", teacher.id))[-1].before == {
        "language": "en"
    }


async def test_set_language_refuses_an_unsupported_language(
    runtime: Runtime, teacher: User
) -> None:
    actions_before = await _actions(runtime, teacher)

    for language in ("fr", "", "EN", "th-TH"):
        with pytest.raises(StaleAction):
            await users.set_language(runtime.db, teacher, language, runtime.now())

    assert (await _stored(runtime, teacher)).language is None
    assert await _actions(runtime, teacher) == actions_before


async def test_a_deactivated_user_cannot_change_language(
    runtime: Runtime, coordinator: User, teacher: User
) -> None:
    await users.set_user_active(runtime.db, coordinator, teacher.id, False, runtime.now())

    with pytest.raises(AccountDeactivated):
        await users.set_language(runtime.db, teacher, "en", runtime.now())

    assert (await _stored(runtime, teacher)).language is None


# --- the user list --------------------------------------------------------------------------


async def test_a_coordinator_lists_the_users(
    runtime: Runtime, coordinator: User, teacher: User, other_teacher: User
) -> None:
    page = await users.list_users(runtime.db, coordinator, 0)

    assert [user.id for user in page.users] == [other_teacher.id, teacher.id, coordinator.id]
    assert (page.page, page.pages) == (0, 1)
    assert {user.organisation_id for user in page.users} <= set(page.organisations)
    assert page.organisations["dole_d1103"].short_en == "DOLE Bang Phli"


async def test_the_user_list_is_paged(runtime: Runtime, coordinator: User) -> None:
    for number in range(USERS_PAGE_SIZE):
        await add_user(runtime, Role.TEACHER, "school_wat_phraek_sa", f"10{number:02d}",
                       f"Kru {number}", inviter=coordinator)

    first = await users.list_users(runtime.db, coordinator, 0)
    second = await users.list_users(runtime.db, coordinator, 1)

    assert len(first.users) == USERS_PAGE_SIZE
    assert [user.id for user in second.users] == [coordinator.id]
    assert (first.pages, second.pages, second.page) == (2, 2, 1)


async def test_a_page_past_the_end_shows_the_last_page(
    runtime: Runtime, coordinator: User, teacher: User
) -> None:
    page = await users.list_users(runtime.db, coordinator, 3)

    assert page.page == 0
    assert [user.id for user in page.users] == [teacher.id, coordinator.id]


async def test_only_coordinators_list_users(
    runtime: Runtime, coordinator: User, teacher: User
) -> None:
    focal_point = await add_user(runtime, Role.FOCAL_POINT, "dole_d1103", "3001",
                                 inviter=coordinator)

    for actor in (teacher, focal_point):
        with pytest.raises(PermissionDenied):
            await users.list_users(runtime.db, actor, 0)


# --- deactivating and restoring -------------------------------------------------------------


async def test_a_coordinator_deactivates_and_restores_a_user(
    runtime: Runtime, coordinator: User, teacher: User, clock: FakeClock
) -> None:
    off = await users.set_user_active(runtime.db, coordinator, teacher.id, False, runtime.now())

    assert not off.active
    assert not (await _stored(runtime, teacher)).active
    clock.advance(days=1)

    on = await users.set_user_active(runtime.db, coordinator, teacher.id, True, runtime.now())

    assert on.active
    assert (await _stored(runtime, teacher)).active
    entries = await runtime.db.read.audit.for_entity("user", teacher.id)
    assert [(e.action, e.actor_id, e.before, e.after) for e in entries[-2:]] == [
        ("user.deactivate", coordinator.id, {"active": True}, {"active": False}),
        ("user.activate", coordinator.id, {"active": False}, {"active": True}),
    ]
    assert entries[-1].at - entries[-2].at == timedelta(days=1)


async def test_setting_the_state_a_user_already_has_changes_nothing(
    runtime: Runtime, coordinator: User, teacher: User
) -> None:
    actions_before = await _actions(runtime, teacher)

    same = await users.set_user_active(runtime.db, coordinator, teacher.id, True, runtime.now())

    assert same.active
    assert await _actions(runtime, teacher) == actions_before


async def test_an_unknown_user_is_a_stale_action(runtime: Runtime, coordinator: User) -> None:
    with pytest.raises(StaleAction):
        await users.set_user_active(runtime.db, coordinator, 4242, False, runtime.now())


async def test_a_teacher_cannot_deactivate_anyone(
    runtime: Runtime, teacher: User, other_teacher: User
) -> None:
    with pytest.raises(PermissionDenied):
        await users.set_user_active(runtime.db, teacher, other_teacher.id, False, runtime.now())

    assert (await _stored(runtime, other_teacher)).active


async def test_a_deactivated_coordinator_can_change_nobody(
    runtime: Runtime, coordinator: User, teacher: User
) -> None:
    second = await add_user(runtime, Role.COORDINATOR, "peo_samutprakan", "9002", "Khun Ying")
    await users.set_user_active(runtime.db, second, coordinator.id, False, runtime.now())

    # `coordinator` is the caller's stale copy that still says active.
    with pytest.raises(AccountDeactivated):
        await users.set_user_active(runtime.db, coordinator, teacher.id, False, runtime.now())

    assert (await _stored(runtime, teacher)).active


async def test_a_coordinator_cannot_deactivate_themself(
    runtime: Runtime, coordinator: User
) -> None:
    await add_user(runtime, Role.COORDINATOR, "peo_samutprakan", "9002", "Khun Ying")

    with pytest.raises(PermissionDenied):
        await users.set_user_active(runtime.db, coordinator, coordinator.id, False,
                                    runtime.now())

    assert (await _stored(runtime, coordinator)).active
    assert "user.deactivate" not in await _actions(runtime, coordinator)


async def test_the_last_active_coordinator_stays_active(
    runtime: Runtime, coordinator: User
) -> None:
    # The only one who could deactivate the last coordinator is that coordinator.
    with pytest.raises(PermissionDenied):
        await users.set_user_active(runtime.db, coordinator, coordinator.id, False,
                                    runtime.now())

    assert (await _stored(runtime, coordinator)).active


async def test_a_coordinator_deactivates_another_coordinator_when_a_second_exists(
    runtime: Runtime, coordinator: User
) -> None:
    second = await add_user(runtime, Role.COORDINATOR, "peo_samutprakan", "9002", "Khun Ying")

    off = await users.set_user_active(runtime.db, coordinator, second.id, False, runtime.now())

    assert not off.active
    assert not (await _stored(runtime, second)).active
    assert "user.deactivate" in await _actions(runtime, second)
    # The one left can neither be deactivated by the one gone nor by themself.
    with pytest.raises(AccountDeactivated):
        await users.set_user_active(runtime.db, second, coordinator.id, False, runtime.now())
    with pytest.raises(PermissionDenied):
        await users.set_user_active(runtime.db, coordinator, coordinator.id, False,
                                    runtime.now())
    assert (await _stored(runtime, coordinator)).active
