"""Sign-in under attack: unknown names cost a hash, throttling per address, bounded input and CPU."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

import httpx
import pytest
from argon2 import PasswordHasher
from litestar import Litestar
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from infra.db import owner_transaction, tenant_transaction
from services.auth import passwords
from services.auth.service import sign_in_transaction
from services.context import AppContext
from tests.conftest import PASSWORD, Auth, asgi_transport
from tests.polling import eventually
from tests.users.helpers import unique


@asynccontextmanager
async def from_address(app: Litestar, host: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests come from ``host``."""
    transport = asgi_transport(app, client=(host, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://jiequ.test") as client:
        yield client


async def login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/api/auth/login", json={"username": username, "password": password})


async def test_an_unknown_name_is_checked_against_a_hash_like_a_known_one(
    app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            checked.append(str(hash))
            return super().verify(hash, password)

    monkeypatch.setattr(passwords, "_hasher", Counting())
    async with from_address(app, "198.51.100.1") as client:
        unknown = await login(client, unique("nobody"), "whatever-it-is")
        wrong = await login(client, "rizhao-case", "whatever-it-is")
    assert (unknown.status_code, wrong.status_code) == (401, 401)
    assert unknown.json()["detail"] == wrong.json()["detail"]
    assert len(checked) == 2
    assert checked[0] == passwords._dummy_hash()
    assert checked[1] != passwords._dummy_hash()
    assert checked[0].split("$")[:4] == checked[1].split("$")[:4]  # same algorithm and cost


async def test_failures_from_one_address_lock_that_address_for_every_name(app: Litestar, context: AppContext) -> None:
    limit = context.settings.login_max_failures * 4
    async with from_address(app, "203.0.113.7") as attacker:
        for _ in range(limit):
            assert (await login(attacker, unique("guess"), "Guess-password-1")).status_code == 401
        locked = await login(attacker, "binzhou-admin", PASSWORD)
        assert locked.status_code == 429
        assert int(locked.headers["retry-after"]) > 0
    async with from_address(app, "203.0.113.8") as neighbour:
        assert (await login(neighbour, "binzhou-admin", PASSWORD)).status_code == 201


async def test_the_throttle_keeps_fixed_length_keys_never_the_names(app: Litestar, context: AppContext) -> None:
    long_name = "n" * 150
    async with from_address(app, "198.51.100.2") as client:
        assert (await login(client, long_name, "Guess-password-1")).status_code == 401
    async with owner_transaction(context.sessions) as session:
        keys = list((await (await session.connection()).execute(text("SELECT username FROM login_throttle"))).scalars())
    assert keys
    assert not [key for key in keys if long_name in key or "198.51.100.2" in key]
    assert max(len(key) for key in keys if key.startswith(("name:", "addr:"))) <= 80


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "x" * 10_000, "password": "p"}, "username"),
        ({"username": "jinan\x00admin", "password": "p"}, "username"),
        ({"username": "jinan-admin", "password": "p" * 1025}, "password"),
        ({"username": "", "password": "p"}, "username"),
    ],
)
async def test_oversized_or_broken_sign_in_input_is_400_not_500(
    app: Litestar, payload: dict[str, Any], field: str
) -> None:
    async with from_address(app, "198.51.100.3") as client:
        response = await client.post("/api/auth/login", json=payload)
    assert response.status_code == 400
    assert field in response.text


async def test_a_disabled_user_cannot_sign_in_even_with_its_password(app: Litestar, context: AppContext) -> None:
    async with owner_transaction(context.sessions) as session:
        await (await session.connection()).execute(
            text("UPDATE users SET active = false WHERE username = 'zaozhuang-case'")
        )
    try:
        async with from_address(app, "198.51.100.4") as client:
            response = await login(client, "zaozhuang-case", PASSWORD)
        assert response.status_code == 401
        assert "停用" in response.json()["detail"]
    finally:
        async with owner_transaction(context.sessions) as session:
            await (await session.connection()).execute(
                text("UPDATE users SET active = true WHERE username = 'zaozhuang-case'")
            )


async def test_a_burst_of_sign_ins_beyond_the_queue_is_503_while_the_api_answers(
    app: Litestar, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = await auth.headers("jinan-admin")  # signed in before the gate is narrowed
    release = threading.Event()
    verify = passwords._verify

    def held(password_hash: str | None, password: str) -> bool:
        release.wait(30)
        return verify(password_hash, password)

    monkeypatch.setattr(passwords, "GATE", passwords._Gate(slots=1, max_waiting=1))
    monkeypatch.setattr(passwords, "_verify", held)
    async with from_address(app, "198.51.100.5") as client:
        running = asyncio.create_task(login(client, "yantai-admin", PASSWORD))
        waiting = asyncio.create_task(login(client, "yantai-case", PASSWORD))
        # The gate has no event to wait on: it is polled.
        await eventually(lambda: passwords.GATE.waiting, lambda waiting: waiting >= 1, timeout=30, interval=0.01)
        refused = await login(client, "weifang-admin", PASSWORD)
        assert refused.status_code == 503
        assert int(refused.headers["retry-after"]) > 0
        assert "稍后" in refused.json()["detail"]
        # The rest of the API is not starved by the held checks.
        assert (await client.get("/api/me", headers=headers)).status_code == 200
        release.set()
        assert [(await task).status_code for task in (running, waiting)] == [201, 201]


async def test_only_the_sign_in_role_may_look_users_up(context: AppContext) -> None:
    async with sign_in_transaction(context.sessions) as session:
        connection = await session.connection()
        row = (await connection.execute(text("SELECT * FROM auth_find_user('jinan-admin')"))).mappings().one()
    assert set(row) == {"tenant_id", "role", "password_hash", "active", "must_change_password", "token_version"}
    assert row["tenant_id"] == "jinan"
    for statement in ("SELECT * FROM auth_find_user('jinan-admin')", "SELECT count(*) FROM login_throttle"):
        with pytest.raises(DBAPIError, match="permission denied"):
            async with tenant_transaction(context.sessions, ["jinan"], ["jinan"]) as session:
                await (await session.connection()).execute(text(statement))
