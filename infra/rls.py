"""SQL that migrations use to put a table under row-level security for ``jiequ_app``.

Each function returns single statements: asyncpg prepares every statement, and a prepared
statement holds one command.
"""

from __future__ import annotations

from infra.db import APP_ROLE


def setup_statements() -> list[str]:
    """The application role and the functions the policies read the transaction's tenants with."""
    return [
        f"""DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
    CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$""",
        f"GRANT {APP_ROLE} TO CURRENT_USER",
        f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}",
        # Empty or unset means no tenant at all: ANY(NULL) matches no row.
        """CREATE OR REPLACE FUNCTION app_read_tenants() RETURNS text[]
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $f$ SELECT string_to_array(nullif(current_setting('app.tenant_ids', true), ''), ',') $f$""",
        """CREATE OR REPLACE FUNCTION app_write_tenants() RETURNS text[]
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $f$ SELECT string_to_array(nullif(current_setting('app.write_tenant_ids', true), ''), ',') $f$""",
    ]


def tenant_table_statements(table: str, *, privileges: str = "SELECT, INSERT, UPDATE, DELETE") -> list[str]:
    """Enable and force RLS on ``table``: ``jiequ_app`` reads its read-tenants and writes its write-tenants.

    The owner keeps a policy of its own because FORCE applies RLS to the owner too, and the owner
    runs migrations, the login lookup (a SECURITY DEFINER function) and bulk loads; requests never
    run as the owner.
    """
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"""CREATE POLICY {table}_read ON {table} FOR SELECT TO {APP_ROLE}
  USING (tenant_id = ANY (app_read_tenants()))""",
        f"""CREATE POLICY {table}_insert ON {table} FOR INSERT TO {APP_ROLE}
  WITH CHECK (tenant_id = ANY (app_write_tenants()))""",
        f"""CREATE POLICY {table}_update ON {table} FOR UPDATE TO {APP_ROLE}
  USING (tenant_id = ANY (app_write_tenants())) WITH CHECK (tenant_id = ANY (app_write_tenants()))""",
        f"""CREATE POLICY {table}_delete ON {table} FOR DELETE TO {APP_ROLE}
  USING (tenant_id = ANY (app_write_tenants()))""",
        f"CREATE POLICY {table}_owner ON {table} TO CURRENT_USER USING (true) WITH CHECK (true)",
        f"GRANT {privileges} ON {table} TO {APP_ROLE}",
    ]


def grant_sequences_statement() -> str:
    """Let ``jiequ_app`` draw ids from the identity columns' sequences."""
    return f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}"
