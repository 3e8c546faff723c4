"""Attestations (核实): the city's verification of what a street's operator states about itself.

An operator states that it is an independent legal person, that it has a clean record and that it runs a
digital platform (POLICY 二(一)). Each statement is a claim until the city admin verifies or rejects it, with a
note and, optionally, an evidence file (PDF, JPEG or PNG, at most 10 MB, with its SHA-256). ``value`` is the
claim as it stood when decided: the facts count a claim only while the operator's value still equals it.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from infra.migrations.tables import create_tenant_table, created_column, key, optional, required, tenant_reference

revision = "0015"
down_revision = "0014"


def upgrade() -> None:
    create_tenant_table(
        "attestations",
        *key(sa.BigInteger(), "street_id"),
        *key(sa.Text(), "claim"),
        *required(postgresql.JSONB(), "value"),
        *required(sa.Text(), "status"),
        *required(sa.Text(), "note", default=""),
        *optional(sa.LargeBinary(), "evidence"),
        *optional(sa.Text(), "evidence_sha256", "evidence_type", "verified_by"),
        *optional(sa.DateTime(timezone=True), "verified_at"),
        created_column("updated_at"),
        tenant_reference("street_id", "streets"),
        sa.CheckConstraint(
            "claim IN ('legal_person', 'clean_record', 'digital_platform_url')", name="attestations_claim_check"
        ),
        sa.CheckConstraint("status IN ('unverified', 'verified', 'rejected')", name="attestations_status_check"),
        # A decided claim names who decided it and when; an evidence file comes with its hash and type.
        sa.CheckConstraint(
            "(status = 'unverified') = (verified_by IS NULL) AND (verified_by IS NULL) = (verified_at IS NULL)",
            name="attestations_decided_check",
        ),
        sa.CheckConstraint(
            "(evidence IS NULL) = (evidence_sha256 IS NULL) AND (evidence IS NULL) = (evidence_type IS NULL)",
            name="attestations_evidence_check",
        ),
        identity=False,
    )


def downgrade() -> None:
    op.drop_table("attestations")
