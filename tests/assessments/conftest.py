"""Fixtures of these tests: the city rules and far-year baselines a test stores are dropped after it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.context import AppContext
from tests.rulesets.helpers import clean_rules


@pytest.fixture(autouse=True)
async def _clean_rules(context: AppContext) -> AsyncIterator[None]:
    await clean_rules(context)
    yield
    await clean_rules(context)
