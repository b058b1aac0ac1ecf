"""Registering a found child: the wizard step by step, the duplicate check, and the save."""

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import date

import pytest

from bot.config import Settings
from bot.domain import names
from bot.domain.identity import IdentityType
from bot.domain.models import (
    Case,
    CaseStatus,
    Consent,
    DropoutCause,
    DuplicateCandidate,
    DuplicateReason,
    EducationWish,
    Need,
    PossibleDuplicate,
    User,
)
from bot.errors import (
    AccountDeactivated,
    ChoiceExpected,
    InvalidInput,
    InvalidPhone,
    InvalidThaiId,
    StaleAction,
    TextExpected,
)
from bot.geography import Geography
from bot.runtime import Runtime
from bot.services import cases, erasure, referrals, registration, users
from bot.services.registration import CaseDraft, Field_, Step
from tests.conftest import START, FakeClock
from tests.support.plans import plan_nodes, reads, statements_run

THAI_ID = "3100600445635"
OTHER_THAI_ID = "1234545678781"


@dataclass(frozen=True)
class Wizard:
    """What the wizard needs besides the draft: the province's places and today's date.
    The same as a Runtime's, without opening a database for tests that never touch one."""

    geography: Geography
    day: date

    def today(self) -> date:
        return self.day


@pytest.fixture(scope="module")
def wizard() -> Wizard:
    settings = Settings(_env_file=None)
    return Wizard(Geography.load(settings.province_code), START.astimezone(settings.tz).date())


# --- driving the wizard ---------------------------------------------------------------------


@dataclass(frozen=True)
class Press:
    values: tuple[str, ...]


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float


def press(*values: str) -> Press:
    return Press(values)


SKIP = "<skip>"

# One plausible teacher's answers: a Thai boy of 13 found in Mueang Samut Prakan.
ANSWERS: dict[Step, str | Press | Location] = {
    Step.GIVEN_NAME: "สมชาย",
    Step.FAMILY_NAME: "ใจดี",
    Step.NICKNAME: SKIP,
    Step.SEX: press("male"),
    Step.ID_TYPE: press("none"),
    Step.ID_NUMBER: THAI_ID,
    Step.NATIONALITY: press("thai"),
    Step.BIRTH_DATE: "15/3/2555",
    Step.AGE: "12",
    Step.AGE_CONFIRM: press("yes"),
    Step.DISTRICT: press("1101"),
    Step.SUBDISTRICT: press("110102"),
    Step.ADDRESS: SKIP,
    Step.LOCATION: SKIP,
    Step.FOUND: press("yes"),
    Step.CAUSE: press("LOW_INCOME"),
    Step.GUARDIAN_NAME: SKIP,
    Step.GUARDIAN_PHONE: SKIP,
    Step.CONSENT: press("given"),
    Step.NEEDS: press("EDUCATION", "done"),
    Step.WISH: press("school"),
}


def answer(context: Runtime | Wizard, draft: CaseDraft,
           given: str | Press | Location) -> CaseDraft:
    today = context.today()
    if given == SKIP:
        return registration.skip(draft, today)
    if isinstance(given, str):
        return registration.answer_text(draft, given, today)
    if isinstance(given, Location):
        return registration.answer_location(draft, given.latitude, given.longitude, today)
    for value in given.values:
        draft = registration.answer_choice(draft, value, context.geography, today)
    return draft


def fill(context: Runtime | Wizard,
         **overrides: str | Press | Location) -> tuple[CaseDraft, list[Step]]:
    """Answer every step the wizard asks until the summary; the steps it asked, in order.
    `overrides` replace the default answers, by step name."""
    answers = {**ANSWERS, **{Step(name): value for name, value in overrides.items()}}
    if "district" in overrides and "subdistrict" not in overrides:
        answers[Step.SUBDISTRICT] = press("unknown")
    draft = registration.start()
    asked = []
    while draft.step is not Step.SUMMARY:
        assert len(asked) < 40, f"the wizard keeps asking: {asked}"
        asked.append(draft.step)
        draft = answer(context, draft, answers[draft.step])
    return draft, asked


def complete(context: Runtime | Wizard, **overrides: str | Press | Location) -> CaseDraft:
    draft, _ = fill(context, **overrides)
    assert registration.missing_steps(draft, context.today()) == []
    return draft


def at(draft: CaseDraft, step: Step) -> CaseDraft:
    return draft.model_copy(update={"step": step})


async def register(runtime: Runtime, actor: User, draft: CaseDraft) -> Case:
    return await registration.register_child(
        runtime.db, actor, draft, code_prefix=runtime.settings.case_code_prefix,
        rules=runtime.routing, now=runtime.now(), today=runtime.today(),
    )


