"""Bulk loading of generated street data: the tables and columns, ids drawn ahead, COPY, and the foreign keys
and indexes dropped for the load and restored after it."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any, Final, Protocol, cast

from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.demo.cases import COLUMNS as CASE_COLUMNS

# fmt: off
COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "operators": ("tenant_id", "id", "name", "uscc", "legal_person", "clean_record", "digital_platform_url"),
    "streets": ("tenant_id", "id", "name", "district", "theme", "status", "operator_id", "replicable_practices",
                "custom_fields", "created_at", "updated_at"),
    "attestations": ("tenant_id", "street_id", "claim", "value", "status", "note", "verified_by", "verified_at"),
    "centers": ("tenant_id", "street_id", "fixed_site", "address", "services"),
    "center_staff": ("tenant_id", "id", "street_id", "name", "role", "full_time"),
    "entities": ("tenant_id", "id", "street_id", "name", "uscc", "kind", "class", "founder_group", "founded_on",
                 "employees", "operating", "joined_on", "left_on"),
    "internship_positions": ("tenant_id", "id", "street_id", "entity_id", "title", "opened_on", "closed_on"),
    "activities": ("tenant_id", "id", "street_id", "kind", "title", "held_on", "participants"),
    "center_services": ("tenant_id", "id", "street_id", "served_on", "kind", "people", "staff", "note"),
    "cases": CASE_COLUMNS,
    "monthly_reports": ("tenant_id", "street_id", "month", "jobs_driven", "internship_positions", "notes",
                        "submitted_by", "submitted_at", "interns_graduates", "interns_other_youth"),
    "survey_responses": ("tenant_id", "id", "street_id", "responded_on", "rating"),
    "ledger_entries": ("tenant_id", "id", "street_id", "entity_id", "need", "action", "status", "caseworker",
                       "opened_on", "updated_at"),
    "ledger_visits": ("tenant_id", "id", "entry_id", "entity_id", "street_id", "visited_on", "notes", "caseworker",
                      "created_at"),
    "ledger_outcomes": ("tenant_id", "id", "entry_id", "entity_id", "street_id", "kind", "achieved_on",
                        "amount_wan", "amount_yuan", "lender", "months", "persons", "graduates", "other_youth",
                        "note", "recorded_by"),
}
# fmt: on
"""The tables a street's data goes to, parents before children, and the columns in the generated order."""

IDENTITY_TABLES: Final = tuple(table for table, columns in COLUMNS.items() if columns[1] == "id")


class Driver(Protocol):
    """The asyncpg connection under a session, as far as loading uses it (asyncpg ships no type hints)."""

    async def copy_records_to_table(
        self, table_name: str, *, records: Iterable[Sequence[object]], columns: Sequence[str]
    ) -> str: ...

    async def fetch(self, query: str, *args: object) -> list[Any]: ...

    async def fetchval(self, query: str, *args: object) -> Any: ...

    async def execute(self, query: str, *args: object) -> str: ...


class Ids:
    """Ids of new rows, drawn ahead from each table's identity sequence and handed out in memory.

    Safe because `start_load` locks the tables against other writers until the transaction ends, and
    `release` then moves each sequence past the ids handed out.
    """

    def __init__(self, starts: dict[str, int]) -> None:
        self._next = {table: itertools.count(start) for table, start in starts.items()}

    def take(self, table: str) -> int:
        return next(self._next[table])

    async def release(self, connection: Driver) -> None:
        for table, ids in self._next.items():
            await connection.execute("SELECT setval(pg_get_serial_sequence($1, 'id'), $2, false)", table, next(ids))


async def start_load(session: AsyncSession) -> tuple[Driver, Ids]:
    """Begin a bulk load in the session's transaction: the asyncpg connection to COPY through, and the ids.

    SHARE ROW EXCLUSIVE keeps other writers, and another seed, off the tables until the transaction ends.
    The lock goes through SQLAlchemy, which begins the transaction on the connection (asyncpg runs
    statements of its own outside it).
    """
    connection = await session.connection()
    await connection.execute(text(f"LOCK TABLE {', '.join(COLUMNS)} IN SHARE ROW EXCLUSIVE MODE"))
    raw = await connection.get_raw_connection()
    driver = cast(Driver, raw.driver_connection)
    starts = {
        table: await driver.fetchval("SELECT nextval(pg_get_serial_sequence($1, 'id'))", table)
        for table in IDENTITY_TABLES
    }
    return driver, Ids(starts)


class Rows:
    """Generated rows by table, loaded with COPY in `COLUMNS` order (parents first)."""

    def __init__(self) -> None:
        self.tables: dict[str, list[tuple[object, ...]]] = {table: [] for table in COLUMNS}

    def counts(self) -> dict[str, int]:
        return {table: len(records) for table, records in self.tables.items()}

    async def copy(self, connection: Driver) -> None:
        for table, records in self.tables.items():
            if records:
                await connection.copy_records_to_table(table, records=records, columns=COLUMNS[table])


# The loaded tables' foreign keys and secondary indexes, as the statements that drop and restore them.
_CHECKS = """
SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname) AS drop,
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) AS restore
FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY($1::regclass[])
UNION ALL
SELECT format('DROP INDEX %s', indexrelid::regclass), pg_get_indexdef(indexrelid)
FROM pg_index i
WHERE indrelid = ANY($1::regclass[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
"""


@asynccontextmanager
async def bulk_load(connection: Driver) -> AsyncIterator[None]:
    """Load without the foreign keys and secondary indexes of the street tables, and restore them after, in
    the same transaction (PostgreSQL manual, "Populating a Database"): checking and indexing once over the
    loaded rows is several times faster than row by row. Primary and unique keys stay, so a duplicate
    still fails the load; restoring the foreign keys validates every row. Then the tables are analyzed."""
    checks = await connection.fetch(_CHECKS, list(COLUMNS))
    for check in checks:
        await connection.execute(check["drop"])
    yield
    await connection.execute("SET LOCAL maintenance_work_mem = '256MB'")  # index builds sort in memory
    for check in checks:
        await connection.execute(check["restore"])
    # Fresh statistics, or the planner guesses at the new rows and probes the wrong indexes (the facts
    # queries picked the street index over the entity one and scanned a city's whole ledger per entity).
    await connection.execute(f"ANALYZE {', '.join(COLUMNS)}")


async def vacuum(sessions: async_sessionmaker[AsyncSession]) -> None:
    """VACUUM (ANALYZE) the street tables after a bulk load, outside any transaction (it cannot run in one): it
    sets the rows' hint bits and the visibility map once, as a database in service has them from autovacuum, so
    the first reads of the loaded rows write nothing back and index-only scans read no table pages."""
    engine = sessions.kw["bind"]
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.exec_driver_sql(f"VACUUM (ANALYZE) {', '.join(COLUMNS)}")
