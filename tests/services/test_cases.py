"""Looking at cases: a teacher's own list, and a case card only for those allowed to see it."""

import pytest

from bot.domain.models import Case, User
from bot.errors import AccountDeactivated, CaseNotFound, NotRegistered, PermissionDenied
from bot.runtime import Runtime
from bot.services import cases
from bot.services.cases import CASES_PAGE_SIZE, CaseCard, CaseGlimpse
from tests.support.cases import register_case


async def register(runtime: Runtime, teacher: User, given_name: str = "สมชาย") -> Case:
    """A boy of 13 in Mueang Samut Prakan (1101) who wants to go back to school."""
    return await register_case(runtime, teacher, given_name=given_name)


# --- a teacher's list -----------------------------------------------------------------------


async def test_my_cases_pages_the_teachers_cases_newest_first(
    runtime: Runtime, teacher: User, other_teacher: User
) -> None:
    mine = []
    for number in range(CASES_PAGE_SIZE + 2):
        mine.append(await register(runtime, teacher, f"Child {'ABCDEFG'[number]}"))
        if number == 2:
            await register(runtime, other_teacher, "Somebody Else")

    first = await cases.my_cases(runtime.db, teacher, 0)
    second = await cases.my_cases(runtime.db, teacher, 1)

    newest_first = [case.code for case in reversed(mine)]
    assert [c.code for c in first.cases] == newest_first[:CASES_PAGE_SIZE]
    assert [c.code for c in second.cases] == newest_first[CASES_PAGE_SIZE:]
    assert (first.page, first.pages, first.total) == (0, 2, CASES_PAGE_SIZE + 2)
    assert (second.page, second.pages, second.total) == (1, 2, CASES_PAGE_SIZE + 2)
    assert first.cases[0].child_name == "Child G ใจดี"
    assert first.cases[0].district_code == "1101"
    assert "Somebody Else ใจดี" not in {c.child_name for c in first.cases + second.cases}


async def test_my_cases_for_a_teacher_without_cases_is_one_empty_page(
    runtime: Runtime, teacher: User, other_teacher: User
) -> None:
    await register(runtime, other_teacher)

    page = await cases.my_cases(runtime.db, teacher, 0)

    assert (page.cases, page.page, page.pages, page.total) == ([], 0, 1, 0)


async def test_a_negative_page_is_the_first_page(runtime: Runtime, teacher: User) -> None:
    case = await register(runtime, teacher)

    page = await cases.my_cases(runtime.db, teacher, -3)

    assert page.page == 0
    assert [c.code for c in page.cases] == [case.code]


async def test_my_cases_needs_a_registered_active_user(
    runtime: Runtime, coordinator: User, teacher: User
) -> None:
    with pytest.raises(NotRegistered):
        await cases.my_cases(runtime.db, None, 0)
    with pytest.raises(AccountDeactivated):
        await cases.my_cases(runtime.db, teacher.model_copy(update={"active": False}), 0)


# --- a case card ----------------------------------------------------------------------------


async def test_a_teacher_opens_their_own_case(runtime: Runtime, teacher: User) -> None:
    case = await register(runtime, teacher)

    card = await cases.open_case(runtime.db, teacher, case.code)

    assert isinstance(card, CaseCard)
    assert card.case == case
    assert card.child.full_name == "สมชาย ใจดี"
    assert card.teacher_name == "Kru Somsri"
    assert card.organisation.id == "school_wat_phraek_sa"


async def test_a_coordinator_opens_any_case(
    runtime: Runtime, coordinator: User, teacher: User
) -> None:
    case = await register(runtime, teacher)

    card = await cases.open_case(runtime.db, coordinator, case.code)

    assert card.case.id == case.id
    assert card.teacher_name == "Kru Somsri"


