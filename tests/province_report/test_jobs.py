"""Jobs driven (带动就业) have one meaning: a monthly report's `jobsDriven` is the jobs newly driven in that
month, so the report's months add up; the yearly fact `jobs_driven` is counted from the entities, so one
operator's report of a new month neither collapses the city's figures nor lowers the fact."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from infra.db import owner_transaction, tenant_transaction
from services.context import AppContext
from services.facts.service import compute_facts
from tests.conftest import Auth, actor, body
from tests.province_report.crafted import YEAR


async def _jinan(client: httpx.AsyncClient, auth: Auth) -> dict[str, object]:
    response = await client.get(f"/api/province/shandong/reports/{YEAR}", headers=await auth.headers("province"))
    assert response.status_code == 200, response.text
    report = body(response)
    jinan: dict[str, object] = next(c for c in report["cities"] if c["tenant"] == "jinan")
    return jinan


async def test_one_operator_reporting_a_new_month_adds_to_the_year_and_collapses_nothing(
    crafted: AppContext, report_client: httpx.AsyncClient, report_auth: Auth
) -> None:
    async with owner_transaction(crafted.sessions) as session:
        street = (await session.execute(text("SELECT id FROM streets WHERE name = '泉城创业街区'"))).scalar_one()
    jinan = actor("jinan")
    async with tenant_transaction(crafted.sessions, jinan.read_ids, jinan.write_ids) as session:
        fact_before = (await compute_facts(session, jinan.tenant, YEAR))[street].jobs_driven
    before = await _jinan(report_client, report_auth)
    assert (before["monthlyJobs"], before["jobsReported"]) == ([120, 50, *[0] * 10], 170)
    assert before["monthlyReports"] == [2, 1, *[0] * 10]

    response = await report_client.post(
        f"/api/tenants/jinan/streets/{street}/reports",
        json={"month": f"{YEAR}-11", "jobsDriven": 36},
        headers=await report_auth.headers("jinan-admin"),
    )
    assert response.status_code == 201, response.text

    after = await _jinan(report_client, report_auth)
    # November shows what was newly driven in it, reported by one street of three; the year grows by it.
    assert after["monthlyJobs"] == [120, 50, *[0] * 8, 36, 0]
    assert after["monthlyReports"] == [2, 1, *[0] * 8, 1, 0]
    assert after["jobsReported"] == 170 + 36
    # The yearly figure is the entities' headcount: a report, of any month, does not move it.
    assert after["jobsDriven"] == before["jobsDriven"]
    async with tenant_transaction(crafted.sessions, jinan.read_ids, jinan.write_ids) as session:
        assert (await compute_facts(session, jinan.tenant, YEAR))[street].jobs_driven == fact_before
    other = await report_client.get(
        f"/api/province/shandong/reports/{YEAR}", headers=await report_auth.headers("jinan-admin")
    )
    assert other.status_code == 403
