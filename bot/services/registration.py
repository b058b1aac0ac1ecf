"""Registering a found child: the wizard's steps, the rule for each answer, and the save.

The wizard is described here, independent of any messenger: which step follows which,
what each step accepts, and which choices it offers. A channel adapter only shows the
current step and passes the user's answer back. Half-filled answers live in a `CaseDraft`
(conversation state); nothing reaches the database until the user confirms.
"""

import uuid
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot import routing
from bot.domain import ages, dates, identity, names, phone, text
from bot.domain.identity import IdentityType
from bot.domain.models import (
    Case,
    CaseStatus,
    Consent,
    DropoutCause,
    DuplicateReason,
    EducationWish,
    Nationality,
    Need,
    PossibleDuplicate,
    Sex,
    User,
    needs_mask,
)
from bot.errors import ChoiceExpected, InvalidInput, StaleAction, TextExpected
from bot.geography import Geography
from bot.services import cases, referrals
from bot.services.access import require_user
from storage.conversations import ConversationEnd
from storage.interface import Database

ADDRESS_LIMIT = 200
NICKNAME_LIMIT = 30
UNKNOWN = "unknown"


class Step(StrEnum):
    GIVEN_NAME = "given_name"
    FAMILY_NAME = "family_name"
    NICKNAME = "nickname"
    SEX = "sex"
    ID_TYPE = "id_type"
    ID_NUMBER = "id_number"
    NATIONALITY = "nationality"
    BIRTH_DATE = "birth_date"
    AGE = "age"
    AGE_CONFIRM = "age_confirm"
    DISTRICT = "district"
    SUBDISTRICT = "subdistrict"
    ADDRESS = "address"
    LOCATION = "location"
    FOUND = "found"
    CAUSE = "cause"
    GUARDIAN_NAME = "guardian_name"
    GUARDIAN_PHONE = "guardian_phone"
    CONSENT = "consent"
    NEEDS = "needs"
    WISH = "wish"
    SUMMARY = "summary"
    EDIT = "edit"
    DUPLICATES = "duplicates"


ORDER = list(Step)[: list(Step).index(Step.SUMMARY) + 1]

# How many possible duplicates the wizard names at most.
MOST_DUPLICATES_SHOWN = 5
DUPLICATE_SHOWN, DUPLICATE_WITHHELD = "case.duplicate_shown", "case.duplicate_withheld"
# The window over which look-ups that show somebody else's case are counted.
DUPLICATE_REVEAL_WINDOW = timedelta(days=1)

# Steps a teacher may leave empty with a Skip button.
OPTIONAL = frozenset({Step.FAMILY_NAME, Step.NICKNAME, Step.ADDRESS, Step.LOCATION,
                      Step.GUARDIAN_NAME, Step.GUARDIAN_PHONE})
# Steps answered by typing (buttons may offer shortcuts); the rest only by buttons.
TEXT_STEPS = frozenset({Step.GIVEN_NAME, Step.FAMILY_NAME, Step.NICKNAME, Step.ID_NUMBER,
                        Step.BIRTH_DATE, Step.AGE, Step.ADDRESS, Step.GUARDIAN_NAME,
                        Step.GUARDIAN_PHONE})


class Field_(StrEnum):
    """Groups of steps the summary card lets the teacher go back and change."""

    NAME = "name"
    SEX = "sex"
    IDENTITY = "identity"
    NATIONALITY = "nationality"
    BIRTH = "birth"
    PLACE = "place"
    FOUND = "found"
    CAUSE = "cause"
    GUARDIAN = "guardian"
    CONSENT = "consent"
    NEEDS = "needs"


EDIT_GROUPS: dict[Field_, tuple[Step, ...]] = {
    Field_.NAME: (Step.GIVEN_NAME, Step.FAMILY_NAME, Step.NICKNAME),
    Field_.SEX: (Step.SEX,),
    Field_.IDENTITY: (Step.ID_TYPE, Step.ID_NUMBER),
    Field_.NATIONALITY: (Step.NATIONALITY,),
    Field_.BIRTH: (Step.BIRTH_DATE, Step.AGE, Step.AGE_CONFIRM),
    Field_.PLACE: (Step.DISTRICT, Step.SUBDISTRICT, Step.ADDRESS, Step.LOCATION),
    Field_.FOUND: (Step.FOUND,),
    Field_.CAUSE: (Step.CAUSE,),
    Field_.GUARDIAN: (Step.GUARDIAN_NAME, Step.GUARDIAN_PHONE),
    Field_.CONSENT: (Step.CONSENT,),
    Field_.NEEDS: (Step.NEEDS, Step.WISH),
}


