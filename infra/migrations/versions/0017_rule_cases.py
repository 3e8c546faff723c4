"""Rule test cases (规则测试用例) a city stores: a street's facts and the results its rules must give them.

``rule_cases`` holds one case per (tenant, name): the year whose rules it runs on, the facts and the expected
output (the outcome, and the criteria whose result is not "pass"), as rules/testcases.py reads them. Changing
the city's rules runs them first.

Revision ID: 0017
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from infra.rls import tenant_table_statements

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rule_cases",
        sa.Column("tenant_id", sa.Text(), sa.ForeignKey("tenants.slug"), primary_key=True),
        sa.Column("name", sa.Text(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("facts", postgresql.JSONB(), nullable=False),
        sa.Column("expected", postgresql.JSONB(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="rule_cases_year_check"),
    )
    for statement in tenant_table_statements("rule_cases"):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("rule_cases")
