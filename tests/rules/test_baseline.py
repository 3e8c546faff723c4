"""The province baseline: the packaged 2024 file, and baselines the province publishes for later years."""

import re

import msgspec
import pytest
import yaml

from rules.baseline import baseline_from_data, load_baseline, packaged_baselines, parse_baseline
from rules.criteria import RuleError

LATER_BASELINE = """
year: 2027
document: 某某号文件
criteria:
  - id: entity_count
    title_zh: 街区内至少有 120 家创业实体
    title_en: At least 120 entrepreneurial entities
    fact: entity_count
    op: ">="
    value: 120
    level: required
    source: 鲁人社函〔2027〕1号 二(三)
    effective_from: 2027
"""


def test_the_2024_baseline_has_the_17_criteria_of_the_policy() -> None:
    criteria = load_baseline(2024)

    assert len(criteria) == 17
    assert {c.id for c in criteria} == {
        "operator_legal_person",
        "operator_clean_record",
        "operator_digital_platform",
        "center_fixed_site",
        "center_staff",
        "center_one_stop",
        "street_theme",
        "internship_positions",
        "entity_count",
        "jobs_driven",
        "activities",
        "activity_rate",
        "satisfaction",
        "entities_classified",
        "ledger_coverage",
        "followup_on_time",
        "replicable_practice",
    }
    assert {c.id for c in criteria if c.level == "advisory"} == {"followup_on_time", "replicable_practice"}
    assert all(c.origin == "province" and c.effective_from == 2024 for c in criteria)
    assert all(re.fullmatch(r"鲁人社函〔2024〕49号 二\([一二三四五]\)", c.source) for c in criteria)


def test_baseline_thresholds_and_clauses() -> None:
    by_id = {c.id: c for c in load_baseline(2025)}

    assert (by_id["entity_count"].op, by_id["entity_count"].value) == (">=", 100)
    assert by_id["entity_count"].source.endswith("二(三)")
    assert (by_id["activity_rate"].op, by_id["activity_rate"].value) == (">=", 0.8)
    assert (by_id["satisfaction"].op, by_id["satisfaction"].value) == (">=", 0.9)
    assert by_id["ledger_coverage"].value == 1.0
    assert by_id["center_one_stop"].value is True
    assert by_id["street_theme"].op == "in"
    assert by_id["street_theme"].value == ("graduates", "returnees", "veterans", "industry_chain")
    assert by_id["replicable_practice"].source.endswith("二(五)")


def test_there_is_no_baseline_before_2024() -> None:
    with pytest.raises(RuleError, match="2023"):
        load_baseline(2023)


def test_the_newest_baseline_up_to_the_year_applies() -> None:
    later = parse_baseline(LATER_BASELINE)

    assert len(load_baseline(2026, published=[later])) == 17
    assert [c.id for c in load_baseline(2027, published=[later])] == ["entity_count"]
    assert load_baseline(2031, published=[later])[0].value == 120
    assert len(load_baseline(2031)) == 17


def test_criteria_out_of_their_years_are_left_out() -> None:
    expiring = parse_baseline(
        LATER_BASELINE.replace("effective_from: 2027", "effective_from: 2027\n    effective_to: 2028")
    )

    assert load_baseline(2028, published=[expiring])
    assert load_baseline(2029, published=[expiring]) == ()


def test_a_published_baseline_for_a_packaged_year_replaces_it() -> None:
    replacement = parse_baseline(LATER_BASELINE.replace("2027", "2024"))

    assert [c.id for c in load_baseline(2025, published=[replacement])] == ["entity_count"]


def test_a_stored_baseline_loads_from_plain_data() -> None:
    stored = {"year": 2027, "criteria": yaml.safe_load(LATER_BASELINE)["criteria"]}

    assert baseline_from_data(stored) == msgspec.structs.replace(parse_baseline(LATER_BASELINE), document="")


def test_packaged_files_are_named_by_their_year() -> None:
    assert [b.year for b in packaged_baselines()] == [2024]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("source: 鲁人社函〔2027〕1号 二(三)", "source: ''"), "must cite its source clause"),
        (("fact: entity_count", "fact: custom.stalls"), "unknown fact 'custom.stalls'"),
        (("year: 2027", "year: next"), "malformed baseline"),
        (("value: 120", "value: [120"), "invalid YAML"),
    ],
)
def test_a_published_baseline_is_validated(change: tuple[str, str], message: str) -> None:
    with pytest.raises(RuleError, match=re.escape(message)):
        parse_baseline(LATER_BASELINE.replace(*change))
