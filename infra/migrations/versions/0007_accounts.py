"""Accounts: users that can be disabled and must change a one-time password, department viewers, a sign-in
role of its own, a throttle keyed by fixed-length hashes, and the province's hand on its cities' admins.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from infra.db import APP_ROLE
from infra.migrations.tables import add_columns, drop_columns, grant_execute_only, optional, required

revision = "0007"
down_revision = "0006"

AUTH_ROLE = "jiequ_auth"
"""The role sign-in runs as: it alone may look a user's password hash up and count failed sign-ins."""

_ROLES_BEFORE = "'province_admin', 'city_admin', 'caseworker', 'operator', 'viewer'"
_ROLES = _ROLES_BEFORE + ", 'department_viewer'"

# Only what sign-in needs: the caller knows the name; the street and display name are read per request.
_FIND_USER = """CREATE FUNCTION auth_find_user(p_username text)
  RETURNS TABLE (tenant_id text, role text, password_hash text, active boolean,
                 must_change_password boolean, token_version integer)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT tenant_id, role, password_hash, active, must_change_password, token_version
        FROM users WHERE username = p_username $$"""

_FIND_USER_BEFORE = """CREATE FUNCTION auth_find_user(p_username text)
  RETURNS TABLE (tenant_id text, username text, password_hash text, role text, street_id bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT tenant_id, username, password_hash, role, street_id FROM users WHERE username = p_username $$"""

# A province admin manages the city admins of its cities. Its transactions stay read-only outside its own
# tenant; the users service names the one city it acts on in ``app.user_admin_tenant_ids`` (transaction-local),
# and only city-admin rows of that city, and their audit rows, become writable.
_USER_ADMIN_TENANTS = """CREATE FUNCTION app_user_admin_tenants() RETURNS text[]
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $f$ SELECT string_to_array(nullif(current_setting('app.user_admin_tenant_ids', true), ''), ',') $f$"""

_CITY_ADMIN_ROWS = "role = 'city_admin' AND tenant_id = ANY (app_user_admin_tenants())"


def upgrade() -> None:
    add_columns(
        "users",
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()),
        *optional(sa.Text(), "department"),
        *required(sa.Integer(), "token_version", default="0"),
    )
    op.drop_constraint("users_role_known", "users", type_="check")
    op.create_check_constraint("users_role_known", "users", f"role IN ({_ROLES})")
    op.create_check_constraint(
        "users_department_known",
        "users",
        "(role = 'department_viewer') = (department IS NOT NULL)"
        " AND (department IS NULL OR department IN ('development_reform', 'finance', 'market_regulation'))",
    )

    op.execute(
        f"""DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{AUTH_ROLE}') THEN
    CREATE ROLE {AUTH_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$"""  # noqa: S608 - a constant role name, no input
    )
    # Where the role exists already (another database of the cluster), the local stack's owner was granted it
    # when the owner was made; granting it again would need the ADMIN option.
    op.execute(
        f"""DO $$ BEGIN
  IF NOT pg_has_role(current_user, '{AUTH_ROLE}', 'MEMBER') THEN
    GRANT {AUTH_ROLE} TO CURRENT_USER;
  END IF;
END $$"""
    )
    op.execute(f"GRANT USAGE ON SCHEMA public TO {AUTH_ROLE}")

    op.execute("DROP FUNCTION auth_find_user(text)")
    op.execute(_FIND_USER)
    grant_execute_only("auth_find_user(text)", AUTH_ROLE)

    # Rows from before were keyed by the raw name; they are only counts of failures, so they go.
    op.execute("DELETE FROM login_throttle")
    op.create_check_constraint("login_throttle_key_bounded", "login_throttle", "length(username) <= 80")
    op.execute(f"REVOKE ALL ON login_throttle FROM {APP_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO {AUTH_ROLE}")

    op.execute(_USER_ADMIN_TENANTS)
    op.execute(
        f"CREATE POLICY users_city_admins_insert ON users FOR INSERT TO {APP_ROLE} WITH CHECK ({_CITY_ADMIN_ROWS})"
    )
    op.execute(
        f"CREATE POLICY users_city_admins_update ON users FOR UPDATE TO {APP_ROLE}"
        f" USING ({_CITY_ADMIN_ROWS}) WITH CHECK ({_CITY_ADMIN_ROWS})"
    )
    op.execute(
        f"CREATE POLICY audit_log_city_admins_insert ON audit_log FOR INSERT TO {APP_ROLE}"
        " WITH CHECK (object_type = 'user' AND tenant_id = ANY (app_user_admin_tenants()))"
    )


def downgrade() -> None:
    op.execute("DROP POLICY audit_log_city_admins_insert ON audit_log")
    op.execute("DROP POLICY users_city_admins_update ON users")
    op.execute("DROP POLICY users_city_admins_insert ON users")
    op.execute("DROP FUNCTION app_user_admin_tenants()")

    op.execute(f"REVOKE ALL ON login_throttle FROM {AUTH_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO {APP_ROLE}")
    op.drop_constraint("login_throttle_key_bounded", "login_throttle", type_="check")

    op.execute("DROP FUNCTION auth_find_user(text)")
    op.execute(_FIND_USER_BEFORE)
    grant_execute_only("auth_find_user(text)")
    # The role is the cluster's, shared by every database migrated on it: it stays, with nothing granted here.
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {AUTH_ROLE}")

    op.execute("DELETE FROM users WHERE role = 'department_viewer'")
    op.drop_constraint("users_department_known", "users", type_="check")
    op.drop_constraint("users_role_known", "users", type_="check")
    op.create_check_constraint("users_role_known", "users", f"role IN ({_ROLES_BEFORE})")
    drop_columns("users", "token_version", "department", "must_change_password", "active")
