"""Who acts, on which tenant, and what the database lets that transaction read and write."""

from __future__ import annotations

from enum import StrEnum

import msgspec

from tenants.ids import TenantId


class Role(StrEnum):
    """The roles of API.md."""

    PROVINCE_ADMIN = "province_admin"
    CITY_ADMIN = "city_admin"
    CASEWORKER = "caseworker"
    OPERATOR = "operator"
    VIEWER = "viewer"
    DEPARTMENT_VIEWER = "department_viewer"
    """A province department (发展改革, 财政, 市场监管) reading the province's figures, read-only."""


SYSTEM_ACTOR = "system"
"""The actor name of automated work (schedules, workflows)."""


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """The caller of a request or the system in an activity, with the tenants it may touch.

    ``read_ids`` are the tenants whose rows its transactions may see (a province sees its cities);
    ``write_ids`` those it may change (only its own tenant). Both become ``app.tenant_ids`` and
    ``app.write_tenant_ids`` for row-level security.
    """

    username: str
    tenant: TenantId
    role: Role
    read_ids: tuple[TenantId, ...]
    write_ids: tuple[TenantId, ...]
    province: bool = False
    """Whether the actor's own tenant is a province (it then reads its cities, read-only)."""
    street_id: int | None = None
    """For an operator: the one street whose data it may write."""
    request_id: str | None = None
    must_change_password: bool = False
    """Signed in with a one-time password: every route but ``/api/me`` and the password change refuses it."""

    def can_read(self, tenant: str) -> bool:
        return tenant in self.read_ids

    def can_write(self, tenant: str) -> bool:
        return tenant in self.write_ids
