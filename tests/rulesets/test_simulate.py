"""``POST /api/tenants/{tenant}/rules/simulate``: a proposed change judged against every street of the city."""

from __future__ import annotations

from typing import Any

import httpx

from services.context import AppContext
from tests.conftest import Auth, body
from tests.rulesets.helpers import YEAR, criterion, make_street


async def simulate(
    client: httpx.AsyncClient, auth: Auth, proposal: dict[str, Any], tenant: str = "binzhou"
) -> httpx.Response:
    return await client.post(
        f"/api/tenants/{tenant}/rules/simulate", json=proposal, headers=await auth.headers(f"{tenant}-admin")
    )


async def binzhou_streets(context: AppContext) -> dict[int, int]:
    """Four Binzhou streets, by id, with their number of centre staff (made once per test run)."""
    if not _STREETS:
        for staff in (2, 2, 3, 4):
            _STREETS[await make_street(context, "binzhou", staff=staff)] = staff
    return _STREETS


_STREETS: dict[int, int] = {}


async def test_simulation_lists_exactly_the_streets_whose_verdict_changes(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    streets = await binzhou_streets(context)

    response = await simulate(client, auth, {"year": YEAR, "criteria": [criterion()]})

    assert response.status_code == 200, response.text
    result = body(response)
    assert result["streets"] == len(streets)
    assert result["hashBefore"] != result["hashAfter"]
    assert {c["streetId"] for c in result["changes"]} == {s for s, staff in streets.items() if staff < 3}
    for change in result["changes"]:
        # No street has a year's data, so no required criterion fails before: incomplete; then fail.
        assert (change["before"], change["after"]) == ("incomplete", "fail")
        assert change["criteria"] == [
            {"id": "center_staff", "titleZh": criterion()["titleZh"], "titleEn": criterion()["titleEn"],
             "before": "pass", "after": "fail", "actual": 2, "requiredBefore": "≥ 2", "requiredAfter": "≥ 3"}
        ]


async def test_simulation_saves_nothing(client: httpx.AsyncClient, auth: Auth, context: AppContext) -> None:
    await binzhou_streets(context)
    before = body(await client.get("/api/tenants/binzhou/rules", params={"year": YEAR},
                                   headers=await auth.headers("binzhou-admin")))["hash"]

    await simulate(client, auth, {"year": YEAR, "criteria": [criterion(value=5)]})

    after = body(await client.get("/api/tenants/binzhou/rules", params={"year": YEAR},
                                  headers=await auth.headers("binzhou-admin")))["hash"]
    assert after == before


async def test_an_unchanged_ruleset_changes_no_verdict(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    await binzhou_streets(context)

    same = await simulate(client, auth, {"year": YEAR, "criteria": [criterion(value=2)]})
    nothing = await simulate(client, auth, {"year": YEAR})

    assert same.status_code == 200, same.text
    assert body(same)["changes"] == []
    assert body(nothing)["changes"] == []
    assert body(nothing)["hashBefore"] == body(nothing)["hashAfter"]


async def test_removing_a_stored_city_rule_in_simulation(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    streets = await binzhou_streets(context)
    admin = await auth.headers("binzhou-admin")
    assert (await client.post("/api/tenants/binzhou/rules", json=criterion(value=4), headers=admin)).status_code == 201

    result = body(await simulate(client, auth, {"year": YEAR, "remove": ["center_staff"]}))

    assert {c["streetId"] for c in result["changes"]} == {s for s, staff in streets.items() if staff < 4}
    assert {(c["before"], c["after"]) for c in result["changes"]} == {("fail", "incomplete")}


async def test_a_loosening_proposal_is_refused_naming_the_criterion(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    loosening = await simulate(client, auth, {"year": YEAR, "criteria": [criterion(value=1)]})
    removing = await simulate(client, auth, {"year": YEAR, "remove": ["entity_count"]})
    unknown = await simulate(client, auth, {"year": YEAR, "criteria": [criterion(id="x_rule", fact="x")]})

    assert loosening.status_code == 422
    assert "center_staff" in body(loosening)["detail"]
    assert removing.status_code == 422
    assert "entity_count" in body(removing)["detail"]
    assert unknown.status_code == 422
    assert "x_rule" in body(unknown)["detail"]


async def test_a_simulation_on_a_custom_field(client: httpx.AsyncClient, auth: Auth, context: AppContext) -> None:
    admin = await auth.headers("liaocheng-admin")
    field = {"key": "stalls", "labelZh": "夜市摊位数", "labelEn": "night-market stalls", "type": "integer"}
    assert (await client.post("/api/tenants/liaocheng/fields", json=field, headers=admin)).status_code in (201, 409)
    few = await make_street(context, "liaocheng", staff=3, custom_fields={"stalls": 12})
    many = await make_street(context, "liaocheng", staff=3, custom_fields={"stalls": 25})
    unknown = await make_street(context, "liaocheng", staff=3)
    proposal = criterion(id="night_market_stalls", fact="custom.stalls", value=20,
                         titleZh="至少 20 个摊位", titleEn="At least 20 stalls")

    result = body(await simulate(client, auth, {"year": YEAR, "criteria": [proposal]}, tenant="liaocheng"))

    changed = {c["streetId"]: c for c in result["changes"]}
    assert changed[few]["criteria"] == [
        {"id": "night_market_stalls", "titleZh": "至少 20 个摊位", "titleEn": "At least 20 stalls", "before": None,
         "after": "fail", "actual": 12, "requiredBefore": None, "requiredAfter": "≥ 20"}
    ]
    assert (changed[few]["before"], changed[few]["after"]) == ("incomplete", "fail")
    assert many not in changed  # a new criterion the street meets changes nothing for it
    assert changed[unknown]["criteria"][0]["after"] == "no_data"
    assert changed[unknown]["after"] == "incomplete"
