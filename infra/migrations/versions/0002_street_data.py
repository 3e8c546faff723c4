"""Street data: operators, centres, streets, entities, activities, reports, surveys, ledger, custom fields.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from infra.migrations.tables import create_tenant_table, tenant_reference
from infra.rls import grant_sequences_statement

revision = "0002"
down_revision = "0001"


def _street_id() -> sa.Column[int]:
    return sa.Column("street_id", sa.BigInteger(), nullable=False)


def upgrade() -> None:
    create_tenant_table(
        "custom_fields",
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("label_zh", sa.Text(), nullable=False),
        sa.Column("label_en", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("choices", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        identity=False,
    )
    create_tenant_table(
        "operators",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("legal_person", sa.Boolean(), nullable=True),
        sa.Column("clean_record", sa.Boolean(), nullable=True),
        sa.Column("digital_platform_url", sa.Text(), nullable=True),
    )
    create_tenant_table(
        "streets",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("district", sa.Text(), nullable=False),
        sa.Column("theme", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("operator_id", sa.BigInteger(), nullable=True),
        sa.Column("replicable_practices", sa.Integer(), nullable=True),
        sa.Column("custom_fields", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        tenant_reference("operator_id", "operators"),
    )
    create_tenant_table(
        "activities",
        _street_id(),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        tenant_reference("street_id", "streets"),
    )
    create_tenant_table(
        "centers",
        sa.Column("street_id", sa.BigInteger(), primary_key=True),
        sa.Column("fixed_site", sa.Boolean(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("services", postgresql.ARRAY(sa.Text()), nullable=False),
        tenant_reference("street_id", "streets"),
        identity=False,
    )
    create_tenant_table(
        "entities",
        _street_id(),
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
        tenant_reference("street_id", "streets"),
    )
    create_tenant_table(
        "internship_positions",
        _street_id(),
        sa.Column("entity_id", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        tenant_reference("street_id", "streets"),
    )
    create_tenant_table(
        "monthly_reports",
        sa.Column("street_id", sa.BigInteger(), primary_key=True),
        sa.Column("month", sa.Date(), primary_key=True),
        sa.Column("jobs_driven", sa.Integer(), nullable=False),
        sa.Column("internship_positions", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("submitted_by", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        tenant_reference("street_id", "streets"),
        identity=False,
    )
    create_tenant_table(
        "survey_responses",
        _street_id(),
        sa.Column("responded_on", sa.Date(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        tenant_reference("street_id", "streets"),
    )
    create_tenant_table(
        "center_staff",
        _street_id(),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("full_time", sa.Boolean(), nullable=False),
        tenant_reference("street_id", "centers", target="street_id"),
    )
    create_tenant_table(
        "ledger_entries",
        _street_id(),
        sa.Column("entity_id", sa.BigInteger(), nullable=False),
        sa.Column("need", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("caseworker", sa.Text(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        tenant_reference("entity_id", "entities"),
        tenant_reference("street_id", "streets"),
    )
    create_tenant_table(
        "ledger_visits",
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=False),
        _street_id(),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("caseworker", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        tenant_reference("entity_id", "entities"),
        tenant_reference("entry_id", "ledger_entries"),
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
