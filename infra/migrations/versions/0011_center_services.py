"""The empowerment centre's services (三(三) 服务工作量): each a day, a kind, the people served and the staff member.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from infra.migrations.tables import create_tenant_table, created_column, optional, required, tenant_reference

revision = "0011"
down_revision = "0010"

KINDS = ("policy", "mentoring", "training", "employment", "social_security", "talent", "financing")


def upgrade() -> None:
    create_tenant_table(
        "center_services",
        *required(sa.BigInteger(), "street_id"),
        *required(sa.Date(), "served_on"),
        *required(sa.Text(), "kind"),
        *required(sa.Integer(), "people"),
        *required(sa.Text(), "staff"),
        *optional(sa.Text(), "note"),
        created_column(),
        tenant_reference("street_id", "streets", ondelete="CASCADE"),
        sa.CheckConstraint(f"kind IN ({', '.join(repr(k) for k in KINDS)})", name="center_services_kind_check"),
        sa.CheckConstraint("people >= 0", name="center_services_people_check"),
    )
    op.create_index("center_services_street_day", "center_services", ["tenant_id", "street_id", "served_on"])


def downgrade() -> None:
    op.drop_table("center_services")
