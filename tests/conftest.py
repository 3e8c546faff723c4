"""Fixtures: a real PostgreSQL (embedded, or JIEQU_TEST_DATABASE_URL's server), migrated; the API in process."""

from __future__ import annotations

import asyncio
import itertools
import os
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from litestar import Litestar
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from infra.db import make_engine, make_sessionmaker, owner_transaction
from infra.local.postgres import EmbeddedPostgres
from infra.migrate import upgrade
from infra.settings import Settings, load_settings
from services.app import PUBLIC_PATHS, create_app
from services.context import AppContext
from services.openapi import finish_app_openapi
from services.tenancy.seed import demo_users, seed_tenants, seed_users
from tenants.context import Actor, Role
from tenants.registry import BUILTIN_TENANTS, TenantInfo
from tenants.resolver import TenantDirectory

pytest_plugins = ["tests.streetdata_fixtures"]

PASSWORD = "test-pass-2024"

ANOTHER_PROVINCE = [
    TenantInfo(slug="jiangsu", code="320000", name_zh="江苏省", name_en="Jiangsu Province"),
    TenantInfo(slug="nanjing", code="320100", name_zh="南京市", name_en="Nanjing", parent="jiangsu"),
]
"""Jiangsu and its city Nanjing, for a database of a test's own where another province must be refused."""

TEST_USERS: list[tuple[str, str, Role]] = [
    *demo_users(),
    ("jinan-viewer", "jinan", Role.VIEWER),
    ("qingdao-viewer", "qingdao", Role.VIEWER),
    ("province-viewer", "shandong", Role.VIEWER),
]


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL server: ``JIEQU_TEST_DATABASE_URL`` (any database on it) or an embedded one."""
    given = os.environ.get("JIEQU_TEST_DATABASE_URL")
    if given:
        yield given
        return
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "data")
    server.start()
    yield server.url("postgres")
    server.stop()


async def create_database(server_url: str, template: str | None = None) -> str:
    """A new database on the server, empty or a copy of the database at URL `template`; returns its URL."""
    name = f"jiequ_test_{uuid.uuid4().hex[:10]}"
    copy = f' TEMPLATE "{urlsplit(template).path.lstrip("/")}"' if template else ""
    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"{copy}')
    finally:
        await connection.close()
    base, _, query = server_url.partition("?")
    base = base.rsplit("/", 1)[0]
    return f"{base}/{name}" + (f"?{query}" if query else "")


@asynccontextmanager
async def fresh_database(server_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A new database migrated to head with the built-in tenants; dropped afterwards."""
    url = await create_database(server_url)
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url, pool_size=2)
    try:
        sessions = make_sessionmaker(engine)
        async with owner_transaction(sessions) as session:
            await seed_tenants(session)
        yield sessions
    finally:
        await engine.dispose()
        connection = await asyncpg.connect(server_url)
        try:
            await connection.execute(f'DROP DATABASE "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')
        finally:
            await connection.close()


@asynccontextmanager
async def own_context(
    server_url: str, settings: Settings, users: Iterable[tuple[str, str, Role]], tenants: Iterable[TenantInfo] = ()
) -> AsyncIterator[AppContext]:
    """The API's context over a database of its own: the built-in tenants and `tenants` (inserted as the
    schema owner, as `jiequ seed` adds a province), and `users`; dropped afterwards.

    For tests that judge or sum whole cities, whose figures would move with any other test's data."""
    async with fresh_database(server_url) as sessions:
        async with owner_transaction(sessions) as session:
            await seed_tenants(session, tenants)
        async with owner_transaction(sessions) as session:
            await seed_users(session, users, PASSWORD)
        context = AppContext.create(settings, sessions.kw["bind"].url.render_as_string(hide_password=False))
        try:
            await context.load_directory()
            yield context
        finally:
            await context.close()


def actor(tenant: str) -> Actor:
    """A city admin of `tenant`, whose `tenant` and tenant lists are what a request would carry."""
    return TenantDirectory(BUILTIN_TENANTS).actor(username=f"{tenant}-admin", tenant=tenant, role=Role.CITY_ADMIN)


