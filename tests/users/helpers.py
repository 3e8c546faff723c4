"""Users made through the API and signed in with their one-time password, for the account tests."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from litestar import Litestar
from sqlalchemy import text

from infra.db import owner_transaction
from services.context import AppContext
from tests.conftest import Auth, api_client, body

NEW_PASSWORD = "Lantern-river-2031"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def create(auth: Auth, app: Litestar, admin: str, tenant: str, **fields: Any) -> dict[str, Any]:
    """A user created by ``admin`` in ``tenant`` (201 expected); its JSON, with ``initialPassword``."""
    payload = {"username": unique(str(fields.get("role", "user")).replace("_", "-")), "displayName": "测试用户"}
    payload.update(fields)
    async with api_client(app) as client:
        response = await client.post(f"/api/tenants/{tenant}/users", json=payload, headers=await auth.headers(admin))
    assert response.status_code == 201, response.text
    return dict(body(response))


async def sign_in(app: Litestar, username: str, password: str) -> httpx.Response:
    async with api_client(app) as client:
        return await client.post("/api/auth/login", json={"username": username, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def ready_user(auth: Auth, app: Litestar, admin: str, tenant: str, **fields: Any) -> tuple[str, dict[str, str]]:
    """A created user that has replaced its one-time password: its name and its headers."""
    created = await create(auth, app, admin, tenant, **fields)
    first = await sign_in(app, created["username"], created["initialPassword"])
    assert first.status_code == 201, first.text
    async with api_client(app) as client:
        changed = await client.post(
            "/api/auth/password",
            json={"currentPassword": created["initialPassword"], "newPassword": NEW_PASSWORD},
            headers=bearer(first.json()["accessToken"]),
        )
    assert changed.status_code == 200, changed.text
    return created["username"], bearer(changed.json()["accessToken"])


async def audit_rows(context: AppContext, tenant: str, username: str) -> list[dict[str, Any]]:
    """The audit rows about user ``username`` in ``tenant``, oldest first."""
    async with owner_transaction(context.sessions) as session:
        connection = await session.connection()
        rows = await connection.execute(
            text(
                "SELECT actor, action, before, after FROM audit_log"
                " WHERE tenant_id = :t AND object_type = 'user' AND object_id = :u ORDER BY id"
            ),
            {"t": tenant, "u": username},
        )
        return [dict(row) for row in rows.mappings()]
