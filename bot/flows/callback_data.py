"""What a button carries, typed, packed as `prefix:field:field` and parsed once at the
edge: Telegram's callback data and LINE's postback data alike.

It carries ids, never state or permission: every press is checked again on the server.
Telegram allows 64 bytes (LINE 300 characters): packing checks the smaller.
"""

import re
from typing import ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.domain.models import AttendanceAnswer, Role
from bot.flows.referrals import Action
from bot.services.erasure import ErasureKind

SEPARATOR = ":"
MAX_BYTES = 64


class CallbackData(BaseModel):
    model_config = ConfigDict(frozen=True)

    prefix: ClassVar[str]

    def pack(self) -> str:
        parts = [self.prefix]
        for name, value in self:
            text = str(value.value if hasattr(value, "value") else value)
            if SEPARATOR in text:
                raise ValueError(f"{name}={text!r} contains {SEPARATOR!r}")
            parts.append(text)
        packed = SEPARATOR.join(parts)
        if len(packed.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {packed!r}")
        return packed

    @classmethod
    def unpack(cls, data: str | None) -> Self | None:
        """The parsed button, or None for data this class did not make (old or forged)."""
        if not data:
            return None
        prefix, *values = data.split(SEPARATOR)
        names = list(cls.model_fields)
        if prefix != cls.prefix or len(values) != len(names):
            return None
        try:
            return cls.model_validate(dict(zip(names, values, strict=True)))
        except ValidationError:
            return None

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        return re.compile(rf"^{re.escape(cls.prefix)}{SEPARATOR}")


class WizardButton(CallbackData):
    """A choice on one step of the registration wizard; `value` may be a navigation verb."""

    prefix: ClassVar[str] = "w"
    step: str
    value: str


class CasesPageButton(CallbackData):
    prefix: ClassVar[str] = "mc"
    page: int


class OpenCaseButton(CallbackData):
    prefix: ClassVar[str] = "case"
    code: str


class LanguageButton(CallbackData):
    prefix: ClassVar[str] = "lang"
    language: str


class InviteRoleButton(CallbackData):
    prefix: ClassVar[str] = "ivr"
    role: Role


class InviteOrganisationButton(CallbackData):
    prefix: ClassVar[str] = "ivo"
    role: Role
    organisation_id: str


class InvitePageButton(CallbackData):
    prefix: ClassVar[str] = "ivp"
    role: Role
    page: int


class InvitesPageButton(CallbackData):
    prefix: ClassVar[str] = "ivl"
    page: int


class InviteRevokeButton(CallbackData):
    """Ask to withdraw a pending invite, named by the start of its code (`key`);
    `confirmed` 0 shows the question, 1 acts."""

    prefix: ClassVar[str] = "ivx"
    key: str
    confirmed: int
    page: int


class UsersPageButton(CallbackData):
    prefix: ClassVar[str] = "up"
    page: int


class UserActiveButton(CallbackData):
    """Ask to (de)activate a user; `confirmed` 0 shows the question, 1 acts."""

    prefix: ClassVar[str] = "ua"
    user_id: int
    active: int
    confirmed: int
    page: int


class ReferralButton(CallbackData):
    """An action on one referral: accept, decline, start, complete, details, withdraw,
    dismiss, or back to the referral's own buttons."""

    prefix: ClassVar[str] = "rf"
    referral_id: int
    action: str


class ReferralChoiceButton(CallbackData):
    """A reason or an outcome chosen from a referral's menu: `action` is decline, complete
    or withdraw, `value` the reason or outcome."""

    prefix: ClassVar[str] = "rfc"
    referral_id: int
    action: str
    value: str


class NoteButton(CallbackData):
    """Starts something typed: on the referral `target_id`, a question, an answer or an
    "other" reason; on the case `target_id` (kind `remind`), the date of a reminder."""

    prefix: ClassVar[str] = "nt"
    target_id: int
    kind: str


def action_data(action: Action, referral_id: int) -> ReferralButton | NoteButton:
    """The button data for an action on a referral (`bot.flows.referrals`): one that starts
    with a typed note opens the note's conversation."""
    if action.typed:
        return NoteButton(target_id=referral_id, kind=action.name)
    return ReferralButton(referral_id=referral_id, action=action.name)


class PlanButton(CallbackData):
    """The teacher's routing plan for a case: show, send or later."""

    prefix: ClassVar[str] = "pl"
    case_id: int
    action: str


class DestinationListButton(CallbackData):
    """Show the units a proposed referral (`queued` 0) or a queued one (1) could go to."""

    prefix: ClassVar[str] = "dl"
    referral_id: int
    queued: int


# DestinationButton's unit for "let the coordinators decide".
COORDINATORS_DECIDE = "-"


class DestinationButton(CallbackData):
    """Send a proposed referral (`queued` 0) or a queued one (1) to this unit;
    COORDINATORS_DECIDE lets the coordinators decide."""

    prefix: ClassVar[str] = "ds"
    referral_id: int
    queued: int
    unit_id: str


class DestinationPageButton(CallbackData):
    """Another page of the units a referral could go to, where a chat cannot show them
    all at once (LINE's 13 quick replies); fields as `DestinationListButton`'s."""

    prefix: ClassVar[str] = "dp"
    referral_id: int
    queued: int
    page: int


class CaseActionButton(CallbackData):
    """From a case card: send, withdraw or moved."""

    prefix: ClassVar[str] = "ca"
    case_id: int
    action: str


class MoveDistrictButton(CallbackData):
    prefix: ClassVar[str] = "md"
    case_id: int
    district_code: str


class MovePlanButton(CallbackData):
    """After a move: reroute the referrals the new district's units should have, or keep."""

    prefix: ClassVar[str] = "mp"
    case_id: int
    action: str


class InboxPageButton(CallbackData):
    prefix: ClassVar[str] = "ip"
    page: int


class QueuePageButton(CallbackData):
    prefix: ClassVar[str] = "qp"
    page: int


class SnoozeButton(CallbackData):
    prefix: ClassVar[str] = "sz"
    reminder_id: int
    days: int


class AttendanceButton(CallbackData):
    """The teacher's answer to "is the child still attending?"."""

    prefix: ClassVar[str] = "at"
    reminder_id: int
    answer: AttendanceAnswer


class RemindMeButton(CallbackData):
    """A quick choice of when to be reminded of a case: in `days` days."""

    prefix: ClassVar[str] = "rm"
    case_id: int
    days: int


class SummaryButton(CallbackData):
    """Show the summary of a scope (`key` "-" when it needs none) over a period; `scope`
    "pick-district" and "pick-unit" list the choices instead."""

    prefix: ClassVar[str] = "sm"
    scope: str
    key: str
    period: str


class ReportButton(CallbackData):
    """Make a file of a summary: `kind` xlsx, csv or chart; `key` "-" when none."""

    prefix: ClassVar[str] = "rp"
    kind: str
    scope: str
    key: str
    period: str


class LeadPageButton(CallbackData):
    prefix: ClassVar[str] = "lp"
    page: int


class LeadOpenButton(CallbackData):
    prefix: ClassVar[str] = "lo"
    lead_id: int


class LeadMarkButton(CallbackData):
    """What the school found: found, not_found, moved or studying."""

    prefix: ClassVar[str] = "lm"
    lead_id: int
    result: str


class EraseButton(CallbackData):
    """Confirm (1) or keep (0) the erasure of a case's or a list row's personal data."""

    prefix: ClassVar[str] = "er"
    kind: ErasureKind
    target_id: int
    confirmed: int


class MenuButton(CallbackData):
    """A rich menu's button on LINE: the command it stands for, handled as if typed (the
    command's own checks apply)."""

    prefix: ClassVar[str] = "mn"
    command: str = Field(pattern=r"^/[a-z]{1,20}$")