async def _count(runtime: Runtime, table: str) -> int:
    rows = await runtime.db.read.conn.execute_fetchall(f"SELECT count(*) FROM {table}")
    return rows[0][0]


# --- the wizard -----------------------------------------------------------------------------


def test_the_wizard_asks_every_question_in_order(wizard: Wizard) -> None:
    draft, asked = fill(wizard, id_type=press("thai_id"))

    assert asked == [
        Step.GIVEN_NAME, Step.FAMILY_NAME, Step.NICKNAME, Step.SEX, Step.ID_TYPE,
        Step.ID_NUMBER, Step.NATIONALITY, Step.BIRTH_DATE, Step.DISTRICT, Step.SUBDISTRICT,
        Step.ADDRESS, Step.LOCATION, Step.FOUND, Step.CAUSE, Step.GUARDIAN_NAME,
        Step.GUARDIAN_PHONE, Step.CONSENT, Step.NEEDS, Step.WISH,
    ]
    assert draft.given_name == "สมชาย"
    assert draft.identity_number == THAI_ID
    assert draft.birth_date == date(2012, 3, 15)
    assert draft.age(wizard.today()) == 13
    assert draft.subdistrict_code == "110102"
    assert draft.needs == [Need.EDUCATION]
    assert draft.wish is EducationWish.SCHOOL
    assert registration.missing_steps(draft, wizard.today()) == []


def test_identity_none_skips_the_id_number(wizard: Wizard) -> None:
    draft, asked = fill(wizard, id_type=press("none"))

    assert Step.ID_NUMBER not in asked
    assert asked[asked.index(Step.ID_TYPE) + 1] is Step.NATIONALITY
    assert draft.identity_type is IdentityType.NONE
    assert draft.identity_number is None


def test_date_not_known_leads_to_an_approximate_age(wizard: Wizard) -> None:
    today = wizard.today()
    draft = at(registration.start(), Step.BIRTH_DATE)

    draft = registration.answer_choice(draft, "unknown", wizard.geography, today)
    assert draft.step is Step.AGE
    assert draft.birth_date is None

    draft = registration.answer_text(draft, "๗ ขวบ", today)
    assert draft.approx_age == 7
    assert draft.step is Step.DISTRICT
    assert draft.birth_year(today) == 2018


def test_an_age_button_answers_the_age(wizard: Wizard) -> None:
    today = wizard.today()
    draft = at(registration.start(), Step.AGE)

    draft = registration.answer_choice(draft, "10", wizard.geography, today)

    assert draft.approx_age == 10
    assert draft.step is Step.DISTRICT


@pytest.mark.parametrize(("step", "typed"), [(Step.AGE, "2"), (Step.AGE, "19"),
                                             (Step.BIRTH_DATE, "1/1/2548")])
def test_an_age_outside_3_to_18_is_confirmed_first(
    wizard: Wizard, step: Step, typed: str
) -> None:
    today = wizard.today()

    draft = registration.answer_text(at(registration.start(), step), typed, today)

    assert draft.step is Step.AGE_CONFIRM
    assert Step.AGE_CONFIRM in registration.missing_steps(draft, today)
    confirmed = registration.answer_choice(draft, "yes", wizard.geography, today)
    assert confirmed.age_confirmed
    assert confirmed.step is Step.DISTRICT
    assert Step.AGE_CONFIRM not in registration.missing_steps(confirmed, today)


def test_change_on_the_age_check_goes_back_to_the_birth_date(wizard: Wizard) -> None:
    today = wizard.today()
    draft = registration.answer_text(at(registration.start(), Step.AGE), "22", today)

    changed = registration.answer_choice(draft, "change", wizard.geography, today)

    assert changed.step is Step.BIRTH_DATE
    assert not changed.age_confirmed
    fixed = registration.answer_text(changed, "15/3/2555", today)
    assert fixed.step is Step.DISTRICT
    assert fixed.approx_age is None
    assert fixed.age(today) == 13


def test_back_from_the_first_question_is_none(wizard: Wizard) -> None:
    assert registration.go_back(registration.start(), wizard.today()) is None


def test_back_returns_to_the_last_question_that_was_asked(wizard: Wizard) -> None:
    today = wizard.today()
    draft, _ = fill(wizard)
    at_nationality = at(draft, Step.NATIONALITY)

    back = registration.go_back(at_nationality, today)

    # The identity type was "none", so the ID number was never asked.
    assert back is not None and back.step is Step.ID_TYPE
    back_from_district = registration.go_back(at(draft, Step.DISTRICT), today)
    assert back_from_district is not None and back_from_district.step is Step.BIRTH_DATE


