"""Shared column helpers and the list of tenant tables that row-level security covers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

from pydantic_core import PydanticUndefined
from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, ForeignKeyConstraint, Identity, Text
from sqlalchemy.types import TypeEngine
from sqlmodel import Field, SQLModel

metadata = SQLModel.metadata

ColumnType = TypeEngine[Any] | type[TypeEngine[Any]]
"""A column's type, as ``Column`` takes it: ``Text`` or ``DateTime(timezone=True)``."""

TENANT_TABLES: list[str] = []
"""Tables whose rows belong to one tenant; each is listed by :func:`tenant_table` as it is declared."""


REFERENCE_TABLES: Final = ("tenants", "users")
"""Tables copied whole to every node when the schema is distributed (Citus ``create_reference_table``): the
tenants, read by every query, and the users, whose names are unique across the country because a name alone
signs in (thousands of rows). Every other tenant table is distributed by ``tenant_id``."""


def tenant_table(name: str) -> str:
    """Register ``name`` as a tenant table (RLS enabled and forced by the migrations) and return it."""
    TENANT_TABLES.append(name)
    return name


# Tenant tables without a model: the province report's per-street tallies and their change counters,
# written in SQL by services/province_report and triggers (migration 0006). Listed here so that every tenant
# table is in TENANT_TABLES, which the deployment distributes by tenant (infra/deploy/README.md).
tenant_table("report_changes")
tenant_table("report_street_years")


def tenant_fk(columns: list[str], table: str, targets: list[str]) -> ForeignKeyConstraint:
    """A foreign key that always includes ``tenant_id``, so no row points into another tenant."""
    return ForeignKeyConstraint(["tenant_id", *columns], [f"{table}.tenant_id", *(f"{table}.{t}" for t in targets)])


def utcnow() -> datetime:
    return datetime.now(UTC)


def tenant_key() -> Any:
    """``tenant_id``: first column of every key, so the schema distributes by tenant (Citus)."""
    return Field(sa_column=Column(Text, ForeignKey("tenants.slug"), primary_key=True))


def serial_key() -> Any:
    """A generated bigint id, second column of the primary key after ``tenant_id``."""
    return Field(default=None, sa_column=Column(BigInteger, Identity(always=False), primary_key=True))


def timestamp() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


def key_part(column_type: ColumnType) -> Any:
    """A primary key column the row brings itself (a name, a year, the street it belongs to), after ``tenant_id``
    in a tenant table; a value must be given."""
    return Field(sa_column=Column(column_type, primary_key=True))


def required(
    column_type: ColumnType,
    *,
    default: Any = PydanticUndefined,
    default_factory: Callable[[], Any] | None = None,
    server_default: str | None = None,
) -> Any:
    """A NOT NULL column; without ``default`` or ``default_factory`` the model needs a value for it, and
    ``server_default`` is the database's default for rows written in SQL."""
    return Field(
        default=default,
        default_factory=default_factory,
        sa_column=Column(column_type, nullable=False, server_default=server_default),
    )


def optional(column_type: ColumnType) -> Any:
    """A nullable column, None unless given."""
    return Field(default=None, sa_column=Column(column_type))
