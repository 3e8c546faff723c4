"""Fixtures of the reporting tests: an API over a database of their own, with a second province."""

# The report sums whole cities, so its figures would move with any other test's data in the shared
# session database; each reporting module's database holds only what tests.province_report.crafted makes.

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import openpyxl
import pytest
from litestar import Litestar

from infra.settings import Settings
from services.app import create_app
from services.context import AppContext
from tenants.context import Role
from tests.conftest import ANOTHER_PROVINCE, Auth, api_client, own_context
from tests.province_report.crafted import craft

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


async def exported(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], sheet: str, city: str, columns: dict[str, str]
) -> dict[str, dict[str, Any]]:
    """The row of `city` (its Chinese name) in the report at `path` as exported: ``{"xlsx": …, "csv": …}``, each
    the row's values under `columns` (key → column header), the workbook's from its sheet `sheet`."""
    book = openpyxl.load_workbook(io.BytesIO((await client.get(f"{path}.xlsx", headers=headers)).content))
    rows = book[sheet]
    names = [cell.value for cell in rows[2]]
    [row] = [[c.value for c in r] for r in rows.iter_rows(min_row=3) if r[0].value == city]
    text = (await client.get(f"{path}.csv", headers=headers)).content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    [line] = [line for line in lines if line and line[0] == city]
    head = next(line for line in lines if line and line[0] == "城市")
    return {
        "xlsx": {k: row[names.index(header)] for k, header in columns.items()},
        "csv": {k: int(line[head.index(header)]) for k, header in columns.items()},
    }


@pytest.fixture(scope="module")
async def report_context(server_url: str, settings: Settings) -> AsyncIterator[AppContext]:
    """The API's context over a new database: Shandong and its cities, and Jiangsu with Nanjing."""
    async with own_context(server_url, settings, USERS, ANOTHER_PROVINCE) as context:
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
