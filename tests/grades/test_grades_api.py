"""Yearly grades: ``/api/province/{province}/grade-schemes/{year}`` and ``/api/tenants/{tenant}/streets/{id}/grades``,
and the score and grade every assessment carries and reproduces."""

from __future__ import annotations

import copy
from functools import partial
from typing import Any

import httpx
import msgspec
import pytest

from rules.grades import GradeScheme, grade, packaged_schemes, scheme_from_data
from services.assessments.service import reevaluate, stored_ruleset
from services.context import AppContext
from tests.conftest import Auth, body
from tests.rulesets.helpers import (
    FAR,
    YEAR,
    assess_directly,
    make_street,
    publish_for_year,
    reproduce,
    stored_assessment,
)
from tests.streetdata_fixtures import count


def scheme_body(**changes: Any) -> dict[str, Any]:
    """The packaged scheme as a request body, with `changes` over its top-level fields."""
    (scheme,) = packaged_schemes()
    payload: dict[str, Any] = {
        "partialFactor": scheme.partial_factor,
        "thresholds": msgspec.to_builtins(scheme.thresholds),
        "requiredCap": scheme.required_cap,
        "weights": msgspec.to_builtins(scheme.weights),
        "document": "测试用评定办法",
    }
    return payload | changes


publish = partial(publish_for_year, "grade-schemes")


async def read_scheme(client: httpx.AsyncClient, auth: Auth, year: int, user: str = "province") -> dict[str, Any]:
    response = await client.get(f"/api/province/shandong/grade-schemes/{year}", headers=await auth.headers(user))
    assert response.status_code == 200, response.text
    scheme: dict[str, Any] = body(response)
    return scheme


async def regraded(context: AppContext, tenant: str, assessment_id: int, scheme: GradeScheme) -> tuple[float, str]:
    """The score and grade `scheme` gives the stored assessment's verdict, computed here from the rules."""
    row = await stored_assessment(context, tenant, assessment_id)
    graded = grade(scheme, stored_ruleset(row), await reevaluate(row, context.rules_engine))
    return graded.score, graded.grade


async def test_the_shipped_scheme_is_in_force_until_one_is_published(client: httpx.AsyncClient, auth: Auth) -> None:
    scheme = await read_scheme(client, auth, YEAR, user="province-viewer")

    assert (scheme["schemeYear"], scheme["published"], scheme["publishedBy"]) == (2024, False, None)
    assert scheme["hash"] == packaged_schemes()[0].hash
    assert scheme["thresholds"] == {"A": 90, "B": 75, "C": 60}
    assert len(scheme["weights"]) == 17
    assert all(w["source"] for w in scheme["weights"].values())


