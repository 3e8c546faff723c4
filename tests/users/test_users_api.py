"""``/api/tenants/{tenant}/users``: who lists, creates, changes and resets whom; every change audited."""

from __future__ import annotations

import httpx
from litestar import Litestar

from services.context import AppContext
from tests.conftest import Auth
from tests.users.helpers import audit_rows, bearer, create, ready_user, sign_in, unique
from tests.workflows.street_fixtures import make_street


async def test_city_admin_lists_its_city_with_a_total_before_paging(auth: Auth, client: httpx.AsyncClient) -> None:
    headers = await auth.headers("jinan-admin")
    everyone = await client.get("/api/tenants/jinan/users", headers=headers)
    assert everyone.status_code == 200
    names = {user["username"] for user in everyone.json()}
    assert {"jinan-admin", "jinan-case", "jinan-viewer"} <= names
    assert not any(name.startswith("qingdao") for name in names)
    assert int(everyone.headers["x-total-count"]) == len(everyone.json())
    admin = next(user for user in everyone.json() if user["username"] == "jinan-admin")
    assert admin == {
        "username": "jinan-admin",
        "displayName": "",
        "role": "city_admin",
        "active": True,
        "mustChangePassword": False,
    }
    page = await client.get("/api/tenants/jinan/users?limit=1&offset=1", headers=headers)
    assert len(page.json()) == 1
    assert page.headers["x-total-count"] == everyone.headers["x-total-count"]


async def test_listing_refuses_other_roles_and_other_cities(auth: Auth, client: httpx.AsyncClient) -> None:
    for username in ("jinan-case", "jinan-viewer", "province-viewer"):
        response = await client.get("/api/tenants/jinan/users", headers=await auth.headers(username))
        assert response.status_code in {403, 404}, username
    caseworker = await client.get("/api/tenants/jinan/users", headers=await auth.headers("jinan-case"))
    assert caseworker.status_code == 403
    other_city = await client.get("/api/tenants/qingdao/users", headers=await auth.headers("jinan-admin"))
    assert other_city.status_code == 404


async def test_province_sees_its_own_users_and_only_the_admins_of_its_cities(
    auth: Auth, client: httpx.AsyncClient
) -> None:
    headers = await auth.headers("province")
    own = await client.get("/api/tenants/shandong/users", headers=headers)
    assert {"province", "province-viewer"} <= {user["username"] for user in own.json()}
    city = await client.get("/api/tenants/jinan/users", headers=headers)
    assert city.status_code == 200
    assert {user["role"] for user in city.json()} == {"city_admin"}
    assert "jinan-admin" in {user["username"] for user in city.json()}


async def test_city_admin_creates_a_caseworker_with_a_one_time_password_and_it_is_audited(
    auth: Auth, app: Litestar, context: AppContext
) -> None:
    created = await create(auth, app, "jinan-admin", "jinan", role="caseworker", displayName="王芳")
    password = created.pop("initialPassword")
    assert len(password) >= 16
    assert created == {
        "username": created["username"],
        "displayName": "王芳",
        "role": "caseworker",
        "active": True,
        "mustChangePassword": True,
    }
    rows = await audit_rows(context, "jinan", created["username"])
    assert [(row["actor"], row["action"]) for row in rows] == [("jinan-admin", "user.created")]
    assert rows[0]["after"]["role"] == "caseworker"
    assert password not in str(rows)
    assert "hash" not in str(rows)
    signed_in = await sign_in(app, created["username"], password)
    assert signed_in.status_code == 201
    assert signed_in.json()["user"]["mustChangePassword"] is True


async def test_an_operator_needs_a_street_of_its_own_city(
    auth: Auth, client: httpx.AsyncClient, app: Litestar, context: AppContext
) -> None:
    headers = await auth.headers("jinan-admin")
    jinan_street = await make_street(context, "jinan", status="applied")
    qingdao_street = await make_street(context, "qingdao", status="applied")
    for street, expected in ((None, "streetId"), (qingdao_street, str(qingdao_street))):
        payload: dict[str, str | int] = {"username": unique("op"), "displayName": "运营", "role": "operator"}
        if street is not None:
            payload["streetId"] = street
        refused = await client.post("/api/tenants/jinan/users", json=payload, headers=headers)
        assert refused.status_code == 422, refused.text
        assert expected in refused.json()["detail"]
    created = await create(auth, app, "jinan-admin", "jinan", role="operator", streetId=jinan_street)
    assert created["streetId"] == jinan_street


