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

from infra.migrations.tables import create_tenant_table, created_column, key, required

revision = "0017"
down_revision = "0016"


def upgrade() -> None:
    create_tenant_table(
        "rule_cases",
        *key(sa.Text(), "name"),
        *required(sa.Integer(), "year"),
        *required(postgresql.JSONB(), "facts", "expected"),
        *required(sa.Text(), "created_by"),
        created_column(),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="rule_cases_year_check"),
        identity=False,
    )


def downgrade() -> None:
    op.drop_table("rule_cases")
