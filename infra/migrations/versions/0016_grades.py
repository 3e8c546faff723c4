"""Yearly grades (年度等级): the province's grading schemes by year; each assessment's score, grade and scheme.

``grade_schemes`` holds a scheme the province published for a year (weights, partial factor, thresholds, cap;
rules/grades), with its content hash; it replaces the packaged scheme from that year on. A city reads its
province's schemes, as it reads its baselines (0004), since its streets are graded by them. An assessment keeps
its score (0–100), grade (A–D) and the hash of the scheme that gave them, so the grade can be reproduced; the
assessments made before this revision, or for a year no scheme covers, have none.

Revision ID: 0016
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from infra.migrations.tables import (
    add_columns,
    create_province_read_policy,
    create_tenant_table,
    created_column,
    drop_columns,
    key,
    optional,
    required,
)

revision = "0016"
down_revision = "0015"


def upgrade() -> None:
    create_tenant_table(
        "grade_schemes",
        *key(sa.Integer(), "year"),
        *required(postgresql.JSONB(), "scheme"),
        *required(sa.Text(), "hash", "published_by"),
        created_column("published_at"),
        identity=False,
    )
    create_province_read_policy("grade_schemes")
    add_columns("assessments", *optional(sa.Float(), "score"), *optional(sa.Text(), "grade", "grade_scheme_hash"))
    op.create_check_constraint(
        "assessments_grade_check",
        "assessments",
        "(grade IS NULL AND score IS NULL AND grade_scheme_hash IS NULL)"
        " OR (grade IN ('A','B','C','D') AND score BETWEEN 0 AND 100 AND grade_scheme_hash IS NOT NULL)",
    )


def downgrade() -> None:
    op.drop_constraint("assessments_grade_check", "assessments")
    drop_columns("assessments", "grade_scheme_hash", "grade", "score")
    op.drop_table("grade_schemes")