def test_editing_identity_from_the_summary_returns_to_the_summary(
    wizard: Wizard,
) -> None:
    today = wizard.today()
    draft, _ = fill(wizard)
    editing = at(draft, Step.EDIT)

    draft = registration.answer_choice(editing, "identity", wizard.geography, today)
    assert (draft.step, draft.editing) == (Step.ID_TYPE, Field_.IDENTITY)
    draft = registration.answer_choice(draft, "thai_id", wizard.geography, today)
    assert draft.step is Step.ID_NUMBER
    draft = registration.answer_text(draft, "3-1006-00445-63-5", today)

    assert draft.step is Step.SUMMARY
    assert draft.editing is None
    assert (draft.identity_type, draft.identity_number) == (IdentityType.THAI_ID, THAI_ID)
    assert draft.nationality is not None  # the later answers are kept
    assert registration.missing_steps(draft, today) == []


def test_editing_the_birth_from_the_summary_ends_after_the_age(wizard: Wizard) -> None:
    today = wizard.today()
    draft, _ = fill(wizard)

    draft = registration.answer_choice(at(draft, Step.EDIT), "birth", wizard.geography, today)
    assert draft.step is Step.BIRTH_DATE
    draft = registration.answer_choice(draft, "unknown", wizard.geography, today)
    assert draft.step is Step.AGE
    draft = registration.answer_text(draft, "9", today)

    assert draft.step is Step.SUMMARY
    assert (draft.birth_date, draft.approx_age) == (None, 9)


def test_back_from_the_first_step_of_an_edit_returns_to_the_summary(
    wizard: Wizard,
) -> None:
    today = wizard.today()
    draft, _ = fill(wizard)
    editing = registration.answer_choice(at(draft, Step.EDIT), "place", wizard.geography,
                                         today)

    back = registration.go_back(editing, today)

    assert back is not None
    assert (back.step, back.editing) == (Step.SUMMARY, None)
    assert back.district_code == draft.district_code


def test_needs_toggle_on_and_off_until_done(wizard: Wizard) -> None:
    today, geo = wizard.today(), wizard.geography
    draft = at(registration.start(), Step.NEEDS)

    draft = registration.answer_choice(draft, "HEALTH", geo, today)
    draft = registration.answer_choice(draft, "EDUCATION", geo, today)
    assert draft.step is Step.NEEDS
    assert draft.needs == [Need.EDUCATION, Need.HEALTH]
    assert {c.value for c in registration.choices(draft, geo) if c.selected} == {
        "EDUCATION", "HEALTH"
    }
    draft = registration.answer_choice(draft, "HEALTH", geo, today)
    assert draft.needs == [Need.EDUCATION]

    draft = registration.answer_choice(draft, "done", geo, today)
    assert draft.step is Step.WISH
    assert draft.needs_answered
    assert draft.needs == [Need.EDUCATION]


def test_needs_done_with_none_chosen_is_refused(wizard: Wizard) -> None:
    draft = at(registration.start(), Step.NEEDS)

    with pytest.raises(InvalidInput):
        registration.answer_choice(draft, "done", wizard.geography, wizard.today())

    assert draft.step is Step.NEEDS and not draft.needs_answered


def test_needs_none_clears_the_chosen_needs(wizard: Wizard) -> None:
    today, geo = wizard.today(), wizard.geography
    draft = registration.answer_choice(at(registration.start(), Step.NEEDS), "HEALTH", geo,
                                       today)

    draft = registration.answer_choice(draft, "none", geo, today)

    assert draft.needs == []
    assert draft.needs_answered
    assert draft.step is Step.WISH


@pytest.mark.parametrize(
    ("step", "forged"),
    [
        (Step.SEX, "other"),
        (Step.ID_TYPE, "passport"),
        (Step.DISTRICT, "1001"),  # a Bangkok district, not in this province
        (Step.AGE, "25"),
        (Step.NEEDS, "FOOD"),
        (Step.SUMMARY, "confirm"),  # decided by the caller, never by answer_choice
    ],
)
def test_a_choice_the_step_does_not_offer_is_stale_and_changes_nothing(
    wizard: Wizard, step: Step, forged: str
) -> None:
    draft, _ = fill(wizard)
    draft = at(draft, step)
    before = draft.model_dump()

    with pytest.raises(StaleAction):
        registration.answer_choice(draft, forged, wizard.geography, wizard.today())

    assert draft.model_dump() == before


def test_a_subdistrict_of_another_district_is_stale(wizard: Wizard) -> None:
    draft, _ = fill(wizard)
    draft = at(draft, Step.SUBDISTRICT)  # district 1101

    with pytest.raises(StaleAction):
        registration.answer_choice(draft, "110201", wizard.geography, wizard.today())


