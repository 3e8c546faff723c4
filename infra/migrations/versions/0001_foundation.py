"""Foundation: tenants, tenant configuration, users, login throttle, append-only audit log, RLS.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from infra.migrations.tables import create_tenant_table, created_column, grant_execute_only, key, optional, required
from infra.rls import grant_sequences_statement, setup_statements

revision = "0001"
down_revision = None


def upgrade() -> None:
    for statement in setup_statements():
        op.execute(statement)
    op.create_table(
        "tenants",
        *key(sa.Text(), "slug"),
        sa.Column("code", sa.Text, nullable=False, unique=True),
        *required(sa.Text(), "name_zh", "name_en"),
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
        *required(sa.Text(), "username", "password_hash", "role"),
        *required(sa.Text(), "display_name", default=""),
        *optional(sa.BigInteger(), "street_id"),
        created_column(),
        sa.UniqueConstraint("username", name="users_username_key"),
        sa.CheckConstraint(
            "role IN ('province_admin', 'city_admin', 'caseworker', 'operator', 'viewer')",
            name="users_role_known",
        ),
    )
    op.create_table(
        "login_throttle",
        *key(sa.Text(), "username"),
        *required(sa.Integer(), "failures", default="0"),
        *optional(sa.DateTime(timezone=True), "first_failed_at", "locked_until"),
    )
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO jiequ_app")
    create_tenant_table(
        "audit_log",
        *required(sa.Text(), "actor", "action", "object_type", "object_id"),
        *optional(JSONB(), "before", "after"),
        *optional(sa.Text(), "request_id"),
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
    grant_execute_only("auth_find_user(text)")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS auth_find_user(text)")
    for table in ("audit_log", "login_throttle", "users", "tenant_configs", "tenants"):
        op.drop_table(table)
    op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