class Choice(BaseModel):
    """A button: its value, and either a catalog key or proper names from reference data."""

    model_config = ConfigDict(frozen=True)

    value: str
    key: str | None = None
    name_th: str | None = None
    name_en: str | None = None
    selected: bool = False

    def label(self, lang: str) -> str | None:
        return self.name_th if lang == "th" else self.name_en


class CaseDraft(BaseModel):
    """Everything answered so far. Stored as JSON in the conversation state."""

    submission_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    step: Step = Step.GIVEN_NAME
    editing: Field_ | None = None
    given_name: str | None = None
    family_name: str | None = None
    nickname: str | None = None
    sex: Sex | None = None
    identity_type: IdentityType | None = None
    identity_number: str | None = None
    nationality: Nationality | None = None
    birth_date: date | None = None
    approx_age: int | None = None
    age_confirmed: bool = False
    district_code: str | None = None
    subdistrict_code: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    found: bool | None = None
    cause: DropoutCause | None = None
    cause_answered: bool = False
    guardian_name: str | None = None
    guardian_phone: str | None = None
    consent: Consent | None = None
    needs: list[Need] = []
    needs_answered: bool = False
    wish: EducationWish | None = None
    duplicates: list[PossibleDuplicate] = []

    @field_validator("guardian_phone")
    @classmethod
    def _phone_in_e164(cls, value: str | None) -> str | None:
        # Drafts saved before migration 0012 hold the old national form "0812345678".
        return phone.parse_phone(value) if value else value

    def age(self, today: date) -> int | None:
        if self.birth_date is not None:
            return dates.age_on(self.birth_date, today)
        return self.approx_age

    def birth_year(self, today: date) -> int:
        if self.birth_date is not None:
            return self.birth_date.year
        assert self.approx_age is not None
        return today.year - self.approx_age


def start() -> CaseDraft:
    return CaseDraft()


# --- which step comes next ----------------------------------------------------------------


def _applies(draft: CaseDraft, step: Step, today: date) -> bool:
    """Whether `step` is asked at all, given the answers so far."""
    if step is Step.ID_NUMBER:
        return draft.identity_type not in (None, IdentityType.NONE)
    if step is Step.AGE:
        return draft.birth_date is None
    if step is Step.AGE_CONFIRM:
        age = draft.age(today)
        return age is not None and not ages.is_target_age(age)
    if step is Step.SUBDISTRICT:
        return draft.district_code is not None
    return True


def next_step(draft: CaseDraft, today: date) -> Step:
    """The step after the current one: the next that applies, or the summary when the
    teacher came from the summary to change one group of answers."""
    position = ORDER.index(draft.step) if draft.step in ORDER else len(ORDER) - 1
    for step in ORDER[position + 1:]:
        if not _applies(draft, step, today):
            continue
        if draft.editing is not None and step not in EDIT_GROUPS[draft.editing]:
            return Step.SUMMARY
        return step
    return Step.SUMMARY


def previous_step(draft: CaseDraft, today: date) -> Step | None:
    """The step Back returns to; None on the first question."""
    if draft.step in (Step.EDIT, Step.DUPLICATES):
        return Step.SUMMARY
    if draft.editing is not None and draft.step == EDIT_GROUPS[draft.editing][0]:
        return Step.SUMMARY
    position = ORDER.index(draft.step)
    for step in reversed(ORDER[:position]):
        if _applies(draft, step, today):
            return step
    return None


def go_back(draft: CaseDraft, today: date) -> CaseDraft | None:
    step = previous_step(draft, today)
    if step is None:
        return None
    editing = None if step is Step.SUMMARY else draft.editing
    return draft.model_copy(update={"step": step, "editing": editing})


