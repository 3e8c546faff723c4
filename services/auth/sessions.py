"""Sessions end with their users: each request's token is checked against its user's row, cached for seconds.

A token names its user, tenant and token version. A request is admitted only while that user exists, is
active and still has that version (disabling it or changing its password increments the version). The
row is cached per process for ``TTL_SECONDS``; a change made in this process drops the entry when its
transaction commits, so there it takes effect on the very next request, and elsewhere within the TTL.
"""

from __future__ import annotations

import time
from typing import Any, Final

import msgspec
from sqlalchemy import event
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.models import User

TTL_SECONDS: Final = 3.0
MAX_ENTRIES: Final = 10_000


class SessionUser(msgspec.Struct, frozen=True, kw_only=True):
    """What each request needs of its user's row."""

    username: str
    tenant: str
    role: str
    street_id: int | None
    active: bool
    must_change_password: bool
    token_version: int


async def load_session_user(session: AsyncSession, tenant: str, username: str) -> SessionUser | None:
    """The row of ``username`` in ``tenant`` (the transaction may read only that tenant), or None."""
    query = select(User).where(col(User.tenant_id) == tenant, col(User.username) == username)
    row = (await session.exec(query)).one_or_none()
    if row is None:
        return None
    return SessionUser(
        username=row.username,
        tenant=row.tenant_id,
        role=row.role,
        street_id=row.street_id,
        active=row.active,
        must_change_password=row.must_change_password,
        token_version=row.token_version,
    )


class _Missing:
    pass


MISSING: Final = _Missing()


class SessionCache:
    """Users' rows by (database, name) for a few seconds; bounded, and emptied when full."""

    def __init__(self, ttl: float = TTL_SECONDS, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, dict[str, tuple[float, SessionUser | None]]] = {}
        self._size = 0

    def get(self, scope: str, username: str) -> SessionUser | _Missing | None:
        entry = self._entries.get(username, {}).get(scope)
        if entry is None or entry[0] < time.monotonic():
            return MISSING
        return entry[1]

    def put(self, scope: str, username: str, user: SessionUser | None) -> None:
        if self._size >= self.max_entries:
            self.clear()
        by_scope = self._entries.setdefault(username, {})
        if scope not in by_scope:
            self._size += 1
        by_scope[scope] = (time.monotonic() + self.ttl, user)

    def forget(self, username: str) -> None:
        self._size -= len(self._entries.pop(username, {}))

    def clear(self) -> None:
        self._entries.clear()
        self._size = 0


CACHE = SessionCache()
"""The process's cache."""


def forget_after_commit(session: AsyncSession, username: str) -> None:
    """Drop ``username``'s cached row now and again when ``session`` commits (a request reading it between
    the two would otherwise cache the row as it was before the change)."""
    CACHE.forget(username)

    def forget(_: Any) -> None:
        CACHE.forget(username)

    event.listen(session.sync_session, "after_commit", forget, once=True)
