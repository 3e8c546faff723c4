"""The case model shared by the YAML cases and a city's stored ones: facts and expected output checked, and
how a verdict differs from a case."""

import pytest

from rules.criteria import RuleError
from rules.facts import FactError
from rules.testcases import ABSENT, OUTCOME, Difference, Output, case_facts, case_output, differences, load_cases
from rules.verdict import evaluate_plain


def test_a_verdict_that_differs_lists_the_outcome_then_each_criterion() -> None:
    _, case = next((stem, c) for stem, c in load_cases() if c.output.outcome == "pass")
    ruleset = case.ruleset()
    verdict = evaluate_plain(ruleset, case.facts)
    expected = Output(outcome="fail", criteria={"center_staff": "fail", "night_market": "fail"})

    assert differences(verdict, expected) == [
        Difference(OUTCOME, "fail", "pass"),
        Difference("center_staff", "fail", "pass"),
        Difference("night_market", "fail", ABSENT),
    ]
    assert differences(verdict, case.output) == []


def test_case_facts_are_checked_by_name_and_type() -> None:
    facts = case_facts({"center_staff": 3, "activity_rate": 1, "street_district": "370102", "street_status": None})
    assert (facts.center_staff, facts.activity_rate, facts.street_district) == (3, 1, "370102")
    wrong: list[tuple[dict[str, object], str]] = [
        ({"center_staff": True}, "center_staff"),
        ({"satisfaction": 2}, "satisfaction"),
        ({"street_district": "3701"}, "street_district"),
        ({"street_status": "closed"}, "street_status"),
        ({"staff": 3}, "staff"),
        ({"custom": {"stalls": 3}}, "custom.stalls"),
    ]
    for raw, fact in wrong:
        with pytest.raises(FactError) as error:
            case_facts(raw)
        assert error.value.fact == fact


def test_case_output_names_the_criterion_or_the_result_it_does_not_know() -> None:
    _, case = load_cases()[0]
    ruleset = case.ruleset()
    assert case_output({"outcome": "fail", "criteria": {"center_staff": "fail"}}, ruleset).criteria == {
        "center_staff": "fail"
    }
    with pytest.raises(RuleError, match="no criterion stall_count"):
        case_output({"outcome": "fail", "criteria": {"stall_count": "fail"}}, ruleset)
    with pytest.raises(RuleError, match="'incomplete' of criterion center_staff"):
        case_output({"outcome": "fail", "criteria": {"center_staff": "incomplete"}}, ruleset)
    with pytest.raises(RuleError, match="expected outcome 'ok'"):
        case_output({"outcome": "ok"}, ruleset)
