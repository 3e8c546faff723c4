"""The province cannot publish an empty baseline."""

from __future__ import annotations

import httpx

from services.context import AppContext
from tests.conftest import Auth, body
from tests.rulesets.helpers import FAR
from tests.streetdata_fixtures import count


async def test_an_empty_baseline_is_422_and_nothing_is_published(
    auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    year = FAR + 3
    response = await client.put(
        f"/api/province/shandong/baselines/{year}", json={"criteria": []}, headers=await auth.headers("province")
    )
    assert response.status_code == 422, response.text
    assert body(response)["extra"] == {"field": "criteria"}
    assert "不能为空" in body(response)["detail"]
    assert await count(context, "SELECT count(*) FROM baselines WHERE year = :y", y=year) == 0
    city = await client.put(
        f"/api/province/shandong/baselines/{year}", json={"criteria": []}, headers=await auth.headers("jinan-admin")
    )
    assert city.status_code == 403
