"""``/api/tenants/{tenant}/streets/{id}/assessments``: verdicts stored with their facts and hash, reproduced later."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar import Litestar

from services.context import AppContext
from tenants.calendar import today
from tests.conftest import Auth, assert_documented, body
from tests.rulesets.helpers import (
    FAR,
    YEAR,
    add_operator,
    assess_directly,
    criterion,
    make_street,
    reevaluated,
    reproduce,
    results,
    stored_assessment,
)
from tests.rulesets.test_baselines_api import baseline_body, publish
from tests.streetdata_fixtures import count


async def assess(
    client: httpx.AsyncClient, auth: Auth, tenant: str, street: int, year: int = YEAR, user: str | None = None
) -> httpx.Response:
    return await client.post(
        f"/api/tenants/{tenant}/streets/{street}/assessments",
        json={"year": year},
        headers=await auth.headers(user or f"{tenant}-admin"),
    )


async def assessed(client: httpx.AsyncClient, auth: Auth, tenant: str, street: int) -> dict[str, Any]:
    response = await assess(client, auth, tenant, street)
    assert response.status_code == 201, response.text
    verdict: dict[str, Any] = body(response)
    return verdict


async def tighten(client: httpx.AsyncClient, auth: Auth, tenant: str, **overrides: object) -> None:
    response = await client.post(
        f"/api/tenants/{tenant}/rules", json=criterion(**overrides), headers=await auth.headers(f"{tenant}-admin")
    )
    assert response.status_code == 201, response.text


async def audited(context: AppContext, action: str, assessment: int, actor: str | None = None) -> int:
    """How many of Jining's audit rows record `action` on the assessment (by `actor`, when given)."""
    sql = "SELECT count(*) FROM audit_log WHERE tenant_id = 'jining' AND action = :action AND object_id = :id"
    if actor is None:
        return await count(context, sql, action=action, id=str(assessment))
    return await count(context, sql + " AND actor = :actor", action=action, id=str(assessment), actor=actor)