def _advance(draft: CaseDraft, today: date, **changes: object) -> CaseDraft:
    updated = draft.model_copy(update=changes)
    step = next_step(updated, today)
    editing = None if step is Step.SUMMARY else updated.editing
    return updated.model_copy(update={"step": step, "editing": editing})


# --- what each step offers ----------------------------------------------------------------


def _keyed(prefix: str, values: list[str], selected: frozenset[str] = frozenset()) -> list[Choice]:
    return [Choice(value=v, key=f"{prefix}-{v}", selected=v in selected) for v in values]


def choices(draft: CaseDraft, geography: Geography) -> list[Choice]:
    """The buttons of the current step (besides Back, Cancel and Skip)."""
    step = draft.step
    if step is Step.DUPLICATES:
        return [Choice(value=str(d.case_id), name_th=d.code, name_en=d.code)
                for d in revealed(draft)] + _keyed("duplicates", ["register"])
    # Every other step's buttons follow from a few answers: made once, then looked up.
    return list(_step_choices(step, frozenset(draft.needs) if step is Step.NEEDS else None,
                              draft.district_code if step is Step.SUBDISTRICT else None,
                              geography))


@lru_cache(maxsize=1024)
def _step_choices(step: Step, needs: frozenset[Need] | None, district_code: str | None,
                  geography: Geography) -> tuple[Choice, ...]:
    return tuple(_choices(step, needs or frozenset(), district_code, geography))


def _choices(step: Step, needs: frozenset[Need], district_code: str | None,
             geography: Geography) -> list[Choice]:
    if step is Step.SEX:
        return _keyed("sex", list(Sex))
    if step is Step.ID_TYPE:
        return _keyed("id-type", list(IdentityType))
    if step is Step.NATIONALITY:
        return _keyed("nationality", list(Nationality))
    if step is Step.BIRTH_DATE:
        return [Choice(value=UNKNOWN, key="birth-date-unknown")]
    if step is Step.AGE:
        return [Choice(value=str(age), name_th=str(age), name_en=str(age))
                for age in ages.TARGET_AGES]
    if step is Step.AGE_CONFIRM:
        return _keyed("age-confirm", ["yes", "change"])
    if step is Step.DISTRICT:
        return [Choice(value=p.code, name_th=p.name_th, name_en=p.name_en)
                for p in geography.districts]
    if step is Step.SUBDISTRICT:
        assert district_code is not None
        places = geography.subdistricts(district_code)
        return [Choice(value=p.code, name_th=p.name_th, name_en=p.name_en) for p in places] + [
            Choice(value=UNKNOWN, key="subdistrict-unknown")
        ]
    if step is Step.FOUND:
        return _keyed("found", ["yes", "no"])
    if step is Step.CAUSE:
        return _keyed("cause", [*DropoutCause, UNKNOWN])
    if step is Step.CONSENT:
        return _keyed("consent", list(Consent))
    if step is Step.NEEDS:
        return _keyed("need", [*Need], needs) + _keyed("needs", ["none", "done"])
    if step is Step.WISH:
        return _keyed("wish", list(EducationWish))
    if step is Step.SUMMARY:
        return _keyed("summary", ["confirm", "edit"])
    if step is Step.EDIT:
        return _keyed("edit", list(Field_))
    return []


# --- answers ------------------------------------------------------------------------------


def answer_text(draft: CaseDraft, raw: str, today: date) -> CaseDraft:
    """A typed answer to the current step. Raises an `InvalidInput` naming what is wrong;
    the draft is then unchanged and the question is asked again."""
    step = draft.step
    if step not in TEXT_STEPS:
        raise ChoiceExpected()
    if step is Step.GIVEN_NAME:
        return _advance(draft, today, given_name=names.parse_person_name(raw))
    if step is Step.FAMILY_NAME:
        return _advance(draft, today, family_name=names.parse_person_name(raw))
    if step is Step.NICKNAME:
        return _advance(draft, today, nickname=names.parse_person_name(raw, NICKNAME_LIMIT))
    if step is Step.ID_NUMBER:
        assert draft.identity_type is not None
        number = identity.parse_identity(draft.identity_type, raw)
        return _advance(draft, today, identity_number=number)
    if step is Step.BIRTH_DATE:
        born = dates.parse_date(raw, today)
        return _advance(draft, today, birth_date=born, approx_age=None, age_confirmed=False)
    if step is Step.AGE:
        return _advance(draft, today, approx_age=ages.parse_age(raw), age_confirmed=False)
    if step is Step.ADDRESS:
        address = text.parse_short_text(raw, ADDRESS_LIMIT)
        if not address:
            raise TextExpected()
        return _advance(draft, today, address=address)
    if step is Step.GUARDIAN_NAME:
        return _advance(draft, today, guardian_name=names.parse_person_name(raw))
    assert step is Step.GUARDIAN_PHONE
    return _advance(draft, today, guardian_phone=phone.parse_phone(raw))


