"""Seed the tenant registry, each tenant's default configuration and the demo users (idempotent)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Final

from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.auth.passwords import hash_password
from services.models import Tenant, TenantConfig, User
from services.users.service import new_user
from tenants.context import Role
from tenants.registry import BUILTIN_TENANTS, TenantInfo


async def seed_tenants(session: AsyncSession, tenants: Iterable[TenantInfo] = BUILTIN_TENANTS) -> None:
    """Insert the tenants (parents first) and an empty configuration for each; existing rows stay."""
    for tenant in sorted(tenants, key=lambda t: t.parent is not None):
        await session.execute(
            insert(Tenant)
            .values(
                slug=tenant.slug,
                code=tenant.code,
                name_zh=tenant.name_zh,
                name_en=tenant.name_en,
                parent=tenant.parent,
            )
            .on_conflict_do_nothing(index_elements=["slug"])
        )
        await session.execute(insert(TenantConfig).values(tenant_id=tenant.slug, settings={}).on_conflict_do_nothing())


DEMO_DEPARTMENTS: Final = {
    "shandong-fgw": "development_reform",
    "shandong-czt": "finance",
    "shandong-scj": "market_regulation",
}
"""Shandong's partner departments (发展改革委, 财政厅, 市场监管局), one read-only demo account each."""


def demo_users(tenants: Iterable[TenantInfo] = BUILTIN_TENANTS) -> list[tuple[str, str, Role]]:
    """(username, tenant, role) of the demo: ``province`` and Shandong's department viewers, and ``X-admin`` /
    ``X-case`` for each city."""
    users: list[tuple[str, str, Role]] = []
    for tenant in tenants:
        if tenant.is_province:
            users.append(
                (
                    "province" if tenant.slug == "shandong" else f"{tenant.slug}-admin",
                    tenant.slug,
                    Role.PROVINCE_ADMIN,
                )
            )
            if tenant.slug == "shandong":
                users += [(username, tenant.slug, Role.DEPARTMENT_VIEWER) for username in DEMO_DEPARTMENTS]
        else:
            users.append((f"{tenant.slug}-admin", tenant.slug, Role.CITY_ADMIN))
            users.append((f"{tenant.slug}-case", tenant.slug, Role.CASEWORKER))
    return users


async def seed_users(
    session: AsyncSession,
    users: Iterable[tuple[str, str, Role]],
    password: str,
    street_ids: dict[str, int] | None = None,
) -> int:
    """Create the users that do not exist yet (with ``password``, not to be changed at first sign-in); returns
    how many were created."""
    users = list(users)
    existing = set(
        (await session.execute(User.__table__.select().with_only_columns(User.__table__.c.username))).scalars()  # type: ignore[attr-defined]
    )
    missing = [u for u in users if u[0] not in existing]
    if not missing:
        return 0
    # They share the password, so they share one (salted) hash of it: argon2 takes about 0.1 s a hash by design.
    password_hash = await asyncio.to_thread(hash_password, password)
    for username, tenant, role in missing:
        session.add(
            new_user(
                tenant=tenant,
                username=username,
                role=role,
                password_hash=password_hash,
                street_id=(street_ids or {}).get(username),
                department=DEMO_DEPARTMENTS.get(username) if role == Role.DEPARTMENT_VIEWER else None,
            )
        )
    return len(missing)