async def test_city_admin_may_not_create_admins_or_department_viewers(auth: Auth, client: httpx.AsyncClient) -> None:
    headers = await auth.headers("jinan-admin")
    for role in ("city_admin", "province_admin", "department_viewer"):
        response = await client.post(
            "/api/tenants/jinan/users",
            json={"username": unique("x"), "displayName": "某人", "role": role},
            headers=headers,
        )
        assert response.status_code == 403, role
        assert "caseworker" in response.json()["detail"]
    other_city = await client.post(
        "/api/tenants/qingdao/users",
        json={"username": unique("x"), "displayName": "某人", "role": "caseworker"},
        headers=headers,
    )
    assert other_city.status_code == 404
    caseworker = await client.post(
        "/api/tenants/jinan/users",
        json={"username": unique("x"), "displayName": "某人", "role": "viewer"},
        headers=await auth.headers("jinan-case"),
    )
    assert caseworker.status_code == 403


async def test_province_creates_city_admins_in_its_cities_and_its_own_admins_and_department_viewers(
    auth: Auth, client: httpx.AsyncClient, app: Litestar, context: AppContext
) -> None:
    city_admin = await create(auth, app, "province", "rizhao", role="city_admin")
    assert city_admin["role"] == "city_admin"
    rows = await audit_rows(context, "rizhao", city_admin["username"])
    assert [(row["actor"], row["action"]) for row in rows] == [("province", "user.created")]
    province_admin = await create(auth, app, "province", "shandong", role="province_admin")
    assert province_admin["role"] == "province_admin"
    department = await create(auth, app, "province", "shandong", role="department_viewer", department="finance")
    assert department["department"] == "finance"

    headers = await auth.headers("province")
    for tenant, payload in (
        ("rizhao", {"role": "caseworker"}),
        ("shandong", {"role": "city_admin"}),
        ("shandong", {"role": "caseworker"}),
    ):
        refused = await client.post(
            f"/api/tenants/{tenant}/users",
            json={"username": unique("x"), "displayName": "某人", **payload},
            headers=headers,
        )
        assert refused.status_code == 403, (tenant, payload)
    no_department = await client.post(
        "/api/tenants/shandong/users",
        json={"username": unique("x"), "displayName": "某人", "role": "department_viewer"},
        headers=headers,
    )
    assert no_department.status_code == 422
    assert "market_regulation" in no_department.json()["detail"]
    unknown_department = await client.post(
        "/api/tenants/shandong/users",
        json={"username": unique("x"), "displayName": "某人", "role": "department_viewer", "department": "police"},
        headers=headers,
    )
    assert unknown_department.status_code == 400
    assert "department" in unknown_department.text


async def test_names_are_unique_and_well_formed(auth: Auth, client: httpx.AsyncClient) -> None:
    headers = await auth.headers("jinan-admin")
    taken = await client.post(
        "/api/tenants/jinan/users",
        json={"username": "qingdao-case", "displayName": "重名", "role": "viewer"},
        headers=headers,
    )
    assert taken.status_code == 409
    assert "qingdao-case" in taken.json()["detail"]
    for bad in ({"username": "Upper Case"}, {"username": "x" * 65}, {"displayName": "   "}, {"displayName": "a\x00"}):
        payload = {"username": unique("ok"), "displayName": "正常", "role": "viewer", **bad}
        response = await client.post("/api/tenants/jinan/users", json=payload, headers=headers)
        assert response.status_code == 400, bad
        assert next(iter(bad)) in response.text


async def test_disabling_ends_the_users_session_at_its_next_request(
    auth: Auth, client: httpx.AsyncClient, app: Litestar, context: AppContext
) -> None:
    username, user_headers = await ready_user(auth, app, "jinan-admin", "jinan", role="caseworker")
    assert (await client.get("/api/tenants/jinan/streets", headers=user_headers)).status_code == 200
    admin = await auth.headers("jinan-admin")
    disabled = await client.patch(f"/api/tenants/jinan/users/{username}", json={"active": False}, headers=admin)
    assert disabled.status_code == 200
    assert disabled.json()["active"] is False
    assert (await client.get("/api/tenants/jinan/streets", headers=user_headers)).status_code == 401
    refused = await sign_in(app, username, "Lantern-river-2031")
    assert refused.status_code == 401
    assert "停用" in refused.json()["detail"]

    enabled = await client.patch(f"/api/tenants/jinan/users/{username}", json={"active": True}, headers=admin)
    assert enabled.json()["active"] is True
    # The old token stays dead; a new sign-in works.
    assert (await client.get("/api/tenants/jinan/streets", headers=user_headers)).status_code == 401
    again = await sign_in(app, username, "Lantern-river-2031")
    assert again.status_code == 201
    rows = await audit_rows(context, "jinan", username)
    changes = [(row["before"]["active"], row["after"]["active"]) for row in rows if row["action"] == "user.updated"]
    assert changes == [(True, False), (False, True)]


