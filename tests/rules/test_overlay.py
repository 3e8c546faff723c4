"""City overlays on the baseline: tightening is allowed; loosening, changing or removing is refused; hashing."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest

from rules.baseline import load_baseline
from rules.criteria import Criterion, RuleError, parse_criterion
from rules.facts import CustomField, fact_specs
from rules.overlay import check_removal, content_hash, effective_ruleset

BASELINE = load_baseline(2025)
STALLS = CustomField(key="stalls", type="integer", label_zh="摊位数", label_en="the number of stalls")


def city(criterion_id: str, fact: str, op: str, value: Any, **more: Any) -> Criterion:
    return parse_criterion(
        {
            "id": criterion_id,
            "title_zh": "城市条件",
            "title_en": "City criterion",
            "fact": fact,
            "op": op,
            "value": value,
            "level": "required",
            "effective_from": 2025,
        }
        | more,
        fact_specs([STALLS]),
    )


def by_id(criteria: tuple[Criterion, ...]) -> dict[str, Criterion]:
    return {c.id: c for c in criteria}


def test_tightening_replaces_the_baseline_criterion() -> None:
    ruleset = effective_ruleset(
        "qingdao", 2025, BASELINE, [city("center_staff", "center_staff", ">=", 3, source="青岛市方案")]
    )

    staff = by_id(ruleset.criteria)["center_staff"]
    assert (staff.value, staff.origin, staff.source) == (3, "city", "青岛市方案")
    assert len(ruleset.criteria) == 17
    assert [c.id for c in ruleset.criteria] == [c.id for c in BASELINE], "the baseline order is kept"


def test_a_tightened_criterion_without_a_source_keeps_the_province_clause() -> None:
    ruleset = effective_ruleset("qingdao", 2025, BASELINE, [city("entity_count", "entity_count", ">=", 150)])

    assert by_id(ruleset.criteria)["entity_count"].source == "鲁人社函〔2024〕49号 二(三)"


@pytest.mark.parametrize(
    ("criterion_id", "fact", "op", "value"),
    [
        ("entity_count", "entity_count", ">=", 100),
        ("entity_count", "entity_count", ">", 100),
        ("satisfaction", "satisfaction", ">=", 0.95),
        ("street_theme", "street_theme", "in", ["veterans"]),
        ("operator_legal_person", "operator_legal_person", "==", True),
    ],
)
def test_what_counts_as_tightening(criterion_id: str, fact: str, op: str, value: Any) -> None:
    ruleset = effective_ruleset("jinan", 2025, BASELINE, [city(criterion_id, fact, op, value)])

    assert by_id(ruleset.criteria)[criterion_id].origin == "city"


@pytest.mark.parametrize(
    ("criterion_id", "fact", "op", "value", "problem"),
    [
        ("entity_count", "entity_count", ">=", 80, "loosens the provincial baseline criterion entity_count"),
        ("entity_count", "entity_count", "<=", 500, "loosens"),
        ("entity_count", "entity_count", "==", 100, "loosens"),
        ("satisfaction", "satisfaction", ">", 0.85, "loosens"),
        ("street_theme", "street_theme", "in", ["graduates", "other"], "loosens"),
        ("operator_legal_person", "operator_legal_person", "==", False, "loosens"),
        ("operator_legal_person", "operator_legal_person", "!=", False, "loosens"),
        ("entity_count", "jobs_driven", ">=", 300, "may not change the fact"),
    ],
)
def test_loosening_is_refused(criterion_id: str, fact: str, op: str, value: Any, problem: str) -> None:
    with pytest.raises(RuleError) as caught:
        effective_ruleset("jinan", 2025, BASELINE, [city(criterion_id, fact, op, value)])

    assert caught.value.criterion_id == criterion_id
    assert problem in caught.value.message_en
    assert criterion_id in caught.value.message_zh


def test_the_loosening_message() -> None:
    with pytest.raises(RuleError) as caught:
        effective_ruleset("jinan", 2025, BASELINE, [city("entity_count", "entity_count", ">=", 80)])

    assert str(caught.value) == (
        "放宽省级基本条件 entity_count：省级要求 >= 100，城市要求 >= 80 / "
        "loosens the provincial baseline criterion entity_count: province >= 100, city >= 80"
    )


def test_lowering_a_required_criterion_to_advisory_is_refused() -> None:
    with pytest.raises(RuleError, match="from required to advisory"):
        effective_ruleset("jinan", 2025, BASELINE, [city("entity_count", "entity_count", ">=", 200, level="advisory")])


def test_making_an_advisory_criterion_required_is_tightening() -> None:
    ruleset = effective_ruleset("jinan", 2025, BASELINE, [city("followup_on_time", "followup_on_time", ">=", 0.9)])

    assert by_id(ruleset.criteria)["followup_on_time"].level == "required"


def test_removing_a_baseline_criterion_is_refused() -> None:
    with pytest.raises(RuleError) as caught:
        check_removal("satisfaction", BASELINE)

    assert caught.value.criterion_id == "satisfaction"
    assert caught.value.message_zh == "不得删除省级基本条件 satisfaction"
    assert caught.value.message_en == "may not remove the provincial baseline criterion satisfaction"
    check_removal("night_market_stalls", BASELINE)  # a city's own criterion may go


def test_new_criteria_are_added_including_on_custom_fields() -> None:
    overlay = [
        city("graduate_founders", "graduate_share", ">=", 0.3),
        city("night_market_stalls", "custom.stalls", ">=", 20),
    ]

    ruleset = effective_ruleset("zibo", 2025, BASELINE, overlay, [STALLS])

    assert [c.id for c in ruleset.criteria[-2:]] == ["graduate_founders", "night_market_stalls"]
    assert all(c.origin == "city" for c in ruleset.criteria[-2:])
    assert ruleset.custom_fields == (STALLS,)


def test_a_custom_fact_needs_the_city_field() -> None:
    with pytest.raises(RuleError, match=r"unknown fact 'custom\.stalls'"):
        effective_ruleset("zibo", 2025, BASELINE, [city("night_market_stalls", "custom.stalls", ">=", 20)])


def test_only_criteria_in_effect_that_year_take_part() -> None:
    later = city("entity_count", "entity_count", ">=", 150, effective_from=2026)
    expired = city("graduate_founders", "graduate_share", ">=", 0.3, effective_to=2025)

    in_2025 = by_id(effective_ruleset("qingdao", 2025, BASELINE, [later, expired]).criteria)
    in_2026 = by_id(effective_ruleset("qingdao", 2026, BASELINE, [later, expired]).criteria)

    assert in_2025["entity_count"].value == 100
    assert "graduate_founders" in in_2025
    assert in_2026["entity_count"].value == 150
    assert "graduate_founders" not in in_2026


def test_duplicate_city_criteria_are_refused() -> None:
    twice = [city("graduate_founders", "graduate_share", ">=", share) for share in (0.3, 0.4)]

    with pytest.raises(RuleError, match="duplicate criterion id graduate_founders"):
        effective_ruleset("weifang", 2025, BASELINE, twice)


def test_hash_changes_with_content_and_not_with_order() -> None:
    plain = effective_ruleset("jinan", 2025, BASELINE, [])
    tighter = effective_ruleset("jinan", 2025, BASELINE, [city("entity_count", "entity_count", ">=", 101)])
    reordered = effective_ruleset("jinan", 2025, tuple(reversed(BASELINE)), [])
    retitled = msgspec.structs.replace(BASELINE[0], title_en="Another title")

    assert len(plain.hash) == 64
    assert plain.hash8 == plain.hash[:8]
    assert tighter.hash != plain.hash
    assert reordered.hash == plain.hash
    assert content_hash((retitled, *BASELINE[1:])) != plain.hash
    assert effective_ruleset("qingdao", 2025, BASELINE, []).hash == plain.hash, "the hash is of the criteria"


def test_hash_is_stable_across_processes() -> None:
    script = (
        "from rules.baseline import load_baseline; from rules.overlay import effective_ruleset; "
        "print(effective_ruleset('jinan', 2025, load_baseline(2025), ()).hash)"
    )
    other_process = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2]
    ).stdout.strip()

    assert other_process == effective_ruleset("jinan", 2025, BASELINE, []).hash


def test_tenant_slug_is_checked() -> None:
    with pytest.raises(RuleError, match="invalid tenant slug"):
        effective_ruleset("Qing Dao", 2025, BASELINE, [])


def test_criteria_stored_with_an_assessment_rebuild_the_same_ruleset() -> None:
    overlay = [city("entity_count", "entity_count", ">=", 150), city("stalls", "custom.stalls", ">=", 20)]
    ruleset = effective_ruleset("zibo", 2025, BASELINE, overlay, [STALLS])
    stored = msgspec.json.encode(ruleset.criteria)

    rebuilt = effective_ruleset("zibo", 2025, msgspec.json.decode(stored, type=tuple[Criterion, ...]), (), [STALLS])

    assert rebuilt == ruleset