def test_a_typed_answer_on_a_button_step_expects_a_choice(wizard: Wizard) -> None:
    for step in (Step.SEX, Step.DISTRICT, Step.LOCATION, Step.SUMMARY):
        draft = at(registration.start(), step)
        with pytest.raises(ChoiceExpected):
            registration.answer_text(draft, "male", wizard.today())


def test_a_location_is_taken_only_at_the_location_step(wizard: Wizard) -> None:
    today = wizard.today()
    draft = at(registration.start(), Step.LOCATION)

    answered = registration.answer_location(draft, 13.599, 100.597, today)

    assert (answered.latitude, answered.longitude) == (13.599, 100.597)
    assert answered.step is Step.FOUND
    with pytest.raises(InvalidInput):
        registration.answer_location(draft, 95.0, 100.0, today)
    with pytest.raises(TextExpected):
        registration.answer_location(at(draft, Step.ADDRESS), 13.6, 100.6, today)
    with pytest.raises(ChoiceExpected):
        registration.answer_location(at(draft, Step.SEX), 13.6, 100.6, today)


def test_skip_is_refused_on_a_required_step(wizard: Wizard) -> None:
    with pytest.raises(StaleAction):
        registration.skip(at(registration.start(), Step.SEX), wizard.today())


def test_skip_clears_an_earlier_answer(wizard: Wizard) -> None:
    today = wizard.today()
    draft = registration.answer_text(at(registration.start(), Step.FAMILY_NAME), "ใจดี", today)
    assert draft.family_name == "ใจดี"

    skipped = registration.skip(at(draft, Step.FAMILY_NAME), today)

    assert skipped.family_name is None
    assert skipped.step is Step.NICKNAME


@pytest.mark.parametrize(("typed", "reason"), [("3100600445636", "checksum"),
                                               ("310060044563", "length"),
                                               ("9100600445635", "first-digit"),
                                               ("1000000000009", "office")])
def test_a_bad_thai_id_is_refused_and_the_draft_is_unchanged(
    wizard: Wizard, typed: str, reason: str
) -> None:
    today = wizard.today()
    draft = registration.answer_choice(at(registration.start(), Step.ID_TYPE), "thai_id",
                                       wizard.geography, today)
    assert draft.step is Step.ID_NUMBER
    before = draft.model_dump()

    with pytest.raises(InvalidThaiId) as caught:
        registration.answer_text(draft, typed, today)

    assert caught.value.reason == reason
    assert draft.model_dump() == before


@pytest.mark.parametrize(("typed", "stored"), [("02 123 4567", "+6621234567"),
                                               ("+95 9 420 123 456", "+959420123456"),
                                               ("+855 12 345 678", "+85512345678")])
def test_a_guardian_landline_or_foreign_number_is_kept_in_e164(
    wizard: Wizard, typed: str, stored: str
) -> None:
    draft = registration.answer_text(at(registration.start(), Step.GUARDIAN_PHONE), typed,
                                      wizard.today())
    assert draft.guardian_phone == stored


@pytest.mark.parametrize("typed", ["0712345678", "09 420 123 456", "081/089"])
def test_a_phone_that_cannot_be_called_is_refused_and_the_draft_is_unchanged(
    wizard: Wizard, typed: str
) -> None:
    draft = at(registration.start(), Step.GUARDIAN_PHONE)
    before = draft.model_dump()

    with pytest.raises(InvalidPhone):
        registration.answer_text(draft, typed, wizard.today())
    assert draft.model_dump() == before


def test_a_draft_saved_with_the_old_phone_form_is_read_in_e164(wizard: Wizard) -> None:
    saved = {**registration.start().model_dump(mode="json"), "guardian_phone": "0812345678"}
    assert CaseDraft.model_validate(saved).guardian_phone == "+66812345678"


def test_missing_steps_lists_what_is_still_unanswered(wizard: Wizard) -> None:
    today = wizard.today()

    assert registration.missing_steps(registration.start(), today) == [
        Step.GIVEN_NAME, Step.SEX, Step.ID_TYPE, Step.NATIONALITY, Step.AGE, Step.DISTRICT,
        Step.FOUND, Step.CAUSE, Step.CONSENT, Step.NEEDS, Step.WISH,
    ]
    draft, _ = fill(wizard, id_type=press("g_code"), id_number="G123456789012")
    without_number = draft.model_copy(update={"identity_number": None, "wish": None})
    assert registration.missing_steps(without_number, today) == [Step.ID_NUMBER, Step.WISH]


def test_an_unknown_cause_still_answers_the_cause_step(wizard: Wizard) -> None:
    draft = complete(wizard, cause=press("unknown"))

    assert draft.cause is None
    assert draft.cause_answered


# --- saving ---------------------------------------------------------------------------------


