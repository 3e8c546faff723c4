"""Rules and assessments: city overlays, published baselines, assessments.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from infra.migrations.tables import create_tenant_table, created_column, key, optional, required, tenant_reference
from infra.rls import grant_sequences_statement

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    create_tenant_table(
        "city_rules",
        *key(sa.Text(), "criterion_id"),
        *key(sa.Integer(), "effective_from"),
        *optional(sa.Integer(), "effective_to"),
        *required(postgresql.JSONB(), "criterion"),
        *required(sa.Text(), "created_by"),
        created_column(),
        sa.CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="city_rules_years_check"),
        identity=False,
    )
    create_tenant_table(
        "baselines",
        *key(sa.Integer(), "year"),
        *required(postgresql.JSONB(), "criteria"),
        *required(sa.Text(), "published_by"),
        created_column("published_at"),
        identity=False,
    )
    create_tenant_table(
        "assessments",
        *required(sa.BigInteger(), "street_id"),
        *required(sa.Integer(), "year"),
        *required(sa.Text(), "ruleset_hash", "outcome"),
        *required(postgresql.JSONB(), "facts", "criteria", "results"),
        *required(sa.Text(), "kind", default="manual"),
        *optional(sa.Text(), "idempotency_key"),
        *required(sa.Text(), "created_by"),
        created_column(),
        tenant_reference("street_id", "streets"),
        sa.CheckConstraint("outcome IN ('pass','fail','incomplete')", name="assessments_outcome_check"),
        sa.CheckConstraint("kind IN ('manual','annual','rectification','screening')", name="assessments_kind_check"),
    )
    op.create_index("assessments_street_year", "assessments", ["tenant_id", "street_id", "year", "id"])
    op.create_index(
        "assessments_idempotency_key",
        "assessments",
        ["tenant_id", "idempotency_key"],
        unique=True,
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.execute(grant_sequences_statement())


def downgrade() -> None:
    op.drop_table("assessments")
    op.drop_table("baselines")
    op.drop_table("city_rules")
