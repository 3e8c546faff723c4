"""Loading criteria: every invalid criterion is refused with a bilingual message naming it."""

from typing import Any

import pytest

from rules.criteria import RuleError, parse_criteria, parse_criterion
from rules.facts import CustomField, FactError, custom_fact_spec, fact_specs

NIGHT_MARKET = (
    CustomField(key="stalls", type="integer", label_zh="摊位数", label_en="the number of stalls"),
    CustomField(key="market_kind", type="choice", choices=("night", "morning")),
    CustomField(key="opened_on", type="date"),
)


def criterion(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "entities_150",
        "title_zh": "至少 150 家创业实体",
        "title_en": "At least 150 entities",
        "fact": "entity_count",
        "op": ">=",
        "value": 150,
        "level": "required",
        "effective_from": 2025,
    }
    return base | changes


def refused(item: dict[str, Any]) -> RuleError:
    with pytest.raises(RuleError) as caught:
        parse_criterion(item, fact_specs(NIGHT_MARKET))
    return caught.value


def test_a_valid_criterion_loads() -> None:
    loaded = parse_criterion(criterion(), fact_specs())

    assert (loaded.id, loaded.fact, loaded.op, loaded.value, loaded.origin) == (
        "entities_150",
        "entity_count",
        ">=",
        150,
        "city",
    )
    assert loaded.in_effect(2025)
    assert not loaded.in_effect(2024)


def test_unknown_fact() -> None:
    error = refused(criterion(fact="entity_total"))

    assert error.criterion_id == "entities_150"
    assert error.message_zh == "条件 entities_150：未知的事实“entity_total”"
    assert error.message_en == "criterion entities_150: unknown fact 'entity_total'"
    assert str(error) == f"{error.message_zh} / {error.message_en}"


def test_unknown_op() -> None:
    error = refused(criterion(op="=>"))

    assert error.criterion_id == "entities_150"
    assert "未知的运算符“=>”" in error.message_zh
    assert "unknown operator '=>'" in error.message_en


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"value": "100"}, "the value '100' does not fit the fact 'entity_count', expected an integer"),
        ({"value": True}, "the value True does not fit the fact 'entity_count'"),
        ({"value": 99.5}, "the value 99.5 does not fit the fact 'entity_count'"),
        ({"value": [100]}, "the value (100,) does not fit the fact 'entity_count'"),
        ({"op": "in", "value": 100}, "the operator 'in' needs a non-empty list"),
        ({"op": "in", "value": []}, "the operator 'in' needs a non-empty list"),
        (
            {"fact": "street_theme", "op": "in", "value": ["graduates", "night_market"]},
            "the list value 'night_market' does not fit the fact 'street_theme'",
        ),
        ({"fact": "satisfaction", "value": 90}, "the value 90 does not fit the fact 'satisfaction', expected a share"),
        ({"fact": "satisfaction", "value": -0.1}, "the value -0.1 does not fit the fact 'satisfaction'"),
        ({"fact": "center_one_stop", "op": "==", "value": "yes"}, "the value 'yes' does not fit"),
        (
            {"fact": "center_one_stop", "op": ">=", "value": True},
            "the operator '>=' does not apply to the fact 'center_one_stop'",
        ),
        ({"fact": "activity_rate", "op": "in", "value": [1]}, "the operator 'in' does not apply"),
        ({"fact": "custom.stalls", "value": "twenty"}, "does not fit the fact 'custom.stalls', expected an integer"),
        ({"fact": "custom.market_kind", "op": "==", "value": "evening"}, "expected a text (one of: night, morning)"),
        ({"fact": "custom.opened_on", "value": "2024-13-01"}, "expected a date"),
    ],
)
def test_value_of_the_wrong_type(changes: dict[str, Any], problem: str) -> None:
    error = refused(criterion(**changes))

    assert error.criterion_id == "entities_150"
    assert problem in error.message_en
    assert error.message_zh.startswith("条件 entities_150：")


def test_custom_facts_check_against_the_city_fields() -> None:
    stalls = parse_criterion(criterion(fact="custom.stalls", value=20), fact_specs(NIGHT_MARKET))
    opened = parse_criterion(criterion(fact="custom.opened_on", op="<", value="2025-01-01"), fact_specs(NIGHT_MARKET))

    assert (stalls.fact, stalls.value) == ("custom.stalls", 20)
    assert opened.value == "2025-01-01"
    assert "unknown fact 'custom.stalls'" in refused_without_fields(criterion(fact="custom.stalls", value=20))


def refused_without_fields(item: dict[str, Any]) -> str:
    with pytest.raises(RuleError) as caught:
        parse_criterion(item, fact_specs())
    return caught.value.message_en


def test_duplicate_id() -> None:
    with pytest.raises(RuleError) as caught:
        parse_criteria([criterion(), criterion(value=200)])

    assert caught.value.criterion_id == "entities_150"
    assert caught.value.message_zh == "条件编号 entities_150 重复"
    assert caught.value.message_en == "duplicate criterion id entities_150"


def test_effective_to_before_effective_from() -> None:
    error = refused(criterion(effective_from=2026, effective_to=2025))

    assert error.message_en == "criterion entities_150: effective_to 2025 precedes effective_from 2026"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"level": "optional"}, "malformed: Invalid enum value 'optional' - at `$.level`"),
        ({"title_en": " "}, "both the Chinese and the English title are required"),
        ({"effective_from": None}, "malformed: Expected `int`, got `null` - at `$.effective_from`"),
        ({"efective_to": 2026}, "malformed: Object contains unknown field `efective_to`"),
    ],
)
def test_malformed_criteria(changes: dict[str, Any], problem: str) -> None:
    assert problem in refused(criterion(**changes)).message_en


def test_invalid_id_is_refused() -> None:
    error = refused(criterion(id="Entities 150"))

    assert error.criterion_id == "Entities 150"
    assert "criterion id 'Entities 150' is invalid" in error.message_en


def test_values_are_normalised() -> None:
    share = parse_criterion(criterion(fact="ledger_coverage", value=1), fact_specs())
    themes = parse_criterion(
        criterion(fact="street_theme", op="in", value=["veterans", "graduates", "veterans"]), fact_specs()
    )

    assert share.value == 1.0
    assert isinstance(share.value, float)
    assert themes.value == ("veterans", "graduates")


def test_custom_field_keys_and_choices_are_checked() -> None:
    with pytest.raises(FactError, match="custom field key 'Stalls!' is invalid"):
        custom_fact_spec(CustomField(key="Stalls!", type="integer"))
    with pytest.raises(FactError, match="choices are required for, and only for, the choice type"):
        custom_fact_spec(CustomField(key="kind", type="choice"))
