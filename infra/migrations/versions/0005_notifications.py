"""Notifications per user and follow-up tasks, both under row-level security.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from infra.rls import grant_sequences_statement, tenant_table_statements

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("tenant_id", sa.Text(), sa.ForeignKey("tenants.slug"), primary_key=True),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), primary_key=True),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("title_zh", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("body_zh", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("street_id", sa.BigInteger()),
        sa.Column("entity_id", sa.BigInteger()),
        sa.Column("dedupe_key", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        sa.ForeignKeyConstraint(["tenant_id", "street_id"], ["streets.tenant_id", "streets.id"]),
        sa.ForeignKeyConstraint(["tenant_id", "entity_id"], ["entities.tenant_id", "entities.id"]),
    )
    # One row per event and user: a retried activity's INSERT … ON CONFLICT DO NOTHING adds nothing.
    op.create_index("notifications_dedupe", "notifications", ["tenant_id", "dedupe_key", "username"], unique=True)
    op.create_index("notifications_user", "notifications", ["tenant_id", "username", "id"])
    op.create_table(
        "followup_tasks",
        sa.Column("tenant_id", sa.Text(), sa.ForeignKey("tenants.slug"), primary_key=True),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), primary_key=True),
        sa.Column("entity_id", sa.BigInteger(), nullable=False),
        sa.Column("street_id", sa.BigInteger(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False, server_default="open"),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("dedupe_key", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "street_id"], ["streets.tenant_id", "streets.id"]),
        sa.ForeignKeyConstraint(["tenant_id", "entity_id"], ["entities.tenant_id", "entities.id"]),
        sa.CheckConstraint("status IN ('open','done')", name="followup_tasks_status_check"),
    )
    op.create_index("followup_tasks_dedupe", "followup_tasks", ["tenant_id", "dedupe_key"], unique=True)
    op.create_index("followup_tasks_street_status", "followup_tasks", ["tenant_id", "street_id", "status"])
    for table in ("notifications", "followup_tasks"):
        for statement in tenant_table_statements(table):
            op.execute(statement)
    op.execute(grant_sequences_statement())


def downgrade() -> None:
    op.drop_table("followup_tasks")
    op.drop_table("notifications")
