"""The nouns of Panong: who uses it, the children they find, and the cases opened for them."""

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict

from bot.domain import dates
from bot.domain.identity import IdentityType


class Role(StrEnum):
    TEACHER = "teacher"
    FOCAL_POINT = "focal_point"
    COORDINATOR = "coordinator"


class OrganisationKind(StrEnum):
    """Agency types from the province's directory, plus the schools teachers work in."""

    PEO = "PEO"
    OBEC = "OBEC"
    DOLE = "DOLE"
    OVEC = "OVEC"
    DSD = "DSD"
    DOE = "DOE"
    MSDHS = "MSDHS"
    SPECIAL_ED = "SPECIAL_ED"
    SCHOOL = "SCHOOL"


# Which organisations each role may belong to: teachers work in schools or in the units
# that run their own field searches; focal points answer for agency units; coordinators
# sit in the provincial education office.
ROLE_ORGANISATION_KINDS: dict[Role, frozenset[OrganisationKind]] = {
    Role.TEACHER: frozenset({OrganisationKind.SCHOOL, OrganisationKind.DOLE, OrganisationKind.OBEC,
                             OrganisationKind.OVEC, OrganisationKind.SPECIAL_ED}),
    Role.FOCAL_POINT: frozenset(OrganisationKind) - {OrganisationKind.SCHOOL, OrganisationKind.PEO},
    Role.COORDINATOR: frozenset({OrganisationKind.PEO}),
}


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class Nationality(StrEnum):
    THAI = "thai"
    MYANMAR = "myanmar"
    CAMBODIAN = "cambodian"
    LAO = "lao"
    OTHER = "other"
    UNKNOWN = "unknown"


class DropoutCause(StrEnum):
    """The ten causes of the province report (codes.yaml `dropout_causes`), in its order."""

    FAMILY_NECESSITY = "FAMILY_NECESSITY"
    RELOCATION = "RELOCATION"
    FAMILY_CONDITION = "FAMILY_CONDITION"
    HEALTH = "HEALTH"
    LOW_INCOME = "LOW_INCOME"
    TRANSPORT = "TRANSPORT"
    SOCIAL_ADJUSTMENT = "SOCIAL_ADJUSTMENT"
    DISABILITY = "DISABILITY"
    DISASTER = "DISASTER"
    MISCONDUCT = "MISCONDUCT"


class Consent(StrEnum):
    """The guardian's consent to share the child's data with agencies."""

    GIVEN = "given"
    REFUSED = "refused"
    NOT_ASKED = "not_asked"


class Need(StrEnum):
    EDUCATION = "EDUCATION"
    HEALTH = "HEALTH"
    VOCATIONAL_SKILLS = "VOCATIONAL_SKILLS"
    CONSUMABLES = "CONSUMABLES"


# Needs as bits of one number (cases.needs_mask), so one GROUP BY counts every combination.
NEED_BITS = {Need.EDUCATION: 1, Need.HEALTH: 2, Need.VOCATIONAL_SKILLS: 4, Need.CONSUMABLES: 8}


def needs_mask(needs: Iterable[Need]) -> int:
    return sum(NEED_BITS[need] for need in set(needs))


class EducationWish(StrEnum):
    SCHOOL = "school"
    NON_FORMAL = "non_formal"
    VOCATIONAL = "vocational"
    WORK_AND_STUDY = "work_and_study"
    NO_STUDY = "no_study"


class CaseStatus(StrEnum):
    """Derived from the case's referrals (`bot.services.referrals.case_status`)."""

    OPEN = "open"  # registered; nothing sent yet
    REFERRED = "referred"  # waiting for a unit, or for the coordinators to find one
    IN_PROGRESS = "in_progress"  # a unit has taken at least one need
    COMPLETED = "completed"  # every referral ended, at least one with an outcome
    CLOSED = "closed"  # every referral ended without one


class ReferralStatus(StrEnum):
    PROPOSED = "proposed"  # the teacher has not sent it yet
    UNROUTED = "unrouted"  # sent, but no unit found: the coordinators' queue
    SENT = "sent"
    INFO_REQUESTED = "info_requested"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class Outcome(StrEnum):
    """How a referral ended, in the words of the issue and the province's Table 5."""

    ENROLLED_SCHOOL = "enrolled_school"
    ENROLLED_NON_FORMAL = "enrolled_non_formal"
    VOCATIONAL_TRAINING = "vocational_training"
    EMPLOYED = "employed"
    OTHER = "other"


class DeclineReason(StrEnum):
    OUTSIDE_AREA = "outside_area"
    NOT_OUR_SERVICE = "not_our_service"
    AGE_LIMIT = "age_limit"
    NO_CAPACITY = "no_capacity"
    CANNOT_CONTACT = "cannot_contact"
    OTHER = "other"


class WithdrawReason(StrEnum):
    SENT_BY_MISTAKE = "sent_by_mistake"
    DUPLICATE = "duplicate"
    NO_LONGER_NEEDED = "no_longer_needed"
    CHILD_MOVED = "child_moved"
    OTHER = "other"