async def test_a_published_scheme_grades_its_year_and_later_and_is_audited(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    strict = scheme_body(thresholds={"A": 99, "B": 98, "C": 97}, requiredCap="D")

    response = await publish(client, auth, FAR, strict)

    assert response.status_code == 200, response.text
    published = body(response)
    assert (published["schemeYear"], published["published"], published["publishedBy"]) == (FAR, True, "province")
    assert published["hash"] != packaged_schemes()[0].hash
    later = await read_scheme(client, auth, FAR + 3, user="province-viewer")
    assert (later["schemeYear"], later["hash"]) == (FAR, published["hash"])
    assert (await read_scheme(client, auth, FAR - 1))["published"] is False
    audits = await count(
        context,
        "SELECT count(*) FROM audit_log WHERE tenant_id = 'shandong' AND action = 'grade_scheme.publish'"
        " AND object_id = :year",
        year=str(FAR),
    )
    assert audits == 1
    # A city's street assessed in that year is graded by it (a city reads its province's schemes).
    street = await make_street(context, "dezhou", staff=3, entities=120)
    assessment = await assess_directly(context, "dezhou", street, FAR + 1)
    row = await stored_assessment(context, "dezhou", assessment)
    assert row.grade_scheme_hash == published["hash"]
    scheme = scheme_from_data(msgspec.to_builtins(packaged_schemes()[0]) | {"year": FAR} | _snake(strict))
    assert (row.score, row.grade) == await regraded(context, "dezhou", assessment, scheme)
    assert row.grade == "D"  # a required criterion failed (no activities, no survey): capped at D by this scheme


def _snake(payload: dict[str, Any]) -> dict[str, Any]:
    names = {"partialFactor": "partial_factor", "requiredCap": "required_cap"}
    return {names.get(k, k): v for k, v in payload.items()}


async def test_what_get_answers_can_be_put_back_unchanged(client: httpx.AsyncClient, auth: Auth) -> None:
    read = await read_scheme(client, auth, FAR)

    response = await publish(client, auth, FAR, read)

    assert response.status_code == 200, response.text
    assert (body(response)["hash"], body(response)["published"]) == (read["hash"], True)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"weights": {"entity_count": {"weight": -5, "source": "二(三)"}}}, "weights.entity_count"),
        ({"weights": {"night_market": {"weight": 5, "source": "二(三)"}}}, "weights.night_market"),
        ({"thresholds": {"A": 80, "B": 85, "C": 60}}, "thresholds.B"),
        ({"thresholds": {"A": 90, "B": 75, "C": -1}}, "thresholds.C"),
        ({"partialFactor": 2}, "partialFactor"),
    ],
)
async def test_a_scheme_breaking_a_rule_is_refused_naming_the_problem_and_nothing_is_stored(
    client: httpx.AsyncClient, auth: Auth, context: AppContext, change: dict[str, Any], named: str
) -> None:
    payload = scheme_body()
    if "weights" in change:
        payload["weights"] = copy.deepcopy(payload["weights"]) | change.pop("weights")
    payload |= change

    response = await publish(client, auth, FAR, payload)

    assert response.status_code == 422, response.text
    assert named in body(response)["detail"]
    assert body(response)["extra"] == {"field": named}
    assert "评定办法" in body(response)["detail"]
    assert await count(context, "SELECT count(*) FROM grade_schemes WHERE year = :year", year=FAR) == 0