def answer_choice(draft: CaseDraft, value: str, geography: Geography, today: date) -> CaseDraft:
    """A pressed button. A value the current step does not offer is a stale or forged
    button: `StaleAction`, nothing changes."""
    step = draft.step
    if value not in {choice.value for choice in choices(draft, geography)}:
        raise StaleAction()
    if step is Step.SEX:
        return _advance(draft, today, sex=Sex(value))
    if step is Step.ID_TYPE:
        kind = IdentityType(value)
        number = draft.identity_number if kind == draft.identity_type else None
        return _advance(draft, today, identity_type=kind, identity_number=number)
    if step is Step.NATIONALITY:
        return _advance(draft, today, nationality=Nationality(value))
    if step is Step.BIRTH_DATE:  # "date not known": ask for an approximate age instead
        return _advance(draft, today, birth_date=None, age_confirmed=False)
    if step is Step.AGE:
        return _advance(draft, today, approx_age=int(value), age_confirmed=False)
    if step is Step.AGE_CONFIRM:
        if value == "yes":
            return _advance(draft, today, age_confirmed=True)
        return draft.model_copy(update={"step": Step.BIRTH_DATE})
    if step is Step.DISTRICT:
        subdistrict = draft.subdistrict_code if value == draft.district_code else None
        return _advance(draft, today, district_code=value, subdistrict_code=subdistrict)
    if step is Step.SUBDISTRICT:
        return _advance(draft, today, subdistrict_code=None if value == UNKNOWN else value)
    if step is Step.FOUND:
        return _advance(draft, today, found=value == "yes")
    if step is Step.CAUSE:
        cause = None if value == UNKNOWN else DropoutCause(value)
        return _advance(draft, today, cause=cause, cause_answered=True)
    if step is Step.CONSENT:
        return _advance(draft, today, consent=Consent(value))
    if step is Step.NEEDS:
        return _answer_needs(draft, value, today)
    if step is Step.WISH:
        return _advance(draft, today, wish=EducationWish(value))
    if step is Step.EDIT:
        group = Field_(value)
        return draft.model_copy(update={"step": EDIT_GROUPS[group][0], "editing": group})
    # SUMMARY and DUPLICATES are decided by the caller: they touch the database.
    raise StaleAction()


def _answer_needs(draft: CaseDraft, value: str, today: date) -> CaseDraft:
    if value == "none":
        return _advance(draft, today, needs=[], needs_answered=True)
    if value == "done":
        if not draft.needs:
            raise InvalidInput()
        return _advance(draft, today, needs_answered=True)
    toggled = {Need(value)}
    chosen = set(draft.needs) ^ toggled
    return draft.model_copy(update={"needs": [need for need in Need if need in chosen]})


def answer_location(draft: CaseDraft, latitude: float, longitude: float,
                    today: date) -> CaseDraft:
    if draft.step is not Step.LOCATION:
        raise TextExpected() if draft.step in TEXT_STEPS else ChoiceExpected()
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidInput()
    return _advance(draft, today, latitude=latitude, longitude=longitude)


def skip(draft: CaseDraft, today: date) -> CaseDraft:
    """Leave an optional step empty (clearing an earlier answer to it)."""
    cleared = {
        Step.FAMILY_NAME: {"family_name": None},
        Step.NICKNAME: {"nickname": None},
        Step.ADDRESS: {"address": None},
        Step.LOCATION: {"latitude": None, "longitude": None},
        Step.GUARDIAN_NAME: {"guardian_name": None},
        Step.GUARDIAN_PHONE: {"guardian_phone": None},
    }
    if draft.step not in OPTIONAL:
        raise StaleAction()
    return _advance(draft, today, **cleared[draft.step])