async def test_another_teachers_case_looks_exactly_like_a_missing_one(
    runtime: Runtime, teacher: User, other_teacher: User
) -> None:
    case = await register(runtime, teacher)

    with pytest.raises(CaseNotFound) as hidden:
        await cases.open_case(runtime.db, other_teacher, case.code)
    with pytest.raises(CaseNotFound) as missing:
        await cases.open_case(runtime.db, other_teacher, "SPK-2568-00099")

    assert hidden.value.key == missing.value.key == "error-case-not-found"
    assert hidden.value.params == {"code": case.code}
    assert missing.value.params == {"code": "SPK-2568-00099"}


async def test_a_code_is_found_in_lowercase_and_with_spaces_around(
    runtime: Runtime, teacher: User
) -> None:
    case = await register(runtime, teacher)
    assert case.code == "SPK-2568-00001"

    for typed in ("spk-2568-00001", "  SPK-2568-00001\n", " Spk-2568-00001 "):
        card = await cases.open_case(runtime.db, teacher, typed)
        assert card.case.id == case.id, typed


async def test_an_unknown_code_is_reported_in_its_cleaned_form(
    runtime: Runtime, teacher: User
) -> None:
    with pytest.raises(CaseNotFound) as caught:
        await cases.open_case(runtime.db, teacher, " spk-2568-00404 ")

    assert caught.value.params == {"code": "SPK-2568-00404"}


# --- a glimpse of a possible duplicate ------------------------------------------------------


async def test_another_teacher_glimpses_a_case_without_the_childs_data(
    runtime: Runtime, teacher: User, other_teacher: User
) -> None:
    case = await register(runtime, teacher)

    glimpse = await cases.glimpse_case(runtime.db, other_teacher, case.id)

    assert isinstance(glimpse, CaseGlimpse)
    assert glimpse.code == case.code
    assert glimpse.status == "open"
    assert glimpse.organisation.id == "school_wat_phraek_sa"
    assert glimpse.created_at == case.created_at
    assert set(CaseGlimpse.model_fields) == {"code", "status", "organisation", "created_at"}
    assert "สมชาย" not in glimpse.model_dump_json()


async def test_the_owner_and_a_coordinator_glimpse_the_full_card(
    runtime: Runtime, coordinator: User, teacher: User
) -> None:
    case = await register(runtime, teacher)

    for actor in (teacher, coordinator):
        card = await cases.glimpse_case(runtime.db, actor, case.id)
        assert isinstance(card, CaseCard)
        assert card.child.full_name == "สมชาย ใจดี"


async def test_glimpsing_a_case_that_does_not_exist_is_refused(
    runtime: Runtime, teacher: User
) -> None:
    with pytest.raises(PermissionDenied):
        await cases.glimpse_case(runtime.db, teacher, 4242)


# --- units dropped from the directory -------------------------------------------------------


async def _drop_from_directory(runtime: Runtime, organisation_id: str) -> None:
    current = await runtime.db.read.organisations.active()
    async with runtime.db.unit_of_work() as uow:
        await uow.organisations.replace_all([o for o in current if o.id != organisation_id])
        await uow.commit()
    assert organisation_id not in {o.id for o in await runtime.db.read.organisations.active()}


async def test_a_case_of_a_school_dropped_from_the_directory_can_still_be_opened(
    runtime: Runtime, coordinator: User, teacher: User
) -> None:
    case = await register(runtime, teacher)
    await _drop_from_directory(runtime, "school_wat_phraek_sa")

    card = await cases.open_case(runtime.db, coordinator, case.code)

    assert card.organisation.id == "school_wat_phraek_sa"


async def test_a_case_of_a_school_dropped_from_the_directory_can_still_be_glimpsed(
    runtime: Runtime, teacher: User, other_teacher: User
) -> None:
    case = await register(runtime, teacher)
    await _drop_from_directory(runtime, "school_wat_phraek_sa")

    glimpse = await cases.glimpse_case(runtime.db, other_teacher, case.id)

    assert isinstance(glimpse, CaseGlimpse)
    assert glimpse.organisation.id == "school_wat_phraek_sa"
