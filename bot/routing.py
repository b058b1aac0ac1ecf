"""Where each support need goes: routing rules as data (`data/routing.yaml`), not code.

A rule says: for this need (and, where given, these education wishes, ages, nationalities,
identity types or dropout causes), send to a unit of these types. The unit is the one of
that type that covers the child's district and serves the need, the wish and the age (the
directory says what each unit serves); the most local one when several do. The first rule
that yields a unit wins. When none does, the need has no destination and goes to the
coordinators' queue: never nowhere.
"""

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.domain.identity import IdentityType
from bot.domain.models import (
    DropoutCause,
    EducationWish,
    Nationality,
    Need,
    Organisation,
    OrganisationKind,
)

# Teachers' schools and the coordinators' own office are not referral destinations.
NOT_DESTINATIONS = frozenset({OrganisationKind.SCHOOL, OrganisationKind.PEO})


class RoutingError(ValueError):
    """The routing file cannot be used; the message says which rule and why."""


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    need: Need
    to: tuple[OrganisationKind, ...] = Field(min_length=1)
    wishes: tuple[EducationWish, ...] = ()
    min_age: int | None = Field(default=None, ge=0, le=25)
    max_age: int | None = Field(default=None, ge=0, le=25)
    nationalities: tuple[Nationality, ...] = ()
    identity_types: tuple[IdentityType, ...] = ()
    causes: tuple[DropoutCause, ...] = ()
    why: str = ""

    @field_validator("to")
    @classmethod
    def _destinations(cls, kinds: tuple[OrganisationKind, ...]) -> tuple[OrganisationKind, ...]:
        wrong = [kind for kind in kinds if kind in NOT_DESTINATIONS]
        if wrong:
            raise ValueError(f"{', '.join(wrong)} cannot receive referrals")
        return kinds


class _RoutingFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[Rule] = Field(min_length=1)


@dataclass(frozen=True)
class Child:
    """What routing may look at: no name, no identity number."""

    age: int | None
    district_code: str
    wish: EducationWish | None = None
    nationality: Nationality | None = None
    identity_type: IdentityType | None = None
    cause: DropoutCause | None = None


@dataclass(frozen=True)
class Proposal:
    need: Need
    unit: Organisation | None  # None: the coordinators' queue
    rule: Rule | None


def _applies(rule: Rule, need: Need, child: Child) -> bool:
    if rule.need is not need:
        return False
    if rule.wishes and child.wish not in rule.wishes:
        return False
    if rule.min_age is not None and (child.age is None or child.age < rule.min_age):
        return False
    if rule.max_age is not None and (child.age is None or child.age > rule.max_age):
        return False
    if rule.nationalities and child.nationality not in rule.nationalities:
        return False
    if rule.identity_types and child.identity_type not in rule.identity_types:
        return False
    return not rule.causes or child.cause in rule.causes


def _unit(kind: OrganisationKind, need: Need, child: Child,
          units: list[Organisation]) -> Organisation | None:
    candidates = [unit for unit in units if unit.active and unit.kind is kind
                  and child.district_code in unit.districts
                  and unit.serves(need, child.wish, child.age)]
    return min(candidates, key=lambda unit: (len(unit.districts), unit.id), default=None)


def propose(rules: list[Rule], units: list[Organisation], needs: list[Need],
            child: Child) -> list[Proposal]:
    """One proposal per need, in the order the needs were given."""
    proposals = []
    for need in needs:
        chosen = Proposal(need, None, None)
        for rule in rules:
            if not _applies(rule, need, child):
                continue
            unit = next((found for kind in rule.to
                         if (found := _unit(kind, need, child, units)) is not None), None)
            if unit is not None:
                chosen = Proposal(need, unit, rule)
                break
        proposals.append(chosen)
    return proposals


def load_rules(path: Path) -> list[Rule]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RoutingError(f"{path}: cannot read the file: {exc}") from exc
    try:
        rules = _RoutingFile.model_validate(raw).rules
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
                    for error in exc.errors()]
        raise RoutingError(f"{path}: " + "; ".join(problems)) from exc
    problems = [f"rules.{index}: min_age is above max_age" for index, rule in enumerate(rules)
                if rule.min_age is not None and rule.max_age is not None
                and rule.min_age > rule.max_age]
    missing = set(Need) - {rule.need for rule in rules}
    if missing:
        problems.append(f"no rule for {', '.join(sorted(missing))}")
    if problems:
        raise RoutingError(f"{path}: " + "; ".join(problems))
    return rules
