"""Foundation: tenants, tenant configuration, users, login throttle, append-only audit log, RLS.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from infra.migrations.tables import create_tenant_table, created_column
from infra.rls import grant_sequences_statement, setup_statements

revision = "0001"
down_revision = None


def upgrade() -> None:
    for statement in setup_statements():
        op.execute(statement)
    op.create_table(
        "tenants",
        sa.Column("slug", sa.Text, primary_key=True),
        sa.Column("code", sa.Text, nullable=False, unique=True),
        sa.Column("name_zh", sa.Text, nullable=False),
        sa.Column("name_en", sa.Text, nullable=False),
        sa.Column("parent", sa.Text, sa.ForeignKey("tenants.slug")),
        sa.CheckConstraint("slug ~ '^[a-z][a-z0-9_-]*$'", name="tenants_slug_format"),
    )
    op.execute("GRANT SELECT ON tenants TO jiequ_app")
    create_tenant_table(
        "tenant_configs",
        sa.Column("settings", JSONB, nullable=False, server_default="{}"),
        created_column("updated_at"),
        identity=False,
    )
    create_tenant_table(
        "users",
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("display_name", sa.Text, nullable=False, server_default=""),
        sa.Column("street_id", sa.BigInteger),
        created_column(),
        sa.UniqueConstraint("username", name="users_username_key"),
        sa.CheckConstraint(
            "role IN ('province_admin', 'city_admin', 'caseworker', 'operator', 'viewer')",
            name="users_role_known",
        ),
    )
    op.create_table(
        "login_throttle",
        sa.Column("username", sa.Text, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("first_failed_at", sa.DateTime(timezone=True)),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
    )
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO jiequ_app")
    create_tenant_table(
        "audit_log",
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("object_type", sa.Text, nullable=False),
        sa.Column("object_id", sa.Text, nullable=False),
        sa.Column("before", JSONB),
        sa.Column("after", JSONB),
        sa.Column("request_id", sa.Text),
        created_column("at"),
        privileges="SELECT, INSERT",
    )
    op.create_index("audit_log_object", "audit_log", ["tenant_id", "object_type", "object_id"])
    op.execute(grant_sequences_statement())
    # The audit log is append-only for everyone, the owner included: a trigger refuses changes.
    op.execute(
        """CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '审计日志只能追加 / the audit log is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$"""
    )
    op.execute(
        """CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"""
    )
    op.execute(
        """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"""
    )
    # Sign-in looks a user up before any tenant is known: a narrow definer function does that.
    op.execute(
        """CREATE FUNCTION auth_find_user(p_username text)
  RETURNS TABLE (tenant_id text, username text, password_hash text, role text, street_id bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT tenant_id, username, password_hash, role, street_id FROM users WHERE username = p_username $$"""
    )
    op.execute("REVOKE ALL ON FUNCTION auth_find_user(text) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION auth_find_user(text) TO jiequ_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS auth_find_user(text)")
    for table in ("audit_log", "login_throttle", "users", "tenant_configs", "tenants"):
        op.drop_table(table)
    op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
