"""Street data for the report tests: Jinan and Qingdao by hand, Zibo at random, Nanjing in another province."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from infra.db import owner_transaction
from services.models import (
    Activity,
    Assessment,
    Entity,
    MonthlyReport,
    Street,
    SurveyResponse,
    TenantConfig,
)
from tenants.config import FollowupCadence, TenantSettings, settings_to_json
from tests.streetdata_fixtures import add_ledger, new_uscc, row_id

YEAR = 2025


class Maker:
    """Adds street data as the schema owner, one helper per table."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def street(self, tenant: str, name: str, status: str) -> Street:
        street = Street(tenant_id=tenant, name=name, district="370102", status=status, theme="graduates")
        self.session.add(street)
        await self.session.flush()
        return street

    async def entity(self, street: Street, **values: Any) -> Entity:
        values.setdefault("employees", 1)
        entity = Entity(
            tenant_id=street.tenant_id,
            street_id=row_id(street),
            name="实体",
            uscc=new_uscc(),
            kind="enterprise",
            **values,
        )
        self.session.add(entity)
        await self.session.flush()
        return entity

    async def ledger(self, entity: Entity, opened_on: date, visits: list[date]) -> None:
        await add_ledger(self.session, entity, opened_on, visits, "case")

    def activities(self, street: Street, days: list[date]) -> None:
        self.session.add_all(
            Activity(tenant_id=street.tenant_id, street_id=row_id(street), kind="salon", title="沙龙", held_on=day)
            for day in days
        )

    def surveys(self, street: Street, ratings: list[int], on: date = date(YEAR, 6, 1)) -> None:
        self.session.add_all(
            SurveyResponse(tenant_id=street.tenant_id, street_id=row_id(street), responded_on=on, rating=r)
            for r in ratings
        )

    def report(self, street: Street, month: date, jobs: int) -> None:
        self.session.add(
            MonthlyReport(
                tenant_id=street.tenant_id, street_id=row_id(street), month=month, jobs_driven=jobs, submitted_by="op"
            )
        )

    def assessment(self, street: Street, year: int, outcome: str, at: datetime) -> None:
        self.session.add(
            Assessment(
                tenant_id=street.tenant_id,
                street_id=row_id(street),
                year=year,
                ruleset_hash="0" * 64,
                outcome=outcome,
                facts={},
                criteria=[],
                results=[],
                created_by="province",
                created_at=at,
            )
        )

    async def configure(self, tenant: str, settings: TenantSettings) -> None:
        await self.session.execute(
            update(TenantConfig).where(TenantConfig.tenant_id == tenant).values(settings=settings_to_json(settings))  # type: ignore[arg-type]
        )


def _at(month: int, day: int) -> datetime:
    return datetime(YEAR, month, day, tzinfo=UTC)


async def _jinan(make: Maker) -> None:
    """By hand (survey minimum 3, default cadence): see `test_report.JINAN`."""
    await make.configure("jinan", TenantSettings(survey_min_sample=3))
    a = await make.street("jinan", "泉城创业街区", "designated")
    b = await make.street("jinan", "明湖创业街区", "pilot")
    c = await make.street("jinan", "空白街区", "applied")
    e1 = await make.entity(
        a, entity_class="startup", founder_group="graduate", employees=10, joined_on=date(2024, 1, 1)
    )
    await make.entity(a, entity_class="growth", founder_group="returnee", employees=5, operating=False)
    await make.entity(a, entity_class="brand", employees=7, left_on=date(YEAR, 6, 30))  # left: registered only
    await make.entity(a, founder_group="veteran", employees=3, joined_on=date(YEAR + 1, 2, 1))  # joins later
    await make.entity(a, employees=9, joined_on=date(2023, 1, 1), left_on=date(YEAR - 1, 12, 31))  # left before
    await make.entity(b, founder_group="other", employees=4)
    # Startup cadence 30 days from 1 January: 12 visits due in the year; two windows met (the 1 January
    # visit is on the start day, before the first window).
    await make.ledger(e1, date(YEAR, 1, 1), [date(YEAR, 1, 1), date(YEAR, 1, 15), date(YEAR, 1, 20), date(YEAR, 2, 15)])
    make.activities(a, [date(YEAR, 3, 1), date(YEAR, 4, 1), date(YEAR, 5, 1), date(YEAR - 1, 5, 1)])
    make.activities(b, [date(YEAR, 3, 1), date(YEAR, 9, 1)])
    make.surveys(a, [5, 4, 3, 2])
    make.surveys(b, [5, 5])  # below the minimum sample: no data
    make.report(a, date(YEAR, 1, 1), 100)
    make.report(a, date(YEAR, 2, 1), 50)
    make.report(a, date(YEAR - 1, 12, 1), 999)
    make.report(b, date(YEAR, 1, 1), 20)
    make.assessment(a, YEAR, "fail", _at(3, 1))
    make.assessment(a, YEAR, "pass", _at(9, 1))  # the latest decides
    make.assessment(b, YEAR, "fail", _at(9, 1))
    make.assessment(c, YEAR - 1, "pass", _at(1, 1) - timedelta(days=200))  # another year


