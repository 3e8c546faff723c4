"""Street data: operators, centres, streets, entities, activities, reports, surveys, ledger, custom fields.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from infra.migrations.tables import create_tenant_table, key, optional, required, tenant_reference
from infra.rls import grant_sequences_statement

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    create_tenant_table(
        "custom_fields",
        *key(sa.Text(), "key"),
        *required(sa.Text(), "label_zh", "label_en", "type"),
        *required(postgresql.JSONB(), "choices"),
        *required(sa.DateTime(timezone=True), "created_at"),
        identity=False,
    )
    create_tenant_table(
        "operators",
        *required(sa.Text(), "name", "uscc"),
        *optional(sa.Boolean(), "legal_person", "clean_record"),
        *optional(sa.Text(), "digital_platform_url"),
    )
    create_tenant_table(
        "streets",
        *required(sa.Text(), "name", "district"),
        *optional(sa.Text(), "theme"),
        *required(sa.Text(), "status"),
        *optional(sa.BigInteger(), "operator_id"),
        *optional(sa.Integer(), "replicable_practices"),
        *required(postgresql.JSONB(), "custom_fields"),
        *required(sa.DateTime(timezone=True), "created_at", "updated_at"),
        tenant_reference("operator_id", "operators"),
    )
    create_tenant_table(
        "activities",
        *required(sa.BigInteger(), "street_id"),
        *required(sa.Text(), "kind", "title"),
        *required(sa.Date(), "held_on"),
        *required(sa.Integer(), "participants"),
        tenant_reference("street_id", "streets"),
    )
    create_tenant_table(
        "centers",
        *key(sa.BigInteger(), "street_id"),
        *required(sa.Boolean(), "fixed_site"),
        *required(sa.Text(), "address"),
        *required(postgresql.ARRAY(sa.Text()), "services"),
        tenant_reference("street_id", "streets"),
        identity=False,
    )
    create_tenant_table(
        "entities",
        *required(sa.BigInteger(), "street_id"),
        *required(sa.Text(), "name", "uscc", "kind"),
        *optional(sa.Text(), "class", "founder_group"),
        *optional(sa.Date(), "founded_on"),
        *required(sa.Integer(), "employees"),
        *required(sa.Boolean(), "operating"),
        *optional(sa.Date(), "joined_on", "left_on"),
        tenant_reference("street_id", "streets"),
    )
    create_tenant_table(
        "internship_positions",
        *required(sa.BigInteger(), "street_id"),
        *optional(sa.BigInteger(), "entity_id"),
        *required(sa.Text(), "title"),
        *required(sa.Date(), "opened_on"),
        *optional(sa.Date(), "closed_on"),
        tenant_reference("street_id", "streets"),
    )
    create_tenant_table(
        "monthly_reports",
        *key(sa.BigInteger(), "street_id"),
        *key(sa.Date(), "month"),
        *required(sa.Integer(), "jobs_driven", "internship_positions"),
        *required(sa.Text(), "notes", "submitted_by"),
        *required(sa.DateTime(timezone=True), "submitted_at"),
        tenant_reference("street_id", "streets"),
        identity=False,
    )
    create_tenant_table(
        "survey_responses",
        *required(sa.BigInteger(), "street_id"),
        *required(sa.Date(), "responded_on"),
        *required(sa.SmallInteger(), "rating"),
        tenant_reference("street_id", "streets"),
    )
    create_tenant_table(
        "center_staff",
        *required(sa.BigInteger(), "street_id"),
        *required(sa.Text(), "name", "role"),
        *required(sa.Boolean(), "full_time"),
        tenant_reference("street_id", "centers", target="street_id"),
    )
    create_tenant_table(
        "ledger_entries",
        *required(sa.BigInteger(), "street_id", "entity_id"),
        *required(sa.Text(), "need", "action", "status"),
        *optional(sa.Text(), "caseworker"),
        *required(sa.Date(), "opened_on"),
        *required(sa.DateTime(timezone=True), "updated_at"),
        tenant_reference("entity_id", "entities"),
        tenant_reference("street_id", "streets"),
    )
    create_tenant_table(
        "ledger_visits",
        *required(sa.BigInteger(), "entry_id", "entity_id", "street_id"),
        *required(sa.Date(), "visited_on"),
        *required(sa.Text(), "notes", "caseworker"),
        *required(sa.DateTime(timezone=True), "created_at"),
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
