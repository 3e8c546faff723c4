"""Request dependencies: the actor, its transaction under RLS, the tenant of the path."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, PathParameter
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client

from infra.db import tenant_transaction
from services.context import AppContext
from services.errors.outages import DATABASE
from tenants.context import Actor, Role
from tenants.ids import TenantId
from tenants.resolver import resolve

Db = NamedDependency[AsyncSession]
"""A handler's transaction under row-level security (the ``db`` dependency)."""
Caller = NamedDependency[Actor]
"""The signed-in actor of the request (the ``actor`` dependency)."""
Tenant = NamedDependency[TenantId]
"""The path's tenant, checked against the actor (the ``tenant_id`` dependency)."""
TemporalConnect = Callable[[], Awaitable[Client]]
"""How a handler reaches Temporal: awaited, the application's one client."""
Temporal = NamedDependency[TemporalConnect]
"""The application's Temporal client, awaited where the handler needs it (the ``temporal`` dependency): it connects
on first use, and answers 503 while Temporal is unreachable, after the request's own input has been checked."""


@dataclass(frozen=True)
class TenantScope:
    """A request under the tenant of its path: its transaction under row-level security, the caller, and the
    tenant, which the resolver has checked against the caller (another tenant answers 404). The API's handlers
    take it as ``at``; a city's pages take :class:`services.web.scope.CityScope`, which extends it."""

    request: Request[Any, Any, Any]
    db: AsyncSession
    actor: Actor
    tenant_id: TenantId

    @property
    def context(self) -> AppContext:
        return app_context(self.request)


At = NamedDependency[TenantScope]
"""The ``at`` dependency: the request's transaction, its caller and the tenant of its path."""

Province = FromPath[str]
"""The ``{province}`` of a province's path, as given: the handler resolves it against the actor."""
Username = Annotated[str, PathParameter(max_length=150, description="用户名 / user name")]
"""The ``{username}`` of a user's path (the API's and the accounts page's)."""


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


@contextlib.asynccontextmanager
async def request_transaction(request: Request[Any, Any, Any], actor: Actor) -> AsyncIterator[AsyncSession]:
    """The request's unit of work under ``actor``'s tenants: it commits when the handler returns and rolls back
    when it raises."""
    context = app_context(request)
    async with tenant_transaction(context.sessions, actor.read_ids, actor.write_ids) as session:
        context.outages.answered(DATABASE)  # the transaction began: the database answers (again)
        yield session


async def provide_db(request: Request[Any, Any, Any], actor: Caller) -> AsyncIterator[AsyncSession]:
    """The request's unit of work (:func:`request_transaction`), for the handlers whose path names no tenant."""
    async with request_transaction(request, actor) as session:
        yield session


async def provide_temporal(request: Request[Any, Any, Any]) -> TemporalConnect:
    """How the handlers that start, signal or query workflows reach Temporal: the one client of the application."""
    return app_context(request).temporal


async def provide_tenant(actor: Caller, tenant: FromPath[str]) -> TenantId:
    """The path's tenant, if the caller may see it (another tenant answers 404)."""
    return resolve(actor, tenant)


async def provide_scope(
    request: Request[Any, Any, Any], actor: Caller, tenant: FromPath[str]
) -> AsyncIterator[TenantScope]:
    """The path's tenant checked against the caller (another tenant answers 404 before a transaction begins), then
    the request's transaction."""
    tenant_id = resolve(actor, tenant)
    async with request_transaction(request, actor) as db:
        yield TenantScope(request, db, actor, tenant_id)


def requires(*roles: Role, province: bool = False) -> Any:
    """A guard admitting only ``roles`` (any role when none is named) and, with ``province``, only users whose
    own tenant is a province: 403 otherwise, 401 without a signed-in user."""
    allowed: Sequence[str] = [str(role) for role in roles]

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.scope.get("method") == "OPTIONS":
            return  # the automatic OPTIONS answer shows only the allowed methods, and runs unauthenticated
        user = connection.scope.get("user")
        if not isinstance(user, Actor):
            raise NotAuthorizedException("需要登录 / authentication required")
        if province and not user.province:
            raise PermissionDeniedException("仅省级用户可访问 / for province users only")
        if allowed and user.role not in allowed:
            names = ", ".join(allowed)
            raise PermissionDeniedException(f"角色无权执行此操作 / this action needs one of the roles: {names}")

    return guard


PROVINCE_READERS = requires(Role.PROVINCE_ADMIN, Role.VIEWER, Role.DEPARTMENT_VIEWER, province=True)
"""The province's own readers of its cross-city figures: its admin, and a viewer or department viewer whose tenant
is the province."""

STREET_DATA_WRITERS = requires(Role.CITY_ADMIN, Role.OPERATOR)
"""The guard of every route writing a street's data: the city admin, or an operator (``street_of`` then
admits only its own street)."""
