"""The province report: figures on crafted data, totals, the street facts cross-check, and who may see what."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from infra.db import tenant_transaction
from services.context import AppContext
from services.facts.service import compute_facts
from services.province_report.summary import city_settings, street_counts, street_tallies
from services.province_report.tally import Tally
from tenants.context import Role
from tenants.registry import SHANDONG_CITIES
from tenants.resolver import resolve
from tests.conftest import Auth, body
from tests.province_report.crafted import YEAR

STATUSES = ["applied", "recommended", "pilot", "designated", "rectification", "revoked", "withdrawn"]


def statuses(**counts: int) -> dict[str, int]:
    return {status: counts.get(status, 0) for status in STATUSES}


def months(**jobs: int) -> list[int]:
    return [jobs.get(f"m{month}", 0) for month in range(1, 13)]


JINAN: dict[str, Any] = {
    "tenant": "jinan",
    "nameZh": "济南市",
    "streets": 3,
    "streetsByStatus": statuses(applied=1, pilot=1, designated=1),
    "pilots": 1,
    "designated": 1,
    "entities": 4,
    "entitiesPresent": 3,
    "entitiesByClass": {"brand": 0, "growth": 1, "startup": 1, "unclassified": 1},
    "entitiesByFounderGroup": {"graduate": 1, "returnee": 1, "veteran": 0, "other": 1, "unknown": 0},
    "jobsDriven": 14,
    "activities": 5,
    "activityRate": pytest.approx(2 / 3),
    "satisfaction": 0.5,
    "surveyResponses": 4,
    "passRate": 0.5,
    "assessedStreets": 2,
    "ledgerCoverage": pytest.approx(1 / 3),  # of the 3 present, only the startup has a ledger entry
    "followupOnTime": pytest.approx(2 / 12),
    "followupsDue": 12,
    "monthlyJobs": months(m1=120, m2=50),
}

QINGDAO: dict[str, Any] = {
    "tenant": "qingdao",
    "nameZh": "青岛市",
    "streets": 3,
    "streetsByStatus": statuses(designated=1, rectification=1, withdrawn=1),
    "pilots": 0,
    "designated": 2,
    "entities": 3,
    "entitiesPresent": 3,
    "entitiesByClass": {"brand": 2, "growth": 0, "startup": 1, "unclassified": 0},
    "entitiesByFounderGroup": {"graduate": 0, "returnee": 0, "veteran": 2, "other": 0, "unknown": 1},
    "jobsDriven": 14,
    "activities": 5,
    "activityRate": pytest.approx(2 / 3),
    "satisfaction": pytest.approx(0.9),
    "surveyResponses": 30,
    "passRate": 0.5,
    "assessedStreets": 2,
    "ledgerCoverage": pytest.approx(1 / 3),  # of the 3 present, only the first brand has a ledger entry
    "followupOnTime": 1.0,
    "followupsDue": 1,
    "monthlyJobs": months(m3=30, m12=7),
}

COUNTS = [
    "streets",
    "pilots",
    "designated",
    "entities",
    "entitiesPresent",
    "jobsDriven",
    "activities",
    "surveyResponses",
    "assessedStreets",
    "followupsDue",
]
BREAKDOWNS = ["streetsByStatus", "entitiesByClass", "entitiesByFounderGroup"]
RATIOS = {  # each ratio and the count it is a share of
    "activityRate": "entitiesPresent",
    "ledgerCoverage": "entitiesPresent",
    "satisfaction": "surveyResponses",
    "passRate": "assessedStreets",
    "followupOnTime": "followupsDue",
}


async def get_report(client: httpx.AsyncClient, auth: Auth, username: str, path: str) -> httpx.Response:
    return await client.get(path, headers=await auth.headers(username))


@pytest.fixture
async def shandong(crafted: AppContext, report_client: httpx.AsyncClient, report_auth: Auth) -> dict[str, Any]:
    response = await get_report(report_client, report_auth, "province", f"/api/province/shandong/reports/{YEAR}")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = body(response)
    return result


def city(report: dict[str, Any], slug: str) -> dict[str, Any]:
    rows: list[dict[str, Any]] = [row for row in report["cities"] if row["tenant"] == slug]
    [row] = rows
    return row


def test_city_figures_worked_out_by_hand(shandong: dict[str, Any]) -> None:
    for expected in (JINAN, QINGDAO):
        row = city(shandong, expected["tenant"])
        assert {key: row[key] for key in expected} == expected


def test_a_city_without_data_has_zeros_and_no_ratios(shandong: dict[str, Any]) -> None:
    heze = city(shandong, "heze")
    assert heze["streets"] == heze["entities"] == heze["jobsDriven"] == 0
    assert all(heze[ratio] is None for ratio in RATIOS)
    assert heze["monthlyJobs"] == [0] * 12


def test_totals_are_the_sums_of_the_cities(shandong: dict[str, Any]) -> None:
    cities, totals = shandong["cities"], shandong["totals"]
    for key in COUNTS:
        assert totals[key] == sum(c[key] for c in cities), key
    for key in BREAKDOWNS:
        assert totals[key] == {k: sum(c[key][k] for c in cities) for k in totals[key]}, key
    assert totals["monthlyJobs"] == [sum(c["monthlyJobs"][m] for c in cities) for m in range(12)]
    # Ratios are recomputed from the summed numerators and denominators, not averaged over the cities.
    for ratio, whole in RATIOS.items():
        parts = sum((c[ratio] or 0) * c[whole] for c in cities if c[ratio] is not None)
        wholes = sum(c[whole] for c in cities if c[ratio] is not None)
        assert totals[ratio] == pytest.approx(parts / wholes), ratio
    assert totals["satisfaction"] != pytest.approx((JINAN["satisfaction"] + 0.9) / 2)


def test_target_and_generation_time(shandong: dict[str, Any]) -> None:
    assert shandong["target"] == {"pilots": 20, "streets": 60}
    assert shandong["province"] == "shandong"
    assert shandong["nameZh"] == "山东省"
    assert shandong["year"] == YEAR
    assert shandong["generatedAt"].endswith(("Z", "+00:00"))


def test_only_the_province_s_own_cities(shandong: dict[str, Any]) -> None:
    assert [c["tenant"] for c in shandong["cities"]] == [c.slug for c in SHANDONG_CITIES]
    # Nanjing's 5,000 jobs and 10,000 reported jobs would show in the totals.
    assert shandong["totals"]["monthlyJobs"][0] < 10_000
    assert all(c["jobsDriven"] < 5000 for c in shandong["cities"])


async def test_the_second_province_sees_only_its_city(
    crafted: AppContext, report_client: httpx.AsyncClient, report_auth: Auth
) -> None:
    response = await get_report(report_client, report_auth, "jiangsu-admin", f"/api/province/jiangsu/reports/{YEAR}")
    assert response.status_code == 200, response.text
    report = body(response)
    assert [c["tenant"] for c in report["cities"]] == ["nanjing"]
    assert report["totals"]["jobsDriven"] == 5000
    assert report["totals"]["monthlyJobs"][0] == 10_000
    assert report["totals"]["passRate"] == 1.0


async def test_each_street_agrees_with_its_facts(crafted: AppContext) -> None:
    """The street tallies behind the report give exactly the facts compute_facts gives each street."""
    actor = crafted.directory.actor(username="province", tenant="shandong", role=Role.PROVINCE_ADMIN)
    today = date(YEAR, 12, 31)
    async with tenant_transaction(crafted.sessions, actor.read_ids, actor.write_ids) as session:
        cities = [resolve(actor, slug) for slug in ("jinan", "qingdao", "zibo")]
        facts = {
            (city, street): street_facts
            for city in cities
            for street, street_facts in (await compute_facts(session, city, YEAR, today=today)).items()
        }
        settings = await city_settings(session, cities)
        summary = await street_counts(session, cities, YEAR, until=today, settings=settings)
        computed = await street_tallies(session, cities, YEAR, list(facts), until=today, settings=settings)
    tallies = {(s.tenant, s.street_id): Tally.of_counts(s.counts, {s.status: 1}) for s in summary}
    assert len(facts) == 12
    assert set(tallies) == set(facts)
    for key, fact in facts.items():
        tally = tallies[key]
        assert computed[key].counts() == tally.counts(), key
        present = tally.present
        assert tally.registered == (fact.entity_count or 0), key
        assert tally.jobs == (fact.jobs_driven or 0), key
        assert tally.activities == (fact.activities or 0), key
        assert (tally.operating / present if present else None) == pytest.approx(fact.activity_rate), key
        assert tally.responses == fact.satisfaction_responses, key
        minimum = settings[key[0]].survey_min_sample
        satisfaction = tally.satisfied / tally.responses if tally.responses >= minimum else None
        assert satisfaction == pytest.approx(fact.satisfaction), key
        assert (tally.on_time / tally.due if tally.due else None) == pytest.approx(fact.followup_on_time), key
        classified = present - tally.by_class.get("unclassified", 0)
        assert (classified / present if present else None) == pytest.approx(fact.entities_classified), key
        for group, share in (
            ("graduate", fact.graduate_share),
            ("returnee", fact.returnee_share),
            ("veteran", fact.veteran_share),
        ):
            assert (tally.by_group.get(group, 0) / present if present else None) == pytest.approx(share), key


@pytest.mark.parametrize("suffix", ["", ".xlsx", ".csv"])
@pytest.mark.parametrize("username", ["jinan-admin", "jinan-case", "jinan-viewer", "nanjing-admin"])
async def test_city_roles_are_refused(
    crafted: AppContext, report_client: httpx.AsyncClient, report_auth: Auth, username: str, suffix: str
) -> None:
    path = f"/api/province/shandong/reports/{YEAR}{suffix}"
    response = await get_report(report_client, report_auth, username, path)
    assert response.status_code == 403, response.text
    assert "省级" in body(response)["detail"]


@pytest.mark.parametrize("suffix", ["", ".xlsx", ".csv"])
@pytest.mark.parametrize(
    ("username", "province"),
    [
        ("province", "jiangsu"),
        ("province", "jinan"),
        ("province", "nowhere"),
        ("jiangsu-admin", "shandong"),
    ],
)
async def test_another_province_is_not_found(
    crafted: AppContext,
    report_client: httpx.AsyncClient,
    report_auth: Auth,
    username: str,
    province: str,
    suffix: str,
) -> None:
    response = await get_report(
        report_client, report_auth, username, f"/api/province/{province}/reports/{YEAR}{suffix}"
    )
    assert response.status_code == 404, response.text
    assert "nanjing" not in response.text
    assert "南京" not in response.text


async def test_the_province_viewer_may_read(
    crafted: AppContext, report_client: httpx.AsyncClient, report_auth: Auth
) -> None:
    response = await get_report(report_client, report_auth, "province-viewer", f"/api/province/shandong/reports/{YEAR}")
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("report", ["25", f"{YEAR}.pdf", f"{YEAR}.xlsx.csv", "latest", "1999", "2999", "2999.csv"])
async def test_unknown_report_names(
    crafted: AppContext, report_client: httpx.AsyncClient, report_auth: Auth, report: str
) -> None:
    response = await get_report(report_client, report_auth, "province", f"/api/province/shandong/reports/{report}")
    assert response.status_code == 404, response.text


async def test_sign_in_is_required(crafted: AppContext, report_client: httpx.AsyncClient) -> None:
    response = await report_client.get(f"/api/province/shandong/reports/{YEAR}")
    assert response.status_code == 401


async def test_the_openapi_document_describes_the_route(report_client: httpx.AsyncClient) -> None:
    paths = body(await report_client.get("/schema/openapi.json"))["paths"]
    operation = paths["/api/province/{province}/reports/{report}"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("ProvinceReport")
