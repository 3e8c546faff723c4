"""Fixtures for the rules tests: one rules engine (and its thread) for the whole run."""

from collections.abc import Iterator

import pytest

from rules.baseline import load_baseline
from rules.engine import Engine
from rules.overlay import Ruleset, effective_ruleset


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    engine = Engine()
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def baseline_2025() -> Ruleset:
    return effective_ruleset("jinan", 2025, load_baseline(2025), ())