def missing_steps(draft: CaseDraft, today: date) -> list[Step]:
    """Required answers not given yet; the summary cannot be confirmed until this is empty."""
    required = {
        Step.GIVEN_NAME: draft.given_name,
        Step.SEX: draft.sex,
        Step.ID_TYPE: draft.identity_type,
        Step.ID_NUMBER: draft.identity_number,
        Step.NATIONALITY: draft.nationality,
        Step.AGE: draft.age(today),
        Step.AGE_CONFIRM: draft.age_confirmed or None,
        Step.DISTRICT: draft.district_code,
        Step.FOUND: draft.found,
        Step.CAUSE: draft.cause_answered or None,
        Step.CONSENT: draft.consent,
        Step.NEEDS: draft.needs_answered or None,
        Step.WISH: draft.wish,
    }
    return [step for step, value in required.items()
            if value is None and _applies(draft, step, today)]


# --- duplicates and the save --------------------------------------------------------------


def revealed(draft: CaseDraft) -> list[PossibleDuplicate]:
    """The possible duplicates the teacher may be shown (and open)."""
    return [duplicate for duplicate in draft.duplicates if not duplicate.withheld]


async def find_duplicates(
    db: Database, actor: User | None, draft: CaseDraft, *, today: date, now: datetime,
    reveals_per_day: int,
) -> list[PossibleDuplicate]:
    """Cases that may be the same child (see `_matches`). Naming a case its finder may not
    open tells them that child's code, school and date, so whoever types an ID or a phone
    could probe with it: each such look-up is audited, case by case, and after
    `reveals_per_day` of them in a day the matches are withheld: the teacher is told only
    that one exists, and the case records it for the coordinators."""
    actor = require_user(actor)
    matches = await _matches(db, draft, today)
    others = [match for match in matches
              if not await cases.may_open(db.read, actor, await _case(db, match.case_id))]
    if not others:
        return matches
    async with db.unit_of_work() as uow:
        shown = await uow.audit.count_lookups(actor.id, DUPLICATE_SHOWN,
                                              since=now - DUPLICATE_REVEAL_WINDOW)
        withhold = shown >= reveals_per_day
        for match in others:
            await uow.audit.record(
                at=now, actor_id=actor.id,
                action=DUPLICATE_WITHHELD if withhold else DUPLICATE_SHOWN,
                entity="case", entity_id=match.case_id, after={"reason": match.reason})
        await uow.commit()
    if not withhold:
        return matches
    hidden = {match.case_id for match in others}
    return [match.model_copy(update={"withheld": match.case_id in hidden})
            for match in matches]


async def _case(db: Database, case_id: int) -> Case:
    case = await db.read.cases.get(case_id)
    assert case is not None  # cases are never deleted
    return case


async def _matches(db: Database, draft: CaseDraft, today: date) -> list[PossibleDuplicate]:
    """Cases that may be the same child: the same ID or G-code; or, for a child without
    one, a similar name with the same birth year (±1 when a year is estimated) and
    district, among the cases filed under the name's blocking keys (not the district's
    whole cohort: see `names.blocking_keys`); or the same guardian phone. None for a draft
    already saved (its answer was lost, or the bot restarted): confirming it again gives
    back that case."""
    found: dict[int, PossibleDuplicate] = {}

    def add(case_id: int, code: str, reason: DuplicateReason) -> None:
        found.setdefault(case_id, PossibleDuplicate(case_id=case_id, code=code, reason=reason))

    repo = db.read.cases
    if await repo.by_submission(draft.submission_id) is not None:
        return []
    if draft.identity_number and draft.identity_type in (IdentityType.THAI_ID,
                                                         IdentityType.G_CODE):
        for case_id, code in await repo.codes_by_identity(draft.identity_number):
            add(case_id, code, DuplicateReason.SAME_IDENTITY)
    else:
        key = names.name_key(draft.given_name or "", draft.family_name or "")
        year = draft.birth_year(today)
        estimated = draft.birth_date is None
        assert draft.district_code is not None
        candidates = await repo.name_candidates(
            district_code=draft.district_code, birth_years=(year - 1, year, year + 1),
            name_key=key)
        close = [candidate for candidate in candidates
                 if candidate.birth_year == year or estimated or candidate.birth_estimated]
        for index in sorted(names.similar_among(key, [each.name_key for each in close])):
            add(close[index].case_id, close[index].code, DuplicateReason.SIMILAR_NAME)
    if draft.guardian_phone:
        for case_id, code in await repo.codes_by_guardian_phone(draft.guardian_phone):
            add(case_id, code, DuplicateReason.SAME_GUARDIAN_PHONE)
    # The newest few: a step with hundreds of look-alikes (a common name in a big district)
    # could not be shown, and the teacher could not read it.
    return sorted(found.values(), key=lambda d: d.case_id)[-MOST_DUPLICATES_SHOWN:]


