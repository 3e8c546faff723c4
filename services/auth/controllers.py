"""``POST /api/auth/login``, ``POST /api/auth/password`` and ``GET /api/me``; the actor of each request."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.params import JSONBody
from litestar.security.jwt import JWTCookieAuth, Token

from infra.db import tenant_transaction
from services.auth import service
from services.auth.schemas import Login, LoginResult, Me, PasswordChange
from services.auth.service import LoginOutcome, SignedInUser, authenticate, sign_in_transaction
from services.auth.sessions import CACHE, MISSING, SessionUser, load_session_user
from services.context import AppContext
from services.deps import Caller, Db, app_context
from services.openapi import error_spec
from services.text import Text
from tenants.context import Actor, Role

PASSWORD_CHANGE_ALLOWED: Final = "password_change_allowed"  # noqa: S105 - a route option key
"""Route ``opt`` key: the route answers a user who must still replace its one-time password."""

MUST_CHANGE_PASSWORD: Final = Text(
    "请先设置新密码（POST /api/auth/password）后再使用系统",
    "a new password must be set first (POST /api/auth/password)",
)


def actor_me(actor: Caller) -> Me:
    return Me(
        username=actor.username,
        tenant=actor.tenant,
        role=actor.role,
        must_change_password=actor.must_change_password,
    )


def session_cookie(request: Request[Any, Any, Any], user: SignedInUser) -> tuple[str, Cookie]:
    """A new token of ``user``, and the HttpOnly, SameSite=Lax cookie that carries it for the pages."""
    context = app_context(request)
    auth: JWTCookieAuth[Actor, Token] = request.app.state.auth
    token = auth.create_token(
        identifier=user.username,
        token_expiration=timedelta(minutes=context.settings.token_minutes),
        token_extras={"tenant": user.tenant, "role": user.role, "ver": user.token_version},
    )
    cookie = Cookie(
        key=auth.key,
        value=f"Bearer {token}",
        max_age=context.settings.token_minutes * 60,
        httponly=True,
        samesite="lax",
        path="/",
    )
    return token, cookie


async def check_sign_in(
    request: Request[Any, Any, Any], username: str, password: str
) -> tuple[LoginOutcome, SignedInUser | None, int]:
    """The one sign-in check of the API and the pages: throttled per name and per client address."""
    context = app_context(request)
    address = request.client.host if request.client else "unknown"
    return await authenticate(
        lambda: sign_in_transaction(context.sessions), context.settings, username, password, address
    )


def signed_in(request: Request[Any, Any, Any], user: SignedInUser, status_code: int) -> Response[LoginResult]:
    """The token of ``user`` in the body and in the pages' cookie."""
    token, cookie = session_cookie(request, user)
    result = LoginResult(
        access_token=token,
        token_type="Bearer",  # noqa: S106 - the token type, not a secret
        user=Me(
            username=user.username,
            tenant=user.tenant,
            role=user.role,
            must_change_password=user.must_change_password,
        ),
    )
    return Response(result, status_code=status_code, cookies=[cookie])


class AuthController(Controller):
    path = "/api"
    tags = ["auth"]

    @post(
        "/auth/login",
        exclude_from_auth=True,
        status_code=201,
        summary="登录 / sign in",
        description="一次性密码登录后 `user.mustChangePassword` 为 true，需先修改密码 / after signing in with a "
        "one-time password `user.mustChangePassword` is true and the password must be changed first.",
        responses={
            401: error_spec("用户名或密码错误，或账号已停用 / wrong user name or password, or the account is disabled"),
            429: error_spec("登录失败次数过多（按用户名或来源地址），见 Retry-After / too many failed sign-ins"),
            503: error_spec("同时登录请求过多，见 Retry-After / too many sign-ins at once"),
        },
    )
    async def login(self, request: Request[Any, Any, Any], data: JSONBody[Login]) -> Response[LoginResult]:
        outcome, user, wait = await check_sign_in(request, data.username, data.password)
        if outcome is LoginOutcome.LOCKED:
            raise HTTPException(
                status_code=429,
                detail=f"登录失败次数过多，请 {wait} 秒后再试 / too many failed sign-ins, retry in {wait} s",
                headers={"Retry-After": str(wait)},
            )
        if outcome is LoginOutcome.DISABLED:
            raise NotAuthorizedException(str(Text("账号已停用", "this account is disabled")))
        if user is None:
            raise NotAuthorizedException("用户名或密码错误 / wrong username or password")
        return signed_in(request, user, 201)

    @post(
        "/auth/password",
        status_code=200,
        opt={PASSWORD_CHANGE_ALLOWED: True},
        summary="修改密码 / set a new password",
        description="成功后其他会话失效，响应带新的令牌 / other sessions end; the answer carries a new token.",
        responses={
            422: error_spec("当前密码错误，或新密码不符合要求 / wrong current password, or a weak new one"),
            503: error_spec("同时进行的密码校验过多，见 Retry-After / too many password checks at once"),
        },
    )
    async def change_password(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        actor: Caller,
        data: JSONBody[PasswordChange],
    ) -> Response[LoginResult]:
        user = await service.change_password(db, actor, actor.tenant, data.current_password, data.new_password)
        return signed_in(request, user, 200)

    @get("/me", opt={PASSWORD_CHANGE_ALLOWED: True}, summary="当前用户 / the signed-in user")
    async def me(self, actor: Caller) -> Me:
        return actor_me(actor)


async def _session_user(context: AppContext, tenant: str, username: str) -> SessionUser | None:
    cached = CACHE.get(context.database_url, username)
    if cached is not MISSING:
        return cached  # type: ignore[return-value]
    async with tenant_transaction(context.sessions, (tenant,), ()) as session:
        user = await load_session_user(session, tenant, username)
    CACHE.put(context.database_url, username, user)
    return user


async def retrieve_actor(token: Token, connection: Any) -> Actor | None:
    """The actor of a validly signed token while its user exists, is active and has the token's version."""
    context: AppContext = connection.app.state.context
    extras = token.extras
    tenant = str(extras.get("tenant", ""))
    try:
        version = int(extras.get("ver", 0))
        if context.directory.get(tenant) is None:
            return None
        user = await _session_user(context, tenant, token.sub)
        if user is None or user.tenant != tenant or not user.active or user.token_version != version:
            return None
        role = Role(user.role)
    except (TypeError, ValueError):
        return None
    if user.must_change_password and not connection.route_handler.opt.get(PASSWORD_CHANGE_ALLOWED):
        raise PermissionDeniedException(str(MUST_CHANGE_PASSWORD))
    actor = context.directory.actor(username=user.username, tenant=tenant, role=role, street_id=user.street_id)
    return msgspec.structs.replace(actor, must_change_password=user.must_change_password)
