"""The grading scheme's validation and the packaged default (scores themselves: rules/cases/grades.yaml)."""

import msgspec
import pytest

from rules.baseline import load_baseline
from rules.grades import GradeSchemeError, packaged_schemes, scheme_from_data, scheme_in_force

BASELINE_IDS = {c.id for c in load_baseline(2024)}


def _default() -> dict[str, object]:
    scheme = scheme_in_force(2024)
    assert scheme is not None
    data: dict[str, object] = msgspec.to_builtins(scheme)
    return data


def test_the_default_weighs_every_baseline_criterion_and_cites_each_clause() -> None:
    (scheme,) = packaged_schemes()
    assert scheme.year == 2024
    assert set(scheme.weights) == BASELINE_IDS
    assert sum(w.weight for w in scheme.weights.values()) == 100
    assert all("鲁人社函〔2024〕49号" in w.source for w in scheme.weights.values())
    assert scheme_from_data(_default(), BASELINE_IDS) == scheme
    assert scheme_in_force(2030) == scheme
    assert scheme_in_force(2023) is None


def test_a_published_scheme_of_a_year_takes_precedence_from_that_year() -> None:
    later = scheme_from_data(_default() | {"year": 2026, "partial_factor": 0.25})
    assert scheme_in_force(2027, [later]) == later
    assert scheme_in_force(2025, [later]) == packaged_schemes()[0]
    assert later.hash != packaged_schemes()[0].hash
    assert scheme_from_data(_default() | {"year": 2026}).hash == packaged_schemes()[0].hash  # the year is no content


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"weights": {"entity_count": {"weight": -1, "source": "二(三)"}}}, "weights.entity_count", "≥ 0"),
        ({"weights": {"no_such": {"weight": 1, "source": "二(三)"}}}, "weights.no_such", "unknown criterion id"),
        ({"weights": {"entity_count": {"weight": 1, "source": " "}}}, "weights.entity_count", "source clause"),
        ({"weights": {"entity_count": {"weight": 0, "source": "二(三)"}}}, "weights", "above 0"),
        ({"thresholds": {"A": 90, "B": 95, "C": 60}}, "thresholds.B", "descend"),
        ({"thresholds": {"A": 120, "B": 75, "C": 60}}, "thresholds.A", "0–100"),
        ({"partial_factor": 1.5}, "partialFactor", "0–1"),
        ({"required_cap": "E"}, "scheme", "malformed"),
    ],
)
def test_a_scheme_breaking_a_rule_is_refused_naming_the_part(change: dict[str, object], field: str, words: str) -> None:
    data = _default() | change
    with pytest.raises(GradeSchemeError) as caught:
        scheme_from_data(data, BASELINE_IDS)
    assert caught.value.field == field
    assert words in caught.value.message_en
    assert caught.value.message_zh
