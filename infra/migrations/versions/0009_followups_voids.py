"""Follow-up tasks closed by a visit or with a reason and escalated once; assessments voided with a reason.

A task records who closed it and why (a caseworker's reason, or the visit that satisfied it) and when it
was escalated to the city admins, so the weekly sweep escalates each task once. A voided assessment is
kept for the record (who, when, why) and no longer counts anywhere.

Revision ID: 0009
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from infra.migrations.tables import add_columns, drop_columns, optional

revision = "0009"
down_revision = "0007"


def upgrade() -> None:
    add_columns(
        "followup_tasks",
        *optional(sa.Text(), "closed_by", "closed_reason"),
        *optional(sa.BigInteger(), "visit_id"),
        *optional(sa.DateTime(timezone=True), "escalated_at"),
    )
    op.create_foreign_key(
        "followup_tasks_visit_fkey",
        "followup_tasks",
        "ledger_visits",
        ["tenant_id", "visit_id"],
        ["tenant_id", "id"],
    )
    add_columns(
        "assessments",
        *optional(sa.DateTime(timezone=True), "voided_at"),
        *optional(sa.Text(), "voided_by", "voided_reason"),
    )
    op.create_check_constraint(
        "assessments_voided_check",
        "assessments",
        "(voided_at IS NULL) = (voided_by IS NULL) AND (voided_at IS NULL) = (voided_reason IS NULL)",
    )


def downgrade() -> None:
    op.drop_constraint("assessments_voided_check", "assessments")
    drop_columns("assessments", "voided_reason", "voided_by", "voided_at")
    op.drop_constraint("followup_tasks_visit_fkey", "followup_tasks")
    drop_columns("followup_tasks", "escalated_at", "visit_id", "closed_reason", "closed_by")
