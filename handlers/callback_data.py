"""Typed callback data, packed as `prefix:field:field` and parsed once at the edge.

Callback data carries ids, never state or permission: every press is checked again on the
server. Telegram allows 64 bytes.
"""

import re
from typing import ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.domain.models import Role

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
