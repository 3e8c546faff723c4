"""Fixtures for the facts tests: a database of their own, so crafted streets meet no other test's data."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import fresh_database


@pytest.fixture(scope="module")
async def sessions(server_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with fresh_database(server_url) as sessions:
        yield sessions
