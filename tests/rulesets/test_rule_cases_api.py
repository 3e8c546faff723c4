"""``/api/tenants/{tenant}/rules/cases``: a city's rule test cases, stored, run through the rules engine, and run
before a change of the city's rules is saved."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from rules.baseline import load_baseline
from rules.overlay import effective_ruleset
from rules.testcases import case_facts
from services.context import AppContext
from tests.conftest import Auth, body, ok_body
from tests.rulesets.helpers import GOOD, YEAR, criterion
from tests.rulesets.test_rules_api import rules
from tests.streetdata_fixtures import count

CITY = "liaocheng"
CASES = f"/api/tenants/{CITY}/rules/cases"


def case(name: str, facts: dict[str, Any] | None = None, **expected: Any) -> dict[str, Any]:
    return {
        "name": name,
        "year": YEAR,
        "facts": {**GOOD, **(facts or {})},
        "expected": {"outcome": "pass", "criteria": {}, **expected},
    }


async def admin(auth: Auth, tenant: str = CITY) -> dict[str, str]:
    return await auth.headers(f"{tenant}-admin")


async def store(client: httpx.AsyncClient, auth: Auth, data: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(CASES, json=data, headers=await admin(auth))
    answer: dict[str, Any] = ok_body(response, 201)
    return answer


async def run(client: httpx.AsyncClient, auth: Auth) -> dict[str, Any]:
    response = await client.post(f"{CASES}/run", headers=await admin(auth))
    answer: dict[str, Any] = ok_body(response)
    return answer


async def test_a_case_is_stored_listed_replaced_and_deleted(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    stored = await store(client, auth, case("两名工作人员的街区通过", {"street_district": "371502"}))

    assert stored["name"] == "两名工作人员的街区通过"
    assert stored["facts"]["center_staff"] == 2
    assert stored["facts"]["street_district"] == "371502"
    assert stored["expected"] == {"outcome": "pass", "criteria": {}}
    assert stored["createdBy"] == f"{CITY}-admin"
    listed = await client.get(CASES, headers=await auth.headers(f"{CITY}-case"))  # a caseworker reads them
    assert listed.status_code == 200
    assert [c["name"] for c in body(listed)] == ["两名工作人员的街区通过"]
    assert listed.headers["X-Total-Count"] == "1"

    path = f"{CASES}/两名工作人员的街区通过"
    changed = {
        "year": YEAR,
        "facts": {**GOOD, "center_staff": 1},
        "expected": {"outcome": "fail", "criteria": {"center_staff": "fail"}},
    }
    replaced = await client.put(path, json=changed, headers=await admin(auth))
    assert replaced.status_code == 200, replaced.text
    assert body(replaced)["expected"]["criteria"] == {"center_staff": "fail"}
    assert (await client.post(CASES, json=case("两名工作人员的街区通过"), headers=await admin(auth))).status_code == 409

    assert (await client.delete(path, headers=await admin(auth))).status_code == 204
    assert body(await client.get(CASES, headers=await admin(auth))) == []
    assert (await client.delete(path, headers=await admin(auth))).status_code == 404
    assert (await client.put(path, json=changed, headers=await admin(auth))).status_code == 404
    actions = await count(
        context, "SELECT count(*) FROM audit_log WHERE tenant_id = :t AND action LIKE 'rule_case.%'", t=CITY
    )
    assert actions == 3


@pytest.mark.parametrize(
    ("data", "words", "key"),
    [
        (case("x", criteria={"stall_count": "fail"}), ["stall_count", "no criterion stall_count"], "criterion"),
        (case("x", {"center_staff": "three"}), ["center_staff", "expected an integer"], "fact"),
        (case("x", {"activity_rate": 1.5}), ["activity_rate", "share between 0 and 1"], "fact"),
        (case("x", {"street_theme": "sea"}), ["street_theme", "one of: graduates"], "fact"),
        (case("x", {"stall_count": 3}), ["unknown fact 'stall_count'"], "fact"),
        (case("x", {"custom": {"never_defined": 3}}), ["unknown custom field 'never_defined'"], "fact"),
        (case("x", {"street_status": "asleep"}), ["street_status", "'asleep'"], "fact"),
        (case("x", criteria={"center_staff": "maybe"}), ["center_staff", "'maybe'", "not_applicable"], "criterion"),
        (case("x", outcome="great"), ["'great'", "incomplete"], "criterion"),
        ({**case("x"), "year": 2020}, ["no provincial baseline applies to 2020"], "criterion"),
        (case("run"), ["may not be named 'run'"], "name"),
    ],
)
async def test_an_invalid_case_is_refused_naming_the_problem(
    client: httpx.AsyncClient, auth: Auth, context: AppContext, data: dict[str, Any], words: list[str], key: str
) -> None:
    response = await client.post(CASES, json=data, headers=await admin(auth))

    assert response.status_code == 422, response.text
    error = body(response)
    for word in words:
        assert word in error["detail"]
    assert key in error["extra"]
    assert "/" in error["detail"]  # Chinese, then English
    assert await count(context, "SELECT count(*) FROM rule_cases WHERE tenant_id = :t", t=CITY) == 0


async def test_run_answers_each_case_as_the_engine_judges_it(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    await store(client, auth, case("基本条件街区通过"))
    await store(client, auth, case("两名工作人员不达标", criteria={"center_staff": "fail"}, outcome="fail"))
    await store(
        client,
        auth,
        case("无满意度数据", {"satisfaction": None}, outcome="incomplete", criteria={"satisfaction": "no_data"}),
    )

    result = await run(client, auth)

    ruleset = effective_ruleset(CITY, YEAR, load_baseline(YEAR), ())
    engine = context.rules_engine
    assert (result["tenant"], result["passed"], result["failed"]) == (CITY, 2, 1)
    runs = {r["name"]: r for r in result["cases"]}
    assert list(runs) == sorted(runs)
    for name, data in (("基本条件街区通过", GOOD), ("无满意度数据", {**GOOD, "satisfaction": None})):
        verdict = await engine.evaluate(ruleset, case_facts(data))
        assert runs[name]["outcome"] == verdict.outcome
        assert runs[name]["rulesetHash"] == ruleset.hash == (await rules(client, auth, CITY, YEAR))["hash"]
    assert runs["基本条件街区通过"]["passed"] is True
    assert runs["无满意度数据"]["passed"] is True
    failing = runs["两名工作人员不达标"]
    assert failing["passed"] is False
    assert failing["outcome"] == "pass"
    assert [(d["criterion"], d["expected"], d["got"]) for d in failing["differences"]] == [
        ("outcome", "fail", "pass"),
        ("center_staff", "fail", "pass"),
    ]
    assert "预期“未达标”，实际“达标”" in failing["differences"][1]["messageZh"]
    assert "center_staff" in failing["differences"][1]["messageEn"]
    assert "expected 'fail', got 'pass'" in failing["differences"][1]["messageEn"]


async def test_a_rule_change_a_stored_case_fails_on_is_refused_and_nothing_is_written(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    await store(client, auth, case("两名工作人员的街区通过"))
    before = (await rules(client, auth, CITY, YEAR))["hash"]
    stored = await count(context, "SELECT count(*) FROM city_rules WHERE tenant_id = :t", t=CITY)
    added = "SELECT count(*) FROM audit_log WHERE tenant_id = :t AND action = 'rule.add'"
    audited = await count(context, added, t=CITY)

    refused = await client.post(f"/api/tenants/{CITY}/rules", json=criterion(), headers=await admin(auth))

    assert refused.status_code == 422, refused.text
    error = body(refused)
    assert "两名工作人员的街区通过" in error["detail"]
    assert "center_staff" in error["detail"]
    assert [c["name"] for c in error["extra"]["cases"]] == ["两名工作人员的街区通过"]
    differs = error["extra"]["cases"][0]["differences"]
    assert ("center_staff", "pass", "fail") in [(d["criterion"], d["expected"], d["got"]) for d in differs]
    assert (await rules(client, auth, CITY, YEAR))["hash"] == before
    assert await count(context, "SELECT count(*) FROM city_rules WHERE tenant_id = :t", t=CITY) == stored
    assert await count(context, added, t=CITY) == audited


async def test_a_rule_change_the_cases_still_pass_on_is_saved_and_removing_a_rule_a_case_needs_is_refused(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    graduates = {
        "id": "graduate_share",
        "titleZh": "高校毕业生创办的创业实体占比不低于30%",
        "titleEn": "At least 30% of entities founded by graduates",
        "fact": "graduate_share",
        "value": 0.3,
    }
    await store(client, auth, case("毕业生街区通过", {"graduate_share": 0.5}))

    saved = await client.post(f"/api/tenants/{CITY}/rules", json=criterion(**graduates), headers=await admin(auth))

    assert saved.status_code == 201, saved.text
    await store(
        client,
        auth,
        case("毕业生占比不足", {"graduate_share": 0.1}, outcome="fail", criteria={"graduate_share": "fail"}),
    )
    assert (await run(client, auth))["failed"] == 0
    with_rule = (await rules(client, auth, CITY, YEAR))["hash"]

    removed = await client.delete(
        f"/api/tenants/{CITY}/rules/graduate_share", params={"year": YEAR}, headers=await admin(auth)
    )

    assert removed.status_code == 422, removed.text
    assert "毕业生占比不足" in body(removed)["detail"]
    assert "graduate_share" in body(removed)["detail"]
    assert (await rules(client, auth, CITY, YEAR))["hash"] == with_rule
    # Once the case no longer asks for it, the rule may go.
    assert (await client.delete(f"{CASES}/毕业生占比不足", headers=await admin(auth))).status_code == 204
    removed = await client.delete(
        f"/api/tenants/{CITY}/rules/graduate_share", params={"year": YEAR}, headers=await admin(auth)
    )
    assert removed.status_code == 204, removed.text


async def test_a_caseworker_may_not_write_or_run_and_another_city_answers_404(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    await store(client, auth, case("基本条件街区通过"))
    caseworker = await auth.headers(f"{CITY}-case")
    assert (await client.post(CASES, json=case("另一个"), headers=caseworker)).status_code == 403
    assert (await client.put(f"{CASES}/基本条件街区通过", json=case("x"), headers=caseworker)).status_code == 403
    assert (await client.delete(f"{CASES}/基本条件街区通过", headers=caseworker)).status_code == 403
    assert (await client.post(f"{CASES}/run", headers=caseworker)).status_code == 403

    # The province reads its cities' cases (a viewer too) and changes none.
    for reader in ("province", "province-viewer"):
        listed = await client.get(CASES, headers=await auth.headers(reader))
        assert listed.status_code == 200, listed.text
        assert [c["name"] for c in body(listed)] == ["基本条件街区通过"]
    assert (await client.post(CASES, json=case("另一个"), headers=await auth.headers("province"))).status_code == 403

    other = await admin(auth, "jinan")
    assert (await client.get(CASES, headers=other)).status_code == 404
    assert (await client.post(CASES, json=case("另一个"), headers=other)).status_code == 404
    assert (await client.delete(f"{CASES}/基本条件街区通过", headers=other)).status_code == 404
    assert (await client.post(f"{CASES}/run", headers=other)).status_code == 404
    # Jinan's own list does not show Liaocheng's case.
    assert body(await client.get("/api/tenants/jinan/rules/cases", headers=other)) == []


async def test_the_cases_routes_are_described_in_chinese(client: httpx.AsyncClient) -> None:
    schema = body(await client.get("/schema/openapi.json"))
    assert "/api/tenants/{tenant}/rules/cases/run" in schema["paths"]
    fields = schema["components"]["schemas"]["RuleCaseCreate"]["properties"]
    assert "用例名称" in fields["name"]["description"]
    assert "预期结果" in fields["expected"]["description"]
    assert "街区事实" in fields["facts"]["description"]
    components = schema["components"]["schemas"]
    for name in ("RuleCase", "CaseRun", "CaseDifference", "CaseRunResult", "CaseExpectedDraft"):
        for field, spec in components[name]["properties"].items():
            assert re.search(r"[\u4e00-\u9fff]", spec.get("description", "")), f"{name}.{field} has no Chinese"
