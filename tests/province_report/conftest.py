"""Fixtures of the reporting tests: an API over a database of their own, with a second province."""

# The report sums whole cities, so its figures would move with any other test's data in the shared
# session database; each reporting module's database holds only what tests.province_report.crafted makes.

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar

from infra.settings import Settings
from services.app import create_app
from services.context import AppContext
from tenants.context import Role
from tenants.registry import TenantInfo
from tests.conftest import Auth, api_client, own_context
from tests.province_report.crafted import craft

JIANGSU = TenantInfo(slug="jiangsu", code="320000", name_zh="江苏省", name_en="Jiangsu Province")
NANJING = TenantInfo(slug="nanjing", code="320100", name_zh="南京市", name_en="Nanjing", parent="jiangsu")

USERS: list[tuple[str, str, Role]] = [
    ("province", "shandong", Role.PROVINCE_ADMIN),
    ("province-viewer", "shandong", Role.VIEWER),
    ("jinan-admin", "jinan", Role.CITY_ADMIN),
    ("jinan-case", "jinan", Role.CASEWORKER),
    ("jinan-viewer", "jinan", Role.VIEWER),
    ("qingdao-admin", "qingdao", Role.CITY_ADMIN),
    ("jiangsu-admin", "jiangsu", Role.PROVINCE_ADMIN),
    ("nanjing-admin", "nanjing", Role.CITY_ADMIN),
]


@pytest.fixture(scope="module")
async def report_context(server_url: str, settings: Settings) -> AsyncIterator[AppContext]:
    """The API's context over a new database: Shandong and its cities, and Jiangsu with Nanjing."""
    async with own_context(server_url, settings, USERS, [JIANGSU, NANJING]) as context:
        yield context


@pytest.fixture(scope="module")
def report_app(report_context: AppContext) -> Litestar:
    return create_app(report_context)


@pytest.fixture(scope="module")
def report_auth(report_app: Litestar) -> Auth:
    return Auth(report_app)


@pytest.fixture
async def report_client(report_app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(report_app) as client:
        yield client


@pytest.fixture(scope="module")
async def crafted(report_context: AppContext) -> AppContext:
    """The context once `tests.province_report.crafted` has added its street data."""
    await craft(report_context.sessions)
    return report_context
