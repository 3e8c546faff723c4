"""City rules that apply to some streets only (`appliesTo`): stored, shown, applied, refused, kept to the city."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from rules.baseline import load_baseline
from rules.overlay import effective_ruleset
from services.context import AppContext
from tests.conftest import Auth, body, ok_body
from tests.rulesets.helpers import FAR, YEAR, assert_refused_naming, criterion, make_street, results
from tests.rulesets.test_baselines_api import baseline_body, publish

NIGHT_MARKET: dict[str, Any] = {
    "id": "night_market",
    "titleZh": "产业链街区每年举办至少 20 场夜市、市集活动",
    "titleEn": "An industry-chain street holds at least 20 night-market activities a year",
    "fact": "activities",
    "op": ">=",
    "value": 20,
    "source": "聊城市创业街区建设实施方案 二(三)",
    "appliesTo": {"themes": ["industry_chain"], "statuses": ["applied", "pilot"]},
}


async def add(
    client: httpx.AsyncClient, auth: Auth, tenant: str, user: str | None = None, **overrides: Any
) -> httpx.Response:
    return await client.post(
        f"/api/tenants/{tenant}/rules",
        json=criterion(**overrides),
        headers=await auth.headers(user or f"{tenant}-admin"),
    )


async def effective(client: httpx.AsyncClient, auth: Auth, tenant: str) -> dict[str, Any]:
    response = await client.get(
        f"/api/tenants/{tenant}/rules", params={"year": YEAR}, headers=await auth.headers(f"{tenant}-admin")
    )
    answer: dict[str, Any] = ok_body(response)
    return answer


async def test_a_scoped_city_rule_is_stored_and_applies_only_to_its_streets(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    response = await add(client, auth, "liaocheng", **NIGHT_MARKET)

    assert response.status_code == 201, response.text
    assert body(response)["appliesTo"] == {
        "themes": ["industry_chain"],
        "districts": [],
        "statuses": ["applied", "pilot"],
    }
    shown = next(c for c in (await effective(client, auth, "liaocheng"))["criteria"] if c["id"] == "night_market")
    assert shown["appliesTo"] == body(response)["appliesTo"]

    rules_page = await client.get(f"/city/liaocheng/rules?year={YEAR}", headers=await auth.headers("liaocheng-admin"))
    assert rules_page.status_code == 200
    assert "仅适用于：主题 产业链 状态 已申报、试点街区" in rules_page.text

    chain = await make_street(context, "liaocheng", entities=5, theme="industry_chain")
    graduates = await make_street(context, "liaocheng", entities=5, theme="graduates")
    verdicts = {}
    for street in (chain, graduates):
        assessed = await client.post(
            f"/api/tenants/liaocheng/streets/{street}/assessments",
            json={"year": YEAR},
            headers=await auth.headers("liaocheng-admin"),
        )
        assert assessed.status_code == 201, assessed.text
        verdicts[street] = body(assessed)

    assert results(verdicts[chain])["night_market"] == "fail"
    assert results(verdicts[graduates])["night_market"] == "not_applicable"
    outside = next(c for c in verdicts[graduates]["criteria"] if c["id"] == "night_market")
    assert outside["explanationZh"] == (
        "本条件仅适用于主题为“特色产业链”、状态为“已申报”或“试点街区”的街区，本街区主题为“高校毕业生青年群体”，不适用。"
    )
    assert outside["explanationEn"].startswith("This criterion applies only to streets with the theme “industry chain”")
    # Not applicable neither passes nor fails: the outcome is what the other criteria make it, as before.
    others = {c["result"] for c in verdicts[graduates]["criteria"] if c["level"] == "required"} - {"not_applicable"}
    expected = "fail" if "fail" in others else "incomplete" if "no_data" in others else "pass"
    assert verdicts[graduates]["outcome"] == expected
    assert verdicts[chain]["outcome"] == "fail"
    assert verdicts[graduates]["facts"]["street_theme"] == "graduates"
    assert verdicts[graduates]["facts"]["street_status"] == "applied"

    # Read back, the stored assessment still says not applicable.
    again = await client.get(
        f"/api/tenants/liaocheng/streets/{graduates}/assessments/{verdicts[graduates]['id']}",
        headers=await auth.headers("liaocheng-case"),
    )
    assert results(body(again))["night_market"] == "not_applicable"

    # The street's assessment tab says 不适用 with the reason, and nothing is missing to pass.
    page = await client.get(
        f"/city/liaocheng/streets/{graduates}/assessments", headers=await auth.headers("liaocheng-admin")
    )
    assert page.status_code == 200
    row = page.text[page.text.index('<tr class="criterion criterion-not_applicable">') :]
    row = row[: row.index("</tr>")]
    assert "不适用" in row
    assert outside["explanationZh"] in row
    assert '<td class="missing">—</td>' in row


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        # A baseline criterion may not be narrowed by a city, even when tightened.
        (
            {"appliesTo": {"themes": ["graduates"]}},
            [
                "center_staff",
                "缩小省级基本条件 center_staff 的适用范围",
                "narrows the scope of the provincial baseline",
            ],
        ),
        ({**NIGHT_MARKET, "appliesTo": {"themes": ["night_owls"]}}, ["night_market", "not a valid street theme"]),
        ({**NIGHT_MARKET, "appliesTo": {"districts": ["3715"]}}, ["night_market", "is not a valid district code"]),
        (
            {**NIGHT_MARKET, "appliesTo": {"statuses": []}},
            ["night_market", "appliesTo.statuses may not be an empty list"],
        ),
        ({**NIGHT_MARKET, "appliesTo": {}}, ["night_market", "须至少列出一项主题、区县或状态"]),
    ],
)
async def test_narrowing_a_baseline_criterion_or_a_bad_scope_is_refused_naming_it(
    client: httpx.AsyncClient, auth: Auth, overrides: dict[str, Any], words: list[str]
) -> None:
    response = await add(client, auth, "liaocheng", **overrides)
    assert_refused_naming(response, words)
    nothing = effective_ruleset("liaocheng", YEAR, load_baseline(YEAR), ()).hash
    assert (await effective(client, auth, "liaocheng"))["hash"] == nothing


async def test_another_city_neither_sees_nor_adds_a_scoped_rule(client: httpx.AsyncClient, auth: Auth) -> None:
    assert (await add(client, auth, "liaocheng", **NIGHT_MARKET)).status_code == 201
    jinan_admin = await auth.headers("jinan-admin")

    seen = await client.get("/api/tenants/liaocheng/rules", params={"year": YEAR}, headers=jinan_admin)
    added = await add(client, auth, "liaocheng", user="jinan-admin", **{**NIGHT_MARKET, "value": 1})
    removed = await client.delete(
        "/api/tenants/liaocheng/rules/night_market", params={"year": YEAR}, headers=jinan_admin
    )

    assert [seen.status_code, added.status_code, removed.status_code] == [404, 404, 404]
    assert "night_market" not in seen.text
    mine = await client.get("/api/tenants/jinan/rules", params={"year": YEAR}, headers=jinan_admin)
    assert all(c["id"] != "night_market" for c in body(mine)["criteria"])
    kept = next(c for c in (await effective(client, auth, "liaocheng"))["criteria"] if c["id"] == "night_market")
    assert kept["value"] == 20


async def test_a_scoped_province_criterion_is_published_and_a_city_may_widen_it_but_not_narrow_it(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    payload = baseline_body()
    veterans: dict[str, Any] = {
        "id": "veteran_share",
        "titleZh": "退役军人主题街区中退役军人创办的创业实体占比不低于 20%",
        "titleEn": "At least 20 % of entities founded by veterans in a veterans street",
        "fact": "veteran_share",
        "op": ">=",
        "value": 0.2,
        "level": "required",
        "source": "鲁人社函〔2040〕1号 二(二)",
        "appliesTo": {"themes": ["veterans", "returnees"]},
    }
    published = await publish(client, auth, FAR, {"criteria": [*payload["criteria"], veterans]})
    assert published.status_code == 200, published.text
    shown = next(c for c in body(published)["criteria"] if c["id"] == "veteran_share")
    assert shown["appliesTo"]["themes"] == ["veterans", "returnees"]

    city = {**veterans, "effectiveFrom": FAR, "source": ""}
    narrower = await add(client, auth, "taian", **{**city, "appliesTo": {"themes": ["veterans"]}})
    assert narrower.status_code == 422, narrower.text
    assert "缩小省级基本条件 veteran_share 的适用范围" in body(narrower)["detail"]
    assert body(narrower)["extra"]["criterion"] == "veteran_share"
    wider = await add(client, auth, "taian", **{**city, "appliesTo": {"themes": ["veterans", "returnees", "other"]}})
    assert wider.status_code == 201, wider.text
