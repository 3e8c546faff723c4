"""The demo street data (演示数据) of ``jiequ seed --demo`` and ``jiequ up``; the street generator it shares with
the national data set (``services.demo.scale``) is in ``generator``, the profiles and plans in ``plans``.

Each of Shandong's 16 cities gets 4–6 streets, each with an operator, a centre and its staff, entities,
internship positions, activities, monthly reports, survey responses and the support ledger with its visits,
for last year and for this year up to yesterday (monthly reports up to last month). A street follows a
`Profile`: exemplary streets meet every baseline criterion of POLICY.md, each other profile misses one, so
the demo shows real verdicts. Rows are made in memory with their ids and loaded with COPY as the owner.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from datetime import date

import msgspec
from sqlmodel.ext.asyncio.session import AsyncSession

from services.auth.passwords import hash_password
from services.demo.generator import CityStreets
from services.demo.loading import Driver, Rows, bulk_load, start_load
from services.demo.names import demo_rng
from services.demo.places import CITIES, City
from services.demo.plans import (
    DEMO_SEED,
    EXEMPLARY,
    FAILING,
    LATE_FOLLOWUPS,
    Profile,
    ShandongNaming,
    StreetPlan,
    periods,
    plan_streets,
)
from tenants import calendar
from tenants.context import Role


def demo_plans(city: City, index: int, failing: Iterator[Profile]) -> list[StreetPlan]:
    """The streets of the `index`-th city: 4–6 of them; the first exemplary, the second exemplary or short of
    the advisory criteria, the rest each missing one baseline criterion, taken in turn from `failing`.

    The first street of the first two cities is designated, of the next two a pilot, of the next four
    recommended; jinan's streets carry its custom field `stalls`.
    """
    count = 4 + index % 3
    profiles = [EXEMPLARY, EXEMPLARY if index % 2 == 0 else LATE_FOLLOWUPS, *itertools.islice(failing, count - 2)]
    lead = "designated" if index < 2 else "pilot" if index < 4 else "recommended" if index < 8 else "applied"
    rng = demo_rng(DEMO_SEED, city.slug, "streets")
    plans = plan_streets(rng, ShandongNaming(city), profiles, [lead, *["applied"] * (count - 1)])
    if city.slug == "jinan":
        plans = [msgspec.structs.replace(p, custom_fields={"stalls": rng.randint(12, 60)}) for p in plans]
    return plans


async def seed_demo(session: AsyncSession, password: str, *, today: date | None = None) -> dict[str, int]:
    """Load the demo streets of every Shandong city that has no street yet, with an operator user per street
    (``{city}-op-{n}``). A city with any street is left alone, so a second run adds nothing."""
    connection, ids = await start_load(session)
    seeded = {row[0] for row in await connection.fetch("SELECT DISTINCT tenant_id FROM streets")}
    spans = periods(today or calendar.today(), this_year=True)
    failing = itertools.cycle(FAILING)
    rows, operators = Rows(), []
    for index, city in enumerate(CITIES):
        plans = demo_plans(city, index, failing)  # even for a city skipped, to keep the rotation of profiles
        if city.slug in seeded:
            continue
        streets = CityStreets(rows, ids, demo_rng(DEMO_SEED, city.slug, "data"), ShandongNaming(city), spans)
        operators += [(plan.operator_user, city.slug, plan.name, streets.add(plan)) for plan in plans]
    if operators:
        async with bulk_load(connection):
            await rows.copy(connection)
    await ids.release(connection)
    if any(tenant == "jinan" for _, tenant, _, _ in operators):
        await connection.execute(
            "INSERT INTO custom_fields (tenant_id, key, label_zh, label_en, type, choices, created_at)"
            " VALUES ('jinan', 'stalls', '摊位数', 'market stalls', 'integer', '[]', now()) ON CONFLICT DO NOTHING"
        )
    created = {table: count for table, count in rows.counts().items() if count}
    created["operator_users"] = await _operator_users(connection, operators, password)
    return created


async def _operator_users(connection: Driver, operators: list[tuple[str, str, str, int]], password: str) -> int:
    """Create the users (username, tenant, display name, street id) that do not exist yet, as operators of
    their streets. They share the demo password, so they share one hash of it: argon2 takes about 0.1 s a
    hash by design, which for a user per street would be most of the demo's load time."""
    if not operators:
        return 0
    usernames, tenants, names, streets = (list(column) for column in zip(*operators, strict=True))
    password_hash = await asyncio.to_thread(hash_password, password)
    created = await connection.fetch(
        "INSERT INTO users (tenant_id, username, password_hash, role, display_name, street_id, created_at)"
        " SELECT tenant, username, $5, $6, name, street, now()"
        " FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS u(username, tenant, name, street)"
        " ON CONFLICT (username) DO NOTHING RETURNING username",
        usernames,
        tenants,
        names,
        streets,
        password_hash,
        Role.OPERATOR.value,
    )
    return len(created)
