"""Tenant configuration: defaults, validation, role checks, other tenants, and its audit rows."""

from __future__ import annotations

import httpx

from tests.conftest import Auth


async def test_config_defaults_follow_the_policy(auth: Auth, client: httpx.AsyncClient) -> None:
    response = await client.get("/api/tenants/zaozhuang/config", headers=await auth.headers("zaozhuang-case"))
    assert response.status_code == 200
    data = response.json()
    assert data["followupDays"] == {"startup": 30, "growth": 60, "brand": 90}
    assert data["surveyMinSample"] == 30
    assert data["reportDeadlineDay"] == 10
    assert data["webhookSecretSet"] is False
    assert data["webhookSecret"] is None


async def test_city_admin_changes_config_and_an_audit_row_records_it(auth: Auth, client: httpx.AsyncClient) -> None:
    headers = {**await auth.headers("dongying-admin"), "X-Request-ID": "req-config-1"}
    new = {
        "followupDays": {"startup": 20, "growth": 45, "brand": 90},
        "surveyMinSample": 40,
        "webhookUrl": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
        "webhookSecret": "s3cret",
    }
    response = await client.put("/api/tenants/dongying/config", json=new, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["followupDays"]["startup"] == 20
    assert response.json()["webhookSecretSet"] is True
    assert "s3cret" not in response.text
    audit = (await client.get("/api/tenants/dongying/audit", headers=headers)).json()
    row = next(a for a in audit if a["requestId"] == "req-config-1")
    assert row["actor"] == "dongying-admin"
    assert row["action"] == "tenant.configure"
    assert row["before"] == {}
    assert row["after"]["surveyMinSample"] == 40


async def test_bad_config_is_400_naming_the_field_and_changes_nothing(auth: Auth, client: httpx.AsyncClient) -> None:
    headers = await auth.headers("yantai-admin")
    bad = await client.put("/api/tenants/yantai/config", json={"surveyMinSample": 0}, headers=headers)
    assert bad.status_code == 400
    assert "surveyMinSample" in bad.text
    unknown = await client.put("/api/tenants/yantai/config", json={"colour": "red"}, headers=headers)
    assert unknown.status_code == 400
    assert "colour" in unknown.text
    assert (await client.get("/api/tenants/yantai/config", headers=headers)).json()["surveyMinSample"] == 30


async def test_config_roles_and_other_tenants(auth: Auth, client: httpx.AsyncClient) -> None:
    body = {"surveyMinSample": 35}

    async def status(method: str, tenant: str, user: str) -> int:
        """The status `user` gets for `method` on `tenant`'s configuration (a PUT sends `body`)."""
        sent = body if method == "PUT" else None
        path = f"/api/tenants/{tenant}/config"
        return (await client.request(method, path, json=sent, headers=await auth.headers(user))).status_code

    assert await status("PUT", "jinan", "jinan-case") == 403
    assert await status("PUT", "jinan", "qingdao-admin") == 404
    assert await status("GET", "jinan", "qingdao-admin") == 404
    # The province reads a city's configuration but changes only its own.
    assert await status("GET", "jinan", "province") == 200
    assert await status("PUT", "jinan", "province") == 403
    assert await status("PUT", "shandong", "province") == 200
