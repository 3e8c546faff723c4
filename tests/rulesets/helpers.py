"""Streets with chosen facts for the rules and assessment tests, written as the schema owner, and their cleanup.

These tests store city rules for Tai'an, Liaocheng, Jining, Binzhou and Dezhou, which `clean_rules` drops
after each test. A test that judges every street of a city (the simulation) does it in a database of its
own, so that those are exactly the streets it made.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import msgspec
from sqlalchemy import text

from infra.db import owner_transaction, tenant_transaction
from rules.engine import Engine
from rules.verdict import Verdict
from services.assessments.service import assess_street, reevaluate
from services.context import AppContext
from services.models import Assessment, Center, CenterStaff, Street
from services.tenancy.seed import seed_users
from tenants.context import Role
from tenants.resolver import resolve
from tests.conftest import PASSWORD, Auth, body, ok_body
from tests.streetdata_fixtures import attesting_operator, new_uscc, operating_entity, unique, verified_claims

CITIES = ("taian", "liaocheng", "jining", "binzhou", "dezhou")
DIVISIONS = {"taian": "370902", "liaocheng": "371502", "jining": "370811", "binzhou": "371602", "dezhou": "371402"}
YEAR = 2025
FAR = 2040
"""Baselines are published for years about this one only, so no other test's year is governed by them."""
_FAR_ENOUGH = FAR - 10

ONE_STOP = ["policy_consultation", "mentoring", "training"]

GOOD: dict[str, Any] = {
    "operator_legal_person": True,
    "operator_clean_record": True,
    "operator_digital_platform": True,
    "center_fixed_site": True,
    "center_staff": 2,
    "center_one_stop": True,
    "street_theme": "graduates",
    "internship_positions": 1,
    "entity_count": 100,
    "jobs_driven": 200,
    "activities": 10,
    "activity_rate": 0.8,
    "satisfaction": 0.9,
    "satisfaction_responses": 120,
    "entities_classified": 1.0,
    "ledger_coverage": 1.0,
    "followup_on_time": 0.9,
    "replicable_practice": 1,
}
"""A street that meets every baseline criterion, and no more (as in rules/cases/baseline.yaml)."""


async def publish_for_year(
    resource: str,
    client: httpx.AsyncClient,
    auth: Auth,
    year: int,
    payload: dict[str, Any],
    user: str = "province",
    province: str = "shandong",
) -> httpx.Response:
    """PUT the province's `resource` of `year` (``baselines`` or ``grade-schemes``) as `user`."""
    return await client.put(
        f"/api/province/{province}/{resource}/{year}", json=payload, headers=await auth.headers(user)
    )


def assert_refused_naming(response: httpx.Response, words: list[str]) -> None:
    """A 422 whose detail holds each of `words` and names the criterion ``words[0]``."""
    assert response.status_code == 422, response.text
    error = body(response)
    for word in words:
        assert word in error["detail"]
    assert error["extra"]["criterion"] == words[0]


async def reproduce(
    client: httpx.AsyncClient, auth: Auth, tenant: str, street: int, assessment: int, user: str | None = None
) -> dict[str, Any]:
    """The assessment judged again on what it stored (``…/reproduce``), asked by `user` or else the city admin."""
    response = await client.get(
        f"/api/tenants/{tenant}/streets/{street}/assessments/{assessment}/reproduce",
        headers=await auth.headers(user or f"{tenant}-admin"),
    )
    answer: dict[str, Any] = ok_body(response)
    return answer


