"""Satisfaction surveys: one answer or a batch (all or none), the summary, roles, other tenants."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from services.context import AppContext
from tests.conftest import Auth
from tests.streetdata_fixtures import (
    StreetUser,
    assert_refused_on_a_new_street,
    assert_street_scoped_rules,
    audit_rows,
    create_street,
    resource_path,
)

FUTURE = (dt.date.today() + dt.timedelta(days=3)).isoformat()


path = resource_path("surveys")


async def test_one_answer_a_batch_and_the_summary(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    headers = await auth.headers("jinan-admin")
    one = await client.post(path(street["id"]), json={"respondedOn": "2024-06-01", "rating": 5}, headers=headers)
    assert one.status_code == 201, one.text
    assert one.json()["created"] == 1
    assert one.json()["responses"][0]["rating"] == 5
    ratings = [5, 4, 4, 3, 2, 1, 5, 4, 5]
    batch = {"responses": [{"respondedOn": f"2025-02-{i + 1:02d}", "rating": r} for i, r in enumerate(ratings)]}
    response = await client.post(path(street["id"]), json=batch, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["created"] == 9
    assert [r["rating"] for r in response.json()["responses"]] == ratings
    summary = (await client.get(path(street["id"]), headers=await auth.headers("jinan-viewer"))).json()
    assert summary == {
        "year": None,
        "responses": 10,
        "satisfied": 7,
        "satisfaction": 0.7,
        "byRating": {"1": 1, "2": 1, "3": 1, "4": 3, "5": 4},
        "minSample": 30,
        "enoughSample": False,
    }
    in_2025 = (await client.get(path(street["id"]), params={"year": 2025}, headers=headers)).json()
    assert in_2025["responses"] == 9
    assert in_2025["satisfied"] == 6
    rows = await audit_rows(client, auth, "jinan", "survey.create", street["id"])
    assert sorted(r["after"]["count"] for r in rows) == [1, 9]


async def test_no_answers_is_no_data_not_a_pass(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    summary = (await client.get(path(street["id"]), headers=await auth.headers("jinan-admin"))).json()
    assert summary["responses"] == 0
    assert summary["satisfaction"] is None


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"respondedOn": "2024-06-01", "rating": 6}, 400, "rating"),
        ({"respondedOn": "2024-06-01", "rating": 0}, 400, "rating"),
        ({"respondedOn": "2024-06-01"}, 422, "rating"),
        ({"rating": 4}, 422, "respondedOn"),
        ({"respondedOn": FUTURE, "rating": 4}, 422, "respondedOn"),
        ({"responses": []}, 400, "responses"),
        ({"responses": [{"respondedOn": "2024-06-01", "rating": 4}], "rating": 4}, 422, "responses"),
        # One bad answer in a batch refuses the whole batch.
        (
            {"responses": [{"respondedOn": "2024-06-01", "rating": 4}, {"respondedOn": "2024-06-02", "rating": 7}]},
            400,
            "rating",
        ),
        (
            {"responses": [{"respondedOn": "2024-06-01", "rating": 4}, {"respondedOn": FUTURE, "rating": 5}]},
            422,
            "responses[1].respondedOn",
        ),
        ({"responses": [{"respondedOn": "2024-06-01", "rating": 4, "comment": "好"}]}, 400, "comment"),
    ],
)
async def test_bad_answers_store_nothing(
    auth: Auth, client: httpx.AsyncClient, context: AppContext, body: dict[str, object], status: int, field: str
) -> None:
    await assert_refused_on_a_new_street(client, auth, context, "surveys", body, status, field, "survey_responses")


async def test_the_citys_minimum_sample_is_reported(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth, "zibo")
    headers = await auth.headers("zibo-admin")
    configured = await client.put("/api/tenants/zibo/config", json={"surveyMinSample": 3}, headers=headers)
    assert configured.status_code == 200
    batch = {"responses": [{"respondedOn": "2025-01-05", "rating": 4}] * 3}
    assert (await client.post(path(street["id"], "zibo"), json=batch, headers=headers)).status_code == 201
    summary = (await client.get(path(street["id"], "zibo"), headers=headers)).json()
    assert (summary["minSample"], summary["enoughSample"], summary["satisfaction"]) == (3, True, 1.0)


async def test_survey_roles_and_other_tenants(
    auth: Auth, client: httpx.AsyncClient, jinan_operator: StreetUser
) -> None:
    answer = {"respondedOn": "2024-06-01", "rating": 4}
    await assert_street_scoped_rules(client, auth, "surveys", lambda: answer, jinan_operator)
