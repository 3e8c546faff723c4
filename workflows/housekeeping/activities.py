"""Housekeeping activities: delete stale sign-in throttle rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
from sqlalchemy import delete, or_
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity

from infra.db import owner_transaction
from services.models import LoginThrottle


class PurgeInput(msgspec.Struct, frozen=True):
    older_than_seconds: int = 24 * 3600


class HousekeepingActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    @activity.defn(name="purge_login_throttle")
    async def purge_login_throttle(self, params: PurgeInput) -> int:
        """Remove throttle rows whose window and lockout have long passed (idempotent by nature)."""
        cutoff = datetime.now(UTC) - timedelta(seconds=params.older_than_seconds)
        async with owner_transaction(self.sessions) as session:
            result = await session.execute(
                delete(LoginThrottle).where(
                    col(LoginThrottle.first_failed_at) < cutoff,
                    or_(col(LoginThrottle.locked_until).is_(None), col(LoginThrottle.locked_until) < cutoff),
                )
            )
        return int(getattr(result, "rowcount", 0) or 0)