async def _qingdao(make: Maker) -> None:
    """By hand (default survey minimum 30, brand cadence 180 days): see `test_report.QINGDAO`."""
    await make.configure("qingdao", TenantSettings(followup_days=FollowupCadence(brand=180)))
    q1 = await make.street("qingdao", "崂山创业街区", "designated")
    q2 = await make.street("qingdao", "台东创业街区", "rectification")
    await make.street("qingdao", "退出街区", "withdrawn")
    b1 = await make.entity(q1, entity_class="brand", founder_group="veteran", employees=6, joined_on=date(YEAR, 3, 1))
    await make.entity(q1, entity_class="brand", founder_group="veteran", employees=8)
    await make.entity(q1, entity_class="startup", employees=2, operating=False)
    # 305 days from 1 March at 180 days: one visit due, met on 1 May (with the default 90 days: three).
    await make.ledger(b1, date(YEAR, 3, 1), [date(YEAR, 5, 1)])
    make.activities(q1, [date(YEAR, m, 10) for m in range(1, 6)])
    make.surveys(q1, [5] * 20 + [4] * 7 + [2] * 3)
    make.report(q1, date(YEAR, 3, 1), 30)
    make.report(q2, date(YEAR, 12, 1), 7)
    make.assessment(q1, YEAR, "pass", _at(6, 1))
    make.assessment(q2, YEAR, "pass", _at(6, 1))
    make.assessment(q2, YEAR, "fail", _at(11, 1))


async def _zibo(make: Maker) -> None:
    """Random data of every kind, for the cross-check with the street facts (seeded: reproducible)."""
    rng = random.Random(6)
    await make.configure("zibo", TenantSettings(survey_min_sample=5, followup_days=FollowupCadence(startup=20)))

    def day(first: int = YEAR - 1, last: int = YEAR + 1) -> date:
        return date(first, 1, 1) + timedelta(days=rng.randrange((date(last, 12, 31) - date(first, 1, 1)).days))

    for number in range(6):
        street = await make.street("zibo", f"淄博街区{number}", rng.choice(["applied", "pilot", "designated"]))
        for _ in range(rng.randrange(0, 25)):
            joined, left = rng.choice([None, day()]), rng.choice([None, None, day()])
            entity = await make.entity(
                street,
                entity_class=rng.choice([None, "brand", "growth", "startup"]),
                founder_group=rng.choice([None, "graduate", "returnee", "veteran", "other"]),
                employees=rng.randrange(0, 30),
                operating=rng.random() < 0.8,
                joined_on=joined,
                left_on=None if joined and left and left < joined else left,
            )
            if rng.random() < 0.7:
                await make.ledger(entity, day(), sorted(day(YEAR, YEAR) for _ in range(rng.randrange(0, 12))))
        make.activities(street, [day() for _ in range(rng.randrange(0, 20))])
        make.surveys(street, [rng.randint(1, 5) for _ in range(rng.randrange(0, 12))], on=day(YEAR, YEAR))
        for month in rng.sample(range(1, 13), rng.randrange(0, 12)):
            make.report(street, date(YEAR, month, 1), rng.randrange(0, 100))
        for _ in range(rng.randrange(0, 3)):
            make.assessment(street, YEAR, rng.choice(["pass", "fail", "incomplete"]), _at(rng.randint(1, 12), 1))


async def _nanjing(make: Maker) -> None:
    """The second province's city: large figures that would show if they leaked into Shandong's."""
    street = await make.street("nanjing", "新街口创业街区", "designated")
    for _ in range(5):
        await make.entity(street, entity_class="brand", employees=1000)
    make.activities(street, [date(YEAR, 5, 5)] * 50)
    make.report(street, date(YEAR, 1, 1), 10_000)
    make.assessment(street, YEAR, "pass", _at(6, 1))


async def craft(sessions: async_sessionmaker[AsyncSession]) -> None:
    """All of the above, as the schema owner."""
    async with owner_transaction(sessions) as session:
        make = Maker(session)
        for city in (_jinan, _qingdao, _zibo, _nanjing):
            await city(make)
