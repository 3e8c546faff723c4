"""Follow-up tasks closed by a visit or with a reason and escalated once; assessments voided with a reason.

A task records who closed it and why (a caseworker's reason, or the visit that satisfied it) and when it
was escalated to the city admins, so the weekly sweep escalates each task once. A voided assessment is
kept for the record (who, when, why) and no longer counts anywhere.

Revision ID: 0009
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"


def upgrade() -> None:
    op.add_column("followup_tasks", sa.Column("closed_by", sa.Text()))
    op.add_column("followup_tasks", sa.Column("closed_reason", sa.Text()))
    op.add_column("followup_tasks", sa.Column("visit_id", sa.BigInteger()))
    op.add_column("followup_tasks", sa.Column("escalated_at", sa.DateTime(timezone=True)))
    op.create_foreign_key(
        "followup_tasks_visit_fkey",
        "followup_tasks",
        "ledger_visits",
        ["tenant_id", "visit_id"],
        ["tenant_id", "id"],
    )
    op.add_column("assessments", sa.Column("voided_at", sa.DateTime(timezone=True)))
    op.add_column("assessments", sa.Column("voided_by", sa.Text()))
    op.add_column("assessments", sa.Column("voided_reason", sa.Text()))
    op.create_check_constraint(
        "assessments_voided_check",
        "assessments",
        "(voided_at IS NULL) = (voided_by IS NULL) AND (voided_at IS NULL) = (voided_reason IS NULL)",
    )


def downgrade() -> None:
    op.drop_constraint("assessments_voided_check", "assessments")
    for column in ("voided_reason", "voided_by", "voided_at"):
        op.drop_column("assessments", column)
    op.drop_constraint("followup_tasks_visit_fkey", "followup_tasks")
    for column in ("escalated_at", "visit_id", "closed_reason", "closed_by"):
        op.drop_column("followup_tasks", column)
