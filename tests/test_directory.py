"""The directory of schools and agency units, and the geography it is checked against."""

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import DATA_DIR
from bot.directory import DirectoryError, load_directory
from bot.domain.models import OrganisationKind
from bot.geography import Geography

SHIPPED = DATA_DIR / "directory.yaml"


@pytest.fixture(scope="module")
def geography() -> Geography:
    return Geography.load("11")


@pytest.fixture(scope="module")
def shipped() -> dict[str, Any]:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def _unit(directory: dict[str, Any], unit_id: str) -> dict[str, Any]:
    return next(unit for unit in directory["units"] if unit["id"] == unit_id)


def _write(tmp_path: Path, directory: dict[str, Any]) -> Path:
    path = tmp_path / "directory.yaml"
    path.write_text(yaml.safe_dump(directory, allow_unicode=True), encoding="utf-8")
    return path


# --- the shipped file -----------------------------------------------------------------------


def test_the_shipped_directory_loads(geography: Geography) -> None:
    organisations = load_directory(SHIPPED, geography)

    assert len(organisations) == 22
    assert len({org.id for org in organisations}) == 22
    peos = [org for org in organisations if org.kind is OrganisationKind.PEO]
    assert [org.id for org in peos] == ["peo_samutprakan"]
    assert set(peos[0].districts) == {"1101", "1102", "1103", "1104", "1105", "1106"}
    ids = {org.id for org in organisations}
    schools = [org for org in organisations if org.kind is OrganisationKind.SCHOOL]
    assert {org.id for org in schools} >= {"school_wat_phraek_sa"}
    assert all(org.parent_id in ids for org in schools)
    by_id = {org.id: org for org in organisations}
    assert by_id["school_wat_phraek_sa"].parent_id == "spp1_samutprakan"
    assert by_id["dole_d1103"].districts == ("1103",)
    assert all(geography.district(code) for org in organisations for code in org.districts)


def test_a_copy_of_the_shipped_directory_loads_the_same(
    tmp_path: Path, geography: Geography, shipped: dict[str, Any]
) -> None:
    assert load_directory(_write(tmp_path, shipped), geography) == load_directory(
        SHIPPED, geography
    )


# --- bad files ------------------------------------------------------------------------------


def _unknown_district(d: dict[str, Any]) -> None:
    _unit(d, "dole_d1103")["districts"] = ["1103", "1199"]


def _duplicate_id(d: dict[str, Any]) -> None:
    _unit(d, "school_wat_khlong_mon")["id"] = "school_wat_phraek_sa"


def _missing_parent(d: dict[str, Any]) -> None:
    _unit(d, "school_wat_phraek_sa")["parent"] = "spp9_samutprakan"


def _unknown_kind(d: dict[str, Any]) -> None:
    _unit(d, "dole_d1103")["kind"] = "POLICE"


def _missing_field(d: dict[str, Any]) -> None:
    del _unit(d, "dole_d1103")["name_en"]


def _extra_field(d: dict[str, Any]) -> None:
    _unit(d, "dole_d1103")["phone"] = "02 123 4567"


def _bad_id(d: dict[str, Any]) -> None:
    _unit(d, "dole_d1103")["id"] = "DOLE d1103!"


@pytest.mark.parametrize(
    ("spoil", "bad_id", "problem"),
    [
        (_unknown_district, "dole_d1103", "unknown district codes 1199"),
        (_duplicate_id, "school_wat_phraek_sa", "used more than once"),
        (_missing_parent, "school_wat_phraek_sa", "spp9_samutprakan"),
        (_unknown_kind, "dole_d1103", "kind"),
        (_missing_field, "dole_d1103", "name_en"),
        (_extra_field, "dole_d1103", "phone"),
        (_bad_id, "DOLE d1103!", "id"),
    ],
)
def test_a_bad_entry_is_refused_with_a_message_naming_it(
    tmp_path: Path, geography: Geography, shipped: dict[str, Any],
    spoil: Callable[[dict[str, Any]], None], bad_id: str, problem: str,
) -> None:
    directory = copy.deepcopy(shipped)
    spoil(directory)

    with pytest.raises(DirectoryError) as caught:
        load_directory(_write(tmp_path, directory), geography)

    message = str(caught.value)
    assert f"({bad_id})" in message
    assert problem in message
    assert str(tmp_path) in message