async def test_register_child_saves_the_child_the_case_and_its_needs(
    runtime: Runtime, teacher: User, wizard: Wizard
) -> None:
    assert wizard.today() == runtime.today() == date(2025, 11, 24)
    draft = complete(
        runtime, nickname="ชาย", address="12/3 ซอยวัดแพรกษา", location=Location(13.6, 100.6),
        guardian_name="สมศรี ใจดี", guardian_phone="081-234-5678",
        needs=press("HEALTH", "EDUCATION", "done"), cause=press("RELOCATION"),
        consent=press("refused"),
    )

    case = await register(runtime, teacher, draft)

    assert case.code == "SPK-2568-00001"
    assert (case.teacher_id, case.organisation_id) == (teacher.id, "school_wat_phraek_sa")
    assert case.status is CaseStatus.OPEN
    assert (case.district_code, case.subdistrict_code) == ("1101", "110102")
    assert case.address == "12/3 ซอยวัดแพรกษา"
    assert (case.latitude, case.longitude) == (13.6, 100.6)
    assert case.found
    assert case.dropout_cause is DropoutCause.RELOCATION
    assert case.consent is Consent.REFUSED
    assert case.education_wish is EducationWish.SCHOOL
    assert case.needs == (Need.EDUCATION, Need.HEALTH)
    assert case.possible_duplicate_of is None
    assert await runtime.db.read.cases.by_code("SPK-2568-00001") == case

    child = await runtime.db.read.cases.child(case.child_id)
    assert child.full_name == "สมชาย ใจดี"
    assert child.nickname == "ชาย"
    assert child.birth_date == date(2012, 3, 15)
    assert (child.birth_year, child.birth_estimated) == (2012, False)
    assert (child.guardian_name, child.guardian_phone) == ("สมศรี ใจดี", "+66812345678")
    assert child.identity_type is IdentityType.NONE

    entries = await runtime.db.read.audit.for_entity("case", case.id)
    assert [(e.action, e.actor_id) for e in entries] == [("case.register", teacher.id)]
    assert entries[0].after == {"code": "SPK-2568-00001", "child_id": case.child_id,
                                "possible_duplicates": []}


async def test_case_codes_count_up_from_one_registration_to_the_next(
    runtime: Runtime, teacher: User, other_teacher: User
) -> None:
    first = await register(runtime, teacher, complete(runtime))
    second = await register(runtime, other_teacher, complete(runtime, given_name="สมหญิง"))

    assert (first.code, second.code) == ("SPK-2568-00001", "SPK-2568-00002")
    assert second.organisation_id == "dole_d1103"


async def test_an_approximate_age_is_saved_as_an_estimated_birth_year(
    runtime: Runtime, teacher: User
) -> None:
    draft = complete(runtime, birth_date=press("unknown"), age="10")

    case = await register(runtime, teacher, draft)

    child = await runtime.db.read.cases.child(case.child_id)
    assert (child.birth_date, child.birth_year, child.birth_estimated) == (None, 2015, True)


async def test_confirming_the_same_draft_twice_returns_the_same_case(
    runtime: Runtime, teacher: User
) -> None:
    draft = complete(runtime)

    first = await register(runtime, teacher, draft)
    again = await register(runtime, teacher, draft)

    assert again == first
    assert await _count(runtime, "cases") == 1
    assert await _count(runtime, "children") == 1
    assert len(await runtime.db.read.audit.for_entity("case", first.id)) == 1
    # No number was used up by the second confirmation.
    next_case = await register(runtime, teacher, complete(runtime))
    assert next_case.code == "SPK-2568-00002"


async def test_a_double_tap_on_confirm_saves_one_case(runtime: Runtime, teacher: User) -> None:
    draft = complete(runtime)

    first, second = await asyncio.gather(register(runtime, teacher, draft),
                                         register(runtime, teacher, draft))

    assert first == second
    assert await _count(runtime, "cases") == 1


async def test_registrations_at_the_same_moment_get_distinct_codes(
    runtime: Runtime, teacher: User, other_teacher: User
) -> None:
    saved = await asyncio.gather(*(
        register(runtime, actor, complete(runtime))
        for actor in (teacher, other_teacher, teacher, other_teacher)
    ))

    assert sorted(case.code for case in saved) == [f"SPK-2568-0000{n}" for n in range(1, 5)]
    assert await _count(runtime, "cases") == 4


async def test_an_incomplete_draft_cannot_be_registered(runtime: Runtime, teacher: User) -> None:
    draft = complete(runtime).model_copy(update={"consent": None})

    with pytest.raises(StaleAction):
        await register(runtime, teacher, draft)

    assert await _count(runtime, "cases") == 0


