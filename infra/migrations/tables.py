"""What every tenant table shares, for migrations to build tables with, and what the migrations repeat.

A tenant table is keyed by its tenant first (``tenant_id`` references ``tenants.slug``), usually with an
identity ``id``; it points at other tenant tables through ``(tenant_id, …)`` so that a row can never refer
to another tenant's row, and it lives under row-level security (``infra.rls``). Names that PostgreSQL gives
the constraints follow from the columns, so a table built here is the same table as one spelled out.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from infra.db import APP_ROLE
from infra.rls import tenant_table_statements

ALL_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"

_REPORT_TRANSITIONS = {
    "INSERT": "NEW TABLE AS new_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
}
"""The transition tables each statement-level report trigger reads the written rows from."""


def tenant_column() -> sa.Column[str]:
    """``tenant_id``, the first part of the key, referencing the tenant."""
    return sa.Column("tenant_id", sa.Text(), sa.ForeignKey("tenants.slug"), primary_key=True)


def id_column() -> sa.Column[int]:
    """``id``, drawn from an identity sequence, the second part of the key."""
    return sa.Column("id", sa.BigInteger(), sa.Identity(always=False), primary_key=True)


def created_column(name: str = "created_at") -> sa.Column[object]:
    """A time stamp the database fills in when the row is written."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


ColumnType = sa.types.TypeEngine[Any] | type[sa.types.TypeEngine[Any]]
"""A column's type, as ``sa.Column`` takes it: ``sa.Text()`` or ``sa.Text``."""


def key(column_type: ColumnType, *names: str) -> list[sa.Column[Any]]:
    """Primary key columns ``names``, in that order, all of ``column_type`` (a tenant table's follow ``tenant_id``)."""
    return [sa.Column(name, column_type, primary_key=True) for name in names]


def required(column_type: ColumnType, *names: str, default: str | None = None) -> list[sa.Column[Any]]:
    """NOT NULL columns ``names``, in that order, all of ``column_type`` (and ``default`` as the server's default).

    A table lists them in place with ``*``: ``*required(sa.Text(), "title", "body")``."""
    return [sa.Column(name, column_type, nullable=False, server_default=default) for name in names]


def optional(column_type: ColumnType, *names: str) -> list[sa.Column[Any]]:
    """Nullable columns ``names``, in that order, all of ``column_type``, with no default."""
    return [sa.Column(name, column_type) for name in names]


def add_columns(table: str, *columns: sa.Column[Any]) -> None:
    """Add ``columns`` to ``table``, in that order."""
    for column in columns:
        op.add_column(table, column)


def drop_columns(table: str, *names: str) -> None:
    """Drop the columns ``names`` from ``table``, in that order."""
    for name in names:
        op.drop_column(table, name)


def tenant_reference(
    column: str, table: str, *, target: str = "id", ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    """``(tenant_id, column)`` references ``table``'s ``(tenant_id, target)``: a row of the same tenant."""
    return sa.ForeignKeyConstraint(
        ["tenant_id", column], [f"{table}.tenant_id", f"{table}.{target}"], ondelete=ondelete
    )


def create_tenant_table(
    name: str, *elements: sa.Column[Any] | sa.Constraint, identity: bool = True, privileges: str = ALL_PRIVILEGES
) -> None:
    """Create ``name`` keyed by ``tenant_id`` (and an identity ``id`` unless ``identity`` is false), then
    ``elements`` (columns with ``primary_key=True``, as :func:`key` makes them, join the key in their order), under
    row-level security."""
    leading_key = [tenant_column(), id_column()] if identity else [tenant_column()]
    op.create_table(name, *leading_key, *elements)
    for statement in tenant_table_statements(name, privileges=privileges):
        op.execute(statement)


def create_report_triggers(table: str) -> None:
    """Each INSERT, UPDATE and DELETE on ``table`` (a street's data, with ``street_id``) bumps the report
    version of the streets it wrote, once per statement: ``report_street_changed()`` (migration 0006)."""
    for event, transitions in _REPORT_TRANSITIONS.items():
        op.execute(
            f"CREATE TRIGGER {table}_report_{event.lower()} AFTER {event} ON {table}"
            f" REFERENCING {transitions} FOR EACH STATEMENT EXECUTE FUNCTION report_street_changed()"
        )


def drop_report_triggers(table: str) -> None:
    """Undo :func:`create_report_triggers` on ``table``."""
    for event in _REPORT_TRANSITIONS:
        op.execute(f"DROP TRIGGER {table}_report_{event.lower()} ON {table}")


def create_province_read_policy(table: str) -> None:
    """Let a city read its province's rows of ``table`` besides its own: a city is judged by what its province
    published (baselines, grading schemes), and its transactions see only the city's rows otherwise."""
    # Built from the constant role name and the migration's table name, never from input.
    op.execute(
        f"""CREATE POLICY {table}_read_province ON {table} FOR SELECT TO {APP_ROLE}
  USING (tenant_id IN (SELECT t.parent FROM tenants t WHERE t.slug = ANY (app_read_tenants())))"""  # noqa: S608
    )


def grant_execute_only(function: str, role: str = APP_ROLE) -> None:
    """Let only ``role`` (and the owner) call ``function``, named with its argument types: ``name(text)``."""
    op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {role}")
