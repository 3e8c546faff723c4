"""`jiequ up` on a free port: healthy with its own PostgreSQL and Temporal; a second run adds no demo twice."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from infra.db import APP_ROLE, make_engine, make_sessionmaker, owner_transaction, tenant_transaction
from infra.local import free_port
from infra.local.postgres import EmbeddedPostgres, ensure_owned_database
from infra.migrate import upgrade
from infra.rls import OWNER_ROLE
from services.tenancy.seed import seed_tenants, seed_users
from tenants.context import Role
from tests.conftest import create_database
from tests.stack import start_stack, stop_stack


async def _client_users(data_dir: Path) -> set[str]:
    """The roles the running stack's connections to its database log in as (asked as the superuser)."""
    server = EmbeddedPostgres(data_dir / "postgres")
    server.attach()
    rows = await _fetch(
        server.url("postgres"),
        "SELECT usename FROM pg_stat_activity WHERE datname = 'jiequ' AND backend_type = 'client backend'"
        " AND pid <> pg_backend_pid()",
    )
    return {row[0] for row in rows}


async def _count(data_dir: Path, table: str) -> int:
    """Count rows as the superuser through the stopped stack's data folder (started just for this)."""
    server = EmbeddedPostgres(data_dir / "postgres")
    server.start()  # from this thread, which outlives the server (it dies with the thread that started it)
    try:
        connection = await asyncpg.connect(server.url())
        try:
            return int(await connection.fetchval(f"SELECT count(*) FROM {table}"))  # noqa: S608 - fixed names
        finally:
            await connection.close()
    finally:
        server.stop()


@pytest.mark.slow
async def test_up_is_healthy_prints_urls_and_a_second_up_duplicates_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    port = free_port()
    process, _, health, output = await start_stack(data_dir, port)
    try:
        assert health == {"status": "ok", "database": "ok", "temporal": "ok"}
        # Below the API: the database's socket folder is the server user's alone, and the product's
        # connections (API, worker) log in as the owner role, which is no superuser.
        assert (data_dir / "postgres-socket").stat().st_mode & 0o777 == 0o700
        assert await _client_users(data_dir) == {OWNER_ROLE}
        assert f"http://127.0.0.1:{port}/api" in output
        assert "demo-pass-2024" in output
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            login = await client.post("/api/auth/login", json={"username": "province", "password": "demo-pass-2024"})
            assert login.status_code == 201
    finally:
        stop_stack(process)
    assert process.returncode is not None
    users, streets = await _count(data_dir, "users"), await _count(data_dir, "streets")

    process, _, health, _ = await start_stack(data_dir)
    try:
        assert health["status"] == "ok"
    finally:
        stop_stack(process)
    assert await _count(data_dir, "users") == users
    assert await _count(data_dir, "streets") == streets


async def _fetch(url: str, query: str, *args: Any) -> Any:
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetch(query, *args)
    finally:
        await connection.close()


async def _unique_database(server_url: str) -> str:
    return urlsplit(await create_database(server_url)).path.lstrip("/")


async def test_the_product_connects_as_an_owner_that_is_no_superuser_even_after_reset_role(server_url: str) -> None:
    name = await _unique_database(server_url)
    owner_url = await ensure_owned_database(server_url, name)
    await asyncio.to_thread(upgrade, owner_url)  # migrations run as the owner, as `jiequ up` runs them
    engine = make_engine(owner_url, pool_size=1)
    try:
        sessions = make_sessionmaker(engine)
        async with owner_transaction(sessions) as session:
            await seed_tenants(session)
            me = (await session.execute(text(_ME))).one()
        assert (me.user, me.rolsuper) == (OWNER_ROLE, False)
        async with tenant_transaction(sessions, ["jinan"], ["jinan"]) as session:
            assert (await session.execute(text(_ME))).one().user == APP_ROLE
            await session.execute(text("RESET ROLE"))
            regained = (await session.execute(text(_ME))).one()
            assert (regained.user, regained.rolsuper) == (OWNER_ROLE, False)
            assert (await session.execute(text("SHOW is_superuser"))).scalar_one() == "off"
        with pytest.raises(DBAPIError, match=r"permission denied|must be superuser"):
            async with owner_transaction(sessions) as session:
                await session.execute(text(f"ALTER ROLE {OWNER_ROLE} SUPERUSER"))
    finally:
        await engine.dispose()


async def test_processes_setting_up_one_database_at_once_take_turns(server_url: str) -> None:
    # An API and a worker joining `jiequ up` set the owner role and the database up at the same moment; two GRANTs
    # on one role at once would fail with "tuple concurrently updated".
    name = await _unique_database(server_url)
    urls = await asyncio.gather(*(ensure_owned_database(server_url, name) for _ in range(6)))
    assert len(set(urls)) == 1
    assert urlsplit(urls[0]).username == OWNER_ROLE


_ME = "SELECT current_user AS user, rolsuper FROM pg_roles WHERE rolname = current_user"


async def test_a_database_migrated_as_the_superuser_is_handed_to_the_owner(server_url: str) -> None:
    # The local stack's databases were made and migrated as `postgres` before the owner role existed.
    url = await create_database(server_url)
    name = urlsplit(url).path.lstrip("/")
    await asyncio.to_thread(upgrade, url)

    owner_url = await ensure_owned_database(server_url, name)

    foreign = await _fetch(
        url,
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relowner <> $1::regrole"
        " UNION ALL SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        " WHERE n.nspname = 'public' AND p.proowner <> $1::regrole",
        OWNER_ROLE,
    )
    assert [row[0] for row in foreign] == []
    engine = make_engine(owner_url, pool_size=1)
    try:
        sessions = make_sessionmaker(engine)
        async with owner_transaction(sessions) as session:
            await seed_tenants(session)  # the owner's own policies let it write every tenant
        async with owner_transaction(sessions) as session:
            await seed_users(session, [("jinan-admin", "jinan", Role.CITY_ADMIN)], "test-pass-2024")
        async with tenant_transaction(sessions, ["jinan"], ["jinan"]) as session:
            users = (await session.execute(text("SELECT username FROM users"))).scalars().all()
        assert users == ["jinan-admin"]
    finally:
        await engine.dispose()
    await asyncio.to_thread(upgrade, owner_url)  # a later release migrates as the owner


def test_a_data_folder_initdb_refuses_says_why(tmp_path: Path) -> None:
    """A data folder that is not empty and holds no database: initdb refuses, and the error carries its reason."""
    folder = tmp_path / "postgres"
    folder.mkdir()
    (folder / "stray.txt").write_text("not a database")
    with pytest.raises(RuntimeError, match=r"initdb failed on .*postgres \(exit 1\): .*not empty"):
        EmbeddedPostgres(folder).start()
