"""Every role on /api/me and /api/tenants, and another tenant's objects answering 404."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Auth

CITY_COUNT = 16


@pytest.mark.parametrize(
    ("username", "tenant", "role", "visible"),
    [
        ("province", "shandong", "province_admin", CITY_COUNT + 1),
        ("province-viewer", "shandong", "viewer", CITY_COUNT + 1),
        ("jinan-admin", "jinan", "city_admin", 1),
        ("jinan-case", "jinan", "caseworker", 1),
        ("jinan-viewer", "jinan", "viewer", 1),
    ],
)
async def test_me_and_tenants_for_every_role(
    auth: Auth, client: httpx.AsyncClient, username: str, tenant: str, role: str, visible: int
) -> None:
    headers = await auth.headers(username)
    me = await client.get("/api/me", headers=headers)
    assert me.json() == {"username": username, "tenant": tenant, "role": role}
    tenants = (await client.get("/api/tenants", headers=headers)).json()
    assert len(tenants) == visible
    assert tenant in {t["slug"] for t in tenants}


async def test_province_sees_its_cities_with_codes_and_parent(auth: Auth, client: httpx.AsyncClient) -> None:
    tenants = (await client.get("/api/tenants", headers=await auth.headers("province"))).json()
    by_slug = {t["slug"]: t for t in tenants}
    assert by_slug["shandong"]["parent"] is None
    assert by_slug["qingdao"] == {
        "slug": "qingdao",
        "nameZh": "青岛市",
        "nameEn": "Qingdao",
        "code": "370200",
        "parent": "shandong",
    }
    assert by_slug["heze"]["code"] == "371700"


async def test_city_user_asking_for_another_city_gets_404(auth: Auth, client: httpx.AsyncClient) -> None:
    headers = await auth.headers("jinan-admin")
    assert (await client.get("/api/tenants/jinan", headers=headers)).status_code == 200
    other = await client.get("/api/tenants/qingdao", headers=headers)
    assert other.status_code == 404
    assert "qingdao" in other.json()["detail"]
    assert (await client.get("/api/tenants/shandong", headers=headers)).status_code == 404
    assert (
        await client.get("/api/tenants/jinan/audit", headers=await auth.headers("qingdao-admin"))
    ).status_code == 404


async def test_province_reads_a_city(auth: Auth, client: httpx.AsyncClient) -> None:
    response = await client.get("/api/tenants/qingdao", headers=await auth.headers("province"))
    assert response.status_code == 200
