"""Typical cases (典型案例, work plan 二(五) and 三(二)): a street's documented practice, reviewed by the city and
published by the province, with up to six images.

The province only reads its cities' rows, so it publishes through ``case_publication``, a definer function that
moves one accepted case of a city of the caller's province to published (or back) and audits it, and changes
nothing else. The public page reads through ``published_cases`` and ``published_case_image``, which return only
published rows: the tables' policies stay those of every tenant table.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from infra.migrations.tables import (
    create_tenant_table,
    created_column,
    grant_execute_only,
    key,
    optional,
    required,
    tenant_reference,
)

revision = "0013"
down_revision = "0012"

CATEGORIES = ("business_cultivation", "incubation", "finance", "digital_platform", "youth")
STATUSES = ("draft", "submitted", "accepted", "returned", "published")
MEDIA_TYPES = ("image/jpeg", "image/png")
MAX_IMAGES = 6
MAX_IMAGE_BYTES = 5 * 1024 * 1024


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(repr(v) for v in values)


_PUBLICATION = """CREATE FUNCTION case_publication(p_tenant text, p_id bigint, p_publish boolean, p_actor text,
                                     p_request_id text) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  v_from text := CASE WHEN p_publish THEN 'accepted' ELSE 'published' END;
  v_to text := CASE WHEN p_publish THEN 'published' ELSE 'accepted' END;
BEGIN
  -- Only the province the city belongs to, acting on its own tenant, may publish the city's cases.
  IF NOT EXISTS (SELECT 1 FROM tenants WHERE slug = p_tenant AND parent = ANY (app_write_tenants())) THEN
    RAISE EXCEPTION '无权发布租户 % 的案例 / cases of tenant % cannot be published here', p_tenant, p_tenant
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  UPDATE cases SET status = v_to,
         published_at = CASE WHEN p_publish THEN now() END,
         published_by = CASE WHEN p_publish THEN p_actor END,
         updated_at = now()
   WHERE tenant_id = p_tenant AND id = p_id AND status = v_from;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  INSERT INTO audit_log (tenant_id, actor, action, object_type, object_id, before, after, request_id)
  VALUES (p_tenant, p_actor, CASE WHEN p_publish THEN 'case.publish' ELSE 'case.unpublish' END, 'case',
          p_id::text, jsonb_build_object('status', v_from), jsonb_build_object('status', v_to), p_request_id);
  RETURN true;
END $$"""

_PUBLISHED = """CREATE FUNCTION published_cases()
  RETURNS TABLE (tenant_id text, id bigint, street_name text, title text, category text, summary text, body text,
                 figures jsonb, year integer, published_at timestamptz, images integer)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT c.tenant_id, c.id, s.name, c.title, c.category, c.summary, c.body, c.figures, c.year, c.published_at,
         (SELECT count(*)::integer FROM case_images i WHERE i.tenant_id = c.tenant_id AND i.case_id = c.id)
  FROM cases c JOIN streets s ON s.tenant_id = c.tenant_id AND s.id = c.street_id
  WHERE c.status = 'published'
  ORDER BY c.published_at DESC, c.id DESC $$"""

_PUBLISHED_IMAGE = """CREATE FUNCTION published_case_image(p_id bigint, p_position integer)
  RETURNS TABLE (media_type text, content bytea)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT i.media_type, i.content FROM case_images i
  JOIN cases c ON c.tenant_id = i.tenant_id AND c.id = i.case_id
  WHERE c.id = p_id AND c.status = 'published' AND i.position = p_position $$"""

_FUNCTIONS = (
    "case_publication(text, bigint, boolean, text, text)",
    "published_cases()",
    "published_case_image(bigint, integer)",
)


def upgrade() -> None:
    create_tenant_table(
        "cases",
        *required(sa.BigInteger(), "street_id"),
        *required(sa.Integer(), "year"),
        *required(sa.Text(), "title", "category", "summary", "body"),
        *required(postgresql.JSONB(), "figures", default="[]"),
        *required(sa.Text(), "status", default="draft"),
        *optional(sa.Text(), "review_comment"),
        *required(sa.Text(), "created_by"),
        *optional(sa.Text(), "reviewed_by"),
        *optional(sa.DateTime(timezone=True), "reviewed_at"),
        *optional(sa.Text(), "published_by"),
        *optional(sa.DateTime(timezone=True), "published_at"),
        created_column(),
        created_column("updated_at"),
        tenant_reference("street_id", "streets", ondelete="CASCADE"),
        sa.CheckConstraint(f"category IN ({_in(CATEGORIES)})", name="cases_category_check"),
        sa.CheckConstraint(f"status IN ({_in(STATUSES)})", name="cases_status_check"),
        sa.CheckConstraint("(status = 'published') = (published_at IS NOT NULL)", name="cases_published_check"),
    )
    op.create_index("cases_street_year", "cases", ["tenant_id", "street_id", "year"])
    create_tenant_table(
        "case_images",
        *key(sa.BigInteger(), "case_id"),
        *key(sa.SmallInteger(), "position"),
        *required(sa.Text(), "media_type"),
        *required(postgresql.BYTEA(), "content"),
        created_column(),
        tenant_reference("case_id", "cases", ondelete="CASCADE"),
        sa.CheckConstraint(f"position BETWEEN 1 AND {MAX_IMAGES}", name="case_images_position_check"),
        sa.CheckConstraint(f"media_type IN ({_in(MEDIA_TYPES)})", name="case_images_media_type_check"),
        sa.CheckConstraint(f"octet_length(content) BETWEEN 1 AND {MAX_IMAGE_BYTES}", name="case_images_content_check"),
        identity=False,
    )
    for statement in (_PUBLICATION, _PUBLISHED, _PUBLISHED_IMAGE):
        op.execute(statement)
    for function in _FUNCTIONS:
        grant_execute_only(function)


def downgrade() -> None:
    for function in _FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    op.drop_table("case_images")
    op.drop_table("cases")
