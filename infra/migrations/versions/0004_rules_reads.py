"""Rules: a city reads its province's published baselines; an assessment keeps the custom fields it judged.

A city's transactions see only the city's rows, yet a city is judged by its province's baseline: the
extra read policy lets it see the baselines of its own province (the tenant's parent), and nothing else.
The custom fields a ruleset's criteria name give those facts their type and labels, which the verdict
needs to be reproduced exactly after a field is changed.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from infra.migrations.tables import create_province_read_policy

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    create_province_read_policy("baselines")
    op.add_column(
        "assessments",
        sa.Column("custom_fields", postgresql.JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")),
    )


def downgrade() -> None:
    op.drop_column("assessments", "custom_fields")
    op.execute("DROP POLICY baselines_read_province ON baselines")
