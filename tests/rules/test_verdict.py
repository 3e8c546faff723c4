"""Verdicts and their explanations: full sentences in Chinese and English; the fact vocabulary."""

import msgspec
import pytest

from rules.baseline import load_baseline
from rules.criteria import parse_criteria
from rules.facts import FACTS, CustomField, StreetFacts, fact_specs
from rules.overlay import Ruleset, effective_ruleset
from rules.verdict import CriterionResult, Verdict, evaluate_plain

STREET = StreetFacts(
    operator_legal_person=False,
    operator_clean_record=True,
    operator_digital_platform=True,
    center_fixed_site=True,
    center_staff=3,
    center_one_stop=True,
    street_theme="culture_tourism",
    internship_positions=2,
    entity_count=85,
    jobs_driven=260,
    activities=11,
    activity_rate=0.755,
    satisfaction=None,
    satisfaction_responses=12,
    entities_classified=1,
    ledger_coverage=1.0,
    followup_on_time=0.9,
    replicable_practice=0,
)


def result(verdict: Verdict, criterion_id: str) -> CriterionResult:
    return next(r for r in verdict.criteria if r.id == criterion_id)


def test_a_failed_count_explained(baseline_2025: Ruleset) -> None:
    entities = result(evaluate_plain(baseline_2025, STREET), "entity_count")

    assert (entities.result, entities.actual, entities.required) == ("fail", 85, "≥ 100")
    assert (entities.level, entities.origin, entities.source) == ("required", "province", "鲁人社函〔2024〕49号 二(三)")
    assert entities.explanation_zh == "创业实体数量为 85 家，低于要求的 100 家（鲁人社函〔2024〕49号 二(三)）。"
    assert entities.explanation_en == (
        "The number of entrepreneurial entities is 85, below the required 100 (clause 二(三))."
    )


def test_shares_read_as_percentages(baseline_2025: Ruleset) -> None:
    verdict = evaluate_plain(baseline_2025, STREET)
    rate = result(verdict, "activity_rate")
    classified = result(verdict, "entities_classified")

    assert rate.required == "≥ 80%"
    assert rate.explanation_zh == "创业活跃度为 75.5%，低于要求的 80%（鲁人社函〔2024〕49号 二(三)）。"
    assert rate.explanation_en == "The activity rate is 75.5%, below the required 80% (clause 二(三))."
    assert (classified.result, classified.actual) == ("pass", 1.0)
    assert classified.explanation_en.startswith("The share of entities classified as brand, growth or startup is 100%")


def test_yes_no_facts_and_choices_explained(baseline_2025: Ruleset) -> None:
    verdict = evaluate_plain(baseline_2025, STREET)

    assert result(verdict, "operator_legal_person").explanation_zh == (
        "运营机构具有独立法人资格：否，要求为是（鲁人社函〔2024〕49号 二(一)）。"
    )
    assert result(verdict, "operator_clean_record").explanation_en == (
        "The operator's clean record (no violations, no unsettled disputes): yes, as required (clause 二(一))."
    )
    theme = result(verdict, "street_theme")
    assert theme.required == "∈ {graduates, returnees, veterans, industry_chain}"
    assert theme.explanation_en == (
        "The street's theme is “culture and tourism”, not one of those required "
        "(“graduates”, “returnees”, “veterans”, “industry chain”) (clause 二(二))."
    )


def test_no_data_is_said_so_and_is_not_a_pass(baseline_2025: Ruleset) -> None:
    verdict = evaluate_plain(baseline_2025, StreetFacts(entity_count=150))
    satisfaction = result(verdict, "satisfaction")

    assert (satisfaction.result, satisfaction.actual) == ("no_data", None)
    assert satisfaction.explanation_zh == "“满意度”无数据，不视为达标（鲁人社函〔2024〕49号 二(三)）。"
    assert satisfaction.explanation_en == (
        "There is no data on satisfaction, which does not count as a pass (clause 二(三))."
    )
    assert result(verdict, "entity_count").result == "pass"
    assert verdict.outcome == "incomplete"


