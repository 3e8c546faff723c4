"""What an assessment's page says is missing to pass, worked out from the verdict and its criterion."""

from __future__ import annotations

from typing import Any

from rules.criteria import Criterion
from rules.facts import FACTS, CustomField, custom_fact_spec
from rules.overlay import Ruleset
from services.assessments.schemas import CriterionVerdict
from services.text import Text
from services.web.verdicts import criterion_lines, missing, required, shown


def _criterion(fact: str, op: Any, value: Any) -> Criterion:
    return Criterion(
        id=f"c_{fact}", title_zh="条件", title_en="criterion", fact=fact, op=op, value=value,
        level="required", source="鲁人社函〔2024〕49号 二(二)", effective_from=2024,
    )  # fmt: skip


def _verdict(criterion: Criterion, result: Any, actual: Any) -> CriterionVerdict:
    return CriterionVerdict(
        id=criterion.id, title_zh="条件", title_en="criterion", result=result, actual=actual, required="≥ 30",
        level="required", origin="province", source=criterion.source, explanation_zh="说明", explanation_en="why",
    )  # fmt: skip


def _missing(fact: str, op: Any, value: Any, actual: Any, result: Any = "fail") -> Text | None:
    criterion = _criterion(fact, op, value)
    return missing(_verdict(criterion, result, actual), criterion, FACTS[fact])


def test_a_count_below_its_minimum_says_how_many_more() -> None:
    assert _missing("entity_count", ">=", 30, 10) == Text("还差 20 家", "20 entities short")
    assert _missing("entity_count", ">", 30, 10) == Text("还差 21 家", "21 entities short")
    assert _missing("entity_count", ">=", 3000, 1000) == Text("还差 2,000 家", "2,000 entities short")


def test_a_share_below_its_minimum_says_how_many_points() -> None:
    assert _missing("satisfaction", ">=", 0.9, 0.85) == Text("还差 5 个百分点", "5 percentage points short")
    assert _missing("satisfaction", ">=", 0.9, 0.875) == Text("还差 2.5 个百分点", "2.5 percentage points short")


def test_a_value_above_its_limit_says_how_much_to_cut() -> None:
    assert _missing("entity_count", "<=", 30, 33) == Text("需减少 3 家", "3 entities too many")


def test_a_failed_yes_no_condition_restates_it_and_no_data_names_the_data() -> None:
    assert _missing("center_fixed_site", "==", True, False) == Text("须为“是”", "must be yes")
    no_data = _missing("entity_count", ">=", 30, None, result="no_data")
    assert no_data == Text("缺少“创业实体数量”的数据", "no data on the number of entrepreneurial entities")


def test_a_pass_lacks_nothing() -> None:
    assert _missing("entity_count", ">=", 30, 40, result="pass") is None


def test_values_show_with_separators_percentages_and_labels() -> None:
    assert shown(12345, FACTS["entity_count"]) == Text("12,345 家", "12,345 entities")
    assert shown(0.875, FACTS["satisfaction"]) == Text("87.5%", "87.5%")
    assert shown(True, FACTS["center_fixed_site"]) == Text("是", "yes")
    assert shown(None, FACTS["entity_count"]) == Text("无数据", "no data")
    assert shown("culture_tourism", FACTS["street_theme"]) == Text("文旅特色", "culture and tourism")
    assert shown("2025-03-01", None) == Text("2025-03-01", "2025-03-01")
    assert required(_criterion("satisfaction", ">=", 0.9), FACTS["satisfaction"]) == Text("≥ 90%", "≥ 90%")


def test_lines_follow_the_stored_ruleset_and_a_custom_field() -> None:
    field = CustomField(key="stalls", type="integer", label_zh="摊位数", label_en="stalls")
    criterion = _criterion("custom.stalls", ">=", 50)
    ruleset = Ruleset(tenant="jinan", year=2025, criteria=(criterion,), custom_fields=(field,), hash="h")
    (line,) = criterion_lines([_verdict(criterion, "fail", 20)], ruleset)
    assert line.missing == Text("还差 30", "30 short")
    assert line.required == Text("≥ 50", "≥ 50")
    assert custom_fact_spec(field).label_zh == "摊位数"
    (unknown,) = criterion_lines([_verdict(criterion, "fail", 20)], None)
    assert unknown.missing == Text("须满足 ≥ 30", "must be ≥ 30")


def test_a_criterion_that_does_not_apply_misses_nothing() -> None:
    assert _missing("graduate_share", ">=", 0.3, 0.1, result="not_applicable") is None
    assert _missing("graduate_share", ">=", 0.3, None, result="not_applicable") is None


def test_an_unverified_claim_says_it_awaits_verification() -> None:
    criterion = _criterion("operator_clean_record", "==", True)
    verdict = _verdict(criterion, "no_data", None)
    ruleset = Ruleset(tenant="jinan", year=2025, criteria=(criterion,), hash="h")
    (awaiting,) = criterion_lines([verdict], ruleset, {"operator_clean_record": "unverified"})
    assert awaiting.missing is not None
    assert awaiting.missing.zh.startswith("待核实")
    assert "awaiting verification" in awaiting.missing.en
    (rejected,) = criterion_lines([verdict], ruleset, {"operator_clean_record": "rejected"})
    assert rejected.missing == Text("申报已被市级驳回", "the city rejected the operator's claim")
    (plain,) = criterion_lines([verdict], ruleset)
    assert plain.missing == Text(
        "缺少“运营机构无违法违规行为和未了结纠纷”的数据",
        "no data on the operator's clean record (no violations, no unsettled disputes)",
    )
