"""Sign-in: look the user up, check the password, throttle repeated failures per username."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum

import msgspec
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from infra.settings import Settings
from services.auth.passwords import verify_password
from services.models import LoginThrottle


class SignedInUser(msgspec.Struct, frozen=True, kw_only=True):
    username: str
    tenant: str
    role: str
    street_id: int | None


class LoginOutcome(StrEnum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"


async def authenticate(
    session: AsyncSession, settings: Settings, username: str, password: str
) -> tuple[LoginOutcome, SignedInUser | None, int]:
    """Check a sign-in. Returns the outcome, the user on success, and the seconds to wait when locked.

    The failure count is written in the caller's transaction, which must commit even on failure.
    """
    now = datetime.now(UTC)
    throttle = await session.get(LoginThrottle, username, with_for_update=True)
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        return LoginOutcome.LOCKED, None, int((throttle.locked_until - now).total_seconds()) + 1

    row = (await session.execute(text("SELECT * FROM auth_find_user(:u)"), {"u": username})).mappings().first()
    if row is not None and await verify_password(row["password_hash"], password):
        if throttle is not None:
            await session.delete(throttle)
        user = SignedInUser(
            username=row["username"], tenant=row["tenant_id"], role=row["role"], street_id=row["street_id"]
        )
        return LoginOutcome.OK, user, 0

    window = timedelta(seconds=settings.login_lockout_seconds)
    if throttle is None:
        throttle = LoginThrottle(username=username, failures=0, first_failed_at=now)
        session.add(throttle)
    elif throttle.first_failed_at is None or now - throttle.first_failed_at > window or throttle.locked_until:
        # A new window after the previous one expired or after a served lockout.
        throttle.failures, throttle.first_failed_at, throttle.locked_until = 0, now, None
    throttle.failures += 1
    if throttle.failures >= settings.login_max_failures:
        throttle.locked_until = now + window
    return LoginOutcome.BAD_CREDENTIALS, None, 0
