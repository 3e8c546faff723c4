"""Criteria that apply to some streets only (appliesTo): validation, verdicts, the engine, overlays."""

import itertools
import random
from typing import Any

import pytest

from rules.baseline import load_baseline
from rules.criteria import RuleError, parse_criteria
from rules.engine import Engine
from rules.facts import STATUSES, THEMES, StreetFacts
from rules.overlay import content_hash, effective_ruleset
from rules.verdict import evaluate_plain


def night_market(**changes: Any) -> dict[str, Any]:
    return {
        "id": "night_market",
        "title_zh": "产业链街区夜市活动",
        "title_en": "Night-market activities in industry-chain streets",
        "fact": "activities",
        "op": ">=",
        "value": 20,
        "level": "required",
        "effective_from": 2025,
        "appliesTo": {"themes": ["industry_chain"]},
    } | changes


@pytest.mark.parametrize(
    ("scope", "zh", "en"),
    [
        ({"themes": ["night_owls"]}, "appliesTo.themes 中的“night_owls”不是有效的街区主题", "not a valid street theme"),
        ({"districts": ["3701"]}, "区县代码（6 位数字）", "'3701' in appliesTo.districts is not a valid district"),
        ({"statuses": ["closed"]}, "不是有效的街区状态", "is not a valid street status"),
        ({"themes": []}, "appliesTo.themes 不得为空列表", "appliesTo.themes may not be an empty list"),
        ({}, "须至少列出一项主题、区县或状态", "appliesTo must list at least one theme"),
        ({"cities": ["zibo"]}, "格式无效", "unknown field `cities`"),
    ],
)
def test_a_scope_with_an_unknown_code_or_an_empty_list_is_refused_naming_the_criterion(
    scope: dict[str, Any], zh: str, en: str
) -> None:
    with pytest.raises(RuleError) as caught:
        parse_criteria([night_market(appliesTo=scope)])

    assert caught.value.criterion_id == "night_market"
    assert caught.value.message_zh.startswith("条件 night_market：")
    assert zh in caught.value.message_zh
    assert en in caught.value.message_en


def test_an_unscoped_criterion_hashes_as_before_scopes_existed() -> None:
    (plain,) = parse_criteria([night_market(appliesTo=None)])
    (scoped,) = parse_criteria([night_market()])

    assert plain.applies_to is None
    assert content_hash([plain]) != content_hash([scoped])
    # The baseline's hash as stored by assessments made before criteria could be scoped.
    ruleset = effective_ruleset("jinan", 2025, load_baseline(2025), ())
    assert ruleset.hash == "74130ad07f16a8918186ea5c0252a416998852796077ac733b60004e993ca9c5"


def test_outside_the_scope_the_criterion_is_not_applicable_and_says_why() -> None:
    ruleset = effective_ruleset("zibo", 2025, load_baseline(2025), parse_criteria([night_market()]))

    verdict = evaluate_plain(ruleset, StreetFacts(activities=3, street_theme="graduates"))

    (result,) = (r for r in verdict.criteria if r.id == "night_market")
    assert result.result == "not_applicable"
    assert result.explanation_zh == "本条件仅适用于主题为“特色产业链”的街区，本街区主题为“高校毕业生青年群体”，不适用。"
    assert result.explanation_en == (
        "This criterion applies only to streets with the theme “industry chain”; "
        "this street's theme is “graduates”, so it does not apply."
    )


async def test_the_engine_agrees_with_plain_python_on_every_combination_of_scope_and_value(engine: Engine) -> None:
    overlay = parse_criteria(
        [
            night_market(),
            night_market(
                id="graduate_share",
                fact="graduate_share",
                value=0.3,
                appliesTo={"themes": ["graduates", "other"], "districts": ["370102"], "statuses": ["pilot"]},
            ),
            night_market(id="jobs_in_pilots", fact="jobs_driven", value=300, appliesTo={"statuses": ["designated"]}),
        ]
    )
    ruleset = effective_ruleset("zibo", 2025, load_baseline(2025), overlay)
    rng = random.Random(7)
    streets = [
        StreetFacts(
            activities=rng.choice([None, 5, 20, 40]),
            graduate_share=rng.choice([None, 0.1, 0.3, 0.9]),
            jobs_driven=rng.choice([None, 100, 300]),
            street_theme=theme,
            street_district=district,
            street_status=status,
        )
        for theme, district, status in itertools.product((None, *THEMES), (None, "370102", "370303"), (None, *STATUSES))
    ]

    verdicts = await engine.evaluate_many(ruleset, streets)

    assert verdicts == [evaluate_plain(ruleset, street) for street in streets]
    results = {r.result for v in verdicts for r in v.criteria if r.id in ("night_market", "graduate_share")}
    assert results == {"pass", "fail", "no_data", "not_applicable"}
    assert engine.live_sessions(ruleset) == []


def test_a_city_may_not_narrow_a_baseline_criterion_but_may_widen_it() -> None:
    baseline = load_baseline(2025)

    with pytest.raises(RuleError) as caught:
        effective_ruleset(
            "zibo", 2025, baseline, parse_criteria([night_market(id="entity_count", fact="entity_count", value=1000)])
        )
    assert caught.value.criterion_id == "entity_count"
    assert "缩小省级基本条件 entity_count 的适用范围" in caught.value.message_zh
    assert "narrows the scope of the provincial baseline criterion entity_count" in caught.value.message_en

    (scoped,) = parse_criteria([night_market(id="veterans", appliesTo={"themes": ["veterans", "graduates"]})])
    wider = parse_criteria([night_market(id="veterans", appliesTo={"themes": ["veterans", "graduates", "other"]})])
    narrower = parse_criteria([night_market(id="veterans", appliesTo={"themes": ["veterans"]})])
    effective_ruleset("zibo", 2025, (scoped,), wider)
    effective_ruleset("zibo", 2025, (scoped,), parse_criteria([night_market(id="veterans", appliesTo=None)]))
    with pytest.raises(RuleError):
        effective_ruleset("zibo", 2025, (scoped,), narrower)
