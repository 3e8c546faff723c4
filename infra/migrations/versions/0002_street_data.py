"""Street data: operators, centres, streets, entities, activities, reports, surveys, ledger, custom fields.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from infra.rls import grant_sequences_statement, tenant_table_statements

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = [
    "operators",
    "streets",
    "centers",
    "center_staff",
    "entities",
    "internship_positions",
    "activities",
    "monthly_reports",
    "survey_responses",
    "ledger_entries",
    "ledger_visits",
    "custom_fields",
]


def upgrade() -> None:
    op.create_table(
        "custom_fields",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("label_zh", sa.Text(), nullable=False),
        sa.Column("label_en", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("choices", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.slug"],
        ),
        sa.PrimaryKeyConstraint("tenant_id", "key"),
    )
    op.create_table(
        "operators",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("legal_person", sa.Boolean(), nullable=True),
        sa.Column("clean_record", sa.Boolean(), nullable=True),
        sa.Column("digital_platform_url", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.slug"],
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
    )
    op.create_table(
        "streets",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("district", sa.Text(), nullable=False),
        sa.Column("theme", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("operator_id", sa.BigInteger(), nullable=True),
        sa.Column("replicable_practices", sa.Integer(), nullable=True),
        sa.Column("custom_fields", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "operator_id"],
            ["operators.tenant_id", "operators.id"],
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.slug"],
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
    )
    op.create_table(
        "activities",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("street_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "street_id"],
            ["streets.tenant_id", "streets.id"],
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.slug"],
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
    )
    op.create_table(
        "centers",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("street_id", sa.BigInteger(), nullable=False),
        sa.Column("fixed_site", sa.Boolean(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("services", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "street_id"],
            ["streets.tenant_id", "streets.id"],
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.slug"],
        ),
        sa.PrimaryKeyConstraint("tenant_id", "street_id"),
    )
    op.create_table(
        "entities",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("street_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("class", sa.Text(), nullable=True),
        sa.Column("founder_group", sa.Text(), nullable=True),
        sa.Column("founded_on", sa.Date(), nullable=True),
        sa.Column("employees", sa.Integer(), nullable=False),
        sa.Column("operating", sa.Boolean(), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=True),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "street_id"],
            ["streets.tenant_id", "streets.id"],
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.slug"],
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
    )
    op.create_table(
        "internship_positions",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("street_id", sa.BigInteger(), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "street_id"],
            ["streets.tenant_id", "streets.id"],
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.slug"],
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
    )
    op.create_table(
        "monthly_reports",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("street_id", sa.BigInteger(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("jobs_driven", sa.Integer(), nullable=False),
        sa.Column("internship_positions", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("submitted_by", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "street_id"],
            ["streets.tenant_id", "streets.id"],
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.slug"],
        ),
        sa.PrimaryKeyConstraint("tenant_id", "street_id", "month"),
    )
    op.create_table(
        "survey_responses",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("street_id", sa.BigInteger(), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "street_id"],
            ["streets.tenant_id", "streets.id"],
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.slug"],
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
    )
    op.create_table(
        "center_staff",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("street_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("full_time", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "street_id"],
            ["centers.tenant_id", "centers.street_id"],
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.slug"],
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("street_id", sa.BigInteger(), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=False),
        sa.Column("need", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("caseworker", sa.Text(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "entity_id"],
            ["entities.tenant_id", "entities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "street_id"],
            ["streets.tenant_id", "streets.id"],
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.slug"],
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
    )
    op.create_table(
        "ledger_visits",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=False),
        sa.Column("street_id", sa.BigInteger(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("caseworker", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "entity_id"],
            ["entities.tenant_id", "entities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "entry_id"],
            ["ledger_entries.tenant_id", "ledger_entries.id"],
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.slug"],
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
    )
    op.create_unique_constraint("operators_uscc_key", "operators", ["tenant_id", "uscc"])
    op.create_unique_constraint("streets_name_key", "streets", ["tenant_id", "name"])
    op.create_unique_constraint("entities_uscc_key", "entities", ["tenant_id", "uscc"])
    for table, columns in [
        ("entities", ["tenant_id", "street_id"]),
        ("activities", ["tenant_id", "street_id", "held_on"]),
        ("survey_responses", ["tenant_id", "street_id", "responded_on"]),
        ("internship_positions", ["tenant_id", "street_id"]),
        ("center_staff", ["tenant_id", "street_id"]),
        ("ledger_entries", ["tenant_id", "entity_id"]),
        ("ledger_entries", ["tenant_id", "street_id"]),
        ("ledger_visits", ["tenant_id", "entity_id", "visited_on"]),
        ("ledger_visits", ["tenant_id", "street_id", "visited_on"]),
        ("streets", ["tenant_id", "status"]),
    ]:
        op.create_index(f"{table}_{'_'.join(columns[1:])}", table, columns)
    checks = {
        "streets": [
            (
                "theme",
                "theme IN ('graduates','returnees','veterans','industry_chain','culture_tourism','other')",
            ),
            (
                "status",
                "status IN ('applied','recommended','pilot','designated','rectification','revoked','withdrawn')",
            ),
            ("district", "district ~ '^[0-9]{6}$'"),
            ("practices", "replicable_practices >= 0"),
        ],
        "centers": [
            (
                "services",
                "services <@ ARRAY['policy_consultation','mentoring','training','employment',"
                "'social_security','talent','financing']::text[]",
            ),
        ],
        "entities": [
            ("kind", "kind IN ('enterprise','individual','cooperative','other')"),
            ("class", "class IN ('brand','growth','startup')"),
            ("founder_group", "founder_group IN ('graduate','returnee','veteran','other')"),
            ("employees", "employees >= 0"),
            ("left", "left_on IS NULL OR joined_on IS NULL OR left_on >= joined_on"),
        ],
        "activities": [
            ("kind", "kind IN ('guidance','salon','training','other')"),
            ("participants", "participants >= 0"),
        ],
        "monthly_reports": [
            ("month", "extract(day FROM month) = 1"),
            ("figures", "jobs_driven >= 0 AND internship_positions >= 0"),
        ],
        "survey_responses": [("rating", "rating BETWEEN 1 AND 5")],
        "ledger_entries": [
            ("need", "need IN ('loans_financing','talent','hr','policy','premises','other')"),
            ("status", "status IN ('open','in_progress','resolved')"),
        ],
        "custom_fields": [
            ("type", "type IN ('integer','decimal','boolean','text','date','choice')"),
            ("key", "key ~ '^[a-z][a-z0-9_]{0,62}$'"),
        ],
    }
    for table, constraints in checks.items():
        for name, condition in constraints:
            op.create_check_constraint(f"{table}_{name}_check", table, condition)
    for table in TABLES:
        for statement in tenant_table_statements(table):
            op.execute(statement)
    op.execute(grant_sequences_statement())


def downgrade() -> None:
    op.drop_table("ledger_visits")
    op.drop_table("ledger_entries")
    op.drop_table("center_staff")
    op.drop_table("survey_responses")
    op.drop_table("monthly_reports")
    op.drop_table("internship_positions")
    op.drop_table("entities")
    op.drop_table("centers")
    op.drop_table("activities")
    op.drop_table("streets")
    op.drop_table("operators")
    op.drop_table("custom_fields")
