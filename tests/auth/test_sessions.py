"""Sessions end with their users; a one-time password must be replaced before anything else."""

from __future__ import annotations

import time

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import text

from infra.db import owner_transaction
from services.auth import sessions
from services.auth.passwords import hash_password
from services.auth.sessions import MISSING, SessionCache, SessionUser
from services.context import AppContext
from services.users.service import new_user
from tenants.context import Role
from tests.conftest import Auth
from tests.users.helpers import NEW_PASSWORD, bearer, create, sign_in, unique


def token_for(app: Litestar, username: str, tenant: str, role: str, version: int = 0) -> dict[str, str]:
    """A validly signed token, as the server would issue it."""
    token = app.state.auth.create_token(
        identifier=username, token_extras={"tenant": tenant, "role": role, "ver": version}
    )
    return bearer(token)


async def test_a_signed_token_for_a_user_that_never_existed_is_401(app: Litestar, client: httpx.AsyncClient) -> None:
    response = await client.get("/api/me", headers=token_for(app, unique("ghost"), "jinan", "city_admin"))
    assert response.status_code == 401
    # The same claims for a real user pass, so the 401 is the missing user's doing.
    assert (
        await client.get("/api/me", headers=token_for(app, "jinan-admin", "jinan", "city_admin"))
    ).status_code == 200


async def test_a_token_claiming_another_role_tenant_or_version_gets_nothing_more(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    promoted = await client.get("/api/me", headers=token_for(app, "jinan-case", "jinan", "province_admin"))
    assert promoted.json()["role"] == "caseworker"  # the role is the row's, not the token's
    moved = await client.get("/api/me", headers=token_for(app, "jinan-case", "qingdao", "caseworker"))
    assert moved.status_code == 401
    stale = await client.get("/api/me", headers=token_for(app, "jinan-case", "jinan", "caseworker", version=7))
    assert stale.status_code == 401


async def test_a_deleted_users_token_is_refused(app: Litestar, client: httpx.AsyncClient, context: AppContext) -> None:
    username = unique("leaver")
    async with owner_transaction(context.sessions) as session:
        session.add(
            new_user(tenant="taian", username=username, role=Role.VIEWER, password_hash=hash_password(NEW_PASSWORD))
        )
    signed_in = await sign_in(app, username, NEW_PASSWORD)
    assert signed_in.status_code == 201
    async with owner_transaction(context.sessions) as session:
        await (await session.connection()).execute(text("DELETE FROM users WHERE username = :u"), {"u": username})
    sessions.CACHE.forget(username)  # as another process would see it once its cache entry expired
    response = await client.get("/api/me", headers=bearer(signed_in.json()["accessToken"]))
    assert response.status_code == 401


async def test_one_time_password_flow(auth: Auth, app: Litestar, client: httpx.AsyncClient) -> None:
    created = await create(auth, app, "jinan-admin", "jinan", role="viewer")
    signed_in = await sign_in(app, created["username"], created["initialPassword"])
    assert signed_in.status_code == 201
    assert signed_in.json()["user"] == {
        "username": created["username"],
        "tenant": "jinan",
        "role": "viewer",
        "mustChangePassword": True,
    }
    headers = bearer(signed_in.json()["accessToken"])
    for path in ("/api/tenants/jinan/streets", "/api/tenants", "/api/tenants/qingdao/streets"):
        blocked = await client.get(path, headers=headers)
        assert blocked.status_code == 403, path
        assert "新密码" in blocked.json()["detail"]
        assert "new password" in blocked.json()["detail"]
    me = await client.get("/api/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["mustChangePassword"] is True

    weak = await client.post(
        "/api/auth/password",
        json={"currentPassword": created["initialPassword"], "newPassword": "password123"},
        headers=headers,
    )
    assert weak.status_code == 422
    wrong = await client.post(
        "/api/auth/password", json={"currentPassword": "not-it-at-all", "newPassword": NEW_PASSWORD}, headers=headers
    )
    assert wrong.status_code == 422
    assert "当前密码" in wrong.json()["detail"]
    changed = await client.post(
        "/api/auth/password",
        json={"currentPassword": created["initialPassword"], "newPassword": NEW_PASSWORD},
        headers=headers,
    )
    assert changed.status_code == 200
    assert "mustChangePassword" not in changed.json()["user"]
    fresh = bearer(changed.json()["accessToken"])
    assert (await client.get("/api/tenants/jinan/streets", headers=fresh)).status_code == 200
    # The one-time session ended with the change; the one-time password is gone too.
    assert (await client.get("/api/me", headers=headers)).status_code == 401
    assert (await sign_in(app, created["username"], created["initialPassword"])).status_code == 401
    assert (await sign_in(app, created["username"], NEW_PASSWORD)).status_code == 201


async def test_the_password_change_needs_a_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/password", json={"currentPassword": "a-b-c-d-e-f", "newPassword": NEW_PASSWORD}
    )
    assert response.status_code == 401


def test_the_cache_forgets_on_change_and_after_its_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    cache = SessionCache(ttl=3.0, max_entries=2)
    user = SessionUser(
        username="a",
        tenant="jinan",
        role="viewer",
        street_id=None,
        active=True,
        must_change_password=False,
        token_version=0,
    )
    cache.put("db1", "a", user)
    assert cache.get("db1", "a") == user
    assert cache.get("db2", "a") is MISSING
    now[0] += 3.5
    assert cache.get("db1", "a") is MISSING
    cache.put("db1", "a", user)
    cache.forget("a")
    assert cache.get("db1", "a") is MISSING
    for name in ("a", "b", "c"):
        cache.put("db1", name, None)
    assert cache.get("db1", "a") is MISSING  # emptied when full, never larger than its bound
    assert cache.get("db1", "c") is None