async def test_a_deactivated_teacher_cannot_register(
    runtime: Runtime, coordinator: User, teacher: User
) -> None:
    await users.set_user_active(runtime.db, coordinator, teacher.id, False, runtime.now())

    # The caller still holds the teacher as they were: the service reads them afresh.
    with pytest.raises(AccountDeactivated):
        await register(runtime, teacher, complete(runtime))

    assert await _count(runtime, "cases") == 0
    assert await _count(runtime, "children") == 0


async def test_a_registration_found_as_a_possible_duplicate_points_at_the_first(
    runtime: Runtime, teacher: User, other_teacher: User
) -> None:
    first = await register(runtime, teacher, complete(runtime))
    draft = complete(runtime)
    duplicates = await find_duplicates(runtime, other_teacher, draft)
    draft = draft.model_copy(update={"duplicates": duplicates})

    second = await register(runtime, other_teacher, draft)

    assert second.possible_duplicate_of == first.id
    entries = await runtime.db.read.audit.for_entity("case", second.id)
    assert entries[0].after is not None
    assert entries[0].after["possible_duplicates"] == [first.code]


# --- duplicates -----------------------------------------------------------------------------


async def find_duplicates(runtime: Runtime, actor: User, draft: CaseDraft,
                          reveals_per_day: int = 10) -> list[PossibleDuplicate]:
    return await registration.find_duplicates(runtime.db, actor, draft, today=runtime.today(),
                                              now=runtime.now(),
                                              reveals_per_day=reveals_per_day)


async def _duplicates(runtime: Runtime, actor: User,
                      draft: CaseDraft) -> list[tuple[str, DuplicateReason]]:
    """As the teacher who registered the cases, who may open them all."""
    return [(d.code, d.reason) for d in await find_duplicates(runtime, actor, draft)]


async def test_a_draft_already_saved_has_no_duplicates_and_many_look_alikes_show_five(
    runtime: Runtime, teacher: User
) -> None:
    drafts = [complete(runtime) for _ in range(7)]
    saved = [await register(runtime, teacher, draft) for draft in drafts]

    assert await _duplicates(runtime, teacher, complete(runtime)) == [
        (case.code, DuplicateReason.SIMILAR_NAME) for case in saved[-5:]]
    # Confirming a saved draft again (its answer was lost): it is nobody's twin.
    assert await _duplicates(runtime, teacher, drafts[-1]) == []


async def test_a_child_with_the_same_thai_id_is_a_possible_duplicate(
    runtime: Runtime, teacher: User
) -> None:
    existing = await register(runtime, teacher, complete(
        runtime, id_type=press("thai_id"), id_number=THAI_ID))

    same = complete(runtime, given_name="Somchai", family_name=SKIP, district=press("1105"),
                    id_type=press("thai_id"), id_number="3 1006 00445 63 5")
    other = complete(runtime, id_type=press("thai_id"), id_number=OTHER_THAI_ID)

    assert await _duplicates(runtime, teacher, same) == [
        (existing.code, DuplicateReason.SAME_IDENTITY)]
    assert await _duplicates(runtime, teacher, other) == []


async def test_a_similar_name_with_the_same_birth_year_and_district_is_a_possible_duplicate(
    runtime: Runtime, teacher: User
) -> None:
    somchai = await register(runtime, teacher, complete(runtime))
    aung = await register(runtime, teacher, complete(
        runtime, given_name="Aung Kyaw", family_name="Min", nationality=press("myanmar")))

    for (given, family), existing in [(("สมชาย", "ใจดีี"), somchai),
                                      (("ใจดี", "สมชาย"), somchai),
                                      (("Aung Kyaw", "Minn"), aung),
                                      (("aung kyaw", "MIN"), aung)]:
        draft = complete(runtime, given_name=given, family_name=family,
                         birth_date="1/1/2555", sex=press("female"))
        assert await _duplicates(runtime, teacher, draft) == [
            (existing.code, DuplicateReason.SIMILAR_NAME)
        ], (given, family)


async def test_the_same_name_in_another_district_is_not_a_duplicate(
    runtime: Runtime, teacher: User
) -> None:
    await register(runtime, teacher, complete(runtime))

    elsewhere = complete(runtime, district=press("1102"))

    assert await _duplicates(runtime, teacher, elsewhere) == []


async def test_the_same_name_born_a_year_apart_by_exact_dates_is_not_a_duplicate(
    runtime: Runtime, teacher: User
) -> None:
    await register(runtime, teacher, complete(runtime, birth_date="15/3/2555"))

    a_year_younger = complete(runtime, birth_date="15/3/2556")

    assert await _duplicates(runtime, teacher, a_year_younger) == []


