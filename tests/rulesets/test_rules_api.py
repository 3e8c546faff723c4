"""``/api/tenants/{tenant}/rules``: the effective rules and their hash, city rules tightening or adding, removal."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from rules.baseline import load_baseline
from rules.overlay import effective_ruleset
from services.context import AppContext
from tests.conftest import Auth, body
from tests.rulesets.helpers import YEAR, assert_refused_naming, criterion
from tests.streetdata_fixtures import count


async def rules(
    client: httpx.AsyncClient, auth: Auth, tenant: str, year: int, user: str | None = None
) -> dict[str, Any]:
    response = await client.get(
        f"/api/tenants/{tenant}/rules", params={"year": year}, headers=await auth.headers(user or f"{tenant}-case")
    )
    assert response.status_code == 200, response.text
    ruleset: dict[str, Any] = body(response)
    return ruleset


async def add(client: httpx.AsyncClient, auth: Auth, tenant: str, **overrides: object) -> httpx.Response:
    return await client.post(
        f"/api/tenants/{tenant}/rules", json=criterion(**overrides), headers=await auth.headers(f"{tenant}-admin")
    )


async def test_effective_rules_are_the_baseline_with_its_hash(client: httpx.AsyncClient, auth: Auth) -> None:
    ruleset = await rules(client, auth, "taian", YEAR)

    expected = effective_ruleset("taian", YEAR, load_baseline(YEAR), ())
    assert ruleset["tenant"] == "taian"
    assert ruleset["year"] == YEAR
    assert ruleset["hash"] == expected.hash
    assert [c["id"] for c in ruleset["criteria"]] == [c.id for c in expected.criteria]
    assert len(ruleset["criteria"]) == 17
    staff = next(c for c in ruleset["criteria"] if c["id"] == "center_staff")
    assert staff == {
        "id": "center_staff",
        "titleZh": staff["titleZh"],
        "titleEn": staff["titleEn"],
        "fact": "center_staff",
        "op": ">=",
        "value": 2,
        "level": "required",
        "source": "鲁人社函〔2024〕49号 二(一)",
        "origin": "province",
        "effectiveFrom": 2024,
        "effectiveTo": None,
        "appliesTo": None,
    }
    # The province reads its cities' rules too, and its own: the baseline alone.
    assert (await rules(client, auth, "taian", YEAR, user="province"))["hash"] == expected.hash
    assert (await rules(client, auth, "shandong", YEAR, user="province"))["hash"] == expected.hash


async def test_tightening_a_baseline_criterion_applies_from_its_year(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    baseline_hash = (await rules(client, auth, "taian", YEAR))["hash"]

    response = await add(client, auth, "taian")

    assert response.status_code == 201, response.text
    added = body(response)
    assert added["origin"] == "city"
    assert added["value"] == 3
    assert added["source"] == "鲁人社函〔2024〕49号 二(一)"  # a tightening rests on the province's clause
    now = await rules(client, auth, "taian", YEAR)
    staff = next(c for c in now["criteria"] if c["id"] == "center_staff")
    assert (staff["origin"], staff["value"]) == ("city", 3)
    assert len(now["criteria"]) == 17
    assert now["hash"] != baseline_hash
    assert (await rules(client, auth, "taian", YEAR - 1))["hash"] != now["hash"]  # not before its year
    audits = await count(
        context,
        "SELECT count(*) FROM audit_log WHERE tenant_id = 'taian' AND action = 'rule.add' AND object_id = :id",
        id=f"center_staff@{YEAR}",
    )
    assert audits == 1


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        # Loosening or lowering a baseline criterion.
        ({"value": 1}, ["center_staff", "loosens"]),
        ({"op": ">", "value": 1}, ["center_staff", "loosens"]),
        ({"level": "advisory"}, ["center_staff", "advisory"]),
        ({"fact": "entity_count", "value": 200}, ["center_staff", "may not change the fact"]),
        ({"id": "entity_count", "fact": "entity_count", "value": 50}, ["entity_count", "loosens"]),
        ({"id": "activity_rate", "fact": "activity_rate", "value": 0.5}, ["activity_rate", "loosens"]),
        # Malformed criteria.
        ({"id": "stall_count", "fact": "stall_count"}, ["stall_count", "unknown fact 'stall_count'"]),
        ({"id": "staff_exact", "op": "~="}, ["staff_exact", "unknown operator '~='"]),
        ({"id": "staff_text", "value": "three"}, ["staff_text", "does not fit the fact 'center_staff'"]),
        ({"id": "share_in", "fact": "activity_rate", "op": "in", "value": [1]}, ["share_in", "operator 'in'"]),
        ({"id": "float_in", "fact": "street_theme", "op": "in", "value": [0.5]}, ["float_in", "malformed"]),
        ({"id": "Bad-Id"}, ["Bad-Id", "invalid"]),
        ({"id": "custom_none", "fact": "custom.nothing"}, ["custom_none", "unknown fact 'custom.nothing'"]),
        ({"id": "before_any", "effectiveFrom": 2020}, ["before_any", "no provincial baseline applies to 2020"]),
        # Ids that are another route's path under …/rules/.
        ({"id": "cases"}, ["cases", "may not have the id 'cases'"]),
        ({"id": "simulate"}, ["simulate", "may not have the id 'simulate'"]),
    ],
)
async def test_a_looser_or_malformed_criterion_is_refused_naming_it(
    client: httpx.AsyncClient, auth: Auth, overrides: dict[str, object], words: list[str]
) -> None:
    response = await add(client, auth, "taian", **overrides)
    assert_refused_naming(response, words)
    ruleset = await rules(client, auth, "taian", YEAR)
    assert ruleset["hash"] == effective_ruleset("taian", YEAR, load_baseline(YEAR), ()).hash  # nothing stored


async def test_a_new_criterion_on_a_built_in_fact(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await add(
        client,
        auth,
        "taian",
        id="graduate_share",
        titleZh="高校毕业生创办的创业实体占比不低于30%",
        titleEn="At least 30% of entities founded by graduates",
        fact="graduate_share",
        value=0.3,
        source="泰安市创业街区实施细则 第五条",
    )

    assert response.status_code == 201, response.text
    ruleset = await rules(client, auth, "taian", YEAR)
    assert len(ruleset["criteria"]) == 18
    added = next(c for c in ruleset["criteria"] if c["id"] == "graduate_share")
    assert (added["origin"], added["value"], added["source"]) == ("city", 0.3, "泰安市创业街区实施细则 第五条")


async def test_a_city_rule_on_a_custom_field(client: httpx.AsyncClient, auth: Auth) -> None:
    admin = await auth.headers("liaocheng-admin")
    field = {"key": "stalls", "labelZh": "夜市摊位数", "labelEn": "night-market stalls", "type": "integer"}
    created = await client.post("/api/tenants/liaocheng/fields", json=field, headers=admin)
    assert created.status_code in (201, 409), created.text  # 409: made by the assessment tests first

    response = await add(
        client,
        auth,
        "liaocheng",
        id="night_market_stalls",
        titleZh="夜市街区至少 20 个摊位",
        titleEn="At least 20 stalls in a night-market street",
        fact="custom.stalls",
        value=20,
    )
    wrong_type = await add(client, auth, "liaocheng", id="stalls_text", fact="custom.stalls", value="many")
    elsewhere = await add(client, auth, "taian", id="night_market_stalls", fact="custom.stalls", value=20)

    assert response.status_code == 201, response.text
    added = next(c for c in (await rules(client, auth, "liaocheng", YEAR))["criteria"] if c["fact"] == "custom.stalls")
    assert (added["id"], added["origin"], added["value"]) == ("night_market_stalls", "city", 20)
    assert wrong_type.status_code == 422
    assert "stalls_text" in body(wrong_type)["detail"]
    assert elsewhere.status_code == 422  # Tai'an has no such field
    assert "unknown fact 'custom.stalls'" in body(elsewhere)["detail"]


async def test_a_later_version_ends_the_earlier_one(client: httpx.AsyncClient, auth: Auth) -> None:
    assert (await add(client, auth, "taian")).status_code == 201
    assert (await add(client, auth, "taian", value=4, effectiveFrom=YEAR + 2)).status_code == 201
    same_year = await add(client, auth, "taian", value=5, effectiveFrom=YEAR + 2)  # replaces that year's version

    def staff(ruleset: dict[str, Any]) -> int:
        value: int = next(c["value"] for c in ruleset["criteria"] if c["id"] == "center_staff")
        return value

    assert same_year.status_code == 201, same_year.text
    assert staff(await rules(client, auth, "taian", YEAR)) == 3
    assert staff(await rules(client, auth, "taian", YEAR + 1)) == 3
    assert staff(await rules(client, auth, "taian", YEAR + 2)) == 5
    assert staff(await rules(client, auth, "taian", YEAR + 9)) == 5


async def test_a_bounded_version_may_not_cut_a_longer_one_short(client: httpx.AsyncClient, auth: Auth) -> None:
    assert (await add(client, auth, "taian")).status_code == 201

    response = await add(client, auth, "taian", value=4, effectiveFrom=YEAR + 1, effectiveTo=YEAR + 1)

    assert response.status_code == 409, response.text
    assert "center_staff" in body(response)["detail"]


async def test_removing_a_city_criterion_from_a_year(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    admin = await auth.headers("taian-admin")
    assert (await add(client, auth, "taian")).status_code == 201

    removed = await client.delete("/api/tenants/taian/rules/center_staff", params={"year": YEAR + 1}, headers=admin)

    assert removed.status_code == 204, removed.text
    origin = {
        y: next(c["origin"] for c in (await rules(client, auth, "taian", y))["criteria"] if c["id"] == "center_staff")
        for y in (YEAR, YEAR + 1)
    }
    assert origin == {YEAR: "city", YEAR + 1: "province"}  # the earlier year keeps it
    again = await client.delete("/api/tenants/taian/rules/center_staff", params={"year": YEAR + 1}, headers=admin)
    assert again.status_code == 422  # from then on it is the province's criterion alone
    whole = await client.delete("/api/tenants/taian/rules/center_staff", params={"year": YEAR}, headers=admin)
    assert whole.status_code == 204
    assert await count(context, "SELECT count(*) FROM city_rules WHERE tenant_id = 'taian'") == 0
    audits = await count(context, "SELECT count(*) FROM audit_log WHERE tenant_id = 'taian' AND action = 'rule.remove'")
    assert audits >= 2


async def test_a_baseline_criterion_cannot_be_removed_and_an_unknown_one_is_404(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    admin = await auth.headers("taian-admin")

    baseline = await client.delete("/api/tenants/taian/rules/entity_count", params={"year": YEAR}, headers=admin)
    unknown = await client.delete("/api/tenants/taian/rules/no_such_rule", params={"year": YEAR}, headers=admin)

    assert baseline.status_code == 422
    assert "entity_count" in body(baseline)["detail"]
    assert body(baseline)["extra"]["criterion"] == "entity_count"
    assert unknown.status_code == 404


@pytest.mark.parametrize("user", ["taian-case", "province", "province-viewer"])
async def test_only_the_city_admin_changes_rules(client: httpx.AsyncClient, auth: Auth, user: str) -> None:
    headers = await auth.headers(user)

    posted = await client.post("/api/tenants/taian/rules", json=criterion(), headers=headers)
    deleted = await client.delete("/api/tenants/taian/rules/center_staff", params={"year": YEAR}, headers=headers)
    simulated = await client.post("/api/tenants/taian/rules/simulate", json={"year": YEAR}, headers=headers)

    assert (posted.status_code, deleted.status_code, simulated.status_code) == (403, 403, 403)


async def test_another_city_answers_404_on_every_rules_route(client: httpx.AsyncClient, auth: Auth) -> None:
    jinan_admin = await auth.headers("jinan-admin")

    responses = [
        await client.get("/api/tenants/taian/rules", params={"year": YEAR}, headers=jinan_admin),
        await client.post("/api/tenants/taian/rules", json=criterion(), headers=jinan_admin),
        await client.delete("/api/tenants/taian/rules/center_staff", params={"year": YEAR}, headers=jinan_admin),
        await client.post("/api/tenants/taian/rules/simulate", json={"year": YEAR}, headers=jinan_admin),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]


async def test_rules_need_a_login(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/tenants/taian/rules")).status_code == 401
