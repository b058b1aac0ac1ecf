"""Routing: the province's default rules on its real directory, table by table."""

from pathlib import Path

import pytest

from bot.config import DATA_DIR
from bot.directory import load_directory
from bot.domain.identity import IdentityType
from bot.domain.models import DropoutCause, EducationWish, Nationality, Need
from bot.geography import Geography
from bot.routing import Child, RoutingError, load_rules, propose

RULES = load_rules(DATA_DIR / "routing.yaml")
UNITS = load_directory(DATA_DIR / "directory.yaml", Geography.load("11"))

MUEANG, BANG_PHLI, BANG_BO = "1101", "1103", "1102"
S, NF, VOC, WORK, NO = (EducationWish.SCHOOL, EducationWish.NON_FORMAL,
                        EducationWish.VOCATIONAL, EducationWish.WORK_AND_STUDY,
                        EducationWish.NO_STUDY)


def destination(need: Need, **child: object) -> str | None:
    [proposal] = propose(RULES, UNITS, [need], Child(**{"district_code": MUEANG, **child}))
    return proposal.unit.id if proposal.unit else None


@pytest.mark.parametrize(("need", "child", "unit"), [
    # Schooling at compulsory age: the primary service area of the district.
    (Need.EDUCATION, {"age": 9, "wish": S}, "spp1_samutprakan"),
    (Need.EDUCATION, {"age": 9, "wish": S, "district_code": BANG_PHLI}, "spp2_samutprakan"),
    (Need.EDUCATION, {"age": 15, "wish": S}, "spp1_samutprakan"),
    # Past lower secondary: the secondary service area.
    (Need.EDUCATION, {"age": 17, "wish": S}, "spm_samutprakan"),
    # Non-formal learning and study while working: the district's own learning centre, not
    # the provincial DOLE office that also covers it.
    (Need.EDUCATION, {"age": 16, "wish": NF}, "dole_d1101"),
    (Need.EDUCATION, {"age": 14, "wish": WORK, "district_code": BANG_BO}, "dole_d1102"),
    # Both colleges cover every district: the first by id; the teacher can pick the other.
    (Need.EDUCATION, {"age": 16, "wish": VOC}, "ovec_polytechnic"),
    # Too young for a vocational college: the learning centre talks it through.
    (Need.EDUCATION, {"age": 13, "wish": VOC}, "dole_d1101"),
    (Need.EDUCATION, {"age": 12, "wish": None}, "dole_d1101"),
    (Need.EDUCATION, {"age": 10, "wish": S, "cause": DropoutCause.DISABILITY},
     "spec_ed_samutprakan"),
    (Need.VOCATIONAL_SKILLS, {"age": 16, "wish": VOC}, "ovec_polytechnic"),
    (Need.VOCATIONAL_SKILLS, {"age": 17, "wish": NO}, "dsd_isd1_samutprakan"),
    (Need.VOCATIONAL_SKILLS, {"age": 14, "wish": NO}, "dole_d1101"),
    (Need.HEALTH, {"age": 8}, "msdhs_pso_samutprakan"),
    (Need.HEALTH, {"age": 8, "cause": DropoutCause.DISABILITY}, "spec_ed_samutprakan"),
    (Need.CONSUMABLES, {"age": 8, "nationality": Nationality.MYANMAR,
                        "identity_type": IdentityType.NONE}, "msdhs_pso_samutprakan"),
])
def test_the_default_rules_send_each_need_to_the_unit_of_the_district(
    need: Need, child: dict, unit: str
) -> None:
    assert destination(need, **child) == unit


def test_no_unit_for_any_rule_means_the_coordinators_queue() -> None:
    # Kindergarten is in the primary service area's schools.
    assert destination(Need.EDUCATION, age=4, wish=S) == "spp1_samutprakan"
    # A district no unit covers: nothing matches, the coordinators decide.
    assert destination(Need.HEALTH, age=8, district_code="1001") is None


def test_a_rule_whose_units_are_gone_falls_through_to_the_next_unit_or_rule() -> None:
    units = [unit.model_copy(update={"active": False}) if unit.id == "dole_d1101" else unit
             for unit in UNITS]
    [proposal] = propose(RULES, units, [Need.EDUCATION],
                         Child(age=16, district_code=MUEANG, wish=NF))
    assert proposal.unit is not None and proposal.unit.id == "dole_province_samutprakan"
    # No vocational college left: a 16-year-old's vocational wish goes to the next rule.
    units = [unit for unit in UNITS if unit.kind != "OVEC"]
    [proposal] = propose(RULES, units, [Need.VOCATIONAL_SKILLS],
                         Child(age=16, district_code=MUEANG, wish=VOC))
    assert proposal.unit is not None and proposal.unit.id == "dole_d1101"


def test_one_proposal_per_need_in_order() -> None:
    proposals = propose(RULES, UNITS, [Need.CONSUMABLES, Need.EDUCATION],
                        Child(age=11, district_code=BANG_PHLI, wish=S))
    assert [(p.need, p.unit.id if p.unit else None) for p in proposals] == [
        (Need.CONSUMABLES, "msdhs_pso_samutprakan"), (Need.EDUCATION, "spp2_samutprakan")]
    assert proposals[1].rule is not None and "OBEC" in proposals[1].rule.why


@pytest.mark.parametrize(("text", "problem"), [
    ("rules: []", "rules: List should have at least 1 item"),
    ("rules:\n- need: FOOD\n  to: [MSDHS]", "rules.0.need"),
    ("rules:\n- need: HEALTH\n  to: [SCHOOL]", "SCHOOL cannot receive referrals"),
    ("rules:\n- need: HEALTH\n  to: [MSDHS]\n  min_age: 9\n  max_age: 3",
     "min_age is above max_age"),
    ("rules:\n- need: HEALTH\n  to: [MSDHS]", "no rule for CONSUMABLES, EDUCATION"),
    ("rules:\n- need: HEALTH\n  to: [MSDHS]\n  colour: red", "rules.0.colour"),
])
def test_a_bad_routing_file_is_refused_naming_the_rule(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "routing.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RoutingError, match=r"routing\.yaml") as refused:
        load_rules(path)
    assert problem in str(refused.value)


def test_every_destination_type_of_the_default_rules_exists_in_the_directory() -> None:
    kinds = {unit.kind for unit in UNITS if unit.active}
    assert {kind for rule in RULES for kind in rule.to} <= kinds