@pytest.fixture(scope="session")
async def database_url(server_url: str) -> str:
    """A database migrated from empty to head for this test session."""
    url = await create_database(server_url)
    await asyncio.to_thread(upgrade, url)
    return url


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return load_settings(
        {
            "JIEQU_DATA_DIR": str(tmp_path_factory.mktemp("data")),
            "JIEQU_JWT_SECRET": "test-secret-" + "x" * 40,
            "JIEQU_DEMO_PASSWORD": PASSWORD,
        }
    )


@pytest.fixture(scope="session")
async def context(database_url: str, settings: Settings) -> AsyncIterator[AppContext]:
    """The API's context over the test database, seeded with the tenants and the test users."""
    engine = make_engine(database_url, pool_size=2)
    sessions = make_sessionmaker(engine)
    async with owner_transaction(sessions) as session:
        await seed_tenants(session)
    async with owner_transaction(sessions) as session:
        await seed_users(session, TEST_USERS, PASSWORD)
    await engine.dispose()
    context = AppContext.create(settings, database_url)
    await context.load_directory()
    yield context
    await context.close()


@pytest.fixture(scope="session")
def app(context: AppContext) -> Litestar:
    return create_app(context)


_CLIENTS = itertools.count()


def api_client(app: Litestar) -> httpx.AsyncClient:
    """An HTTP client calling the app in this event loop (the pool's connections belong to it).

    Each client comes from an address of its own, as each person's computer does: the sign-in throttle
    counts failures per address, and the tests' deliberate failures would otherwise add up across the run
    until every later sign-in of the run is locked out.
    """
    n = next(_CLIENTS)
    address = (f"10.{n // 65025 % 250}.{n // 255 % 255}.{n % 255 + 1}", 50000)
    return httpx.AsyncClient(transport=asgi_transport(app, client=address), base_url="http://jiequ.test")


def asgi_transport(app: Litestar, client: tuple[str, int] = ("127.0.0.1", 123)) -> httpx.ASGITransport:
    """httpx's transport calling ``app`` directly, its requests coming from ``client`` (httpx's default)."""
    # Litestar types the ASGI scope and events as TypedDicts, httpx as plain mappings: the same protocol.
    return httpx.ASGITransport(app=app, client=client)  # type: ignore[arg-type]


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(app) as client:
        yield client


class Auth:
    """Signs users in once per session and hands out their headers."""

    def __init__(self, app: Litestar) -> None:
        self.app = app
        self._tokens: dict[str, str] = {}

    async def headers(self, username: str) -> dict[str, str]:
        if username not in self._tokens:
            async with api_client(self.app) as client:
                response = await client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
                assert response.status_code == 201, response.text
                self._tokens[username] = response.json()["accessToken"]
        return {"Authorization": f"Bearer {self._tokens[username]}"}


@pytest.fixture(scope="session")
def auth(app: Litestar) -> Auth:
    return Auth(app)


def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def ok_body(response: httpx.Response, status: int = 200) -> Any:
    """The JSON of a response that must answer `status`; its text is the assertion message when not."""
    assert response.status_code == status, response.text
    return body(response)


async def assert_documented(
    client: httpx.AsyncClient, app: Litestar, path: str, summary_zh: str, schema: str, fields: set[str]
) -> None:
    """The OpenAPI document, finished as at the app's startup (the in-process client runs none), has the POST
    route at `path`, its summary starting with `summary_zh` and with its error answers, and the `schema` with
    `fields`."""
    finish_app_openapi(app, PUBLIC_PATHS)
    document = body(await client.get("/schema/openapi.json"))
    route = document["paths"][path]["post"]
    assert route["summary"].startswith(f"{summary_zh} / ")
    assert {"200", "403", "404", "409", "422"} <= set(route["responses"])
    assert fields <= set(document["components"]["schemas"][schema]["properties"])


def body(response: Any) -> Any:
    """The JSON of a response, with its text in the assertion message when it is not JSON."""
    try:
        return response.json()
    except ValueError as exc:  # pragma: no cover - only on a broken response
        raise AssertionError(response.text) from exc
