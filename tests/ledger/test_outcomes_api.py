"""Support outcomes (帮扶成效) on ledger entries: each kind with its figures, refusals that name the field, other
cities, roles and the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from services.context import AppContext
from tests.conftest import Auth
from tests.conftest import body as body_of
from tests.ledger.test_ledger_api import new_entity, new_entry
from tests.streetdata_fixtures import audit_rows, count, statuses

FUTURE = (dt.date.today() + dt.timedelta(days=3)).isoformat()
FIGURES = ("amountWan", "amountYuan", "lender", "months", "persons", "graduates", "otherYouth")
OUTCOMES: list[dict[str, Any]] = [
    {"kind": "guaranteed_loan", "achievedOn": "2025-03-02", "amountWan": 30, "lender": "济南农商银行"},
    {"kind": "startup_subsidy", "achievedOn": "2025-03-05", "amountYuan": 12000},
    {"kind": "rent_reduction", "achievedOn": "2025-04-01", "amountYuan": 18000, "months": 6, "note": "减免半年"},
    {"kind": "training_places", "achievedOn": "2025-04-10", "persons": 3},
    {"kind": "interns_taken", "achievedOn": "2025-05-01", "graduates": 2, "otherYouth": 1},
    {"kind": "talent_placed", "achievedOn": "2025-05-20", "persons": 1},
]


def outcomes_path(entry: dict[str, Any], tenant: str = "jinan") -> str:
    return f"/api/tenants/{tenant}/ledger/{entry['id']}/outcomes"


async def test_each_kind_is_recorded_with_its_figures_and_listed(auth: Auth, client: httpx.AsyncClient) -> None:
    entity = await new_entity(client, auth)
    entry = await new_entry(client, auth, entity, need="loans_financing")
    headers = await auth.headers("jinan-case")
    recorded = []
    for body in OUTCOMES:
        response = await client.post(outcomes_path(entry), json=body, headers=headers)
        assert response.status_code == 201, response.text
        outcome = response.json()
        assert {k: outcome[k] for k in body} == body
        assert all(outcome[k] is None for k in FIGURES if k not in body)
        assert (outcome["entryId"], outcome["entityId"], outcome["entityName"]) == (
            entry["id"],
            entity["id"],
            entity["name"],
        )
        assert outcome["recordedBy"] == "jinan-case"
        recorded.append(outcome)
    loan = recorded[0]
    assert {k: loan[k] for k in FIGURES} == {
        "amountWan": 30,
        "amountYuan": None,
        "lender": "济南农商银行",
        "months": None,
        "persons": None,
        "graduates": None,
        "otherYouth": None,
    }
    listed = await client.get(outcomes_path(entry), headers=await auth.headers("province"))
    assert listed.status_code == 200, listed.text
    assert listed.json() == sorted(recorded, key=lambda o: o["achievedOn"], reverse=True)
    assert listed.headers["X-Total-Count"] == str(len(OUTCOMES))
    first = await client.get(outcomes_path(entry), params={"limit": 1}, headers=headers)
    assert (len(first.json()), first.headers["X-Total-Count"]) == (1, str(len(OUTCOMES)))
    [row] = await audit_rows(client, auth, "jinan", "ledger.outcome", loan["id"])
    assert row["after"]["amountWan"] == 30


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"kind": "guaranteed_loan", "amountWan": -5, "lender": "银行"}, 400, "amountWan"),
        ({"kind": "guaranteed_loan", "amountWan": 10}, 400, "lender"),
        ({"kind": "startup_subsidy", "amountYuan": 0}, 400, "amountYuan"),
        ({"kind": "rent_reduction", "amountYuan": 100, "months": 0}, 400, "months"),
        ({"kind": "training_places", "persons": -1}, 400, "persons"),
        ({"kind": "interns_taken", "graduates": 0, "otherYouth": 0}, 422, "graduates"),
        ({"kind": "talent_placed", "persons": 2, "amountWan": 3}, 400, "amountWan"),
        ({"kind": "lottery_win", "persons": 2}, 400, "kind"),
        ({"persons": 2}, 400, "kind"),
        ({"kind": "talent_placed", "persons": 1, "achievedOn": FUTURE}, 422, "achievedOn"),
    ],
)
async def test_bad_outcomes_name_the_field_and_write_nothing(
    auth: Auth, client: httpx.AsyncClient, context: AppContext, body: dict[str, Any], status: int, field: str
) -> None:
    entry = await new_entry(client, auth, await new_entity(client, auth))
    response = await client.post(
        outcomes_path(entry), json={"achievedOn": "2025-03-01", **body}, headers=await auth.headers("jinan-case")
    )
    assert response.status_code == status, response.text
    assert field in body_of(response)["detail"]
    if field == "kind" and "kind" in body:
        assert "guaranteed_loan" in response.text  # the allowed kinds are named
    assert await count(context, "SELECT count(*) FROM ledger_outcomes WHERE entry_id = :e", e=entry["id"]) == 0


async def test_another_city_gets_404_and_readers_cannot_record(auth: Auth, client: httpx.AsyncClient) -> None:
    entry = await new_entry(client, auth, await new_entity(client, auth))
    body = OUTCOMES[0]
    created = await client.post(outcomes_path(entry), json=body, headers=await auth.headers("jinan-case"))
    assert created.status_code == 201
    qingdao = await auth.headers("qingdao-case")
    for response in [
        await client.get(outcomes_path(entry, "qingdao"), headers=qingdao),
        await client.post(outcomes_path(entry, "qingdao"), json=body, headers=qingdao),
        await client.get(outcomes_path(entry), headers=qingdao),
        await client.post(outcomes_path(entry), json=body, headers=qingdao),
    ]:
        assert response.status_code == 404, response.request.url
        assert "济南农商银行" not in response.text
    readers = ["jinan-viewer", "province"]
    assert await statuses(client, auth, readers, "POST", outcomes_path(entry), body) == dict.fromkeys(readers, 403)
    assert await statuses(client, auth, readers, "GET", outcomes_path(entry)) == dict.fromkeys(readers, 200)
    missing = await client.post(
        "/api/tenants/jinan/ledger/987654321/outcomes", json=body, headers=await auth.headers("jinan-case")
    )
    assert missing.status_code == 404
