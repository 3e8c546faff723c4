"""The national data set at a tiny scale: tenants, streets and their data, constraints restored, ids handed
back to the sequences, nothing added twice, and facts computable under row-level security."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from infra.db import owner_transaction, tenant_transaction
from services.demo.scale import PROVINCES, NationalScale, national_cities, seed_national
from services.facts.service import compute_facts
from services.models import Entity
from services.shared.uscc import make_uscc, validate_uscc
from tenants.registry import TenantInfo
from tenants.resolver import TenantDirectory
from tests.conftest import fresh_database

TINY = NationalScale(provinces=2, cities=2, streets_per_city=(2, 3))
TODAY = date(2025, 3, 15)
YEAR = TODAY.year - 1

_SCHEMA = """
SELECT (SELECT array_agg(conname ORDER BY conname) FROM pg_constraint WHERE connamespace = 'public'::regnamespace),
       (SELECT array_agg(indexname ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public')
"""


class Loaded:
    """The tiny national load: the sessions of its database, the schema before, and the rows loaded."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], schema: Any, rows: dict[str, int]) -> None:
        self.sessions, self.schema, self.rows = sessions, schema, rows


@pytest.fixture(scope="module")
async def loaded(server_url: str) -> AsyncIterator[Loaded]:
    async with fresh_database(server_url) as sessions:
        schema = await _one(sessions, _SCHEMA)
        yield Loaded(sessions, schema, await seed_national(sessions, scale=TINY, today=TODAY))


async def _one(sessions: async_sessionmaker[AsyncSession], sql: str) -> Any:
    async with owner_transaction(sessions) as session:
        return tuple((await session.execute(text(sql))).one())


async def _all(sessions: async_sessionmaker[AsyncSession], sql: str) -> list[tuple[Any, ...]]:
    async with owner_transaction(sessions) as session:
        return [tuple(row) for row in (await session.execute(text(sql))).all()]


async def test_the_loaded_tables_are_vacuumed_once_the_load_commits(loaded: Loaded) -> None:
    # Hint bits and the visibility map set, as autovacuum leaves a database in service; the load's own
    # transaction could only analyze.
    never = await _all(
        loaded.sessions,
        "SELECT relname FROM pg_stat_user_tables"
        " WHERE relname IN ('entities', 'ledger_entries', 'ledger_visits', 'streets') AND last_vacuum IS NULL",
    )
    assert never == []
    (visible,) = await _one(
        loaded.sessions,
        "SELECT relallvisible FROM pg_class WHERE oid = 'ledger_visits'::regclass",
    )
    assert visible > 0


async def test_tenants_streets_and_a_year_of_data(loaded: Loaded) -> None:
    rows = loaded.rows
    assert 8 <= rows["streets"] <= 12
    assert rows["entities"] >= 60 * rows["streets"]
    assert rows["ledger_visits"] > rows["entities"]
    assert rows["monthly_reports"] == 12 * rows["streets"]
    tenants = await _all(
        loaded.sessions,
        "SELECT slug, parent FROM tenants WHERE slug IN ('beijing', 'tianjin') OR parent IN ('beijing', 'tianjin')"
        " ORDER BY code",
    )
    assert tenants == [
        ("beijing", None),
        ("dongcheng", "beijing"),
        ("xicheng", "beijing"),
        ("tianjin", None),
        ("heping", "tianjin"),
        ("hedong", "tianjin"),
    ]
    assert all(re.fullmatch(r"[a-z][a-z0-9_-]*", slug) for slug, _ in tenants)
    streets = await _all(loaded.sessions, "SELECT DISTINCT tenant_id FROM streets ORDER BY 1")
    assert streets == [("dongcheng",), ("hedong",), ("heping",), ("xicheng",)]
    assert all(validate_uscc(uscc) == uscc for (uscc,) in await _all(loaded.sessions, "SELECT uscc FROM entities"))
    years = await _all(loaded.sessions, "SELECT DISTINCT extract(year FROM visited_on)::int FROM ledger_visits")
    assert years == [(YEAR,)]


async def test_constraints_are_restored_and_ids_handed_back(loaded: Loaded) -> None:
    assert await _one(loaded.sessions, _SCHEMA) == loaded.schema
    street_id, last_id = await _one(
        loaded.sessions,
        "SELECT (SELECT min(id) FROM streets WHERE tenant_id = 'heping'), (SELECT max(id) FROM entities)",
    )
    async with owner_transaction(loaded.sessions) as session:
        entity = Entity(
            tenant_id="heping",
            street_id=street_id,
            name="和平新实体",
            uscc=make_uscc("9", "1", "120101", 0),
            kind="enterprise",
        )
        session.add(entity)
        await session.flush()
    assert entity.id is not None
    assert entity.id > last_id


async def test_a_second_run_adds_nothing(loaded: Loaded) -> None:
    before = await _one(loaded.sessions, "SELECT (SELECT count(*) FROM streets), (SELECT count(*) FROM tenants)")
    assert await seed_national(loaded.sessions, scale=TINY, today=TODAY) == {}
    assert (
        await _one(loaded.sessions, "SELECT (SELECT count(*) FROM streets), (SELECT count(*) FROM tenants)") == before
    )


async def test_facts_of_a_national_city_under_its_rls(loaded: Loaded) -> None:
    provinces = [TenantInfo(slug=p.slug, code=p.code, name_zh=p.name_zh, name_en=p.name_en) for p in PROVINCES[:2]]
    directory = TenantDirectory([*provinces, *(city.tenant for _, city in national_cities(PROVINCES[:2], 2))])
    who = directory.system_actor("dongcheng")
    async with tenant_transaction(loaded.sessions, who.read_ids, who.write_ids) as session:
        facts = await compute_facts(session, who.tenant, YEAR, today=TODAY)
    assert 2 <= len(facts) <= 3
    assert all(f.entity_count is not None and f.entity_count >= 55 for f in facts.values())
    assert all(f.followup_on_time is not None and f.satisfaction_responses for f in facts.values())
