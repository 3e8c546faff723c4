"""Notifications per user and follow-up tasks, both under row-level security.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from infra.migrations.tables import create_tenant_table, created_column, optional, required, tenant_reference
from infra.rls import grant_sequences_statement

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    create_tenant_table(
        "notifications",
        *required(sa.Text(), "username", "kind", "title_zh", "title_en", "body_zh", "body_en"),
        *optional(sa.BigInteger(), "street_id", "entity_id"),
        *required(sa.Text(), "dedupe_key"),
        created_column(),
        *optional(sa.DateTime(timezone=True), "read_at"),
        tenant_reference("street_id", "streets"),
        tenant_reference("entity_id", "entities"),
    )
    # One row per event and user: a retried activity's INSERT … ON CONFLICT DO NOTHING adds nothing.
    op.create_index("notifications_dedupe", "notifications", ["tenant_id", "dedupe_key", "username"], unique=True)
    op.create_index("notifications_user", "notifications", ["tenant_id", "username", "id"])
    create_tenant_table(
        "followup_tasks",
        *required(sa.BigInteger(), "entity_id", "street_id"),
        *required(sa.Date(), "due_on"),
        *required(sa.Text(), "status", default="open"),
        created_column("opened_at"),
        *optional(sa.DateTime(timezone=True), "closed_at"),
        *required(sa.Text(), "dedupe_key"),
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
