"""Async engine and sessions; every tenant transaction runs as ``jiequ_app`` with its tenants set locally."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Final
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as _SQLAlchemySession
from sqlmodel.ext.asyncio.session import AsyncSession

APP_ROLE = "jiequ_app"
"""The role requests run as: not a superuser, not the owner, no BYPASSRLS (DESIGN.md, Tenancy)."""

_FIRST: Final = text("SELECT 1")
"""The owner's transactions' first statement: it finds a dropped connection before the caller's work begins."""
_SET_CONTEXT = text(
    "SELECT set_config('role', :role, true),"
    " set_config('app.tenant_ids', :read_ids, true),"
    " set_config('app.write_tenant_ids', :write_ids, true)"
)


def async_url(url: str) -> str:
    """Turn a plain ``postgresql://`` URL into the asyncpg dialect's URL."""
    parts = urlsplit(url)
    if parts.scheme in ("postgresql", "postgres"):
        parts = parts._replace(scheme="postgresql+asyncpg")
    return urlunsplit(parts)


def make_engine(url: str, *, pool_size: int = 30) -> AsyncEngine:
    """An async engine over asyncpg for the plain URL ``url``, holding at most ``pool_size`` connections.

    The pool opens connections as transactions need them and keeps them: a transaction past ``pool_size`` waits
    for one to come back. (A pool that opened "overflow" connections past its size closed each as it came back,
    so under steady load a request in five or six paid for a new connection: a new PostgreSQL backend with cold
    caches, and asyncpg's type set-up.)

    The pool does not test a connection before handing it out (a "pre-ping" costs three round trips per
    transaction: BEGIN, a query, ROLLBACK). A connection the server dropped meanwhile fails the transaction's
    first statement instead, and :func:`tenant_transaction` and :func:`owner_transaction` begin again, once, on
    a new connection.
    """
    return create_async_engine(async_url(url), pool_size=pool_size, max_overflow=0)


class Session(AsyncSession):
    """SQLModel's session with SQLAlchemy's own ``execute``: the services run Core statements and ``text()``,
    which SQLModel's ``exec`` does not take, so its warning against ``execute`` does not apply here."""

    execute = _SQLAlchemySession.execute


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (controllers read them afterwards)."""
    return async_sessionmaker(engine, class_=Session, expire_on_commit=False)


async def set_tenant_context(session: AsyncSession, read_ids: Iterable[str], write_ids: Iterable[str]) -> None:
    """Switch the current transaction to ``jiequ_app`` and the tenants it may read and write.

    ``set_config(..., true)`` is transaction-local: when the transaction ends the role and the
    tenant lists revert, so a pooled connection never carries one request's tenant into the next.
    """
    await session.execute(
        _SET_CONTEXT,
        {"role": APP_ROLE, "read_ids": ",".join(read_ids), "write_ids": ",".join(write_ids)},
    )


@asynccontextmanager
async def tenant_transaction(
    sessions: async_sessionmaker[AsyncSession], read_ids: Iterable[str], write_ids: Iterable[str]
) -> AsyncIterator[AsyncSession]:
    """One unit of work under row-level security: commits on success, rolls back on error."""
    async with _unit_of_work(sessions, lambda session: set_tenant_context(session, read_ids, write_ids)) as session:
        yield session


@asynccontextmanager
async def owner_transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A unit of work as the schema owner: migrations' neighbours only (seed at scale, maintenance)."""

    async def first(session: AsyncSession) -> None:
        await session.execute(_FIRST)

    async with _unit_of_work(sessions, first) as session:
        yield session


@asynccontextmanager
async def _unit_of_work(
    sessions: async_sessionmaker[AsyncSession], first: Callable[[AsyncSession], Awaitable[None]]
) -> AsyncIterator[AsyncSession]:
    """A session whose transaction began with ``first``; it commits when the block ends, rolls back on error."""
    session = await _begun(sessions, first)
    async with session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await session.commit()


async def _begun(
    sessions: async_sessionmaker[AsyncSession], first: Callable[[AsyncSession], Awaitable[None]]
) -> AsyncSession:
    """A new session after ``first``, its transaction's first statement. When that statement finds the pooled
    connection dropped by the server (a restart, a network cut), nothing has been done yet: the pool lets go of
    its connections and the transaction begins again, once, on a new one."""
    try:
        return await _begin_once(sessions, first)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
    return await _begin_once(sessions, first)


async def _begin_once(
    sessions: async_sessionmaker[AsyncSession], first: Callable[[AsyncSession], Awaitable[None]]
) -> AsyncSession:
    session = sessions()
    try:
        await first(session)
    except BaseException:
        await session.close()
        raise
    return session
