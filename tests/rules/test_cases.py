"""Runs every YAML case in rules/cases/ through the durable_rules engine, one pytest test per case.

A case whose output gives a `score` or a `grade` is also graded, by the scheme in force for its year with the
case's `scheme` changes (rules/grades).
"""

from pathlib import Path

import msgspec
import pytest
import yaml

from rules.baseline import load_baseline
from rules.criteria import parse_criteria
from rules.engine import Engine
from rules.facts import CustomField, StreetFacts, fact_specs
from rules.grades import Grade, grade, scheme_from_data, scheme_in_force
from rules.overlay import effective_ruleset
from rules.verdict import Outcome, Result, evaluate_plain

CASES_DIR = Path(__file__).parents[2] / "rules" / "cases"


class Output(msgspec.Struct, forbid_unknown_fields=True):
    outcome: Outcome
    criteria: dict[str, Result]
    score: float | None = None
    grade: Grade | None = None


class Case(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    year: int
    tenant: str
    facts: StreetFacts
    output: Output
    overlay: list[dict[str, object]] = []
    baseline: list[dict[str, object]] = []
    """Criteria the province adds to its baseline file for the case (e.g. one that applies to some streets)."""
    custom_fields: tuple[CustomField, ...] = ()
    scheme: dict[str, object] = {}
    """Changes to the grading scheme in force for the year (top-level keys replaced, `weights` merged)."""


def collect() -> list[object]:
    params: list[object] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")):
            case = msgspec.convert(raw, Case)
            params.append(pytest.param(case, id=f"{path.stem}: {case.name}"))
    return params


@pytest.mark.parametrize("case", collect())
async def test_case(case: Case, engine: Engine) -> None:
    overlay = parse_criteria(case.overlay, fact_specs(case.custom_fields))
    added = tuple(msgspec.structs.replace(c, origin="province") for c in parse_criteria(case.baseline))
    baseline = load_baseline(case.year) + added
    ruleset = effective_ruleset(case.tenant, case.year, baseline, overlay, case.custom_fields)

    verdict = await engine.evaluate(ruleset, case.facts)

    results = {r.id: r.result for r in verdict.criteria}
    assert set(case.output.criteria) <= set(results), "the case names a criterion the ruleset lacks"
    assert results == dict.fromkeys(results, "pass") | case.output.criteria
    assert verdict.outcome == case.output.outcome
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