async def make_street(
    context: AppContext,
    tenant: str,
    *,
    staff: int = 2,
    entities: int = 0,
    theme: str = "graduates",
    custom_fields: dict[str, Any] | None = None,
) -> int:
    """A street of `tenant` with an attesting operator, a one-stop centre with `staff` staff, and `entities`
    operating entities of 3 employees each registered since before the year."""
    division = DIVISIONS[tenant]
    async with owner_transaction(context.sessions) as session:
        operator = attesting_operator(
            tenant, unique("运营机构"), new_uscc(division), "https://jiequ.example.cn/platform"
        )
        session.add(operator)
        await session.flush()
        street = Street(
            tenant_id=tenant,
            name=unique("创业街区"),
            district=division,
            theme=theme,
            operator_id=operator.id,
            replicable_practices=1,
            custom_fields=custom_fields or {},
        )
        session.add(street)
        await session.flush()
        assert street.id is not None
        session.add_all(verified_claims(street.id, operator))
        session.add(
            Center(tenant_id=tenant, street_id=street.id, fixed_site=True, address="中心路1号", services=ONE_STOP)
        )
        await session.flush()
        session.add_all(
            CenterStaff(tenant_id=tenant, street_id=street.id, name=f"员工{n}", role="创业指导师", full_time=n == 0)
            for n in range(staff)
        )
        session.add_all(
            operating_entity(tenant, street.id, unique("实体"), new_uscc(division), date(YEAR - 1, 6, 1), employees=3)
            for _ in range(entities)
        )
        return street.id


async def add_operator(context: AppContext, tenant: str, street_id: int) -> str:
    """A new operator user of the street; returns its username."""
    username = unique(f"{tenant}-op-")
    async with owner_transaction(context.sessions) as session:
        await seed_users(session, [(username, tenant, Role.OPERATOR)], PASSWORD, street_ids={username: street_id})
    return username


async def clean_rules(context: AppContext) -> None:
    """Drop what the rules tests stored that would change later tests' rules: city rules and test cases, far-year
    data (baselines, grading schemes, assessments)."""
    async with owner_transaction(context.sessions) as session:
        await session.execute(text("DELETE FROM city_rules WHERE tenant_id = ANY(:cities)"), {"cities": list(CITIES)})
        await session.execute(text("DELETE FROM rule_cases WHERE tenant_id = ANY(:cities)"), {"cities": list(CITIES)})
        await session.execute(text("DELETE FROM baselines WHERE year >= :far"), {"far": _FAR_ENOUGH})
        await session.execute(text("DELETE FROM grade_schemes WHERE year >= :far"), {"far": _FAR_ENOUGH})
        await session.execute(text("DELETE FROM assessments WHERE year >= :far"), {"far": _FAR_ENOUGH})


async def stored_assessment(context: AppContext, tenant: str, assessment_id: int) -> Assessment:
    """The assessment row as stored, read as a city admin of the tenant would (under row-level security)."""
    actor = context.directory.actor(username=f"{tenant}-admin", tenant=tenant, role=Role.CITY_ADMIN)
    async with tenant_transaction(context.sessions, actor.read_ids, actor.write_ids) as session:
        row = await session.get(Assessment, (tenant, assessment_id))
        assert row is not None
        return row


async def assess_directly(context: AppContext, tenant: str, street_id: int, year: int) -> int:
    """An assessment stored as the annual cycle stores one, for any year (the API takes past years only); its id."""
    actor = context.directory.actor(username=f"{tenant}-admin", tenant=tenant, role=Role.CITY_ADMIN)
    async with tenant_transaction(context.sessions, actor.read_ids, actor.write_ids) as session:
        row = await assess_street(session, actor, resolve(actor, tenant), street_id, year, context.rules_engine)
        assert row.id is not None
        return row.id


async def reevaluated(context: AppContext, tenant: str, assessment_id: int, engine: Engine) -> Verdict:
    return await reevaluate(await stored_assessment(context, tenant, assessment_id), engine)


def criterion(**overrides: Any) -> dict[str, Any]:
    """A city criterion body: at least 3 centre staff from 2025, unless overridden."""
    body: dict[str, Any] = {
        "id": "center_staff",
        "titleZh": "创业赋能中心配备至少 3 名专兼职工作人员",
        "titleEn": "At least 3 full- or part-time staff at the centre",
        "fact": "center_staff",
        "op": ">=",
        "value": 3,
        "level": "required",
        "effectiveFrom": YEAR,
    }
    body.update(overrides)
    return body


def results(verdict: dict[str, Any]) -> dict[str, str]:
    """The result of each criterion of an API verdict, by id."""
    return {c["id"]: c["result"] for c in verdict["criteria"]}


def builtins(value: Any) -> Any:
    return msgspec.to_builtins(value)
