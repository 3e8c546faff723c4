"""Tenants, their configuration, users, login throttling and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, DateTime, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.models.base import key_part, optional, required, serial_key, tenant_key, tenant_table, timestamp


class Tenant(SQLModel, table=True):
    """A province or a city (租户). The registry itself: readable by all, owned by the schema owner."""

    __tablename__ = "tenants"

    slug: str = key_part(Text)
    code: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    name_zh: str = required(Text)
    name_en: str = required(Text)
    parent: str | None = Field(default=None, sa_column=Column(Text, ForeignKey("tenants.slug")))


class TenantConfig(SQLModel, table=True):
    """A tenant's own settings: follow-up cadences, report deadline, survey sample, webhook (租户配置)."""

    __tablename__ = tenant_table("tenant_configs")

    tenant_id: str = tenant_key()
    settings: dict[str, Any] = required(JSONB, default_factory=dict)
    updated_at: datetime = timestamp()


class User(SQLModel, table=True):
    """A person who signs in, belonging to one tenant with one role (用户)."""

    __tablename__ = tenant_table("users")
    __table_args__ = (UniqueConstraint("username", name="users_username_key"),)

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    username: str = required(Text)
    password_hash: str = required(Text)
    role: str = required(Text)
    display_name: str = required(Text, default="")
    street_id: int | None = optional(BigInteger)
    """For an operator, the street it runs; for a caseworker, the street it looks after, if any."""
    department: str | None = optional(Text)
    """For a department viewer, its province department (发展改革, 财政, 市场监管)."""
    active: bool = required(Boolean, default=True, server_default="true")
    """A disabled user can neither sign in nor use a token it already holds."""
    must_change_password: bool = required(Boolean, default=False, server_default="false")
    """Its password is a one-time one: every route but the password change refuses it until it sets its own."""
    token_version: int = required(Integer, default=0, server_default="0")
    """Carried in each token; disabling the user or changing its password increments it, ending its sessions."""
    created_at: datetime = timestamp()


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins per user name and per client address, so repeated guessing is slowed (no tenant: asked
    before login). Only the sign-in role reads and writes it."""

    __tablename__ = "login_throttle"

    # The column keeps its first name; it holds a fixed-length key (``name:`` or ``addr:`` and a hash), so
    # a flood of long or unknown names cannot grow a row beyond a few dozen bytes.
    key: str = Field(sa_column=Column("username", Text, primary_key=True))
    failures: int = 0
    first_failed_at: datetime | None = optional(DateTime(timezone=True))
    locked_until: datetime | None = optional(DateTime(timezone=True))


class AuditLog(SQLModel, table=True):
    """Append-only record of every change (审计日志); the database refuses UPDATE and DELETE."""

    __tablename__ = tenant_table("audit_log")
    __table_args__ = (Index("audit_log_object", "tenant_id", "object_type", "object_id"),)

    tenant_id: str = tenant_key()
    id: int | None = serial_key()
    actor: str = required(Text)
    action: str = required(Text)
    object_type: str = required(Text)
    object_id: str = required(Text)
    before: dict[str, Any] | None = optional(JSONB)
    after: dict[str, Any] | None = optional(JSONB)
    request_id: str | None = optional(Text)
    at: datetime = timestamp()
