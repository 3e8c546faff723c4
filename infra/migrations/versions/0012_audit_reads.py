"""Reads of personal data by a partner department are audited: a narrow definer function writes them.

A department viewer (发展改革, 财政, 市场监管) only reads, so row-level security lets it write nothing, not even
an audit row. ``audit_read`` inserts the one kind of row it may cause, ``personal_data.read``, into the audit
trail of a tenant it may read (``app_read_tenants()``), as the current actor; the chain trigger links it.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

from infra.migrations.tables import grant_execute_only

revision = "0012"
down_revision = "0011"


def upgrade() -> None:
    op.execute(
        """CREATE FUNCTION audit_read(p_tenant text, p_actor text, p_object_type text, p_object_id text,
                               p_after jsonb, p_request_id text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  IF NOT (p_tenant = ANY (app_read_tenants())) THEN
    RAISE EXCEPTION '无权读取租户 % / tenant % is not readable', p_tenant, p_tenant
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  INSERT INTO audit_log (tenant_id, actor, action, object_type, object_id, after, request_id)
  VALUES (p_tenant, p_actor, 'personal_data.read', p_object_type, p_object_id, p_after, p_request_id);
END $$"""
    )
    grant_execute_only("audit_read(text, text, text, text, jsonb, text)")


def downgrade() -> None:
    op.execute("DROP FUNCTION audit_read(text, text, text, text, jsonb, text)")
