"""Erasing a child's personal data on request: identifying data goes, the counts stay."""

from datetime import timedelta

import pytest

from bot.domain.models import Role, User
from bot.errors import PermissionDenied, StaleAction
from bot.runtime import Runtime
from bot.services import erasure, referrals, summaries
from bot.services.summaries import Period, Scope, ScopeKind
from tests.conftest import add_user
from tests.support.cases import by_need, register_and_send


async def _summary(runtime: Runtime, coordinator: User) -> summaries.Summary:
    return await summaries.summarise(runtime.db, coordinator, Scope(ScopeKind.PROVINCE),
                                     Period.ALL_TIME, now=runtime.now(),
                                     tz=runtime.settings.tz, overdue_after=timedelta(days=7))


async def test_erasing_removes_what_identifies_the_child_and_keeps_the_figures(
    runtime: Runtime, teacher: User, coordinator: User
) -> None:
    focal = await add_user(runtime, Role.FOCAL_POINT, "spp1_samutprakan", "2001",
                           inviter=coordinator)
    changes = await register_and_send(runtime, teacher, given_name="สมชาย")
    education = by_need(changes, "EDUCATION").view.referral
    case = await runtime.db.read.cases.get(education.case_id)
    assert case is not None
    async with runtime.db.unit_of_work() as uow:  # as a teacher would have typed them
        await uow.conn.execute(
            "UPDATE children SET identity_number = '1234545678781', guardian_name = 'แม่',"
            " guardian_phone = '0812345678' WHERE id = ?", (case.child_id,))
        await uow.commit()
    await referrals.ask_information(runtime.db, focal, education.id,
                                    "Call the mother on 081-234-5678?", now=runtime.now())
    before = await _summary(runtime, coordinator)

    case_id, code = await erasure.erasable(runtime.db, coordinator, case.code.lower())
    erased = await erasure.erase_case(runtime.db, coordinator, case_id, now=runtime.now())

    child = await runtime.db.read.cases.child(case.child_id)
    assert (child.given_name, child.family_name, child.identity_number, child.guardian_phone,
            child.guardian_name, child.birth_date) == ("—", None, None, None, None, None)
    assert child.birth_year == 2012 and child.sex == "male"  # still counted
    assert erased.notes_erased == 1
    notes = [entry.after.get("note") for entry in
             await runtime.db.read.audit.for_entity("referral", education.id)
             if entry.after and "note" in entry.after]
    assert notes == ["—"]
    dump = str(await runtime.db.read.conn.execute_fetchall("SELECT * FROM audit_log"))
    assert "081-234-5678" not in dump and "1234545678781" not in dump
    after = await _summary(runtime, coordinator)
    assert after.model_dump(exclude={"referrals"}) == before.model_dump(exclude={"referrals"})
    with pytest.raises(StaleAction):  # nothing left to erase
        await erasure.erasable(runtime.db, coordinator, code)


async def test_only_coordinators_erase(runtime: Runtime, teacher: User) -> None:
    changes = await register_and_send(runtime, teacher)
    code = changes[0].view.case_code
    with pytest.raises(PermissionDenied):
        await erasure.erasable(runtime.db, teacher, code)
    with pytest.raises(PermissionDenied):
        await erasure.erase_case(runtime.db, teacher, changes[0].view.referral.case_id,
                                 now=runtime.now())
