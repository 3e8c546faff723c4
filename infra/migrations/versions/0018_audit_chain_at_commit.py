"""The audit chain is linked when the writing transaction commits, not when the row is inserted.

Migration 0010 linked each row in a BEFORE INSERT trigger under a per-tenant advisory lock held until the
transaction ended: every other write of the tenant waited from that insert to the commit, through the
writer's round trips and whatever its process did meanwhile (under load, most of a request). Now a
deferred constraint trigger links the rows a transaction inserted as it commits, in the order they were
inserted: the lock is held only for the commit itself. The chain and its verification are unchanged
(``chain_seq``, ``prev_hash``, ``row_hash`` by :sql:`audit_row_hash`), and they are numbered in commit
order. Until its transaction commits a row has no place in the chain (its three columns are NULL), which no
other transaction can see. Linking is the one change an audit row ever takes: the append-only trigger lets
exactly that through, once, from the linking function, and refuses every other UPDATE and DELETE as before.

Revision ID: 0018
Revises: 0017
"""

from alembic import op

revision = "0018"
down_revision = "0017"

APPEND_ONLY = """CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND current_setting('audit.linking', true) = 'on'
     AND OLD.chain_seq IS NULL AND NEW.chain_seq IS NOT NULL AND NEW.row_hash IS NOT NULL
     AND (NEW.tenant_id, NEW.id, NEW.actor, NEW.action, NEW.object_type, NEW.object_id, NEW.before, NEW.after,
          NEW.request_id, NEW.at)
         IS NOT DISTINCT FROM
         (OLD.tenant_id, OLD.id, OLD.actor, OLD.action, OLD.object_type, OLD.object_id, OLD.before, OLD.after,
          OLD.request_id, OLD.at) THEN
    RETURN NEW;  -- the row is linked into its chain as its transaction commits (audit_log_link)
  END IF;
  RAISE EXCEPTION '审计日志只能追加 / the audit log is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$"""

LINK = """CREATE FUNCTION audit_log_link() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  last_seq bigint;
  last_hash bytea;
  linked audit_log;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('audit_log:' || NEW.tenant_id, 0));
  SELECT chain_seq, row_hash INTO last_seq, last_hash
    FROM audit_log WHERE tenant_id = NEW.tenant_id AND chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1;
  linked := NEW;
  linked.chain_seq := coalesce(last_seq, 0) + 1;
  linked.prev_hash := last_hash;
  linked.row_hash := audit_row_hash(linked);
  PERFORM set_config('audit.linking', 'on', true);
  UPDATE audit_log SET chain_seq = linked.chain_seq, prev_hash = linked.prev_hash, row_hash = linked.row_hash
    WHERE tenant_id = NEW.tenant_id AND id = NEW.id;
  PERFORM set_config('audit.linking', 'off', true);
  RETURN NULL;
END $$"""

APPEND_ONLY_BEFORE = """CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '审计日志只能追加 / the audit log is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$"""


def upgrade() -> None:
    op.execute("DROP TRIGGER audit_log_chain ON audit_log")
    op.execute("DROP FUNCTION audit_log_chain()")
    op.alter_column("audit_log", "chain_seq", nullable=True)
    op.alter_column("audit_log", "row_hash", nullable=True)
    op.execute(APPEND_ONLY)
    op.execute(LINK)
    op.execute("REVOKE ALL ON FUNCTION audit_log_link() FROM PUBLIC")
    op.execute(
        "CREATE CONSTRAINT TRIGGER audit_log_link AFTER INSERT ON audit_log DEFERRABLE INITIALLY DEFERRED"
        " FOR EACH ROW EXECUTE FUNCTION audit_log_link()"
    )


def downgrade() -> None:
    from importlib import import_module  # noqa: PLC0415 - 0010's function, restored as it was

    chain = import_module("infra.migrations.versions.0010_audit_chain").CHAIN
    op.execute("DROP TRIGGER audit_log_link ON audit_log")
    op.execute("DROP FUNCTION audit_log_link()")
    op.execute(APPEND_ONLY_BEFORE)
    op.alter_column("audit_log", "row_hash", nullable=False)
    op.alter_column("audit_log", "chain_seq", nullable=False)
    op.execute(chain)
    op.execute("REVOKE ALL ON FUNCTION audit_log_chain() FROM PUBLIC")
    op.execute(
        "CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain()"
    )
