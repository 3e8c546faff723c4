"""Below the service layer: raw SQL as ``jiequ_app`` under row-level security."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from infra.db import async_url, make_sessionmaker, tenant_transaction
from services.context import AppContext
from services.models import TENANT_TABLES


@pytest.fixture
async def engine(context: AppContext) -> AsyncIterator[AsyncEngine]:
    """One pooled connection, so consecutive transactions surely share it, to the session's database with
    the tenants and users `context` seeded."""
    engine = create_async_engine(async_url(context.database_url), pool_size=1, max_overflow=0)
    yield engine
    await engine.dispose()


async def _as_app(
    engine: AsyncEngine, sql: str, read: str | None, write: str | None = None, **params: object
) -> list[tuple[object, ...]]:
    async with engine.begin() as connection:
        await connection.execute(text("SET LOCAL ROLE jiequ_app"))
        if read is not None:
            await connection.execute(text("SELECT set_config('app.tenant_ids', :r, true)"), {"r": read})
        if write is not None:
            await connection.execute(text("SELECT set_config('app.write_tenant_ids', :w, true)"), {"w": write})
        return [tuple(row) for row in (await connection.execute(text(sql), params)).all()]


async def test_every_tenant_table_has_rls_enabled_and_forced(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                text("SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY(:t)"),
                {"t": TENANT_TABLES},
            )
        ).all()
    assert {r[0] for r in rows} == set(TENANT_TABLES)
    assert all(r[1] and r[2] for r in rows), rows


async def test_app_role_is_not_superuser_owner_or_bypassrls(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        role = (
            await connection.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'jiequ_app'"))
        ).one()
        owners = (
            (
                await connection.execute(
                    text("SELECT DISTINCT tableowner FROM pg_tables WHERE tablename = ANY(:t)"),
                    {"t": TENANT_TABLES},
                )
            )
            .scalars()
            .all()
        )
    assert role == (False, False)
    assert "jiequ_app" not in owners


async def test_city_sees_only_its_rows_and_cannot_insert_anothers(engine: AsyncEngine) -> None:
    jinan = await _as_app(engine, "SELECT DISTINCT tenant_id FROM users", "jinan", "jinan")
    assert jinan == [("jinan",)]
    assert await _as_app(engine, "SELECT username FROM users WHERE tenant_id = 'qingdao'", "jinan", "jinan") == []
    with pytest.raises(DBAPIError, match="row-level security"):
        await _as_app(
            engine,
            "INSERT INTO users (tenant_id, username, password_hash, role) "
            "VALUES ('qingdao', 'intruder', 'x', 'viewer')",
            "jinan",
            "jinan",
        )


async def test_no_tenant_set_sees_nothing(engine: AsyncEngine) -> None:
    assert await _as_app(engine, "SELECT count(*) FROM users", None) == [(0,)]
    assert await _as_app(engine, "SELECT count(*) FROM users", "") == [(0,)]
    assert await _as_app(engine, "SELECT count(*) FROM audit_log", None) == [(0,)]


async def test_province_reads_its_cities_but_writes_only_its_own(engine: AsyncEngine) -> None:
    seen = await _as_app(
        engine, "SELECT DISTINCT tenant_id FROM users ORDER BY 1", "shandong,jinan,qingdao", "shandong"
    )
    assert seen == [("jinan",), ("qingdao",), ("shandong",)]
    updated = await _as_app(
        engine,
        "UPDATE users SET display_name = 'x' WHERE tenant_id = 'jinan' RETURNING username",
        "shandong,jinan,qingdao",
        "shandong",
    )
    assert updated == []
    with pytest.raises(DBAPIError, match="row-level security"):
        await _as_app(
            engine,
            "INSERT INTO users (tenant_id, username, password_hash, role) VALUES ('jinan', 'p-made', 'x', 'viewer')",
            "shandong,jinan",
            "shandong",
        )


async def test_pool_does_not_carry_a_tenant_into_the_next_transaction(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    async with tenant_transaction(sessions, ["jinan"], ["jinan"]) as session:
        inside = (
            await session.execute(
                text("SELECT current_user, current_setting('app.tenant_ids', true), pg_backend_pid()")
            )
        ).one()
    assert inside[:2] == ("jiequ_app", "jinan")
    async with engine.begin() as connection:
        after = (
            await connection.execute(
                text("SELECT current_user, coalesce(current_setting('app.tenant_ids', true), ''), pg_backend_pid()")
            )
        ).one()
    assert after[2] == inside[2], "the same pooled connection was reused"
    assert after[0] != "jiequ_app"
    assert after[1] == ""
    # The next request on that connection, as jiequ_app without its own tenants, sees nothing.
    assert await _as_app(engine, "SELECT count(*) FROM users", None) == [(0,)]


async def test_audit_log_refuses_update_and_delete_even_for_the_owner(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO audit_log (tenant_id, actor, action, object_type, object_id) "
                "VALUES ('jinan', 'test', 'test.write', 'thing', '1')"
            )
        )
    for statement in ("UPDATE audit_log SET actor = 'forged'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as connection:
                await connection.execute(text(statement))
    with pytest.raises(DBAPIError, match="permission denied"):
        await _as_app(engine, "UPDATE audit_log SET actor = 'forged'", "jinan", "jinan")
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM audit_log WHERE actor = 'forged'"))).scalar() == 0
