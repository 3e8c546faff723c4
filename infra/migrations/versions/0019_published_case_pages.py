"""The public case library reads one page, or one case, in the database.

``published_cases()`` (migration 0013) returned every published case, and a SECURITY DEFINER function is never
inlined into the query that calls it: the library's page and a single case's page each computed every published
case, its body and its image count, and then kept a page or one row of it. The function now takes the case's id,
or a page's size and start, and answers with the number of published cases (``total``) on each row.

Revision ID: 0019
Revises: 0018
"""

from alembic import op

from infra.migrations.tables import grant_execute_only

revision = "0019"
down_revision = "0018"

PAGED = """CREATE FUNCTION published_cases(p_id bigint, p_limit integer, p_offset integer)
  RETURNS TABLE (tenant_id text, id bigint, street_name text, title text, category text, summary text, body text,
                 figures jsonb, year integer, published_at timestamptz, images integer, total bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  WITH found AS (
    SELECT c.tenant_id, c.id, c.published_at, count(*) OVER () AS total
    FROM cases c
    WHERE c.status = 'published' AND (p_id IS NULL OR c.id = p_id)
    ORDER BY c.published_at DESC, c.id DESC
    LIMIT p_limit OFFSET p_offset
  )
  SELECT c.tenant_id, c.id, s.name, c.title, c.category, c.summary, c.body, c.figures, c.year, c.published_at,
         (SELECT count(*)::integer FROM case_images i WHERE i.tenant_id = c.tenant_id AND i.case_id = c.id),
         f.total
  FROM found f
  JOIN cases c ON c.tenant_id = f.tenant_id AND c.id = f.id
  JOIN streets s ON s.tenant_id = c.tenant_id AND s.id = c.street_id
  ORDER BY f.published_at DESC, f.id DESC $$"""
"""A page (``p_limit`` from ``p_offset``, newest first) of the published cases, or the one case ``p_id``, with the
number of published cases (of ``p_id`` alone, when given); the body and the image count are read for those rows only."""


def upgrade() -> None:
    op.execute("DROP FUNCTION published_cases()")
    op.execute(PAGED)
    grant_execute_only("published_cases(bigint, integer, integer)")


def downgrade() -> None:
    from importlib import import_module  # noqa: PLC0415 - 0013's function, restored as it was

    op.execute("DROP FUNCTION published_cases(bigint, integer, integer)")
    op.execute(import_module("infra.migrations.versions.0013_cases")._PUBLISHED)
    grant_execute_only("published_cases()")