async def test_an_approximate_age_matches_within_one_year(
    runtime: Runtime, teacher: User
) -> None:
    existing = await register(runtime, teacher, complete(runtime, birth_date="15/3/2555"))

    # Born 2025 - age: 12 is 2013 and 14 is 2011, both a year from 2012; 11 and 15 are two.
    for age, is_duplicate in [("12", True), ("13", True), ("14", True),
                              ("11", False), ("15", False)]:
        draft = complete(runtime, birth_date=press("unknown"), age=age)
        expected = [(existing.code, DuplicateReason.SIMILAR_NAME)] if is_duplicate else []
        assert await _duplicates(runtime, teacher, draft) == expected, age


@pytest.mark.parametrize(
    ("saved", "typed"),
    [
        (("Nang", "Hseng"), ("Nang", "Seng")),  # a typo in a word's first letter
        (("Htet Htet", SKIP), ("Tet Tet", SKIP)),  # no word in common
        (("Su Su", "Hlaing"), ("Su Su", "Laing")),
        (("สมชาย", "ใจดี"), ("Somchai", "Jaidee")),  # a Thai and a Latin spelling
    ],
)
async def test_look_alikes_that_blocking_keys_tend_to_lose_are_found(
    runtime: Runtime, teacher: User, saved: tuple[str, str], typed: tuple[str, str]
) -> None:
    # Other children of the same district and year, which the check does not read.
    for given, family in [("Aung Kyaw", "Min"), ("Mya", "Mya"), ("มานี", "มีนา")]:
        await register(runtime, teacher, complete(runtime, given_name=given,
                                                  family_name=family))
    existing = await register(runtime, teacher, complete(
        runtime, given_name=saved[0], family_name=saved[1]))

    draft = complete(runtime, given_name=typed[0], family_name=typed[1])

    assert await _duplicates(runtime, teacher, draft) == [
        (existing.code, DuplicateReason.SIMILAR_NAME)]


async def test_the_look_up_reads_the_cases_filed_under_the_names_keys_not_the_cohort(
    runtime: Runtime, teacher: User
) -> None:
    cohort = [await register(runtime, teacher, complete(runtime, given_name=given,
                                                        family_name=family))
              for given, family in [("Kyaw Zin", "Oo"), ("Zaw", "Min"), ("Mya", "Mya"),
                                    ("Nang", "Hseng"), ("Nang", "Seng"), ("มานี", "มีนา")]]
    hseng, seng = cohort[3], cohort[4]

    def look_up(limit: int) -> Awaitable[list[DuplicateCandidate]]:
        return runtime.db.read.cases.name_candidates(
            district_code="1101", birth_years=(2011, 2012, 2013),
            name_key=names.name_key("Nang", "Seng"), limit=limit)

    assert [c.case_id for c in await look_up(limit=200)] == [hseng.id, seng.id]
    # Bounded: those sharing the most keys (all of them, for the same name) come first.
    assert [c.case_id for c in await look_up(limit=1)] == [seng.id]


@pytest.mark.sqlite_only  # set_trace_callback, EXPLAIN QUERY PLAN; the twin follows
async def test_the_look_up_seeks_an_index_and_scans_no_table(
    runtime: Runtime, teacher: User
) -> None:
    await register(runtime, teacher, complete(runtime))
    reader, statements = runtime.db.read.conn, []
    await reader.set_trace_callback(statements.append)  # the SQL with its values
    try:
        await runtime.db.read.cases.name_candidates(
            district_code="1101", birth_years=(2011, 2012, 2013),
            name_key=names.name_key("สมชาย", "ใจดี"))
    finally:
        await reader.set_trace_callback(None)

    plan = [row["detail"] for statement in statements
            for row in await reader.execute_fetchall(f"EXPLAIN QUERY PLAN {statement}")]
    assert [step for step in plan if step.startswith("SEARCH case_name_keys USING COVERING")]
    assert [step for step in plan if step.split()[:2] in (
        ["SCAN", "case_name_keys"], ["SCAN", "c"], ["SCAN", "ch"])] == []


@pytest.mark.postgresql_only
async def test_on_postgresql_the_look_up_seeks_an_index_and_scans_no_table(
    runtime: Runtime, teacher: User
) -> None:
    await register(runtime, teacher, complete(runtime))
    with statements_run(runtime.db.read.conn) as run:  # type: ignore[arg-type]
        await runtime.db.read.cases.name_candidates(
            district_code="1101", birth_years=(2011, 2012, 2013),
            name_key=names.name_key("สมชาย", "ใจดี"))

    found = [read for sql, values in run
             for read in reads(await plan_nodes(runtime.db, sql, values,  # type: ignore[arg-type]
                                                seqscan=False))]
    assert ("Index Only Scan", "case_name_keys_pkey") in found, found
    assert [read for read in found if read[0] == "Seq Scan"] == [], found


