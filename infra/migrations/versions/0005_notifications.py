"""Notifications per user and follow-up tasks, both under row-level security.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from infra.migrations.tables import create_tenant_table, created_column, tenant_reference
from infra.rls import grant_sequences_statement

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    create_tenant_table(
        "notifications",
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("title_zh", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("body_zh", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("street_id", sa.BigInteger()),
        sa.Column("entity_id", sa.BigInteger()),
        sa.Column("dedupe_key", sa.Text(), nullable=False),
        created_column(),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        tenant_reference("street_id", "streets"),
        tenant_reference("entity_id", "entities"),
    )
    # One row per event and user: a retried activity's INSERT … ON CONFLICT DO NOTHING adds nothing.
    op.create_index("notifications_dedupe", "notifications", ["tenant_id", "dedupe_key", "username"], unique=True)
    op.create_index("notifications_user", "notifications", ["tenant_id", "username", "id"])
    create_tenant_table(
        "followup_tasks",
        sa.Column("entity_id", sa.BigInteger(), nullable=False),
        sa.Column("street_id", sa.BigInteger(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False, server_default="open"),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("dedupe_key", sa.Text(), nullable=False),
        tenant_reference("street_id", "streets"),
        tenant_reference("entity_id", "entities"),
        sa.CheckConstraint("status IN ('open','done')", name="followup_tasks_status_check"),
    )
    op.create_index("followup_tasks_dedupe", "followup_tasks", ["tenant_id", "dedupe_key"], unique=True)
    op.create_index("followup_tasks_street_status", "followup_tasks", ["tenant_id", "street_id", "status"])
    op.execute(grant_sequences_statement())


def downgrade() -> None:
    op.drop_table("followup_tasks")
    op.drop_table("notifications")
