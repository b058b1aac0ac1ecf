"""What a summary or an export covers: the province, a district, a unit or a teacher's own
cases."""

from dataclasses import dataclass
from enum import StrEnum


class ScopeKind(StrEnum):
    PROVINCE = "province"
    DISTRICT = "district"
    UNIT = "unit"
    TEACHER = "teacher"  # a teacher's own cases


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    key: str | None = None  # district code, unit id or user id
