"""Invites, and the users they create."""

import asyncio
from datetime import timedelta

import pytest

from bot.domain.models import Invite, OrganisationKind, Role, User
from bot.errors import (
    AccountDeactivated,
    AlreadyRegistered,
    AppError,
    InviteExpired,
    InviteNotFound,
    InviteRevoked,
    InviteUsed,
    PermissionDenied,
    StaleAction,
    UnknownOrganisation,
)
from bot.i18n import translator
from bot.runtime import Runtime
from bot.services import onboarding, users
from bot.services.onboarding import IssuedInvite, Joined
from tests.conftest import START, FakeClock, add_user

WEEK = timedelta(days=7)


async def _issue(runtime: Runtime, actor: User | None, role: Role = Role.TEACHER,
                 organisation_id: str = "school_wat_phraek_sa") -> IssuedInvite:
    return await onboarding.create_invite(
        runtime.db, actor, role=role, organisation_id=organisation_id, valid_for=WEEK,
        now=runtime.now(),
    )


async def _invite(runtime: Runtime, actor: User | None, role: Role = Role.TEACHER,
                  organisation_id: str = "school_wat_phraek_sa") -> Invite:
    return (await _issue(runtime, actor, role, organisation_id)).invite


async def _redeem(runtime: Runtime, code: str, channel_user_id: str = "2001",
                  name: str = "Kru Malee", language: str | None = None) -> Joined:
    return await onboarding.redeem_invite(
        runtime.db, code=code, channel="telegram", channel_user_id=channel_user_id,
        display_name=name, language=language, now=runtime.now(),
    )


async def _count(runtime: Runtime, table: str) -> int:
    rows = await runtime.db.read.conn.execute_fetchall(f"SELECT count(*) FROM {table}")
    return rows[0][0]


async def _deactivate(runtime: Runtime, user: User) -> None:
    async with runtime.db.unit_of_work() as uow:
        await uow.users.set_active(user.id, False)
        await uow.commit()


# --- creating invites -----------------------------------------------------------------------


async def test_a_coordinator_creates_a_single_use_invite(
    runtime: Runtime, coordinator: User
) -> None:
    issued = await _issue(runtime, coordinator)

    invite = issued.invite
    assert issued.organisation.id == "school_wat_phraek_sa"
    assert issued.organisation.short_th == "รร.วัดแพรกษา"
    assert len(invite.code) == 16
    assert invite.code.replace("-", "").replace("_", "").isalnum()
    assert invite.role is Role.TEACHER
    assert invite.organisation_id == "school_wat_phraek_sa"
    assert invite.created_by == coordinator.id
    assert invite.created_at == START
    assert invite.expires_at == START + WEEK
    assert await runtime.db.read.invites.get(invite.code) == invite
    entries = await runtime.db.read.audit.for_entity("invite", invite.code[:6])
    assert [(e.action, e.actor_id) for e in entries] == [("invite.create", coordinator.id)]
    assert entries[0].after == {"role": "teacher", "organisation_id": "school_wat_phraek_sa",
                                "expires_at": str(START + WEEK)}


async def test_every_invite_gets_its_own_code(runtime: Runtime, coordinator: User) -> None:
    codes = {(await _invite(runtime, coordinator)).code for _ in range(5)}

    assert len(codes) == 5
    assert await _count(runtime, "invites") == 5 + 1  # and the coordinator's own


async def test_an_invite_link_carries_the_code_as_start_parameter() -> None:
    assert (onboarding.invite_link("panong_bot", "abc_DEF-123")
            == "https://t.me/panong_bot?start=abc_DEF-123")


async def test_a_teacher_cannot_create_invites(runtime: Runtime, teacher: User) -> None:
    invites_before = await _count(runtime, "invites")

    with pytest.raises(PermissionDenied):
        await _invite(runtime, teacher)

    assert await _count(runtime, "invites") == invites_before


async def test_a_deactivated_coordinator_cannot_create_invites(
    runtime: Runtime, coordinator: User
) -> None:
    await _deactivate(runtime, coordinator)
    invites_before = await _count(runtime, "invites")

    # The coordinator object the caller holds still says active: the service re-reads it.
    with pytest.raises(AccountDeactivated):
        await _invite(runtime, coordinator)

    assert await _count(runtime, "invites") == invites_before


WRONG_KIND = [
    (Role.TEACHER, "peo_samutprakan"),
    (Role.COORDINATOR, "school_wat_phraek_sa"),
    (Role.COORDINATOR, "spp1_samutprakan"),
    (Role.FOCAL_POINT, "school_wat_phraek_sa"),
    (Role.FOCAL_POINT, "peo_samutprakan"),
    (Role.TEACHER, "no_such_unit"),
]


