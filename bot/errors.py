"""One error hierarchy for everything a user can be told went wrong.

Each error names the catalog key of its message (`locales/*/errors.ftl`) and carries the
values that message needs. The channel adapter translates it in one place; nothing here
knows how the message is shown.
"""

from typing import Any


class AppError(Exception):
    """An expected failure that the user is told about in their own language."""

    key = "error-unexpected"

    def __init__(self, **params: Any) -> None:
        super().__init__(self.key, params)
        self.params = params


# --- bad input --------------------------------------------------------------------------


class InvalidInput(AppError):
    """An answer that cannot be used; the question is asked again and nothing changes."""

    key = "error-invalid-input"


class TextTooLong(InvalidInput):
    key = "error-text-too-long"

    def __init__(self, limit: int) -> None:
        super().__init__(limit=limit)


class TextExpected(InvalidInput):
    key = "error-text-expected"


class ChoiceExpected(InvalidInput):
    key = "error-choice-expected"


class InvalidThaiId(InvalidInput):
    """reason: `length` (not 13 digits), `first-digit` (9 is reserved), `office` (digits
    2-3 are no province's code) or `checksum`."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason=reason)

    @property
    def key(self) -> str:  # type: ignore[override]
        return f"error-thai-id-{self.reason}"


class InvalidGCode(InvalidInput):
    key = "error-g-code"


class InvalidDocumentNumber(InvalidInput):
    key = "error-document-number"


class InvalidDate(InvalidInput):
    """reason: `format`, `impossible` (31 Feb), `future` or `too-old` for a past date;
    `not-coming` or `too-far` for a date to come."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason=reason)

    @property
    def key(self) -> str:  # type: ignore[override]
        return f"error-date-{self.reason}"


class InvalidAge(InvalidInput):
    key = "error-age"


class InvalidPhone(InvalidInput):
    key = "error-phone"


class InvalidName(InvalidInput):
    """reason: `empty`, `too-long` or `characters`."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason=reason)

    @property
    def key(self) -> str:  # type: ignore[override]
        return f"error-name-{self.reason}"


# --- who may do what --------------------------------------------------------------------


class NotRegistered(AppError):
    key = "error-not-registered"


class AccountDeactivated(AppError):
    key = "error-deactivated"


class PermissionDenied(AppError):
    key = "error-permission"


class DatabaseBusy(AppError):
    """The database stayed locked by someone else (a backup, another process) for longer
    than the busy timeout. The transaction was rolled back: nothing was saved."""

    key = "error-busy"


class StaleAction(AppError):
    """A button or answer that no longer fits the state it was made for."""

    key = "error-stale"


# --- onboarding -------------------------------------------------------------------------


class InviteNotFound(AppError):
    key = "error-invite-unknown"


class InviteUsed(AppError):
    key = "error-invite-used"


class InviteExpired(AppError):
    key = "error-invite-expired"


class InviteRevoked(AppError):
    """Withdrawn by a coordinator, or its maker is no longer an active coordinator."""

    key = "error-invite-revoked"


class AlreadyRegistered(AppError):
    key = "error-already-registered"


class LinkCodeInvalid(AppError):
    """A code to link a second channel that is unknown, used or expired."""

    key = "error-link-code"


class ChannelAlreadyLinked(AppError):
    key = "error-channel-linked"


class UnknownOrganisation(AppError):
    key = "error-unknown-organisation"


# --- cases ------------------------------------------------------------------------------


class CaseNotFound(AppError):
    key = "error-case-not-found"

    def __init__(self, code: str) -> None:
        super().__init__(code=code)


class NothingToErase(AppError):
    """/erase named neither a case code nor an imported list's reference."""

    key = "error-nothing-to-erase"

    def __init__(self, reference: str) -> None:
        super().__init__(reference=reference)


# --- referrals --------------------------------------------------------------------------


class ReferralAlreadyTaken(AppError):
    """Another focal point of the unit accepted it first."""

    key = "error-referral-taken"

    def __init__(self, name: str) -> None:
        super().__init__(name=name)


class GroupLinkedElsewhere(AppError):
    """The group already receives another unit's referrals."""

    key = "error-group-linked-elsewhere"

    def __init__(self, unit_th: str, unit_en: str) -> None:
        super().__init__(unit_th=unit_th, unit_en=unit_en)


class ImportNotAllowed(PermissionDenied):
    """A file sent by someone who may not import lists."""

    key = "error-import-coordinators-only"