async def test_an_erased_child_matches_nothing(
    runtime: Runtime, teacher: User, coordinator: User
) -> None:
    existing = await register(runtime, teacher, complete(runtime))
    target = await erasure.erasable(runtime.db, coordinator, existing.code)
    await erasure.erase(runtime.db, coordinator, target.kind, target.id, now=runtime.now())

    assert await _duplicates(runtime, teacher, complete(runtime)) == []
    assert await _count(runtime, "case_name_keys") == 0


async def test_a_child_who_moved_is_looked_up_in_the_new_district(
    runtime: Runtime, teacher: User
) -> None:
    existing = await register(runtime, teacher, complete(runtime))
    await referrals.record_move(runtime.db, teacher, existing.id, "1102",
                                rules=runtime.routing, now=runtime.now(), today=runtime.today())

    assert await _duplicates(runtime, teacher, complete(runtime)) == []
    assert await _duplicates(runtime, teacher, complete(runtime, district=press("1102"))) == [
        (existing.code, DuplicateReason.SIMILAR_NAME)]


async def test_the_same_guardian_phone_is_a_possible_duplicate(
    runtime: Runtime, teacher: User
) -> None:
    existing = await register(runtime, teacher, complete(runtime,
                                                         guardian_phone="0812345678"))

    sibling = complete(runtime, given_name="Nang", family_name="Seng", district=press("1104"),
                       guardian_phone="+66 81 234 5678")
    stranger = complete(runtime, given_name="Nang", family_name="Seng", district=press("1104"),
                        guardian_phone="0899999999")

    assert await _duplicates(runtime, teacher, sibling) == [
        (existing.code, DuplicateReason.SAME_GUARDIAN_PHONE)
    ]
    assert await _duplicates(runtime, teacher, stranger) == []


async def test_each_possible_duplicate_is_listed_once_with_its_first_reason(
    runtime: Runtime, teacher: User
) -> None:
    existing = await register(runtime, teacher, complete(runtime,
                                                         guardian_phone="0812345678"))

    draft = complete(runtime, guardian_phone="0812345678")

    assert await _duplicates(runtime, teacher, draft) == [
        (existing.code, DuplicateReason.SIMILAR_NAME)]



async def test_a_case_the_finder_may_not_open_is_shown_audited_and_counted_per_look_up(
    runtime: Runtime, clock: FakeClock, teacher: User, other_teacher: User, coordinator: User
) -> None:
    theirs = await register(runtime, teacher, complete(runtime))
    draft = complete(runtime)

    for _ in range(2):  # two look-ups, each showing the other school's case
        found = await find_duplicates(runtime, other_teacher, draft, reveals_per_day=2)
        assert [(d.code, d.withheld) for d in found] == [(theirs.code, False)]
        clock.advance(minutes=1)
    withheld = await find_duplicates(runtime, other_teacher, draft, reveals_per_day=2)

    assert [(d.case_id, d.withheld) for d in withheld] == [(theirs.id, True)]
    assert registration.revealed(draft.model_copy(update={"duplicates": withheld})) == []
    audit = await runtime.db.read.audit.for_entity("case", theirs.id)
    assert [(entry.action, entry.actor_id) for entry in audit[1:]] == [
        ("case.duplicate_shown", other_teacher.id), ("case.duplicate_shown", other_teacher.id),
        ("case.duplicate_withheld", other_teacher.id)]
    # Its own teacher and the coordinators may open it anyway: never withheld, not counted.
    for finder in (teacher, coordinator):
        mine = await find_duplicates(runtime, finder, draft, reveals_per_day=0)
        assert [(d.code, d.withheld) for d in mine] == [(theirs.code, False)]
    assert len(await runtime.db.read.audit.for_entity("case", theirs.id)) == len(audit)
    # A day after the first look-up, one more may be shown.
    clock.advance(days=1, minutes=-1)
    again = await find_duplicates(runtime, other_teacher, draft, reveals_per_day=2)
    assert [d.withheld for d in again] == [False]


async def test_a_withheld_match_still_links_the_new_case_for_the_coordinators(
    runtime: Runtime, teacher: User, other_teacher: User, coordinator: User
) -> None:
    first = await register(runtime, teacher, complete(runtime))
    draft = complete(runtime)
    withheld = await find_duplicates(runtime, other_teacher, draft, reveals_per_day=0)
    second = await register(runtime, other_teacher,
                            draft.model_copy(update={"duplicates": withheld}))

    assert second.possible_duplicate_of == first.id
    card = await cases.open_case(runtime.db, coordinator, second.code)
    assert card.possible_duplicate_code == first.code
    own = await cases.open_case(runtime.db, other_teacher, second.code)
    assert own.possible_duplicate_code is None  # the teacher still does not learn it
