"""The directory of schools and agency units, read from a YAML file and checked whole.

A bad file is refused with a message naming the bad entry, and changes nothing.
"""

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.domain.models import EducationWish, Need, Organisation, OrganisationKind
from bot.geography import Geography


class DirectoryError(ValueError):
    """The directory file cannot be used; the message says which entry and why."""


class _Unit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9_]{2,40}$")
    kind: OrganisationKind
    name_th: str = Field(min_length=2, max_length=200)
    name_en: str = Field(min_length=2, max_length=200)
    short_th: str = Field(min_length=2, max_length=40)
    short_en: str = Field(min_length=2, max_length=40)
    parent: str | None = None
    districts: list[str] = Field(min_length=1)
    serves_needs: list[Need] = []
    serves_wishes: list[EducationWish] = []
    min_age: int | None = Field(default=None, ge=0, le=25)
    max_age: int | None = Field(default=None, ge=0, le=25)

    @field_validator("districts", "serves_needs", "serves_wishes")
    @classmethod
    def _no_repeats(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("an entry is listed twice")
        return value

    @model_validator(mode="after")
    def _ages_in_order(self) -> "_Unit":
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError("min_age is above max_age")
        return self


class _DirectoryFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    province: str = Field(pattern=r"^\d{2}$")
    units: list[_Unit] = Field(min_length=1)


def load_directory(path: Path, geography: Geography) -> list[Organisation]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DirectoryError(f"{path}: cannot read the file: {exc}") from exc
    try:
        directory = _DirectoryFile.model_validate(raw)
    except ValidationError as exc:
        raise DirectoryError(_describe(path, raw, exc)) from exc
    if directory.province != geography.province_code:
        raise DirectoryError(
            f"{path}: the directory is for province {directory.province}, "
            f"but this deployment serves province {geography.province_code}"
        )
    ids = [unit.id for unit in directory.units]
    problems = []
    for index, unit in enumerate(directory.units):
        where = f"units[{index}] ({unit.id})"
        if ids.count(unit.id) > 1:
            problems.append(f"{where}: the id is used more than once")
        if unit.parent is not None and unit.parent not in ids:
            problems.append(f"{where}: parent {unit.parent!r} is not in the directory")
        unknown = [code for code in unit.districts if geography.district(code) is None]
        if unknown:
            problems.append(f"{where}: unknown district codes {', '.join(unknown)}")
    problems.extend(_parent_cycles({unit.id: unit.parent for unit in directory.units}))
    if not any(unit.kind is OrganisationKind.PEO for unit in directory.units):
        problems.append("no PEO unit: coordinators need the provincial education office")
    if problems:
        raise DirectoryError(f"{path}: " + "; ".join(problems))
    return [
        Organisation(
            id=unit.id, kind=unit.kind, name_th=unit.name_th, name_en=unit.name_en,
            short_th=unit.short_th, short_en=unit.short_en, parent_id=unit.parent,
            districts=tuple(unit.districts), serves_needs=tuple(unit.serves_needs),
            serves_wishes=tuple(unit.serves_wishes), min_age=unit.min_age,
            max_age=unit.max_age,
        )
        for unit in directory.units
    ]


def _parent_cycles(parents: dict[str, str | None]) -> list[str]:
    """A unit may not be its own ancestor: walking up from it must reach the top."""
    problems = []
    for start in parents:
        seen, current = {start}, parents[start]
        while current is not None and current in parents:
            if current in seen:
                problems.append(f"{start}: its parents go round in a circle through {current}")
                break
            seen.add(current)
            current = parents[current]
    return problems


def _describe(path: Path, raw: object, exc: ValidationError) -> str:
    messages = []
    for error in exc.errors():
        location = error["loc"]
        where = ".".join(str(part) for part in location)
        if len(location) >= 2 and location[0] == "units" and isinstance(location[1], int):
            units = raw.get("units") if isinstance(raw, dict) else None
            if isinstance(units, list) and isinstance(units[location[1]], dict):
                where += f" ({units[location[1]].get('id', '?')})"
        messages.append(f"{where}: {error['msg']}")
    return f"{path}: " + "; ".join(messages)
