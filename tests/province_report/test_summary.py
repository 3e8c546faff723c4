"""The report's per-street summary: which changes make a street stale, and who may write it."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from infra.db import owner_transaction, tenant_transaction
from services.context import AppContext
from services.models import Street
from services.province_report.service import province_report, refresh_summary
from tenants.config import FollowupCadence, TenantSettings
from tenants.context import Role
from tests.conftest import Auth, body
from tests.province_report.crafted import YEAR, Maker
from tests.streetdata_fixtures import count


async def jinan_row(client: httpx.AsyncClient, auth: Auth) -> dict[str, Any]:
    response = await client.get(f"/api/province/shandong/reports/{YEAR}", headers=await auth.headers("province"))
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = [row for row in body(response)["cities"] if row["tenant"] == "jinan"]
    [row] = rows
    return row


async def street_id(context: AppContext, name: str) -> int:
    return await count(context, "SELECT id FROM streets WHERE name = :name", name=name)


async def test_each_write_bumps_its_street_s_version(crafted: AppContext) -> None:
    street = await street_id(crafted, "明湖创业街区")
    version = "SELECT coalesce((SELECT version FROM report_changes WHERE street_id = :id), 0)"
    before = await count(crafted, version, id=street)
    async with owner_transaction(crafted.sessions) as session:
        await session.execute(
            text(
                "INSERT INTO activities (tenant_id, street_id, kind, title, held_on, participants)"
                " VALUES ('jinan', :id, 'salon', '沙龙', '2025-10-01', 0),"
                " ('jinan', :id, 'salon', '沙龙', '2025-10-02', 0)"
            ),
            {"id": street},
        )
    inserted = await count(crafted, version, id=street)
    assert inserted == before + 1  # one statement of two rows: one bump
    async with owner_transaction(crafted.sessions) as session:
        await session.execute(
            text("DELETE FROM activities WHERE street_id = :id AND held_on >= '2025-10-01'"), {"id": street}
        )
    assert await count(crafted, version, id=street) == inserted + 1


async def test_a_change_recomputes_only_its_street(
    crafted: AppContext, report_client: httpx.AsyncClient, report_auth: Auth
) -> None:
    before = await jinan_row(report_client, report_auth)
    computed = (  # in microseconds, as `count` reads integers
        "SELECT CAST(extract(epoch FROM computed_at) * 1000000 AS bigint) FROM report_street_years"
        " WHERE street_id = :id AND year = :year"
    )
    changed, unchanged = await street_id(crafted, "泉城创业街区"), await street_id(crafted, "明湖创业街区")
    unchanged_at = await count(crafted, computed, id=unchanged, year=YEAR)
    async with owner_transaction(crafted.sessions) as session:
        street = await session.get(Street, ("jinan", changed))
        assert street is not None
        Maker(session).activities(street, [date(YEAR, 11, 1), date(YEAR, 11, 2)])
    after = await jinan_row(report_client, report_auth)
    assert after["activities"] == before["activities"] + 2
    assert await count(crafted, computed, id=unchanged, year=YEAR) == unchanged_at


async def test_a_new_cadence_recomputes_the_city(
    crafted: AppContext, report_client: httpx.AsyncClient, report_auth: Auth
) -> None:
    response = await report_client.get(
        f"/api/province/shandong/reports/{YEAR}", headers=await report_auth.headers("province")
    )
    [qingdao] = [row for row in body(response)["cities"] if row["tenant"] == "qingdao"]
    assert qingdao["followupsDue"] == 1  # every 180 days
    async with owner_transaction(crafted.sessions) as session:
        await Maker(session).configure("qingdao", TenantSettings(followup_days=FollowupCadence()))
    response = await report_client.get(
        f"/api/province/shandong/reports/{YEAR}", headers=await report_auth.headers("province")
    )
    [qingdao] = [row for row in body(response)["cities"] if row["tenant"] == "qingdao"]
    assert qingdao["followupsDue"] == 3  # every 90 days from 1 March


async def test_a_running_year_counts_follow_ups_to_today(crafted: AppContext) -> None:
    actor = crafted.directory.actor(username="province", tenant="shandong", role=Role.PROVINCE_ADMIN)
    due = {}
    for today in (date(YEAR, 6, 30), date(YEAR, 12, 31)):
        async with tenant_transaction(crafted.sessions, actor.read_ids, actor.write_ids) as session:
            report = await province_report(session, actor, crafted.directory, "shandong", YEAR, today=today)
        [jinan] = [row for row in report.cities if row.tenant == "jinan"]
        due[today] = jinan.followups_due
    # The startup entity is due every 30 days from 1 January: 6 times by 30 June, 12 by year end.
    assert due == {date(YEAR, 6, 30): 6, date(YEAR, 12, 31): 12}


@pytest.mark.parametrize(
    ("username", "tenant", "role", "allowed"),
    [
        ("jinan-admin", "jinan", Role.CITY_ADMIN, False),
        ("province", "shandong", Role.PROVINCE_ADMIN, True),
    ],
)
async def test_only_readers_of_a_city_may_rebuild_its_summary(
    crafted: AppContext, username: str, tenant: str, role: Role, allowed: bool
) -> None:
    actor = crafted.directory.actor(username=username, tenant=tenant, role=role)
    street = await street_id(crafted, "崂山创业街区")
    rebuild = text("UPDATE report_street_years SET counts = counts WHERE tenant_id = 'qingdao' AND street_id = :id")
    async with tenant_transaction(crafted.sessions, actor.read_ids, actor.write_ids) as session:
        updated = (await session.execute(rebuild, {"id": street})).rowcount  # type: ignore[attr-defined]
    assert updated == (1 if allowed else 0)
    if allowed:  # ... and the province still may not change the city's street data
        with pytest.raises(DBAPIError, match="row-level security"):
            async with tenant_transaction(crafted.sessions, actor.read_ids, actor.write_ids) as session:
                await session.execute(
                    text(
                        "INSERT INTO activities (tenant_id, street_id, kind, title, held_on, participants)"
                        " VALUES ('qingdao', :id, 'salon', '沙龙', '2025-10-01', 0)"
                    ),
                    {"id": street},
                )


async def test_a_schedule_may_refresh_ahead_of_the_readers(crafted: AppContext) -> None:
    actor = crafted.directory.system_actor("shandong")
    street = await street_id(crafted, "崂山创业街区")
    async with owner_transaction(crafted.sessions) as session:
        await session.execute(
            text("UPDATE entities SET employees = employees + 1 WHERE street_id = :id"), {"id": street}
        )
    refreshed = []
    for _ in range(2):
        async with tenant_transaction(crafted.sessions, actor.read_ids, actor.write_ids) as session:
            refreshed.append(await refresh_summary(session, actor, crafted.directory, "shandong", YEAR))
    assert refreshed[0] >= 1  # the changed street (and any street no report has asked for yet)
    assert refreshed[1] == 0
