"""``/api/province/{province}/baselines/{year}``: the province publishes a baseline for a year no assessment used."""

from __future__ import annotations

from functools import partial
from typing import Any

import httpx
import msgspec

from rules.baseline import load_baseline
from services.context import AppContext
from tests.conftest import Auth, body
from tests.rulesets.helpers import FAR, YEAR, assess_directly, criterion, make_street, publish_for_year
from tests.streetdata_fixtures import count


def baseline_body(staff: int = 3) -> dict[str, Any]:
    """The 2024 baseline's criteria as a request body, with the staff threshold set to `staff`."""
    criteria = []
    for c in load_baseline(YEAR):
        item = {
            "id": c.id,
            "titleZh": c.title_zh,
            "titleEn": c.title_en,
            "fact": c.fact,
            "op": c.op,
            "value": msgspec.to_builtins(c.value),
            "level": c.level,
            "source": c.source,
        }
        if c.id == "center_staff":
            item["value"] = staff
        criteria.append(item)
    return {"criteria": criteria}


publish = partial(publish_for_year, "baselines")


async def staff_rule(client: httpx.AsyncClient, auth: Auth, tenant: str, year: int) -> dict[str, Any]:
    response = await client.get(
        f"/api/tenants/{tenant}/rules", params={"year": year}, headers=await auth.headers(f"{tenant}-admin")
    )
    assert response.status_code == 200, response.text
    return next(c for c in body(response)["criteria"] if c["id"] == "center_staff")


async def test_the_shipped_baseline_is_in_force_until_one_is_published(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.get(f"/api/province/shandong/baselines/{YEAR}", headers=await auth.headers("province"))

    assert response.status_code == 200, response.text
    baseline = body(response)
    assert (baseline["baselineYear"], baseline["published"], baseline["publishedBy"]) == (2024, False, None)
    assert len(baseline["criteria"]) == 17
    assert {c["origin"] for c in baseline["criteria"]} == {"province"}


async def test_a_published_baseline_governs_its_year_and_later(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    response = await publish(client, auth, FAR, baseline_body(staff=3))

    assert response.status_code == 200, response.text
    published = body(response)
    assert (published["baselineYear"], published["published"], published["publishedBy"]) == (FAR, True, "province")
    later = body(
        await client.get(f"/api/province/shandong/baselines/{FAR + 3}", headers=await auth.headers("province-viewer"))
    )
    assert (later["baselineYear"], later["published"]) == (FAR, True)
    # Every city is judged by it from that year on (a city reads its province's baseline), not before.
    assert (await staff_rule(client, auth, "dezhou", FAR))["value"] == 3
    assert (await staff_rule(client, auth, "taian", FAR + 1))["value"] == 3
    assert (await staff_rule(client, auth, "dezhou", FAR - 1))["value"] == 2
    audits = await count(
        context,
        "SELECT count(*) FROM audit_log WHERE tenant_id = 'shandong' AND action = 'baseline.publish'"
        " AND object_id = :year",
        year=str(FAR),
    )
    assert audits == 1


async def test_publishing_is_refused_once_an_assessment_used_a_year_it_would_govern(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    assert (await publish(client, auth, FAR, baseline_body(staff=3))).status_code == 200
    street = await make_street(context, "dezhou")
    await assess_directly(context, "dezhou", street, FAR + 1)  # the API takes past years only; the cycle any

    again = await publish(client, auth, FAR, baseline_body(staff=4))
    earlier = await publish(client, auth, FAR - 1, baseline_body(staff=4))
    later = await publish(client, auth, FAR + 2, baseline_body(staff=4))  # governs only years after the one used

    assert again.status_code == 409, again.text
    assert str(FAR + 1) in body(again)["detail"]
    assert earlier.status_code == 200, earlier.text  # a later published baseline still governs FAR + 1
    assert later.status_code == 200, later.text
    assert (await staff_rule(client, auth, "dezhou", FAR + 1))["value"] == 3


async def test_a_baseline_that_a_city_rule_would_loosen_is_refused(client: httpx.AsyncClient, auth: Auth) -> None:
    added = await client.post(
        "/api/tenants/taian/rules",
        json=criterion(value=4, effectiveFrom=FAR),
        headers=await auth.headers("taian-admin"),
    )
    assert added.status_code == 201, added.text

    response = await publish(client, auth, FAR, baseline_body(staff=5))

    assert response.status_code == 409, response.text
    assert "taian" in body(response)["detail"]
    assert "center_staff" in body(response)["detail"]
    assert body(response)["extra"] == {"tenant": "taian", "criterion": "center_staff"}


async def test_a_malformed_baseline_is_refused_naming_the_criterion(client: httpx.AsyncClient, auth: Auth) -> None:
    payload = baseline_body()
    payload["criteria"][0]["source"] = ""
    unknown = baseline_body()
    unknown["criteria"][1]["fact"] = "no_such_fact"
    custom = baseline_body()
    custom["criteria"][2]["fact"] = "custom.stalls"

    responses = [await publish(client, auth, FAR, p) for p in (payload, unknown, custom)]

    assert [r.status_code for r in responses] == [422, 422, 422]
    assert "operator_legal_person" in body(responses[0])["detail"]
    assert "operator_clean_record" in body(responses[1])["detail"]
    assert "operator_digital_platform" in body(responses[2])["detail"]


async def test_only_the_province_admin_publishes(client: httpx.AsyncClient, auth: Auth) -> None:
    payload = baseline_body()

    city = await publish(client, auth, FAR, payload, user="dezhou-admin")
    viewer = await publish(client, auth, FAR, payload, user="province-viewer")
    city_read = await client.get(f"/api/province/shandong/baselines/{FAR}", headers=await auth.headers("dezhou-case"))

    assert (city.status_code, viewer.status_code, city_read.status_code) == (403, 403, 403)


async def test_a_city_or_unknown_province_answers_404(client: httpx.AsyncClient, auth: Auth) -> None:
    city = await publish(client, auth, FAR, baseline_body(), province="dezhou")
    unknown = await client.get(f"/api/province/anhui/baselines/{FAR}", headers=await auth.headers("province"))
    city_read = await client.get(f"/api/province/jinan/baselines/{FAR}", headers=await auth.headers("province"))

    assert (city.status_code, unknown.status_code, city_read.status_code) == (404, 404, 404)


async def test_what_get_answers_can_be_put_back_unchanged(client: httpx.AsyncClient, auth: Auth) -> None:
    year = 2099  # no other test reads so late a year, so the baseline published here governs nothing they see
    path = f"/api/province/shandong/baselines/{year}"
    headers = await auth.headers("province")
    read = body(await client.get(path, headers=headers))
    assert read["published"] is False

    response = await client.put(path, json=read, headers=headers)

    assert response.status_code == 200, response.text
    again = body(response)
    assert (again["hash"], again["criteria"]) == (read["hash"], read["criteria"])
    assert (again["baselineYear"], again["published"]) == (year, True)
    twice = await client.put(path, json=again, headers=headers)
    assert twice.status_code == 200, twice.text
    assert body(twice)["hash"] == read["hash"]
    # The read-only fields are ignored, not trusted: another province or year in the body changes nothing.
    elsewhere = await client.put(path, json={**again, "province": "jiangsu", "year": 2001}, headers=headers)
    assert (elsewhere.status_code, body(elsewhere)["province"], body(elsewhere)["year"]) == (200, "shandong", year)
    for user in ("qingdao-admin", "jinan-admin"):
        refused = await client.put(path, json=read, headers=await auth.headers(user))
        assert refused.status_code in (403, 404), refused.text