async def test_an_organisation_of_the_wrong_kind_for_the_role_is_refused(
    runtime: Runtime, coordinator: User
) -> None:
    invites_before = await _count(runtime, "invites")

    for role, organisation_id in WRONG_KIND:
        with pytest.raises(UnknownOrganisation):
            await _invite(runtime, coordinator, role, organisation_id)

    assert await _count(runtime, "invites") == invites_before
    assert await _count(runtime, "audit_log WHERE action = 'invite.create'") == invites_before


async def test_an_organisation_of_a_kind_the_role_allows_is_accepted(
    runtime: Runtime, coordinator: User
) -> None:
    for role, organisation_id in [(Role.TEACHER, "dole_d1103"),
                                  (Role.TEACHER, "spp1_samutprakan"),
                                  (Role.TEACHER, "school_satri_samutprakan"),
                                  (Role.FOCAL_POINT, "dole_d1103"),
                                  (Role.FOCAL_POINT, "spp2_samutprakan"),
                                  (Role.COORDINATOR, "peo_samutprakan")]:
        invite = await _invite(runtime, coordinator, role, organisation_id)
        stored = await runtime.db.read.invites.get(invite.code)
        assert stored == invite
        assert (stored.role, stored.organisation_id) == (role, organisation_id)


async def test_the_command_line_creates_invites_without_an_actor(runtime: Runtime) -> None:
    invite = await _invite(runtime, None, Role.COORDINATOR, "peo_samutprakan")

    assert invite.created_by is None
    entries = await runtime.db.read.audit.for_entity("invite", invite.code[:6])
    assert [(e.action, e.actor_id) for e in entries] == [("invite.create", None)]


# --- redeeming invites ----------------------------------------------------------------------


async def test_redeeming_creates_the_user_with_the_invites_role_and_organisation(
    runtime: Runtime, coordinator: User, clock: FakeClock
) -> None:
    invite = await _invite(runtime, coordinator, Role.TEACHER, "dole_d1103")
    clock.advance(hours=2)

    joined = await _redeem(runtime, invite.code, "2001", "Kru Malee", language="en")

    user = joined.user
    assert joined.organisation.id == "dole_d1103"
    assert (user.role, user.organisation_id) == (Role.TEACHER, "dole_d1103")
    assert (user.channel, user.channel_user_id) == ("telegram", "2001")
    assert user.display_name == "Kru Malee"
    assert user.language == "en"
    assert user.active
    assert await runtime.db.read.users.by_channel_id("telegram", "2001") == user
    used = await runtime.db.read.invites.get(invite.code)
    assert used is not None
    assert (used.used_by, used.used_at) == (user.id, START + timedelta(hours=2))
    invited_by = await runtime.db.read.conn.execute_fetchall(
        "SELECT invited_by FROM users WHERE id = ?", (user.id,)
    )
    assert invited_by[0][0] == coordinator.id
    entries = await runtime.db.read.audit.for_entity("user", user.id)
    assert [(e.action, e.actor_id) for e in entries] == [("user.join", user.id)]
    assert entries[0].after == {"role": "teacher", "organisation_id": "dole_d1103",
                                "invite": invite.code[:6]}


async def test_redeeming_tells_the_inviter_who_joined(
    runtime: Runtime, coordinator: User
) -> None:
    invite = await _invite(runtime, coordinator)

    notices = (await _redeem(runtime, invite.code, name="Kru Malee")).notices

    assert len(notices) == 1
    notice = notices[0]
    assert (notice.channel, notice.channel_user_id) == ("telegram", coordinator.channel_user_id)
    assert notice.language == coordinator.language
    assert notice.key == "invite-redeemed-notice"
    assert notice.params == {"name": "Kru Malee"}
    assert notice.names == {"organisation": {"th": "รร.วัดแพรกษา",
                                             "en": "Wat Phraek Sa School"}}
    assert notice.labels == {"role": "role-teacher"}
    # Every key the notice names is in both catalogs.
    for lang in ("th", "en"):
        t = translator(lang)
        text = t(notice.key, **notice.params, role=t(notice.labels["role"]),
                 organisation=notice.names["organisation"][lang])
        assert "Kru Malee" in text
        assert notice.names["organisation"][lang] in text


async def test_a_very_long_display_name_is_cut_to_100_characters(
    runtime: Runtime, coordinator: User
) -> None:
    invite = await _invite(runtime, coordinator)

    user = (await _redeem(runtime, invite.code, name="ก" * 150)).user

    assert user.display_name == "ก" * 100


