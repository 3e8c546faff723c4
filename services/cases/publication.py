"""The province's side of the typical cases (三(二) 典型选树): its cities' accepted and published cases, publishing
and withdrawing them; and the public's read of what is published, the one path to it without sign-in."""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import text
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services import models
from services.cases.schemas import COUNTED, Case, Figure, PublicCase
from services.cases.service import case_query, not_found, shape
from services.errors import ConflictError, NotFoundError
from services.province_report.service import own_province, province_cities
from services.shared.paging import Page, fetch_page
from services.text import Text
from tenants.context import Actor
from tenants.resolver import TenantDirectory

_PUBLICATION: Final = text("SELECT case_publication(:tenant, :id, :publish, :actor, :request_id)")
_PUBLISHED: Final = text("SELECT * FROM published_cases(NULL, :limit, :offset)")
_PUBLISHED_COUNT: Final = text("SELECT coalesce((SELECT total FROM published_cases(NULL, 1, 0)), 0)")
_ONE_PUBLISHED: Final = text("SELECT * FROM published_cases(:id, 1, 0)")
_IMAGE: Final = text("SELECT media_type, content FROM published_case_image(:id, :position)")


async def province_cases(
    session: AsyncSession,
    actor: Actor,
    directory: TenantDirectory,
    province: str,
    *,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[Case]:
    """The accepted and published cases of the province's cities (drafts and reviews stay the cities')."""
    own = own_province(actor, province)
    cities = [city.slug for city in province_cities(actor, directory, own)]
    query = case_query(cities).where(col(models.Case.status).in_([status] if status else COUNTED))
    page = await fetch_page(session, query, limit=limit, offset=offset)
    return page.map(lambda r: shape(r[0], r[1], r[2]))


async def set_published(
    session: AsyncSession,
    actor: Actor,
    directory: TenantDirectory,
    province: str,
    city: str,
    case_id: int,
    *,
    publish: bool,
) -> Case:
    """Publish an accepted case of one of the province's cities, or withdraw a published one to accepted.

    The province reads its cities but writes only itself: the change goes through the definer function of
    migration 0013, which changes the case's state and nothing else, and writes the city's audit row."""
    own = own_province(actor, province)
    if city not in {c.slug for c in province_cities(actor, directory, own)}:
        raise not_found(case_id)
    query = case_query([city]).where(col(models.Case.id) == case_id)
    found = (await session.execute(query)).first()
    if found is None or found[0].status not in COUNTED:
        raise not_found(case_id)
    params = {
        "tenant": city,
        "id": case_id,
        "publish": publish,
        "actor": actor.username,
        "request_id": actor.request_id,
    }
    if not (await session.execute(_PUBLICATION, params)).scalar_one():
        wanted = Text("已发布", "published") if publish else Text("未发布", "not published")
        raise ConflictError(
            Text(f"案例已是{wanted.zh}状态", f"the case is already {wanted.en}"),
        )
    session.expire_all()
    again = (await session.execute(query)).one()
    return shape(again[0], again[1], again[2])


def _public(row: Any, directory: TenantDirectory) -> PublicCase:
    info = directory.get(row.tenant_id)
    return PublicCase(
        id=row.id,
        tenant=row.tenant_id,
        city_name=info.name_zh if info is not None else row.tenant_id,
        street_name=row.street_name,
        year=row.year,
        title=row.title,
        category=row.category,
        summary=row.summary,
        body=row.body,
        figures=[Figure(label=f["label"], value=f["value"]) for f in row.figures],
        published_at=row.published_at,
        images=row.images,
    )


async def published_cases(
    session: AsyncSession, directory: TenantDirectory, *, limit: int, offset: int = 0
) -> Page[PublicCase]:
    """A page of the published cases, newest first, as anyone may read them."""
    rows = (await session.execute(_PUBLISHED, {"limit": limit, "offset": offset})).all()
    # Past the last page no row carries the count: it is read alone.
    total = rows[0].total if rows else (await session.execute(_PUBLISHED_COUNT)).scalar_one()
    return Page([_public(row, directory) for row in rows], int(total))


async def published_case(session: AsyncSession, directory: TenantDirectory, case_id: int) -> PublicCase:
    found = (await session.execute(_ONE_PUBLISHED, {"id": case_id})).first()
    if found is not None:
        return _public(found, directory)
    raise NotFoundError(f"案例 {case_id} 不存在 / case {case_id} not found")


async def published_image(session: AsyncSession, case_id: int, position: int) -> tuple[str, bytes]:
    found = (await session.execute(_IMAGE, {"id": case_id, "position": position})).first()
    if found is None:
        raise NotFoundError(f"图片不存在 / image {position} of case {case_id} not found")
    return str(found[0]), bytes(found[1])