async def register_child(
    db: Database,
    actor: User | None,
    draft: CaseDraft,
    *,
    code_prefix: str,
    rules: list[routing.Rule],
    now: datetime,
    today: date,
    ending: ConversationEnd | None = None,
) -> Case:
    """Save the confirmed draft as a child and a new case, with an audit entry and a
    proposed referral for each need, in one transaction, which also `ending`s the wizard.
    Confirming the same draft again returns the case already saved."""
    if missing_steps(draft, today):
        raise StaleAction()
    # Read before taking the write lock, which every other writer is waiting for.
    actor = require_user(await db.read.users.get(require_user(actor).id))
    units = await db.read.organisations.active()
    async with db.unit_of_work() as uow:
        await uow.cases.hold_submission(draft.submission_id)  # a double tap waits here
        existing = await uow.cases.by_submission(draft.submission_id)
        if existing is not None:
            if ending is not None:
                await uow.conversations.end(ending)
                await uow.commit()
            return existing
        child = {
            "given_name": draft.given_name,
            "family_name": draft.family_name,
            "nickname": draft.nickname,
            "sex": draft.sex,
            "identity_type": draft.identity_type,
            "identity_number": draft.identity_number,
            "nationality": draft.nationality,
            "birth_date": draft.birth_date.isoformat() if draft.birth_date else None,
            "birth_year": draft.birth_year(today),
            "birth_estimated": int(draft.birth_date is None),
            "guardian_name": draft.guardian_name,
            "guardian_phone": draft.guardian_phone,
        }
        name_key = names.name_key(draft.given_name or "", draft.family_name or "")
        added = await uow.cases.add_child(child, name_key=name_key, now=now)
        code = await uow.cases.next_code(code_prefix, dates.buddhist_year(today.year))
        case = await uow.cases.add_case(
            {
                "code": code,
                "child_id": added.id,
                "teacher_id": actor.id,
                "organisation_id": actor.organisation_id,
                "status": CaseStatus.OPEN,
                "district_code": draft.district_code,
                "subdistrict_code": draft.subdistrict_code,
                "address": draft.address,
                "latitude": draft.latitude,
                "longitude": draft.longitude,
                "found": int(bool(draft.found)),
                "dropout_cause": draft.cause,
                "consent": draft.consent,
                "education_wish": draft.wish,
                "possible_duplicate_of": draft.duplicates[0].case_id if draft.duplicates
                else None,
                "submission_id": draft.submission_id,
                # What the report tables count, kept on the case (see migration 0005).
                "child_foreign": int(draft.nationality is not Nationality.THAI),
                "child_sex": draft.sex,
                "age_group": ages.age_group(draft.age(today) or 0) or ages.OUTSIDE,
                "needs_mask": needs_mask(draft.needs),
            },
            tuple(draft.needs),
            now=now,
        )
        await uow.cases.file_name(case.id, district_code=case.district_code,
                                  birth_year=added.birth_year, name_key=name_key)
        await uow.audit.record(
            at=now, actor_id=actor.id, action="case.register", entity="case",
            entity_id=case.id,
            after={"code": code, "child_id": added.id,
                   "possible_duplicates": [d.code for d in draft.duplicates]},
        )
        await referrals.propose_for_case(uow, case, added, units=units, rules=rules,
                                         created_by=actor.id, now=now, today=today)
        if ending is not None:
            await uow.conversations.end(ending)
        await uow.commit()
    return case