async def test_a_used_invite_cannot_be_redeemed_twice(
    runtime: Runtime, coordinator: User
) -> None:
    invite = await _invite(runtime, coordinator)
    first = (await _redeem(runtime, invite.code, "2001")).user

    with pytest.raises(InviteUsed):
        await _redeem(runtime, invite.code, "2002")

    assert await runtime.db.read.users.by_channel_id("telegram", "2002") is None
    used = await runtime.db.read.invites.get(invite.code)
    assert used is not None and used.used_by == first.id


async def test_two_people_redeeming_one_invite_at_once_get_one_account(
    runtime: Runtime, coordinator: User
) -> None:
    invite = await _invite(runtime, coordinator)

    results = await asyncio.gather(_redeem(runtime, invite.code, "2001"),
                                   _redeem(runtime, invite.code, "2002"),
                                   return_exceptions=True)

    joined = [r for r in results if isinstance(r, Joined)]
    refused = [r for r in results if isinstance(r, InviteUsed)]
    assert (len(joined), len(refused)) == (1, 1)
    used = await runtime.db.read.invites.get(invite.code)
    assert used is not None and used.used_by == joined[0].user.id
    assert await _count(runtime, "users WHERE role = 'teacher'") == 1


async def test_an_expired_invite_is_refused(
    runtime: Runtime, coordinator: User, clock: FakeClock
) -> None:
    invite = await _invite(runtime, coordinator)
    clock.advance(days=8)

    with pytest.raises(InviteExpired):
        await _redeem(runtime, invite.code)

    assert await runtime.db.read.users.by_channel_id("telegram", "2001") is None
    unused = await runtime.db.read.invites.get(invite.code)
    assert unused is not None and unused.used_by is None


async def test_an_invite_still_works_a_minute_before_it_expires(
    runtime: Runtime, coordinator: User, clock: FakeClock
) -> None:
    invite = await _invite(runtime, coordinator)
    clock.advance(days=7, minutes=-1)

    user = (await _redeem(runtime, invite.code)).user

    assert user.role is Role.TEACHER


async def test_an_unknown_invite_code_is_refused(runtime: Runtime, coordinator: User) -> None:
    users_before = await _count(runtime, "users")

    with pytest.raises(InviteNotFound):
        await _redeem(runtime, "no-such-code-000")

    assert await _count(runtime, "users") == users_before


async def test_someone_already_registered_cannot_redeem_another_invite(
    runtime: Runtime, coordinator: User, teacher: User
) -> None:
    invite = await _invite(runtime, coordinator, Role.COORDINATOR, "peo_samutprakan")

    with pytest.raises(AlreadyRegistered):
        await _redeem(runtime, invite.code, teacher.channel_user_id)

    unchanged = await runtime.db.read.users.get(teacher.id)
    assert unchanged is not None and unchanged.role is Role.TEACHER
    unused = await runtime.db.read.invites.get(invite.code)
    assert unused is not None and unused.used_by is None


async def test_an_invite_whose_maker_is_no_longer_active_is_refused_at_redemption(
    runtime: Runtime, coordinator: User
) -> None:
    invite = await _invite(runtime, coordinator)
    await _deactivate(runtime, coordinator)  # directly: the check does not rely on revocation

    with pytest.raises(InviteRevoked):
        await _redeem(runtime, invite.code)

    assert await runtime.db.read.users.by_channel_id("telegram", "2001") is None
    unused = await runtime.db.read.invites.get(invite.code)
    assert unused is not None and unused.used_by is None


async def test_deactivating_a_coordinator_withdraws_their_pending_invites_for_good(
    runtime: Runtime, coordinator: User
) -> None:
    other = await add_user(runtime, Role.COORDINATOR, "peo_samutprakan", "9002", "Khun Nok",
                           inviter=coordinator)
    theirs = [await _invite(runtime, other), await _invite(runtime, other, Role.FOCAL_POINT,
                                                           "dole_d1103")]
    used = await _invite(runtime, other)
    await _redeem(runtime, used.code, "2002")
    mine = await _invite(runtime, coordinator)

    await users.set_user_active(runtime.db, coordinator, other.id, False, runtime.now())
    await users.set_user_active(runtime.db, coordinator, other.id, True, runtime.now())

    for invite in theirs:
        with pytest.raises(InviteRevoked):
            await _redeem(runtime, invite.code)
        stored = await runtime.db.read.invites.get(invite.code)
        assert stored is not None and stored.revoked_by == coordinator.id
        audit = await runtime.db.read.audit.for_entity("invite", invite.code[:6])
        assert [(entry.action, entry.actor_id) for entry in audit][-1] == (
            "invite.revoke", coordinator.id)
    assert (await runtime.db.read.invites.get(used.code)).revoked_at is None  # type: ignore
    assert (await _redeem(runtime, mine.code)).notices  # its maker is still active