async def assessed_twice(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """A new Jining street assessed twice by the city admin: its id, the first and the second assessment."""
    street = await make_street(context, "jining")
    first = await assessed(client, auth, "jining", street)
    return street, first, await assessed(client, auth, "jining", street)


async def test_an_assessment_stores_the_facts_the_hash_and_the_verdict(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    street = await make_street(context, "jining", staff=2, entities=5)
    rules = body(
        await client.get("/api/tenants/jining/rules", params={"year": YEAR}, headers=await auth.headers("jining-admin"))
    )

    verdict = await assessed(client, auth, "jining", street)

    assert (verdict["streetId"], verdict["year"], verdict["kind"]) == (street, YEAR, "manual")
    assert verdict["rulesetHash"] == rules["hash"]
    assert verdict["facts"]["center_staff"] == 2
    assert verdict["facts"]["entity_count"] == 5
    assert verdict["facts"]["jobs_driven"] == 15
    assert verdict["facts"]["satisfaction"] is None
    # 5 entities are far from 100 and no survey was answered: a required criterion fails.
    assert verdict["outcome"] == "fail"
    verdicts = results(verdict)
    assert [c["id"] for c in verdict["criteria"]] == [c["id"] for c in rules["criteria"]]
    assert (verdicts["entity_count"], verdicts["center_staff"], verdicts["satisfaction"]) == ("fail", "pass", "no_data")
    entity_count = next(c for c in verdict["criteria"] if c["id"] == "entity_count")
    assert (entity_count["actual"], entity_count["required"], entity_count["origin"]) == (5, "≥ 100", "province")
    assert entity_count["explanationEn"].startswith("The number of entrepreneurial entities is 5")
    assert "创业实体数量" in entity_count["explanationZh"]

    row = await stored_assessment(context, "jining", verdict["id"])
    assert row.ruleset_hash == rules["hash"]
    assert row.facts["center_staff"] == 2
    assert [c["id"] for c in row.criteria] == [c["id"] for c in rules["criteria"]]
    assert len(row.results) == len(rules["criteria"])
    assert row.created_by == "jining-admin"
    assert await audited(context, "assessment.create", verdict["id"]) == 1


async def test_past_assessments_are_listed_newest_first_and_read_one_by_one(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    street, first, second = await assessed_twice(client, auth, context)

    listed = await client.get(
        f"/api/tenants/jining/streets/{street}/assessments", headers=await auth.headers("jining-case")
    )
    one = await client.get(
        f"/api/tenants/jining/streets/{street}/assessments/{first['id']}", headers=await auth.headers("province")
    )

    assert listed.status_code == 200, listed.text
    assert [a["id"] for a in body(listed)] == [second["id"], first["id"]]
    assert one.status_code == 200, one.text
    assert body(one) == first


async def test_an_old_assessment_is_reproduced_after_the_rules_changed(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    street = await make_street(context, "jining", staff=2)
    old = await assessed(client, auth, "jining", street)
    assert (old["outcome"], results(old)["center_staff"]) == ("incomplete", "pass")

    await tighten(client, auth, "jining", value=3)
    new = await assessed(client, auth, "jining", street)
    reproduced = await client.get(
        f"/api/tenants/jining/streets/{street}/assessments/{old['id']}/reproduce",
        headers=await auth.headers("jining-case"),
    )

    assert (new["outcome"], results(new)["center_staff"]) == ("fail", "fail")
    assert new["rulesetHash"] != old["rulesetHash"]
    assert reproduced.status_code == 200, reproduced.text
    again = body(reproduced)
    assert again["identical"] is True
    assert {k: v for k, v in again.items() if k != "identical"} == old
    again_new = await reproduce(client, auth, "jining", street, new["id"])
    assert (again_new["identical"], again_new["outcome"]) == (True, "fail")
    verdict = await reevaluated(context, "jining", old["id"], context.rules_engine)
    assert (verdict.outcome, verdict.ruleset_hash) == ("incomplete", old["rulesetHash"])


async def test_a_tampered_assessment_does_not_reproduce(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    street = await make_street(context, "jining", staff=2)
    old = await assessed(client, auth, "jining", street)
    await count(
        context,
        "UPDATE assessments SET results = jsonb_set(results, '{0,result}', '\"fail\"')"
        " WHERE tenant_id = 'jining' AND id = :id RETURNING 1",
        id=old["id"],
    )

    again = await reproduce(client, auth, "jining", street, old["id"])

    assert again["identical"] is False
    assert again["criteria"] == old["criteria"]  # what the stored facts and criteria really give


async def test_two_cities_with_different_rules_judge_the_same_street_differently(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    await tighten(client, auth, "jining", value=3)
    await tighten(
        client,
        auth,
        "dezhou",
        id="veteran_cap",
        fact="veteran_share",
        op="<=",
        value=0.5,
        titleZh="退役军人创办占比不超过一半",
        titleEn="At most half founded by veterans",
    )
    in_jining = await make_street(context, "jining", staff=2, entities=3)
    in_dezhou = await make_street(context, "dezhou", staff=2, entities=3)

    jining = await assessed(client, auth, "jining", in_jining)
    dezhou = await assessed(client, auth, "dezhou", in_dezhou)

    # The same street but for where it lies.
    assert jining["facts"] | {"street_district": None} == dezhou["facts"] | {"street_district": None}
    assert jining["rulesetHash"] != dezhou["rulesetHash"]
    assert (results(jining)["center_staff"], results(dezhou)["center_staff"]) == ("fail", "pass")
    assert "veteran_cap" not in results(jining)
    assert results(dezhou)["veteran_cap"] == "pass"


async def test_an_assessment_on_a_city_custom_field(client: httpx.AsyncClient, auth: Auth, context: AppContext) -> None:
    admin = await auth.headers("liaocheng-admin")
    field = {"key": "stalls", "labelZh": "夜市摊位数", "labelEn": "night-market stalls", "type": "integer"}
    assert (await client.post("/api/tenants/liaocheng/fields", json=field, headers=admin)).status_code in (201, 409)
    await tighten(
        client,
        auth,
        "liaocheng",
        id="night_market_stalls",
        fact="custom.stalls",
        value=20,
        titleZh="夜市街区至少 20 个摊位",
        titleEn="At least 20 stalls",
    )
    street = await make_street(context, "liaocheng", custom_fields={"stalls": 12})

    verdict = await assessed(client, auth, "liaocheng", street)
    again = body(
        await client.get(
            f"/api/tenants/liaocheng/streets/{street}/assessments/{verdict['id']}/reproduce", headers=admin
        )
    )

    assert verdict["facts"]["custom.stalls"] == 12
    stalls = next(c for c in verdict["criteria"] if c["id"] == "night_market_stalls")
    assert (stalls["result"], stalls["actual"], stalls["origin"]) == ("fail", 12, "city")
    assert "夜市摊位数" in stalls["explanationZh"]
    assert verdict["outcome"] == "fail"
    row = await stored_assessment(context, "liaocheng", verdict["id"])
    assert [f["key"] for f in row.custom_fields] == ["stalls"]
    assert again["identical"] is True


@pytest.mark.parametrize("user", ["jining-case", "province", "province-viewer"])
async def test_only_the_city_admin_assesses(
    client: httpx.AsyncClient, auth: Auth, context: AppContext, user: str
) -> None:
    street = await make_street(context, "jining")

    response = await assess(client, auth, "jining", street, user=user)

    assert response.status_code == 403


async def test_an_operator_reads_only_its_own_street_and_does_not_assess(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    own, other = await make_street(context, "jining"), await make_street(context, "jining")
    mine, theirs = await assessed(client, auth, "jining", own), await assessed(client, auth, "jining", other)
    operator = await auth.headers(await add_operator(context, "jining", own))

    base = "/api/tenants/jining/streets"
    own_list = await client.get(f"{base}/{own}/assessments", headers=operator)
    own_one = await client.get(f"{base}/{own}/assessments/{mine['id']}/reproduce", headers=operator)
    other_list = await client.get(f"{base}/{other}/assessments", headers=operator)
    other_one = await client.get(f"{base}/{other}/assessments/{theirs['id']}", headers=operator)
    posted = await client.post(f"{base}/{own}/assessments", json={"year": YEAR}, headers=operator)

    assert (own_list.status_code, own_one.status_code) == (200, 200)
    assert (other_list.status_code, other_one.status_code) == (404, 404)
    assert posted.status_code == 403


async def test_another_city_answers_404_on_every_assessment_route(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    street = await make_street(context, "jining")
    other_street = await make_street(context, "jining")
    verdict = await assessed(client, auth, "jining", street)
    jinan = await auth.headers("jinan-admin")
    path = f"/api/tenants/jining/streets/{street}/assessments"

    responses = [
        await client.post(path, json={"year": YEAR}, headers=jinan),
        await client.get(path, headers=jinan),
        await client.get(f"{path}/{verdict['id']}", headers=jinan),
        await client.get(f"{path}/{verdict['id']}/reproduce", headers=jinan),
        # The street through Jinan's own path, and the assessment under another street of its city.
        await client.post(f"/api/tenants/jinan/streets/{street}/assessments", json={"year": YEAR}, headers=jinan),
        await client.get(f"/api/tenants/jinan/streets/{street}/assessments/{verdict['id']}", headers=jinan),
        await client.get(
            f"/api/tenants/jining/streets/{other_street}/assessments/{verdict['id']}",
            headers=await auth.headers("jining-admin"),
        ),
        await client.get(f"{path}/99999999", headers=await auth.headers("jining-admin")),
    ]

    assert [r.status_code for r in responses] == [404] * len(responses)


async def test_a_year_without_a_baseline_is_refused(client: httpx.AsyncClient, auth: Auth, context: AppContext) -> None:
    street = await make_street(context, "jining")

    response = await assess(client, auth, "jining", street, year=2020)

    assert response.status_code == 422
    assert "2020" in body(response)["detail"]


async def test_a_year_not_yet_begun_in_china_is_refused(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    street = await make_street(context, "jining")
    current = today().year

    future = await assess(client, auth, "jining", street, year=current + 1)
    now = await assess(client, auth, "jining", street, year=current)

    assert future.status_code == 422, future.text
    detail = body(future)["detail"]
    assert f"{current + 1}" in detail
    assert "尚未到来" in detail
    assert "has not come yet" in detail
    assert body(future)["extra"] == {"field": "year"}
    assert now.status_code == 201, now.text
    stored = "SELECT count(*) FROM assessments WHERE tenant_id = 'jining' AND street_id = :s AND year = :y"
    assert await count(context, stored, s=street, y=current + 1) == 0


def void_path(street: int, assessment: int, tenant: str = "jining") -> str:
    return f"/api/tenants/{tenant}/streets/{street}/assessments/{assessment}/void"


async def assessed_streets(client: httpx.AsyncClient, auth: Auth, city: str) -> int:
    response = await client.get(f"/api/province/shandong/reports/{YEAR}", headers=await auth.headers("province"))
    assert response.status_code == 200, response.text
    row = next(c for c in body(response)["cities"] if c["tenant"] == city)
    assessed: int = row["assessedStreets"]
    return assessed


async def test_a_city_admin_voids_an_assessment_which_stays_on_record_and_counts_nowhere(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    street = await make_street(context, "jining")
    before = await assessed_streets(client, auth, "jining")
    verdict = await assessed(client, auth, "jining", street)
    assert (verdict["voided"], verdict["voidedReason"], verdict["voidedAt"]) == (False, None, None)
    assert await assessed_streets(client, auth, "jining") == before + 1
    admin = await auth.headers("jining-admin")

    response = await client.post(void_path(street, verdict["id"]), json={"reason": " 录入数据有误 "}, headers=admin)

    assert response.status_code == 200, response.text
    voided = body(response)
    assert (voided["voided"], voided["voidedReason"], voided["voidedBy"]) == (True, "录入数据有误", "jining-admin")
    assert voided["voidedAt"] is not None
    unchanged = {k: v for k, v in voided.items() if not k.startswith("voided")}
    assert unchanged == {k: v for k, v in verdict.items() if not k.startswith("voided")}
    # Kept and marked in every read.
    listed = body(await client.get(f"/api/tenants/jining/streets/{street}/assessments", headers=admin))
    assert [(a["id"], a["voided"], a["voidedReason"]) for a in listed] == [(verdict["id"], True, "录入数据有误")]
    one = body(
        await client.get(
            f"/api/tenants/jining/streets/{street}/assessments/{verdict['id']}", headers=await auth.headers("province")
        )
    )
    assert one == voided
    # No longer counted in the province report (its stored summary is recomputed).
    assert await assessed_streets(client, auth, "jining") == before
    assert await audited(context, "assessment.void", verdict["id"], actor="jining-admin") == 1
    # A second void is a conflict; a blank reason is refused and writes nothing.
    again = await client.post(void_path(street, verdict["id"]), json={"reason": "再次"}, headers=admin)
    assert again.status_code == 409, again.text
    assert "已" in body(again)["detail"]
    assert "already voided" in body(again)["detail"]
    other = await assessed(client, auth, "jining", street)
    for bad, status in [({"reason": "  "}, 422), ({"reason": ""}, 400), ({}, 400), ({"reason": "x" * 501}, 400)]:
        refused = await client.post(void_path(street, other["id"]), json=bad, headers=admin)
        assert refused.status_code == status, (bad, refused.text)
        assert "reason" in refused.text
    still = body(await client.get(f"/api/tenants/jining/streets/{street}/assessments/{other['id']}", headers=admin))
    assert still["voided"] is False


async def test_the_latest_assessment_not_voided_decides_the_report(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    street, first, second = await assessed_twice(client, auth, context)
    admin = await auth.headers("jining-admin")
    before = await assessed_streets(client, auth, "jining")

    voided = await client.post(void_path(street, second["id"]), json={"reason": "重复评估"}, headers=admin)
    assert voided.status_code == 200, voided.text
    assert await assessed_streets(client, auth, "jining") == before  # the first still counts for the street
    voided = await client.post(void_path(street, first["id"]), json={"reason": "数据有误"}, headers=admin)
    assert voided.status_code == 200, voided.text
    assert await assessed_streets(client, auth, "jining") == before - 1


@pytest.mark.parametrize("user", ["jining-case", "jining-viewer", "province", "province-viewer"])
async def test_only_the_city_admin_voids(client: httpx.AsyncClient, auth: Auth, context: AppContext, user: str) -> None:
    if user == "jining-viewer":
        user = await add_operator(context, "jining", street := await make_street(context, "jining"))
    else:
        street = await make_street(context, "jining")
    verdict = await assessed(client, auth, "jining", street)

    response = await client.post(
        void_path(street, verdict["id"]), json={"reason": "无权"}, headers=await auth.headers(user)
    )

    assert response.status_code == 403, response.text
    assert (
        body(
            await client.get(
                f"/api/tenants/jining/streets/{street}/assessments/{verdict['id']}",
                headers=await auth.headers("jining-admin"),
            )
        )["voided"]
        is False
    )


async def test_another_city_cannot_void(client: httpx.AsyncClient, auth: Auth, context: AppContext) -> None:
    street, other_street = await make_street(context, "jining"), await make_street(context, "jining")
    verdict = await assessed(client, auth, "jining", street)
    jinan = await auth.headers("jinan-admin")
    admin = await auth.headers("jining-admin")

    responses = [
        await client.post(void_path(street, verdict["id"]), json={"reason": "x"}, headers=jinan),
        await client.post(void_path(street, verdict["id"], tenant="jinan"), json={"reason": "x"}, headers=jinan),
        await client.post(void_path(other_street, verdict["id"]), json={"reason": "x"}, headers=admin),
        await client.post(void_path(street, 987654321), json={"reason": "x"}, headers=admin),
    ]

    assert [r.status_code for r in responses] == [404] * len(responses)
    assert (
        body(await client.get(f"/api/tenants/jining/streets/{street}/assessments/{verdict['id']}", headers=admin))[
            "voided"
        ]
        is False
    )


async def test_a_voided_assessment_no_longer_locks_the_province_baseline(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    year = FAR + 20  # a year of this test's own among the far years the rules tests clean up
    assert (await publish(client, auth, year, baseline_body(staff=3))).status_code == 200
    street = await make_street(context, "dezhou")
    assessment = await assess_directly(context, "dezhou", street, year + 1)  # as the cycle would, at that year's end
    assert (await publish(client, auth, year, baseline_body(staff=4))).status_code == 409

    response = await client.post(
        void_path(street, assessment, tenant="dezhou"),
        json={"reason": "基本条件将调整"},
        headers=await auth.headers("dezhou-admin"),
    )
    assert response.status_code == 200, response.text
    republished = await publish(client, auth, year, baseline_body(staff=4))

    assert republished.status_code == 200, republished.text
    assert next(c for c in body(republished)["criteria"] if c["id"] == "center_staff")["value"] == 4


async def test_the_void_route_is_documented_with_its_errors(client: httpx.AsyncClient, app: Litestar) -> None:
    void = "/api/tenants/{tenant}/streets/{street_id}/assessments/{assessment_id}/void"
    await assert_documented(
        client, app, void, "作废评估", "Assessment", {"voided", "voidedReason", "voidedAt", "voidedBy"}
    )


async def test_void_ids_past_64_bits_are_refused_not_a_server_error(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    street = await make_street(context, "jining")
    admin = await auth.headers("jining-admin")
    huge = 99999999999999999999
    for path in (void_path(street, huge), void_path(huge, 1)):
        response = await client.post(path, json={"reason": "x"}, headers=admin)
        assert response.status_code == 400, response.text
