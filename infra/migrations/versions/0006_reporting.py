"""Province reporting: a per-street yearly summary of the report's figures, and the changes that make it stale.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from infra.db import APP_ROLE
from infra.migrations.tables import (
    create_report_triggers,
    create_tenant_table,
    created_column,
    drop_report_triggers,
    key,
    required,
    tenant_reference,
)

revision = "0006"
down_revision = "0005"

WATCHED = [
    "entities",
    "activities",
    "survey_responses",
    "monthly_reports",
    "ledger_entries",
    "ledger_visits",
    "assessments",
]
"""The street-data tables the summary is computed from; each change to them bumps its street's version."""

# Statement-level, with transition tables: one COPY or import of thousands of rows bumps each street
# once. SECURITY DEFINER so that the bump never depends on who writes (a writer's own RLS context, a
# workflow, the owner's bulk load); it writes nothing but a counter for streets the statement touched.
# A bumped counter stays locked until the writer commits, so two transactions writing one street's data
# wait for each other (not for other streets); rows are taken in key order, so they never deadlock.
_CHANGED_FUNCTION = """CREATE FUNCTION report_street_changed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $f$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO report_changes AS c (tenant_id, street_id, version)
    SELECT DISTINCT tenant_id, street_id, 1 FROM new_rows ORDER BY 1, 2
    ON CONFLICT (tenant_id, street_id) DO UPDATE SET version = c.version + 1;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO report_changes AS c (tenant_id, street_id, version)
    SELECT DISTINCT tenant_id, street_id, 1 FROM old_rows ORDER BY 1, 2
    ON CONFLICT (tenant_id, street_id) DO UPDATE SET version = c.version + 1;
  END IF;
  RETURN NULL;
END $f$"""


def upgrade() -> None:
    create_tenant_table(
        "report_changes",
        *key(sa.BigInteger(), "street_id"),
        *required(sa.BigInteger(), "version"),
        tenant_reference("street_id", "streets", ondelete="CASCADE"),
        identity=False,
    )
    create_tenant_table(
        "report_street_years",
        *key(sa.Integer(), "year"),
        *key(sa.BigInteger(), "street_id"),
        *required(sa.BigInteger(), "version"),
        *required(sa.Date(), "until"),
        *required(postgresql.ARRAY(sa.Integer()), "cadence"),
        *required(sa.SmallInteger(), "format"),
        *required(postgresql.ARRAY(sa.BigInteger()), "counts"),
        created_column("computed_at"),
        tenant_reference("street_id", "streets", ondelete="CASCADE"),
        identity=False,
    )
    # The summary is a cache derived from street data the writer can read: a province's report rebuilds
    # its cities' stale rows, so this one table is writable across the read set (and holds nothing else).
    op.execute(
        f"""CREATE POLICY report_street_years_rebuild ON report_street_years FOR ALL TO {APP_ROLE}
  USING (tenant_id = ANY (app_read_tenants())) WITH CHECK (tenant_id = ANY (app_read_tenants()))"""
    )
    op.execute(_CHANGED_FUNCTION)
    for table in WATCHED:
        create_report_triggers(table)


def downgrade() -> None:
    for table in WATCHED:
        drop_report_triggers(table)
    op.execute("DROP FUNCTION report_street_changed()")
    op.drop_table("report_street_years")
    op.drop_table("report_changes")