def test_outcome_fail_beats_incomplete_and_advisory_never_decides(baseline_2025: Ruleset) -> None:
    good = msgspec.structs.replace(
        STREET,
        operator_legal_person=True,
        street_theme="returnees",
        entity_count=100,
        activity_rate=0.8,
        satisfaction=0.9,
    )

    assert evaluate_plain(baseline_2025, STREET).outcome == "fail"
    assert evaluate_plain(baseline_2025, msgspec.structs.replace(good, satisfaction=None)).outcome == "incomplete"
    assert result(evaluate_plain(baseline_2025, good), "replicable_practice").result == "fail"
    assert evaluate_plain(baseline_2025, good).outcome == "pass"
    assert evaluate_plain(baseline_2025, msgspec.structs.replace(good, replicable_practice=None)).outcome == "pass"


def test_city_criteria_cite_the_city_source_or_none() -> None:
    fields = (CustomField(key="stalls", type="integer", label_zh="夜市摊位数", label_en="the number of stalls"),)
    overlay = parse_criteria(
        [
            {
                "id": "night_market_stalls",
                "title_zh": "摊位不少于 20 个",
                "title_en": "At least 20 stalls",
                "fact": "custom.stalls",
                "op": ">=",
                "value": 20,
                "level": "required",
                "effective_from": 2025,
                "source": "淄博市夜经济创业街区标准",
            },
            {
                "id": "no_huge_streets",
                "title_zh": "实体不超过 500 家",
                "title_en": "At most 500 entities",
                "fact": "entity_count",
                "op": "<=",
                "value": 500,
                "level": "advisory",
                "effective_from": 2025,
            },
        ],
        fact_specs(fields),
    )
    ruleset = effective_ruleset("zibo", 2025, load_baseline(2025), overlay, fields)
    verdict = evaluate_plain(ruleset, msgspec.structs.replace(STREET, entity_count=600, custom={"stalls": 12}))

    stalls = result(verdict, "night_market_stalls")
    assert (stalls.origin, stalls.result) == ("city", "fail")
    assert stalls.explanation_zh == "夜市摊位数为 12，低于要求的 20（淄博市夜经济创业街区标准）。"
    assert stalls.explanation_en == "The number of stalls is 12, below the required 20 (淄博市夜经济创业街区标准)."
    assert result(verdict, "no_huge_streets").explanation_en == (
        "The number of entrepreneurial entities is 600, above the limit of 500."
    )


def test_every_builtin_fact_is_in_the_registry_with_labels() -> None:
    # District and status are read by scopes (appliesTo) only: no criterion names them; the unverified claims
    # say why some facts are no data.
    builtin = set(StreetFacts.__struct_fields__) - {"custom", "street_district", "street_status", "unverified_claims"}

    assert set(FACTS) == builtin
    assert all(spec.label_zh and spec.label_en for spec in FACTS.values())
    assert {name for name, spec in FACTS.items() if spec.kind == "share"} == {
        "activity_rate",
        "satisfaction",
        "entities_classified",
        "ledger_coverage",
        "followup_on_time",
        "graduate_share",
        "returnee_share",
        "veteran_share",
    }
    assert [c.value for c in FACTS["street_theme"].choices] == [
        "graduates",
        "returnees",
        "veterans",
        "industry_chain",
        "culture_tourism",
        "other",
    ]


def test_street_facts_default_to_no_data_and_flatten_custom_fields() -> None:
    facts = StreetFacts(entity_count=0, custom={"stalls": 24, "opened": None})
    mapping = facts.as_mapping()

    assert mapping["entity_count"] == 0
    assert mapping["satisfaction"] is None
    assert (mapping["custom.stalls"], mapping["custom.opened"]) == (24, None)
    assert "custom" not in mapping


def test_street_facts_decode_with_type_checks() -> None:
    data = b'{"entity_count": 120, "satisfaction": 1, "custom": {"stalls": 3}}'
    decoded = msgspec.json.decode(data, type=StreetFacts)

    assert (decoded.entity_count, decoded.satisfaction, decoded.custom) == (120, 1.0, {"stalls": 3})
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"entity_count": "120"}', type=StreetFacts)


def test_a_share_just_under_the_threshold_does_not_read_as_equal(baseline_2025: Ruleset) -> None:
    satisfaction = result(evaluate_plain(baseline_2025, StreetFacts(satisfaction=0.8999)), "satisfaction")

    assert satisfaction.explanation_zh.startswith("满意度为 89.99%，低于要求的 90%")
