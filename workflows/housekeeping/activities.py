"""Housekeeping activities: delete stale sign-in throttle rows; bring the province reports' summary up to date
ahead of the readers; verify the audit trail's hash chains and tell the province of a break."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import msgspec
from sqlalchemy import delete, or_
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity

from infra.db import owner_transaction
from services.audit.chain import verify
from services.context import AppContext
from services.models import LoginThrottle
from services.notifications import messages
from services.notifications.service import send
from services.province_report.service import refresh_summary
from workflows.heartbeats import heartbeating
from workflows.tenancy import system_transaction


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


class RefreshInput(msgspec.Struct, frozen=True, kw_only=True):
    day: date
    """Today in China: its year is the running one, whose figures count up to this day."""


class ReportActivities:
    def __init__(self, context: AppContext) -> None:
        self.context = context

    @activity.defn(name="refresh_report_summaries")
    @heartbeating
    async def refresh_report_summaries(self, params: RefreshInput) -> int:
        """Recompute every province's stale streets of the running year; how many were recomputed.

        Statement triggers mark a street stale when its data changes, and a report recomputes its stale
        streets itself; done at night, the day's first report finds almost nothing left to recompute.
        Idempotent: a second run finds nothing stale. One transaction per province, as its system actor.
        """
        directory, refreshed = self.context.directory, 0
        for province in (tenant for tenant in directory.all() if tenant.is_province):
            async with system_transaction(self.context, province.slug) as (session, _):
                actor = directory.system_actor(province.slug)
                refreshed += await refresh_summary(
                    session, actor, directory, province.slug, params.day.year, today=params.day
                )
            activity.heartbeat(province.slug)
        return refreshed


class AuditActivities:
    def __init__(self, context: AppContext) -> None:
        self.context = context

    @activity.defn(name="verify_audit_chains")
    @heartbeating
    async def verify_audit_chains(self) -> tuple[str, ...]:
        """Recompute every tenant's audit chain; the tenants whose chain is broken, each reported once to
        the admins of its province (the notice's key names the broken row, so a retry or the next night
        adds nothing until another row breaks)."""
        async with owner_transaction(self.context.sessions) as session:
            reports = await verify(session)
        directory, broken = self.context.directory, []
        for report in reports:
            if report.broken is None:
                continue
            broken.append(report.tenant)
            info = directory.get(report.tenant)
            province = (info.parent or info.slug) if info is not None else None
            if province is None:
                continue
            name = info.name_zh if info is not None else report.tenant
            message = messages.audit_broken(name, report.broken.describe(report.tenant))
            key = messages.audit_broken_key(report.tenant, report.broken.row_id)
            async with system_transaction(self.context, province) as (session, tenant):
                await send(session, tenant, ("province_admins",), message, key)
            activity.heartbeat(report.tenant)
        return tuple(broken)
