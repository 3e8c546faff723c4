"""Fixtures of these tests: the far-year grading schemes, baselines and assessments a test stores are dropped after it
(the rules tests' own cleanup)."""

from tests.rulesets.conftest import _clean_rules

__all__ = ["_clean_rules"]
