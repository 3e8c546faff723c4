"""Sign-in and the password change.

Sign-in looks the user up through ``auth_find_user`` as the sign-in role (the only role allowed to), checks
the password (a dummy hash for an unknown name, so both take as long), and throttles repeated failures
per user name and per client address. The password check runs between two short transactions, so a
queue of slow checks never holds database connections or throttle rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final

import msgspec
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from infra.db import owner_transaction
from infra.rls import AUTH_ROLE
from infra.settings import Settings
from services.audit.service import record
from services.auth.passwords import check_policy, hash_password_async, verify_password
from services.auth.sessions import forget_after_commit
from services.errors import InvalidError, NotFoundError
from services.models import LoginThrottle, User
from services.text import Text
from tenants.context import Actor
from tenants.ids import TenantId

ADDRESS_FAILURES_FACTOR: Final = 4
"""An address may fail this many times the per-name limit: one office's people share one address."""

_FIND_USER = text(
    "SELECT tenant_id, role, password_hash, active, must_change_password, token_version FROM auth_find_user(:u)"
)


class SignedInUser(msgspec.Struct, frozen=True, kw_only=True):
    username: str
    tenant: str
    role: str
    must_change_password: bool
    token_version: int


class LoginOutcome(StrEnum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"
    DISABLED = "disabled"


@asynccontextmanager
async def sign_in_transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A unit of work as the sign-in role, which sees the throttle and the lookup function and nothing else."""
    async with owner_transaction(sessions) as session:
        connection = await session.connection()
        await connection.execute(text("SELECT set_config('role', :role, true)"), {"role": AUTH_ROLE})
        yield session


def throttle_key(kind: str, value: str) -> str:
    """The fixed-length key of a name or an address in the throttle table."""
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


async def authenticate(
    unit_of_work: Callable[[], AbstractAsyncContextManager[AsyncSession]],
    settings: Settings,
    username: str,
    password: str,
    address: str,
) -> tuple[LoginOutcome, SignedInUser | None, int]:
    """Check a sign-in from ``address``. Returns the outcome, the user on success, and the seconds to wait
    when the name or the address is locked. Each ``unit_of_work()`` is one committed transaction: a failed
    attempt is counted although the request fails.
    """
    limits = {
        throttle_key("name", username): settings.login_max_failures,
        throttle_key("addr", address): settings.login_max_failures * ADDRESS_FAILURES_FACTOR,
    }
    async with unit_of_work() as session:
        now = datetime.now(UTC)
        rows = (await session.exec(select(LoginThrottle).where(col(LoginThrottle.key).in_(limits)))).all()
        wait = max(
            (
                int((row.locked_until - now).total_seconds()) + 1
                for row in rows
                if row.locked_until and row.locked_until > now
            ),
            default=0,
        )
        if wait:
            return LoginOutcome.LOCKED, None, wait
        connection = await session.connection()
        found = (await connection.execute(_FIND_USER, {"u": username})).mappings().first()

    if found is not None and await verify_password(found["password_hash"], password):
        if not found["active"]:
            return LoginOutcome.DISABLED, None, 0
        async with unit_of_work() as session:
            await session.exec(
                LoginThrottle.__table__.delete().where(  # type: ignore[attr-defined]
                    LoginThrottle.__table__.c.username == throttle_key("name", username)  # type: ignore[attr-defined]
                )
            )
        user = SignedInUser(
            username=username,
            tenant=found["tenant_id"],
            role=found["role"],
            must_change_password=found["must_change_password"],
            token_version=found["token_version"],
        )
        return LoginOutcome.OK, user, 0
    if found is None:
        # Unknown names are verified too, against a dummy hash, so the answer takes as long.
        await verify_password(None, password)

    async with unit_of_work() as session:
        await _count_failure(session, settings, limits)
    return LoginOutcome.BAD_CREDENTIALS, None, 0


async def _count_failure(session: AsyncSession, settings: Settings, limits: dict[str, int]) -> None:
    """One more failure for each key; a key reaching its limit is locked for the window."""
    now = datetime.now(UTC)
    window = timedelta(seconds=settings.login_lockout_seconds)
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    for key in sorted(limits):  # in key order, so two sign-ins never wait for each other's rows in a cycle
        await session.exec(insert(table).values(username=key, failures=0, first_failed_at=now).on_conflict_do_nothing())
        throttle = await session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
        assert throttle is not None  # inserted just above, or there already
        served = throttle.locked_until is not None and throttle.locked_until <= now
        if throttle.first_failed_at is None or now - throttle.first_failed_at > window or served:
            # A new window after the previous one expired or after a served lockout.
            throttle.failures, throttle.first_failed_at, throttle.locked_until = 0, now, None
        throttle.failures += 1
        if throttle.failures >= limits[key] and throttle.locked_until is None:
            throttle.locked_until = now + window


async def change_password(
    session: AsyncSession, actor: Actor, tenant: TenantId, current_password: str, new_password: str
) -> SignedInUser:
    """Set the actor's own password; its other sessions end (the token version moves on)."""
    user = (
        await session.exec(
            select(User).where(col(User.tenant_id) == tenant, col(User.username) == actor.username).with_for_update()
        )
    ).one_or_none()
    if user is None:
        raise NotFoundError(Text("用户不存在", "no such user"))
    if not await verify_password(user.password_hash, current_password):
        raise InvalidError(Text("当前密码不正确", "the current password is wrong"))
    if new_password == current_password:
        raise InvalidError(Text("新密码不能与当前密码相同", "the new password must differ from the current one"))
    check_policy(actor.username, new_password)
    user.password_hash = await hash_password_async(new_password)
    user.must_change_password = False
    user.token_version += 1
    session.add(user)
    forget_after_commit(session, user.username)
    await record(session, actor, tenant, "user.password_changed", "user", user.username)
    return SignedInUser(
        username=user.username,
        tenant=user.tenant_id,
        role=user.role,
        must_change_password=False,
        token_version=user.token_version,
    )
