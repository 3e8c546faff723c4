"""All SQLModel tables, in one package so migrations and relations are seen at once."""

from services.models.base import TENANT_TABLES, metadata
from services.models.core import AuditLog, LoginThrottle, Tenant, TenantConfig, User

__all__ = ["TENANT_TABLES", "AuditLog", "LoginThrottle", "Tenant", "TenantConfig", "User", "metadata"]
