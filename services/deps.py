"""Request dependencies: the actor, its transaction under RLS, the tenant of the path."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from sqlmodel.ext.asyncio.session import AsyncSession

from infra.db import tenant_transaction
from services.context import AppContext
from services.errors import DATABASE
from tenants.context import Actor, Role
from tenants.ids import TenantId
from tenants.resolver import resolve


def app_context(request: Request[Any, Any, Any]) -> AppContext:
    context: AppContext = request.app.state.context
    return context


def request_id(request: Request[Any, Any, Any]) -> str:
    """The caller's ``X-Request-ID`` when it sent one, otherwise a new one; audit rows carry it."""
    return request.headers.get("x-request-id") or uuid.uuid4().hex


async def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    user = request.user
    if not isinstance(user, Actor):
        raise NotAuthorizedException("需要登录 / authentication required")
    return msgspec.structs.replace(user, request_id=request_id(request))


async def provide_db(request: Request[Any, Any, Any], actor: Actor) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: it commits when the handler returns and rolls back when it raises."""
    context = app_context(request)
    async with tenant_transaction(context.sessions, actor.read_ids, actor.write_ids) as session:
        context.outages.answered(DATABASE)  # the transaction began: the database answers (again)
        yield session


async def provide_tenant(actor: Actor, tenant: str) -> TenantId:
    """The path's tenant, if the caller may see it (another tenant answers 404)."""
    return resolve(actor, tenant)


def requires(*roles: Role) -> Any:
    """A guard admitting only ``roles`` (403 otherwise; 401 stays with the auth middleware)."""
    allowed: Sequence[str] = [str(role) for role in roles]

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = connection.user
        if not isinstance(user, Actor) or user.role not in allowed:
            names = ", ".join(allowed)
            raise PermissionDeniedException(f"角色无权执行此操作 / this action needs one of the roles: {names}")

    return guard
