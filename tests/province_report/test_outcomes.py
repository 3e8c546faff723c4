"""The report sums the ledger's support outcomes (帮扶成效) and the interns the monthly reports say were taken on
(招用) per city and year: in the JSON, the workbook's 帮扶成效 sheet and the CSV, as the test wrote them."""

from __future__ import annotations

from typing import Any

import httpx

from tenants.calendar import today
from tests.conftest import Auth
from tests.ledger.test_ledger_api import new_entity, new_entry
from tests.province_report.conftest import exported
from tests.streetdata_fixtures import resource_path

FIELDS = {
    "guaranteedLoans": "创业担保贷款（笔）",
    "guaranteedLoanWan": "创业担保贷款金额（万元）",
    "startupSubsidies": "一次性创业补贴（笔）",
    "startupSubsidyYuan": "一次性创业补贴金额（元）",
    "rentReductions": "租金减免（笔）",
    "rentReductionYuan": "租金减免金额（元）",
    "trainingPlaces": "培训名额（人）",
    "talentPlaced": "人才引进（人）",
    "supportInternsGraduates": "帮扶见习招用：高校毕业生（人）",
    "supportInternsOtherYouth": "帮扶见习招用：其他青年（人）",
    "internsTakenGraduates": "月报见习招用：高校毕业生（人）",
    "internsTakenOtherYouth": "月报见习招用：其他青年（人）",
}


async def snapshot(client: httpx.AsyncClient, auth: Auth, year: int) -> dict[str, dict[str, int]]:
    """Jinan's and the totals' outcome figures, from the JSON, the workbook and the CSV (each must agree)."""
    headers = await auth.headers("province")
    path = f"/api/province/shandong/reports/{year}"
    report = (await client.get(path, headers=headers)).json()
    [jinan] = [city for city in report["cities"] if city["tenant"] == "jinan"]
    found = {
        "jinan": {k: jinan[k] for k in FIELDS},
        "totals": {k: report["totals"][k] for k in FIELDS},
    }
    found.update(await exported(client, path, headers, "帮扶成效", "济南市", FIELDS))
    return found


async def test_the_report_sums_what_was_recorded(auth: Auth, client: httpx.AsyncClient) -> None:
    year = today().year
    day = today().isoformat()
    before = await snapshot(client, auth, year)
    entity = await new_entity(client, auth)
    entry = await new_entry(client, auth, entity, need="loans_financing")
    case = await auth.headers("jinan-case")
    outcomes: list[dict[str, Any]] = [
        {"kind": "guaranteed_loan", "amountWan": 30, "lender": "济南农商银行"},
        {"kind": "guaranteed_loan", "amountWan": 15, "lender": "齐鲁银行"},
        {"kind": "startup_subsidy", "amountYuan": 12000},
        {"kind": "rent_reduction", "amountYuan": 18000, "months": 6},
        {"kind": "training_places", "persons": 4},
        {"kind": "talent_placed", "persons": 2},
        {"kind": "interns_taken", "graduates": 3, "otherYouth": 1},
        # Achieved the year before: not this year's.
        {"kind": "guaranteed_loan", "amountWan": 99, "lender": "往年银行", "achievedOn": f"{year - 1}-12-31"},
    ]
    for body in outcomes:
        response = await client.post(
            f"/api/tenants/jinan/ledger/{entry['id']}/outcomes", json={"achievedOn": day, **body}, headers=case
        )
        assert response.status_code == 201, response.text
    report = await client.post(
        resource_path("reports")(entity["streetId"]),
        json={
            "month": today().strftime("%Y-%m"),
            "jobsDriven": 3,
            "internshipPositions": 6,
            "internsGraduates": 4,
            "internsOtherYouth": 2,
        },
        headers=await auth.headers("jinan-admin"),
    )
    assert report.status_code == 201, report.text

    after = await snapshot(client, auth, year)
    added = {
        "guaranteedLoans": 2,
        "guaranteedLoanWan": 45,
        "startupSubsidies": 1,
        "startupSubsidyYuan": 12000,
        "rentReductions": 1,
        "rentReductionYuan": 18000,
        "trainingPlaces": 4,
        "talentPlaced": 2,
        "supportInternsGraduates": 3,
        "supportInternsOtherYouth": 1,
        "internsTakenGraduates": 4,
        "internsTakenOtherYouth": 2,
    }
    for part in ("jinan", "totals"):
        assert {k: after[part][k] - before[part][k] for k in FIELDS} == added, part
    for export in ("xlsx", "csv"):
        assert after[export] == after["jinan"], export
