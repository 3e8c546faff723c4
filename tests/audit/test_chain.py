"""The audit trail's hash chains: every insert chains, concurrent writers never fork a chain, and an edit,
a deletion or a re-hashed replacement made behind the database's back is found by ``jiequ audit verify``."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import httpx
import pytest

from infra.db import make_engine, make_sessionmaker, owner_transaction
from infra.migrate import upgrade
from services.audit.chain import ChainReport, verify
from services.context import AppContext
from services.tenancy.seed import seed_tenants
from tests.conftest import Auth, create_database
from tests.streetdata_fixtures import create_street


async def chains(url: str, tenant: str | None = None) -> list[ChainReport]:
    engine = make_engine(url, pool_size=1)
    try:
        async with owner_transaction(make_sessionmaker(engine)) as session:
            return await verify(session, tenant)
    finally:
        await engine.dispose()


def jiequ_verify(url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DATABASE_URL": url, "JIEQU_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "infra.cli", "audit", "verify", *args]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120, check=False)


async def test_concurrent_writes_chain_one_after_another(
    client: httpx.AsyncClient, auth: Auth, context: AppContext, database_url: str
) -> None:
    (before,) = await chains(database_url, "zibo") or [ChainReport(tenant="zibo", rows=0)]
    await asyncio.gather(*(create_street(client, auth, "zibo") for _ in range(12)))
    # Another city's writes go on its own chain.
    await create_street(client, auth, "jinan")

    (after,) = await chains(database_url, "zibo")
    assert after.broken is None
    assert after.rows >= before.rows + 12
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT chain_seq, prev_hash, row_hash FROM audit_log WHERE tenant_id = 'zibo' ORDER BY chain_seq"
        )
    finally:
        await connection.close()
    assert [row["chain_seq"] for row in rows] == list(range(1, len(rows) + 1))
    assert rows[0]["prev_hash"] is None
    assert all(row["prev_hash"] == previous["row_hash"] for previous, row in itertools.pairwise(rows))
    assert all(report.broken is None for report in await chains(database_url))


@pytest.fixture
async def fresh_url(server_url: str) -> str:
    """A database of its own with some audit rows written before the chain existed: these tests break it."""
    url = await create_database(server_url)
    await asyncio.to_thread(upgrade, url, "0009")
    engine = make_engine(url, pool_size=1)
    try:
        async with owner_transaction(make_sessionmaker(engine)) as session:
            await seed_tenants(session)
    finally:
        await engine.dispose()
    connection = await asyncpg.connect(url)
    try:
        for tenant in ("jinan", "jinan", "qingdao"):
            await connection.execute(
                "INSERT INTO audit_log (tenant_id, actor, action, object_type, object_id, after)"
                " VALUES ($1, 'old', 'street.create', 'street', '1', '{\"name\": \"旧\"}')",
                tenant,
            )
    finally:
        await connection.close()
    await asyncio.to_thread(upgrade, url)
    return url


async def add_rows(connection: asyncpg.Connection, tenant: str, count: int) -> list[int]:
    return [
        await connection.fetchval(
            "INSERT INTO audit_log (tenant_id, actor, action, object_type, object_id, before, after)"
            " VALUES ($1, 'jinan-admin', 'street.update', 'street', $2, '{\"name\": \"甲\"}', '{\"name\": \"乙\"}')"
            " RETURNING id",
            tenant,
            str(n),
        )
        for n in range(count)
    ]


async def behind_the_back(connection: asyncpg.Connection, statement: str, *args: object) -> None:
    """Change the append-only table as its owner with the guarding trigger off, as an intruder would."""
    async with connection.transaction():
        await connection.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete")
        await connection.execute(statement, *args)
        await connection.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete")


async def test_verify_names_the_first_broken_link(fresh_url: str, tmp_path: Path) -> None:
    url = fresh_url
    # The rows from before the migration were chained in id order, and new rows chain after them.
    connection = await asyncpg.connect(url)
    try:
        _, deleted, replaced = (await add_rows(connection, "jinan", 9))[2::3]
        await add_rows(connection, "qingdao", 2)
    finally:
        await connection.close()
    reports = {report.tenant: report for report in await chains(url)}
    assert {tenant: (r.rows, r.broken) for tenant, r in reports.items()} == {
        "jinan": (11, None),
        "qingdao": (3, None),
    }
    intact = jiequ_verify(url, tmp_path)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "jinan: 11 行，链完整 / 11 rows, chain intact" in intact.stdout

    connection = await asyncpg.connect(url)
    try:
        # An edit is a content break at that row; the CLI says where and exits non-zero.
        await behind_the_back(connection, "UPDATE audit_log SET actor = 'someone' WHERE id = $1", replaced)
        (report,) = await chains(url, "jinan")
        assert report.broken is not None
        assert (report.broken.row_id, report.broken.problem) == (replaced, "content")
        failed = jiequ_verify(url, tmp_path, "--tenant", "jinan")
        assert failed.returncode == 1
        assert f"审计日志第 {replaced} 行" in failed.stdout
        assert "the row was edited" in failed.stdout
        # Only the broken chain is reported broken.
        assert jiequ_verify(url, tmp_path, "--tenant", "qingdao").returncode == 0

        # An earlier deletion is the first break now: a gap in the numbering.
        await behind_the_back(connection, "DELETE FROM audit_log WHERE id = $1", deleted)
        (report,) = await chains(url, "jinan")
        assert report.broken is not None
        assert (report.broken.chain_seq, report.broken.problem) == (
            await connection.fetchval("SELECT chain_seq FROM audit_log WHERE id = $1", deleted + 1),
            "sequence",
        )

    finally:
        await connection.close()


async def test_a_rehashed_edit_breaks_the_next_link(fresh_url: str) -> None:
    connection = await asyncpg.connect(fresh_url)
    try:
        first, second = await add_rows(connection, "jinan", 2)
        # The intruder edits a row and recomputes its hash so that the row verifies on its own.
        await behind_the_back(connection, "UPDATE audit_log SET actor = 'someone' WHERE id = $1", first)
        await behind_the_back(
            connection,
            "UPDATE audit_log a SET row_hash = audit_row_hash(a) WHERE id = $1",
            first,
        )
    finally:
        await connection.close()
    (report,) = await chains(fresh_url, "jinan")
    assert report.broken is not None
    assert (report.broken.row_id, report.broken.problem) == (second, "link")


async def test_a_writer_waits_for_no_other_writer_of_its_tenant_until_that_one_commits(fresh_url: str) -> None:
    slow, quick = await asyncpg.connect(fresh_url), await asyncpg.connect(fresh_url)
    try:
        slow_transaction = slow.transaction()
        await slow_transaction.start()
        [slow_row] = await add_rows(slow, "jinan", 1)  # inserted, not yet committed
        # Another writer of the same tenant inserts and commits at once: it is not held up by the open one.
        [quick_row] = await asyncio.wait_for(add_rows(quick, "jinan", 1), timeout=10)
        assert await quick.fetchval("SELECT chain_seq FROM audit_log WHERE id = $1", quick_row) is not None
        # Until it commits, the open transaction's row has no place in the chain.
        assert await slow.fetchval("SELECT chain_seq FROM audit_log WHERE id = $1", slow_row) is None
        await slow_transaction.commit()
        linked = await quick.fetch(
            "SELECT id, chain_seq FROM audit_log WHERE id = ANY($1::bigint[]) ORDER BY chain_seq", [slow_row, quick_row]
        )
    finally:
        await slow.close()
        await quick.close()
    # The chain runs in commit order: the quick row first, the slow one right after it.
    assert [row["id"] for row in linked] == [quick_row, slow_row]
    assert linked[1]["chain_seq"] == linked[0]["chain_seq"] + 1
    (report,) = await chains(fresh_url, "jinan")
    assert report.broken is None


async def claiming_to_link(connection: asyncpg.Connection, statement: str, *args: object) -> None:
    """Run ``statement`` with the flag the linking function sets, as someone imitating it would."""
    async with connection.transaction():
        await connection.execute("SELECT set_config('audit.linking', 'on', true)")
        await connection.execute(statement, *args)


async def test_linking_is_the_one_change_an_audit_row_takes(fresh_url: str) -> None:
    connection = await asyncpg.connect(fresh_url)
    try:
        [row] = await add_rows(connection, "jinan", 1)
        edits = (
            "UPDATE audit_log SET actor = 'someone' WHERE id = $1",
            "UPDATE audit_log SET chain_seq = chain_seq + 100 WHERE id = $1",
            "DELETE FROM audit_log WHERE id = $1",
        )
        for edit in edits:
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await connection.execute(edit, row)
            # Claiming to link does not open a linked row either.
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await claiming_to_link(connection, edit, row)
        async with connection.transaction():
            # Nor a row not yet linked, in the transaction that inserted it, beyond its three chain columns.
            [pending] = await add_rows(connection, "jinan", 1)
            await connection.execute("SELECT set_config('audit.linking', 'on', true)")
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await connection.execute(
                    "UPDATE audit_log SET actor = 'someone', chain_seq = 999, row_hash = '\\x00' WHERE id = $1", pending
                )
    finally:
        await connection.close()
    (report,) = await chains(fresh_url, "jinan")
    assert report.broken is None
