"""Support outcomes (帮扶成效): what a ledger action achieved, and who the streets' internships took on (招用).

``ledger_outcomes`` holds one outcome of a ledger entry: a guaranteed business loan (创业担保贷款, 万元, its
lender), a one-time start-up subsidy (一次性创业补贴, 元), a rent reduction (租金减免, 元 and months), places in
training, interns taken on (graduates and other youth) or talent placed (persons). The monthly reports gain the
people their internship positions took on that month, graduates and other youth. Both feed the province report,
so ledger_outcomes bumps its street's report version like the other street data (migration 0006).

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

from infra.migrations.tables import (
    add_columns,
    create_report_triggers,
    create_tenant_table,
    created_column,
    drop_columns,
    optional,
    required,
    tenant_reference,
)

revision = "0014"
down_revision = "0013"

# Each kind's figures, and no other: the schema refuses an outcome that the API would (a second line of defence).
_SHAPES = {
    "guaranteed_loan": "amount_wan > 0 AND lender IS NOT NULL AND amount_yuan IS NULL AND months IS NULL"
    " AND persons IS NULL AND graduates IS NULL AND other_youth IS NULL",
    "startup_subsidy": "amount_yuan > 0 AND amount_wan IS NULL AND lender IS NULL AND months IS NULL"
    " AND persons IS NULL AND graduates IS NULL AND other_youth IS NULL",
    "rent_reduction": "amount_yuan > 0 AND months > 0 AND amount_wan IS NULL AND lender IS NULL"
    " AND persons IS NULL AND graduates IS NULL AND other_youth IS NULL",
    "training_places": "persons > 0 AND amount_wan IS NULL AND amount_yuan IS NULL AND lender IS NULL"
    " AND months IS NULL AND graduates IS NULL AND other_youth IS NULL",
    "interns_taken": "graduates >= 0 AND other_youth >= 0 AND graduates + other_youth > 0 AND amount_wan IS NULL"
    " AND amount_yuan IS NULL AND lender IS NULL AND months IS NULL AND persons IS NULL",
    "talent_placed": "persons > 0 AND amount_wan IS NULL AND amount_yuan IS NULL AND lender IS NULL"
    " AND months IS NULL AND graduates IS NULL AND other_youth IS NULL",
}


def upgrade() -> None:
    create_tenant_table(
        "ledger_outcomes",
        *required(sa.BigInteger(), "entry_id", "entity_id", "street_id"),
        *required(sa.Text(), "kind"),
        *required(sa.Date(), "achieved_on"),
        *optional(sa.BigInteger(), "amount_wan", "amount_yuan"),
        *optional(sa.Text(), "lender"),
        *optional(sa.Integer(), "months", "persons", "graduates", "other_youth"),
        *required(sa.Text(), "note", default=""),
        *required(sa.Text(), "recorded_by"),
        created_column(),
        tenant_reference("entry_id", "ledger_entries"),
        tenant_reference("entity_id", "entities"),
        tenant_reference("street_id", "streets"),
        sa.CheckConstraint(f"kind IN ({', '.join(repr(k) for k in _SHAPES)})", name="ledger_outcomes_kind_check"),
        sa.CheckConstraint(
            "CASE kind " + " ".join(f"WHEN '{k}' THEN {shape}" for k, shape in _SHAPES.items()) + " ELSE false END",
            name="ledger_outcomes_shape_check",
        ),
    )
    op.create_index("ledger_outcomes_entry", "ledger_outcomes", ["tenant_id", "entry_id"])
    op.create_index("ledger_outcomes_street_day", "ledger_outcomes", ["tenant_id", "street_id", "achieved_on"])
    create_report_triggers("ledger_outcomes")
    # 招用: who the month's internship positions took on; never more than the positions reported that month.
    add_columns("monthly_reports", *required(sa.Integer(), "interns_graduates", "interns_other_youth", default="0"))
    op.create_check_constraint(
        "monthly_reports_interns_check",
        "monthly_reports",
        "interns_graduates >= 0 AND interns_other_youth >= 0"
        " AND interns_graduates + interns_other_youth <= internship_positions",
    )


def downgrade() -> None:
    op.drop_constraint("monthly_reports_interns_check", "monthly_reports")
    drop_columns("monthly_reports", "interns_other_youth", "interns_graduates")
    op.drop_table("ledger_outcomes")