async def test_coordinators_list_every_pending_invite_a_page_at_a_time(
    runtime: Runtime, clock: FakeClock, coordinator: User, teacher: User
) -> None:
    expired = await _invite(runtime, coordinator)
    clock.advance(days=1)
    pending = [await _invite(runtime, None, Role.COORDINATOR, "peo_samutprakan")]
    for _ in range(onboarding.INVITES_PAGE_SIZE):
        clock.advance(minutes=1)  # each expires a minute after the one before
        pending.append(await _invite(runtime, coordinator))
    used, withdrawn = await _invite(runtime, coordinator), await _invite(runtime, coordinator)
    await _redeem(runtime, used.code)
    await onboarding.revoke_invite(runtime.db, coordinator,
                                   withdrawn.code[:onboarding.INVITE_KEY_LENGTH], runtime.now())
    clock.advance(days=6)  # the first invite has expired, the others not

    first = await onboarding.list_invites(runtime.db, coordinator, 0, runtime.now())
    second = await onboarding.list_invites(runtime.db, coordinator, 1, runtime.now())

    assert (first.page, first.pages, second.page) == (0, 2, 1)
    listed = [item.invite.code for item in first.invites + second.invites]
    assert listed == [invite.code for invite in pending]
    assert first.invites[0].creator is None and first.invites[1].creator == coordinator
    assert first.invites[1].organisation is not None
    assert first.invites[1].organisation.id == "school_wat_phraek_sa"
    assert expired.code not in listed
    with pytest.raises(PermissionDenied):
        await onboarding.list_invites(runtime.db, teacher, 0, runtime.now())


async def test_a_coordinator_withdraws_an_invite_once_and_it_is_audited(
    runtime: Runtime, coordinator: User, teacher: User
) -> None:
    invite = await _invite(runtime, coordinator)
    key = invite.code[:onboarding.INVITE_KEY_LENGTH]
    with pytest.raises(PermissionDenied):
        await onboarding.revoke_invite(runtime.db, teacher, key, runtime.now())
    for wrong in ("nosuchky", invite.code[:4], key.swapcase()):
        with pytest.raises(StaleAction):
            await onboarding.revoke_invite(runtime.db, coordinator, wrong, runtime.now())

    withdrawn = await onboarding.revoke_invite(runtime.db, coordinator, key, runtime.now())

    assert withdrawn.invite.code == invite.code
    with pytest.raises(StaleAction):
        await onboarding.revoke_invite(runtime.db, coordinator, key, runtime.now())
    with pytest.raises(InviteRevoked):
        await _redeem(runtime, invite.code)
    audit = await runtime.db.read.audit.for_entity("invite", invite.code[:6])
    assert [entry.action for entry in audit] == ["invite.create", "invite.revoke"]
    assert audit[-1].actor_id == coordinator.id


async def test_an_invite_from_the_command_line_notifies_nobody(runtime: Runtime) -> None:
    invite = await _invite(runtime, None, Role.COORDINATOR, "peo_samutprakan")

    joined = await _redeem(runtime, invite.code)
    user, notices = joined.user, joined.notices

    assert notices == []
    assert user.role is Role.COORDINATOR
    assert user.organisation_id == "peo_samutprakan"


async def test_an_invite_to_a_unit_dropped_from_the_directory_is_refused_cleanly(
    runtime: Runtime, coordinator: User
) -> None:
    invite = await _invite(runtime, coordinator, Role.TEACHER, "school_wat_khlong_mon")
    current = await runtime.db.read.organisations.active()
    async with runtime.db.unit_of_work() as uow:
        await uow.organisations.replace_all(
            [org for org in current if org.id != "school_wat_khlong_mon"]
        )
        await uow.commit()

    with pytest.raises(AppError):
        await _redeem(runtime, invite.code)

    assert await runtime.db.read.users.by_channel_id("telegram", "2001") is None


async def test_only_coordinators_see_which_roles_and_organisations_they_may_invite_to(
    runtime: Runtime, coordinator: User, teacher: User
) -> None:
    assert onboarding.invitable_roles(coordinator) == list(Role)
    schools_first = await onboarding.organisations_for_role(runtime.db, coordinator,
                                                            Role.TEACHER)
    assert schools_first[0].kind is OrganisationKind.SCHOOL
    with pytest.raises(PermissionDenied):
        onboarding.invitable_roles(teacher)
    with pytest.raises(PermissionDenied):
        await onboarding.organisations_for_role(runtime.db, teacher, Role.TEACHER)
