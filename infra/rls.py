"""SQL that migrations use to put a table under row-level security for ``jiequ_app``.

Each function returns single statements: asyncpg prepares every statement, and a prepared
statement holds one command.
"""

from __future__ import annotations

from infra.db import APP_ROLE

OWNER_ROLE = "jiequ_owner"
"""The role the product connects as where it sets up its own database (the local stack): it owns the
schema and runs migrations, the API and the workers, and is no superuser, so that a request that got to
``RESET ROLE`` would hold the owner's rights on this database at most, never the server's (no files, no
programs, no other databases, no roles but those it made)."""
AUTH_ROLE = "jiequ_auth"
"""The role that signs users in: it alone reads password hashes and the sign-in throttle (migration 0007)."""


def setup_statements() -> list[str]:
    """The application role and the functions the policies read the transaction's tenants with."""
    return [
        f"""DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
    CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$""",
        # Already a member where the database was set up for an owner role (owner_role_statements).
        f"""DO $$ BEGIN
  IF NOT pg_has_role(current_user, '{APP_ROLE}', 'MEMBER') THEN
    GRANT {APP_ROLE} TO CURRENT_USER;
  END IF;
END $$""",
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


def owner_role_statements(server_version: int = 16) -> list[str]:
    """Run as a superuser, once per cluster: the owner role (a login, no superuser) with ``jiequ_app``.

    CREATEROLE lets migrations create the roles they need; since PostgreSQL 16 it covers only roles the
    owner created or administers, so it grants no way to superuser rights. BYPASSRLS lets the bulk loads
    (COPY, which row-level security refuses) run as the owner, whose own policies already admit every row.
    ``server_version`` is the server's major version: before 16 a grant has no SET option (membership
    implies it).
    """
    grant_options = "WITH ADMIN OPTION, SET TRUE" if server_version >= 16 else "WITH ADMIN OPTION"
    return [
        f"""DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN
    CREATE ROLE {OWNER_ROLE} LOGIN NOSUPERUSER CREATEROLE NOCREATEDB BYPASSRLS NOREPLICATION;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
    CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{AUTH_ROLE}') THEN
    CREATE ROLE {AUTH_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$""",
        f"ALTER ROLE {OWNER_ROLE} NOSUPERUSER BYPASSRLS NOREPLICATION",
        f"GRANT {APP_ROLE} TO {OWNER_ROLE} {grant_options}",
        f"GRANT {AUTH_ROLE} TO {OWNER_ROLE} {grant_options}",
    ]


def transfer_statements(database: str) -> list[str]:
    """Run as a superuser inside ``database``: hand the database and everything in its ``public`` schema to
    the owner role, including the owner's row-level security policies (a database migrated as another role,
    as the local stack's were before the owner role, keeps working). Nothing to do leaves nothing done."""
    return [
        f'ALTER DATABASE "{database}" OWNER TO {OWNER_ROLE}',
        f"ALTER SCHEMA public OWNER TO {OWNER_ROLE}",
        f"""DO $$
DECLARE
  item record;
BEGIN
  FOR item IN
    SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
      AND c.relowner <> '{OWNER_ROLE}'::regrole
      -- sequences of identity and serial columns follow their table
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.deptype IN ('a', 'i'))
  LOOP
    EXECUTE format('ALTER TABLE %s OWNER TO {OWNER_ROLE}', item.name);
  END LOOP;
  FOR item IN
    SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' AND p.proowner <> '{OWNER_ROLE}'::regrole
  LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO {OWNER_ROLE}', item.name);
  END LOOP;
  FOR item IN
    SELECT t.oid::regtype AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'c') AND t.typrelid = 0
      AND t.typowner <> '{OWNER_ROLE}'::regrole
  LOOP
    EXECUTE format('ALTER TYPE %s OWNER TO {OWNER_ROLE}', item.name);
  END LOOP;
  -- The owner's own policies were written TO CURRENT_USER: whoever migrated.
  FOR item IN
    SELECT pol.polname, pol.polrelid::regclass AS tbl FROM pg_policy pol
    JOIN pg_class c ON c.oid = pol.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND pol.polname LIKE '%\\_owner'
      AND NOT '{OWNER_ROLE}'::regrole = ANY (pol.polroles)
  LOOP
    EXECUTE format('ALTER POLICY %I ON %s TO {OWNER_ROLE}', item.polname, item.tbl);
  END LOOP;
END $$""",
    ]