async def test_changing_a_name_and_a_caseworkers_street(
    auth: Auth, client: httpx.AsyncClient, app: Litestar, context: AppContext
) -> None:
    created = await create(auth, app, "jinan-admin", "jinan", role="caseworker")
    street = await make_street(context, "jinan", status="applied")
    headers = await auth.headers("jinan-admin")
    path = f"/api/tenants/jinan/users/{created['username']}"
    changed = await client.patch(path, json={"displayName": "李伟", "streetId": street}, headers=headers)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["displayName"], changed.json()["streetId"]) == ("李伟", street)
    unbound = await client.patch(path, json={"streetId": None}, headers=headers)
    assert "streetId" not in unbound.json()
    viewer = await create(auth, app, "jinan-admin", "jinan", role="viewer")
    no_street = await client.patch(
        f"/api/tenants/jinan/users/{viewer['username']}", json={"streetId": street}, headers=headers
    )
    assert no_street.status_code == 422


async def test_who_may_change_whom(auth: Auth, client: httpx.AsyncClient, app: Litestar) -> None:
    body = {"displayName": "改名"}
    # A city admin sees its own account but the province manages it.
    itself = await client.patch(
        "/api/tenants/jinan/users/jinan-admin", json=body, headers=await auth.headers("jinan-admin")
    )
    assert itself.status_code == 403
    other_city = await client.patch(
        "/api/tenants/qingdao/users/qingdao-case", json=body, headers=await auth.headers("jinan-admin")
    )
    assert other_city.status_code == 404
    elsewhere = await client.patch(
        "/api/tenants/jinan/users/qingdao-case", json=body, headers=await auth.headers("jinan-admin")
    )
    assert elsewhere.status_code == 404
    # The province does not see a city's caseworkers, but manages its city admins.
    province = await auth.headers("province")
    hidden = await client.patch("/api/tenants/jinan/users/jinan-case", json=body, headers=province)
    assert hidden.status_code == 404
    city_admin = await create(auth, app, "province", "yantai", role="city_admin")
    renamed = await client.patch(
        f"/api/tenants/yantai/users/{city_admin['username']}", json={"displayName": "烟台管理员"}, headers=province
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["displayName"] == "烟台管理员"
    yourself = await client.patch("/api/tenants/shandong/users/province", json={"active": False}, headers=province)
    assert yourself.status_code == 422
    caseworker = await client.patch(
        f"/api/tenants/yantai/users/{city_admin['username']}", json=body, headers=await auth.headers("yantai-case")
    )
    assert caseworker.status_code == 403


async def test_password_reset_gives_a_new_one_time_password_and_ends_sessions(
    auth: Auth, client: httpx.AsyncClient, app: Litestar, context: AppContext
) -> None:
    username, user_headers = await ready_user(auth, app, "province", "weifang", role="city_admin")
    assert (await client.get("/api/tenants/weifang/streets", headers=user_headers)).status_code == 200
    province = await auth.headers("province")
    reset = await client.post(f"/api/tenants/weifang/users/{username}/password-reset", headers=province)
    assert reset.status_code == 200, reset.text
    password = reset.json()["initialPassword"]
    assert (await client.get("/api/tenants/weifang/streets", headers=user_headers)).status_code == 401
    assert (await sign_in(app, username, "Lantern-river-2031")).status_code == 401
    signed_in = await sign_in(app, username, password)
    assert signed_in.json()["user"]["mustChangePassword"] is True
    blocked = await client.get("/api/tenants/weifang/streets", headers=bearer(signed_in.json()["accessToken"]))
    assert blocked.status_code == 403
    assert [row["action"] for row in await audit_rows(context, "weifang", username)] == [
        "user.created",
        "user.password_changed",
        "user.password_reset",
    ]
    for who, tenant in (("weifang-admin", "weifang"), ("jinan-admin", "weifang"), ("weifang-case", "weifang")):
        refused = await client.post(
            f"/api/tenants/{tenant}/users/{username}/password-reset", headers=await auth.headers(who)
        )
        assert refused.status_code in {403, 404}, who
    other_city = await client.post(
        f"/api/tenants/weifang/users/{username}/password-reset", headers=await auth.headers("jinan-admin")
    )
    assert other_city.status_code == 404


async def test_department_viewer_reads_the_province_and_writes_nothing(
    auth: Auth, client: httpx.AsyncClient, app: Litestar
) -> None:
    _, headers = await ready_user(auth, app, "province", "shandong", role="department_viewer", department="finance")
    me = await client.get("/api/me", headers=headers)
    assert me.json()["role"] == "department_viewer"
    assert (await client.get("/api/province/shandong/reports/2025", headers=headers)).status_code == 200
    assert (await client.get("/api/tenants/jinan/ledger", headers=headers)).status_code == 200
    assert (await client.get("/api/tenants/jinan/streets", headers=headers)).status_code == 200
    refused = await client.post(
        "/api/tenants/shandong/users",
        json={"username": unique("x"), "displayName": "某人", "role": "department_viewer", "department": "finance"},
        headers=headers,
    )
    assert refused.status_code == 403
    city_write = await client.post("/api/tenants/jinan/ledger", json={"entityId": 1, "need": "talent"}, headers=headers)
    assert city_write.status_code == 403
