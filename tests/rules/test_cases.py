"""Runs every YAML case in rules/cases/ through the durable_rules engine, one pytest test per case."""

import pytest

from rules.engine import Engine
from rules.testcases import Case, differences, load_cases
from rules.verdict import evaluate_plain


def collect() -> list[object]:
    return [pytest.param(case, id=f"{stem}: {case.name}") for stem, case in load_cases()]


@pytest.mark.parametrize("case", collect())
async def test_case(case: Case, engine: Engine) -> None:
    ruleset = case.ruleset()

    verdict = await engine.evaluate(ruleset, case.facts)

    assert differences(verdict, case.output) == []
    assert verdict == evaluate_plain(ruleset, case.facts)


def test_cases_are_collected() -> None:
    names = [p.id for p in collect()]  # type: ignore[attr-defined]
    assert len(names) == len(set(names)), "two cases share a name"
    assert any(n.startswith("cities:") for n in names)
    assert any(n.startswith("baseline:") for n in names)
    assert any(n.startswith("scoped:") for n in names)