@pytest.mark.parametrize("other_parent", ["school_wat_phraek_sa", "spp1_samutprakan"])
def test_units_whose_parents_go_round_in_a_circle_are_refused(
    tmp_path: Path, geography: Geography, shipped: dict[str, Any], other_parent: str
) -> None:
    directory = copy.deepcopy(shipped)
    _unit(directory, "school_wat_phraek_sa")["parent"] = other_parent  # itself, or a loop
    _unit(directory, "spp1_samutprakan")["parent"] = "school_wat_phraek_sa"

    with pytest.raises(DirectoryError, match="school_wat_phraek_sa"):
        load_directory(_write(tmp_path, directory), geography)


def test_a_directory_for_another_province_is_refused(
    tmp_path: Path, geography: Geography, shipped: dict[str, Any]
) -> None:
    directory = copy.deepcopy(shipped)
    directory["province"] = "10"

    with pytest.raises(DirectoryError, match=r"province 10.*serves province 11"):
        load_directory(_write(tmp_path, directory), geography)


def test_a_directory_without_a_peo_is_refused(
    tmp_path: Path, geography: Geography, shipped: dict[str, Any]
) -> None:
    directory = copy.deepcopy(shipped)
    _unit(directory, "peo_samutprakan")["kind"] = "OBEC"

    with pytest.raises(DirectoryError, match="no PEO unit"):
        load_directory(_write(tmp_path, directory), geography)


def test_every_problem_in_a_file_is_reported_at_once(
    tmp_path: Path, geography: Geography, shipped: dict[str, Any]
) -> None:
    directory = copy.deepcopy(shipped)
    _unknown_district(directory)
    _missing_parent(directory)

    with pytest.raises(DirectoryError) as caught:
        load_directory(_write(tmp_path, directory), geography)

    assert "(dole_d1103)" in str(caught.value)
    assert "(school_wat_phraek_sa)" in str(caught.value)


@pytest.mark.parametrize("content", ["units: [unclosed\n", "", "- just\n- a list\n"])
def test_a_file_that_is_not_a_directory_is_refused(
    tmp_path: Path, geography: Geography, content: str
) -> None:
    path = tmp_path / "directory.yaml"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(DirectoryError, match=str(path)):
        load_directory(path, geography)


def test_a_missing_file_is_refused(tmp_path: Path, geography: Geography) -> None:
    with pytest.raises(DirectoryError, match="cannot read the file"):
        load_directory(tmp_path / "nowhere.yaml", geography)


# --- geography ------------------------------------------------------------------------------


def test_samut_prakan_has_six_districts_and_fifty_subdistricts(geography: Geography) -> None:
    assert geography.province_code == "11"
    assert geography.province.name_en == "Samut Prakan"
    assert [place.code for place in geography.districts] == [
        "1101", "1102", "1103", "1104", "1105", "1106"
    ]
    assert sum(len(geography.subdistricts(p.code)) for p in geography.districts) == 50
    pak_nam = geography.subdistrict("110101")
    assert pak_nam is not None and pak_nam.name_en == "Pak Nam"
    assert all(s.code.startswith("1101") for s in geography.subdistricts("1101"))


def test_places_of_other_provinces_are_unknown(geography: Geography) -> None:
    assert geography.district("1001") is None
    assert geography.subdistrict("100101") is None
    assert geography.subdistricts("1001") == []


@pytest.mark.parametrize("code", ["99", "00", "1", "abc"])
def test_loading_an_unknown_province_raises_value_error(code: str) -> None:
    with pytest.raises(ValueError, match="no districts"):
        Geography.load(code)