async def test_publishing_is_refused_once_an_assessment_used_a_year_it_would_govern(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    assert (await publish(client, auth, FAR, scheme_body())).status_code == 200
    street = await make_street(context, "dezhou")
    await assess_directly(context, "dezhou", street, FAR + 1)

    again = await publish(client, auth, FAR, scheme_body(partialFactor=0.25))
    later = await publish(client, auth, FAR + 2, scheme_body(partialFactor=0.25))

    assert again.status_code == 409, again.text
    assert str(FAR + 1) in body(again)["detail"]
    assert "评定办法" in body(again)["detail"]
    assert later.status_code == 200, later.text  # it governs only years after the one used


async def test_a_year_without_a_baseline_is_refused(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await publish(client, auth, 2010, scheme_body())
    read = await client.get("/api/province/shandong/grade-schemes/2010", headers=await auth.headers("province"))

    assert response.status_code == 422, response.text
    assert "publish one first" in body(response)["detail"]
    assert read.status_code == 404  # no scheme applies before the first (2024)


async def test_only_the_province_admin_publishes(client: httpx.AsyncClient, auth: Auth) -> None:
    payload = scheme_body()

    city = await publish(client, auth, FAR, payload, user="dezhou-admin")
    viewer = await publish(client, auth, FAR, payload, user="province-viewer")
    city_read = await client.get(
        f"/api/province/shandong/grade-schemes/{FAR}", headers=await auth.headers("dezhou-case")
    )

    assert (city.status_code, viewer.status_code, city_read.status_code) == (403, 403, 403)


async def test_a_city_or_another_province_answers_404(client: httpx.AsyncClient, auth: Auth) -> None:
    city = await publish(client, auth, FAR, scheme_body(), province="dezhou")
    other = await publish(client, auth, FAR, scheme_body(), province="anhui")
    read = await client.get(f"/api/province/anhui/grade-schemes/{FAR}", headers=await auth.headers("province"))

    assert (city.status_code, other.status_code, read.status_code) == (404, 404, 404)


async def test_an_assessment_carries_its_score_and_grade_and_reproduces_them(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    street = await make_street(context, "jining", staff=3, entities=120)

    response = await client.post(
        f"/api/tenants/jining/streets/{street}/assessments",
        json={"year": YEAR},
        headers=await auth.headers("jining-admin"),
    )

    assert response.status_code == 201, response.text
    made = body(response)
    assert made["gradeSchemeHash"] == packaged_schemes()[0].hash
    assert (made["score"], made["grade"]) == await regraded(context, "jining", made["id"], packaged_schemes()[0])
    assert made["grade"] in ("C", "D")  # no survey answered: a required criterion without data caps it
    again = await reproduce(client, auth, "jining", street, made["id"], user="jining-case")
    assert (again["identical"], again["score"], again["grade"]) == (True, made["score"], made["grade"])
    # A grade that the stored scheme does not give is found out.
    await count(
        context,
        "UPDATE assessments SET grade = 'A' WHERE tenant_id = 'jining' AND id = :id RETURNING 1",
        id=made["id"],
    )
    tampered = await reproduce(client, auth, "jining", street, made["id"])
    assert (tampered["identical"], tampered["grade"]) == (False, made["grade"])


async def test_a_grade_is_reproduced_by_its_own_scheme_after_a_later_one_is_published(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    assert (await publish(client, auth, FAR, scheme_body())).status_code == 200
    street = await make_street(context, "dezhou", staff=3, entities=120)
    old = await assess_directly(context, "dezhou", street, FAR)
    assert (await publish(client, auth, FAR + 1, scheme_body(partialFactor=0.0, requiredCap="D"))).status_code == 200
    new = await assess_directly(context, "dezhou", street, FAR + 1)

    reproduced = await reproduce(client, auth, "dezhou", street, old)

    old_row = await stored_assessment(context, "dezhou", old)
    new_row = await stored_assessment(context, "dezhou", new)
    assert old_row.grade_scheme_hash != new_row.grade_scheme_hash
    assert (reproduced["identical"], reproduced["grade"], reproduced["score"]) == (True, old_row.grade, old_row.score)


async def test_the_grade_history_lists_the_latest_assessment_not_voided_of_each_year(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    street = await make_street(context, "taian", staff=3, entities=120)
    first = await assess_directly(context, "taian", street, FAR)
    second = await assess_directly(context, "taian", street, FAR)
    voided = await assess_directly(context, "taian", street, FAR + 1)
    kept = await assess_directly(context, "taian", street, FAR + 1)
    later = await assess_directly(context, "taian", street, FAR + 1)
    admin = await auth.headers("taian-admin")
    refused = await client.post(
        f"/api/tenants/taian/streets/{street}/assessments/{later}/void", json={"reason": "重复评估"}, headers=admin
    )
    assert refused.status_code == 200, refused.text

    response = await client.get(f"/api/tenants/taian/streets/{street}/grades", headers=await auth.headers("taian-case"))

    assert response.status_code == 200, response.text
    history = body(response)
    assert [(g["year"], g["assessmentId"]) for g in history] == [(FAR + 1, kept), (FAR, second)]
    row = await stored_assessment(context, "taian", second)
    assert (history[1]["score"], history[1]["grade"]) == (row.score, row.grade)
    assert history[1]["gradeZh"] in ("优秀", "良好", "合格", "不合格")
    assert first not in {g["assessmentId"] for g in history}
    assert voided not in {g["assessmentId"] for g in history}
    # Another city's street, or the street through another city's path, answers 404.
    other = await client.get(f"/api/tenants/taian/streets/{street}/grades", headers=await auth.headers("dezhou-admin"))
    elsewhere = await client.get(
        f"/api/tenants/dezhou/streets/{street}/grades", headers=await auth.headers("dezhou-admin")
    )
    assert (other.status_code, elsewhere.status_code) in ((403, 404), (404, 404))
    assert elsewhere.status_code == 404
