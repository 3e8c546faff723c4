"""Runs every YAML case in rules/cases/ through the durable_rules engine, one pytest test per case.

A case whose output gives a `score` or a `grade` is also graded, by the scheme in force for its year with the
case's `scheme` changes (rules/grades).
"""

import msgspec
import pytest

from rules.engine import Engine
from rules.grades import grade, scheme_from_data, scheme_in_force
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
    if case.output.score is not None or case.output.grade is not None:
        in_force = scheme_in_force(case.year)
        assert in_force is not None
        data = msgspec.to_builtins(in_force)
        weights = {**data["weights"], **case.scheme.get("weights", {})}  # type: ignore[dict-item]
        graded = grade(scheme_from_data(data | case.scheme | {"weights": weights}), ruleset, verdict)
        assert (graded.score, graded.grade) == (case.output.score, case.output.grade)


def test_cases_are_collected() -> None:
    names = [p.id for p in collect()]  # type: ignore[attr-defined]
    assert len(names) == len(set(names)), "two cases share a name"
    assert any(n.startswith("cities:") for n in names)
    assert any(n.startswith("baseline:") for n in names)
    assert any(n.startswith("scoped:") for n in names)
    assert any(n.startswith("grades:") for n in names)
