"""A tamper-evident audit trail: each tenant's audit rows form a hash chain.

Every row gets its place in its tenant's chain (``chain_seq``: 1, 2, 3 …), the hash of the row before it
(``prev_hash``) and its own (``row_hash`` = SHA-256 of ``prev_hash`` and the row's content, as
:sql:`audit_row_hash` computes it). A BEFORE INSERT trigger fills the three, whoever inserts: the chain
cannot be skipped by a code path that forgets it. The trigger takes a per-tenant advisory lock until the
transaction ends, so two writers never chain onto the same row. Rows written before this migration are
chained in id order. ``jiequ audit verify`` recomputes the chains (services/audit/chain.py).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from infra.migrations.tables import add_columns, drop_columns, optional

revision = "0010"
down_revision = "0009"

ROW_HASH = """CREATE FUNCTION audit_row_hash(r audit_log) RETURNS bytea
  LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
  SELECT sha256(coalesce(r.prev_hash, '\\x'::bytea) || convert_to(jsonb_build_array(
    r.tenant_id, r.chain_seq, r.id, r.actor, r.action, r.object_type, r.object_id,
    r.before, r.after, r.request_id,
    to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
  )::text, 'UTF8'))
$$"""

CHAIN = """CREATE FUNCTION audit_log_chain() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  last_seq bigint;
  last_hash bytea;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('audit_log:' || NEW.tenant_id, 0));
  SELECT chain_seq, row_hash INTO last_seq, last_hash
    FROM audit_log WHERE tenant_id = NEW.tenant_id ORDER BY chain_seq DESC LIMIT 1;
  NEW.chain_seq := coalesce(last_seq, 0) + 1;
  NEW.prev_hash := last_hash;
  NEW.row_hash := audit_row_hash(NEW);
  RETURN NEW;
END $$"""

BACKFILL = """DO $$
DECLARE
  r audit_log;
  last_tenant text := NULL;
  seq bigint := 0;
  last_hash bytea := NULL;
BEGIN
  FOR r IN SELECT * FROM audit_log ORDER BY tenant_id, id LOOP
    IF last_tenant IS DISTINCT FROM r.tenant_id THEN
      last_tenant := r.tenant_id; seq := 0; last_hash := NULL;
    END IF;
    seq := seq + 1;
    r.chain_seq := seq;
    r.prev_hash := last_hash;
    r.row_hash := audit_row_hash(r);
    UPDATE audit_log SET chain_seq = r.chain_seq, prev_hash = r.prev_hash, row_hash = r.row_hash
      WHERE tenant_id = r.tenant_id AND id = r.id;
    last_hash := r.row_hash;
  END LOOP;
END $$"""


def upgrade() -> None:
    add_columns(
        "audit_log", *optional(sa.BigInteger(), "chain_seq"), *optional(sa.LargeBinary(), "prev_hash", "row_hash")
    )
    op.execute(ROW_HASH)
    op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete")
    op.execute(BACKFILL)
    op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete")
    op.alter_column("audit_log", "chain_seq", nullable=False)
    op.alter_column("audit_log", "row_hash", nullable=False)
    op.create_index("audit_log_chain", "audit_log", ["tenant_id", "chain_seq"], unique=True)
    op.execute(CHAIN)
    op.execute("REVOKE ALL ON FUNCTION audit_log_chain() FROM PUBLIC")
    op.execute(
        "CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_log_chain ON audit_log")
    op.execute("DROP FUNCTION audit_log_chain()")
    op.drop_index("audit_log_chain", table_name="audit_log")
    op.execute("DROP FUNCTION audit_row_hash(audit_log)")
    drop_columns("audit_log", "row_hash", "prev_hash", "chain_seq")