class Organisation(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    kind: OrganisationKind
    name_th: str
    name_en: str
    short_th: str
    short_en: str
    parent_id: str | None = None
    districts: tuple[str, ...] = ()
    # What the unit takes referrals for; empty means any. Ages are inclusive, in years.
    serves_needs: tuple[Need, ...] = ()
    serves_wishes: tuple[EducationWish, ...] = ()
    min_age: int | None = None
    max_age: int | None = None
    # Units dropped from the directory stay, inactive, for the users and cases that point
    # at them; nobody new can join them.
    active: bool = True

    def serves(self, need: Need, wish: EducationWish | None, age: int | None) -> bool:
        """Whether a referral for this need, wish and age is the unit's business."""
        if self.serves_needs and need not in self.serves_needs:
            return False
        if self.serves_wishes and wish is not None and wish not in self.serves_wishes:
            return False
        if age is None:
            return True
        return (self.min_age is None or age >= self.min_age) and (
            self.max_age is None or age <= self.max_age)

    def name(self, lang: str) -> str:
        return self.name_th if lang == "th" else self.name_en

    def short_name(self, lang: str) -> str:
        """The name that fits on a button."""
        return self.short_th if lang == "th" else self.short_en


class User(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    channel: str
    channel_user_id: str
    display_name: str
    role: Role
    organisation_id: str
    language: str | None
    active: bool
    created_at: datetime
    # Set when their chat refused a message (they blocked the bot); cleared when they
    # write again.
    unreachable_since: datetime | None = None
    # Set when a message to them failed even after retries; cleared once they are told.
    undelivered_since: datetime | None = None


class Invite(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    role: Role
    organisation_id: str
    created_by: int | None
    created_at: datetime
    expires_at: datetime
    used_by: int | None = None
    used_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: int | None = None


class Child(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    given_name: str
    family_name: str | None
    nickname: str | None
    sex: Sex
    identity_type: IdentityType
    identity_number: str | None
    nationality: Nationality
    birth_date: date | None
    birth_year: int
    birth_estimated: bool
    guardian_name: str | None
    guardian_phone: str | None

    def age(self, today: date) -> int:
        return dates.age_from(self.birth_date, self.birth_year, today)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)


class Case(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    code: str
    child_id: int
    teacher_id: int
    organisation_id: str
    status: CaseStatus
    district_code: str
    subdistrict_code: str | None
    address: str | None
    latitude: float | None
    longitude: float | None
    found: bool
    dropout_cause: DropoutCause | None
    consent: Consent
    education_wish: EducationWish
    needs: tuple[Need, ...]
    possible_duplicate_of: int | None
    created_at: datetime
    updated_at: datetime


class Referral(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    case_id: int
    need: Need
    organisation_id: str | None  # None: no unit yet, the coordinators decide
    status: ReferralStatus
    awaiting_coordinator: bool
    previous_id: int | None
    reason: str | None  # a decline or withdrawal reason key
    outcome: Outcome | None
    created_by: int
    sent_at: datetime | None
    accepted_by: int | None
    accepted_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ReferralMessage(BaseModel):
    """A chat message that shows a referral to its unit."""

    model_config = ConfigDict(frozen=True)

    referral_id: int
    channel: str
    chat_id: str
    message_id: str
    language: str


class ReminderKind(StrEnum):
    UNANSWERED = "unanswered"  # a referral still waits for its unit: remind the unit
    ESCALATION = "escalation"  # ...and much longer: tell the coordinators
    STALLED = "stalled"  # accepted, no outcome yet: ask the unit for an update
    QUESTION = "question"  # the unit's question waits for the teacher
    ATTENDANCE = "attendance"  # is the child who went back to school still there?
    DATA_ROUND = "data_round"  # the same, before a student-database data round
    FOLLOW_UP = "follow_up"  # the teacher's own "remind me"


class ReminderStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"  # turned into messages
    ANSWERED = "answered"  # somebody pressed one of its answers
    CANCELLED = "cancelled"  # its reason went away first


class Reminder(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    kind: ReminderKind
    case_id: int
    referral_id: int | None
    user_id: int | None
    due_at: datetime
    status: ReminderStatus
    detail: str | None
    created_at: datetime
    updated_at: datetime


class OutboxKind(StrEnum):
    NOTICE = "notice"
    REFERRAL = "referral"
    REMINDER = "reminder"


class OutboxMessage(BaseModel):
    """One message owed to one chat: the outbox row the dispatcher works from."""

    model_config = ConfigDict(frozen=True)

    id: int
    channel: str
    chat_id: str
    language: str | None
    kind: OutboxKind
    payload: dict[str, Any]
    case_id: int | None
    referral_id: int | None
    reminder_id: int | None
    message_id: str | None
    retry_key: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


class AttendanceAnswer(StrEnum):
    YES = "yes"
    NO = "no"
    MOVED = "moved"
    UNKNOWN = "unknown"


class UnitChat(BaseModel):
    model_config = ConfigDict(frozen=True)

    organisation_id: str
    channel: str
    chat_id: str
    title: str
    language: str
    linked_by: int
    linked_at: datetime


class CaseSummary(BaseModel):
    """One line of a teacher's case list: the least data that lets them find the child."""

    model_config = ConfigDict(frozen=True)

    code: str
    child_name: str
    status: CaseStatus
    district_code: str
    created_at: datetime


class DuplicateReason(StrEnum):
    SAME_IDENTITY = "same_identity"
    SIMILAR_NAME = "similar_name"
    SAME_GUARDIAN_PHONE = "same_guardian_phone"


class PossibleDuplicate(BaseModel):
    model_config = ConfigDict(frozen=True)

    case_id: int
    code: str
    reason: DuplicateReason
    # Not to be shown to this teacher: they have looked up too many others' cases today.
    withheld: bool = False


class DuplicateCandidate(NamedTuple):
    """An existing case the duplicate check compares a new registration with: a plain row,
    for up to `names.MOST_CANDIDATES` are read at each check."""

    case_id: int
    code: str
    name_key: str
    birth_year: int
    birth_estimated: bool
