"""Tenant configuration: read with defaults, replace with an audit row."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from services.audit.service import record
from services.errors import NotFoundError
from services.models import TenantConfig
from tenants.config import TenantSettings, settings_from_json, settings_to_json
from tenants.context import Actor
from tenants.ids import TenantId


async def get_settings(session: AsyncSession, tenant: TenantId) -> TenantSettings:
    row = await session.get(TenantConfig, tenant)
    return settings_from_json(row.settings if row is not None else {})


async def replace_settings(
    session: AsyncSession, actor: Actor, tenant: TenantId, settings: TenantSettings
) -> TenantSettings:
    row = await session.get(TenantConfig, tenant, with_for_update=True)
    if row is None:
        raise NotFoundError(f"租户 {tenant} 没有配置 / tenant {tenant} has no configuration")
    before = dict(row.settings)
    row.settings = settings_to_json(settings)
    row.updated_at = datetime.now(UTC)
    await record(session, actor, tenant, "tenant.configure", "tenant_config", tenant, before=before, after=row.settings)
    return settings
