"""``POST /api/auth/login`` and ``GET /api/me``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.security.jwt import JWTCookieAuth, Token

from infra.db import tenant_transaction
from services.auth.schemas import Login, LoginResult, Me
from services.auth.service import LoginOutcome, authenticate
from services.context import AppContext
from services.deps import app_context
from tenants.context import Actor, Role


def actor_me(actor: Actor) -> Me:
    return Me(username=actor.username, tenant=actor.tenant, role=actor.role)


class AuthController(Controller):
    path = "/api"
    tags = ["auth"]

    @post("/auth/login", exclude_from_auth=True, status_code=201, summary="登录 / sign in")
    async def login(self, request: Request[Any, Any, Any], data: Login) -> Response[LoginResult]:
        context = app_context(request)
        # Its own transaction: a failed attempt must be counted even though the request fails.
        async with tenant_transaction(context.sessions, (), ()) as session:
            outcome, user, wait = await authenticate(session, context.settings, data.username, data.password)
        if outcome is LoginOutcome.LOCKED:
            raise HTTPException(
                status_code=429,
                detail=f"登录失败次数过多，请 {wait} 秒后再试 / too many failed sign-ins, retry in {wait} s",
                headers={"Retry-After": str(wait)},
            )
        if user is None:
            raise NotAuthorizedException("用户名或密码错误 / wrong username or password")
        auth: JWTCookieAuth[Actor, Token] = request.app.state.auth
        token = auth.create_token(
            identifier=user.username,
            token_expiration=timedelta(minutes=context.settings.token_minutes),
            token_extras={"tenant": user.tenant, "role": user.role, "street": user.street_id},
        )
        result = LoginResult(
            access_token=token,
            token_type="Bearer",  # noqa: S106 - the token type, not a secret
            user=Me(username=user.username, tenant=user.tenant, role=user.role),
        )
        response = Response(result, status_code=201)
        response.set_cookie(
            key=auth.key,
            value=f"Bearer {token}",
            max_age=context.settings.token_minutes * 60,
            httponly=True,
            samesite="lax",
            path="/",
        )
        return response

    @get("/me", summary="当前用户 / the signed-in user")
    async def me(self, actor: Actor) -> Me:
        return actor_me(actor)


async def retrieve_actor(token: Token, connection: Any) -> Actor | None:
    """Rebuild the actor from the token's claims and the tenant directory (no query per request)."""
    context: AppContext = connection.app.state.context
    extras = token.extras
    try:
        role = Role(str(extras.get("role")))
    except ValueError:
        return None
    tenant = str(extras.get("tenant", ""))
    if context.directory.get(tenant) is None:
        return None
    street = extras.get("street")
    return context.directory.actor(
        username=token.sub, tenant=tenant, role=role, street_id=int(street) if street else None
    )
