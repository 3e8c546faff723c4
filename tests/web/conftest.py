"""Fixtures of the page tests: the live app and Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

from infra.settings import Settings
from services.context import AppContext
from tests.web.browser import CHROMIUM_ARGS, LiveServer, chromium
from tests.workflows.conftest import cycle_context, cycle_template, temporal_env

__all__ = ["cycle_context", "cycle_template", "temporal_env"]  # the cycle pages run on the workflow tests' servers

# The annual cycle's fixtures (a time-skipping Temporal server of the test's own, a database copied per test),
# for the selection page, whose ranking and designation are the selection workflow's.

__all__ = ["browser", "cycle_context", "cycle_template", "live", "temporal_env"]


@pytest.fixture(scope="module")
async def live(settings: Settings, database_url: str, context: AppContext) -> AsyncIterator[LiveServer]:
    server = LiveServer(settings, database_url)  # `context` has seeded the tenants and users
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    executable = chromium()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()
