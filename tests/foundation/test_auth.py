"""Sign-in, tokens, 401 against 403, throttling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import jwt
from litestar import Litestar

from tests.conftest import PASSWORD, Auth


async def test_login_right_gives_a_bearer_token_and_the_user(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/auth/login", json={"username": "jinan-admin", "password": PASSWORD})
    assert response.status_code == 201
    data = response.json()
    assert data["tokenType"] == "Bearer"
    assert data["user"] == {"username": "jinan-admin", "tenant": "jinan", "role": "city_admin"}
    me = await client.get("/api/me", headers={"Authorization": f"Bearer {data['accessToken']}"})
    assert me.json() == {"username": "jinan-admin", "tenant": "jinan", "role": "city_admin"}


async def test_login_wrong_password_and_unknown_user_are_401(client: httpx.AsyncClient) -> None:
    wrong = await client.post("/api/auth/login", json={"username": "qingdao-case", "password": "nope"})
    unknown = await client.post("/api/auth/login", json={"username": "nobody", "password": PASSWORD})
    assert wrong.status_code == 401
    assert unknown.status_code == 401
    assert "用户名或密码错误" in wrong.json()["detail"]


async def test_login_body_with_unknown_field_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/auth/login", json={"username": "a", "password": "b", "extra": 1})
    assert response.status_code == 400
    assert "extra" in response.text


async def test_no_token_bad_token_and_expired_token_are_401(app: Litestar, client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/me")).status_code == 401
    assert (await client.get("/api/me", headers={"Authorization": "Bearer not-a-jwt"})).status_code == 401
    past = datetime.now(UTC) - timedelta(seconds=5)
    expired = jwt.encode(
        {
            "sub": "jinan-admin",
            "exp": past,
            "iat": past - timedelta(hours=1),
            "extras": {"tenant": "jinan", "role": "city_admin"},
        },
        app.state.auth.token_secret,
        algorithm="HS256",
    )
    # The same claims unexpired are accepted, so the 401 above is the expiry's doing.
    fresh = app.state.auth.create_token(
        identifier="jinan-admin", token_extras={"tenant": "jinan", "role": "city_admin"}
    )
    assert (await client.get("/api/me", headers={"Authorization": f"Bearer {fresh}"})).status_code == 200
    response = await client.get("/api/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401


async def test_token_of_another_secret_is_401(client: httpx.AsyncClient) -> None:
    from litestar.security.jwt import Token  # noqa: PLC0415

    forged = Token(
        sub="province",
        exp=datetime.now(UTC) + timedelta(hours=1),
        extras={"tenant": "shandong", "role": "province_admin"},
    ).encode(secret="another-secret-" + "y" * 40, algorithm="HS256")
    assert (await client.get("/api/me", headers={"Authorization": f"Bearer {forged}"})).status_code == 401


async def test_cookie_from_login_authenticates_pages(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/auth/login", json={"username": "zibo-case", "password": PASSWORD})
    assert "jiequ_token" in response.cookies
    me = await client.get("/api/me")  # the client keeps the cookie; no Authorization header
    assert me.status_code == 200
    assert me.json()["username"] == "zibo-case"


async def test_repeated_failures_throttle_that_user_only(client: httpx.AsyncClient) -> None:
    # dongying-case signs in in no other test: it stays locked for the rest of the run.
    for _ in range(5):
        response = await client.post("/api/auth/login", json={"username": "dongying-case", "password": "bad"})
        assert response.status_code == 401
    locked = await client.post("/api/auth/login", json={"username": "dongying-case", "password": PASSWORD})
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    other = await client.post("/api/auth/login", json={"username": "dongying-admin", "password": PASSWORD})
    assert other.status_code == 201


async def test_wrong_role_is_403_not_401(auth: Auth, client: httpx.AsyncClient) -> None:
    """A signed-in user without the role gets 403; the audit listing is for admins only."""
    response = await client.get("/api/tenants/jinan/audit", headers=await auth.headers("jinan-case"))
    assert response.status_code == 403
    allowed = await client.get("/api/tenants/jinan/audit", headers=await auth.headers("jinan-admin"))
    assert allowed.status_code == 200
