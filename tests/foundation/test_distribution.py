"""The migrated schema distributes by tenant: what Citus's ``create_distributed_table(t, 'tenant_id')``
needs of every tenant table, checked on the catalog of the real, migrated database (infra/deploy/README.md)."""

from __future__ import annotations

import asyncpg

from services.models import REFERENCE_TABLES, TENANT_TABLES

LOCAL_TABLES = {"login_throttle", "alembic_version"}
"""Not tenant data: the sign-in throttle (keyed by hashed name or address) and the migration marker."""

CONSTRAINTS = """
SELECT rel.relname AS table_name, con.contype::text AS kind, con.conname AS name,
       ARRAY(SELECT att.attname FROM unnest(con.conkey) WITH ORDINALITY AS k(n, i)
             JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = k.n ORDER BY k.i) AS columns,
       ref.relname AS referenced,
       ARRAY(SELECT att.attname FROM unnest(con.confkey) WITH ORDINALITY AS k(n, i)
             JOIN pg_attribute att ON att.attrelid = con.confrelid AND att.attnum = k.n ORDER BY k.i)
         AS referenced_columns
FROM pg_constraint con
JOIN pg_class rel ON rel.oid = con.conrelid
JOIN pg_namespace ns ON ns.oid = rel.relnamespace AND ns.nspname = 'public'
LEFT JOIN pg_class ref ON ref.oid = con.confrelid
WHERE con.contype::text IN ('p', 'u', 'f')
"""

UNIQUE_INDEXES = """
SELECT tab.relname AS table_name, idx.relname AS name,
       ARRAY(SELECT att.attname FROM unnest(ind.indkey) WITH ORDINALITY AS k(n, i)
             JOIN pg_attribute att ON att.attrelid = ind.indrelid AND att.attnum = k.n ORDER BY k.i) AS columns
FROM pg_index ind
JOIN pg_class tab ON tab.oid = ind.indrelid
JOIN pg_class idx ON idx.oid = ind.indexrelid
JOIN pg_namespace ns ON ns.oid = tab.relnamespace AND ns.nspname = 'public'
WHERE ind.indisunique
"""


async def test_every_tenant_table_keys_constrains_and_references_by_tenant(database_url: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        tables = {r[0] for r in await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        with_tenant = {
            r[0]
            for r in await connection.fetch(
                "SELECT table_name FROM information_schema.columns"
                " WHERE table_schema = 'public' AND column_name = 'tenant_id'"
            )
        }
        constraints = await connection.fetch(CONSTRAINTS)
        indexes = await connection.fetch(UNIQUE_INDEXES)
    finally:
        await connection.close()

    # Every table is a tenant table, or one of the few named reference and local tables.
    assert with_tenant == set(TENANT_TABLES)
    assert tables - with_tenant == {"tenants"} | LOCAL_TABLES
    distributed = with_tenant - set(REFERENCE_TABLES)

    problems: list[str] = []
    primary = {c["table_name"]: c["columns"] for c in constraints if c["kind"] == "p"}
    for table in sorted(distributed):
        if "tenant_id" not in primary.get(table, []):
            problems.append(f"{table}: primary key {primary.get(table)} lacks tenant_id")
    for con in constraints:
        if con["table_name"] not in distributed:
            continue
        if con["kind"] == "u" and "tenant_id" not in con["columns"]:
            problems.append(f"{con['table_name']}.{con['name']}: unique {con['columns']} lacks tenant_id")
        if con["kind"] == "f" and con["referenced"] not in REFERENCE_TABLES:
            pairs = dict(zip(con["columns"], con["referenced_columns"], strict=True))
            if pairs.get("tenant_id") != "tenant_id":
                problems.append(
                    f"{con['table_name']}.{con['name']}: foreign key {con['columns']} → "
                    f"{con['referenced']}{con['referenced_columns']} does not pair tenant_id with tenant_id"
                )
    for index in indexes:
        if index["table_name"] in distributed and "tenant_id" not in index["columns"]:
            problems.append(f"{index['table_name']}.{index['name']}: unique index {index['columns']} lacks tenant_id")
    assert problems == []


async def test_the_check_finds_a_key_without_the_tenant(database_url: str) -> None:
    """The catalog queries above see a unique index that would stop distribution (so they cannot pass idly)."""
    connection = await asyncpg.connect(database_url)
    probe = connection.transaction()
    await probe.start()
    try:
        await connection.execute("CREATE UNIQUE INDEX probe_name ON streets (name, id)")
        rows = await connection.fetch(UNIQUE_INDEXES + " AND idx.relname = 'probe_name'")
        assert [(r["table_name"], list(r["columns"])) for r in rows] == [("streets", ["name", "id"])]
    finally:
        await probe.rollback()
        await connection.close()
