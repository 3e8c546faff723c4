"""A city's typical cases: drafted for a street (by its operator or the city admin), submitted, reviewed by the
city, with up to six images. Every change is audited; the province's side is in ``services.cases.publication``."""

from __future__ import annotations

from typing import Any, Final

import msgspec
from sqlalchemy import Select, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services import models
from services.audit.service import record
from services.cases.schemas import (
    EDITABLE,
    MAX_IMAGE_BYTES,
    MAX_IMAGES,
    Case,
    CaseCreate,
    CaseImageSaved,
    CaseReview,
    CaseUpdate,
    Figure,
)
from services.cases.text import image_type
from services.errors import ConflictError, InvalidError, NotFoundError
from services.labels.labels import LABELS
from services.models.base import utcnow
from services.shared.filters import where_given
from services.shared.paging import Page, fetch_page
from services.shared.writes import assign_given, save_recorded
from services.streets.service import street_of
from services.text import Text
from tenants.calendar import today
from tenants.context import Actor, Role
from tenants.ids import TenantId

OBJECT_TYPE: Final = "case"


def not_found(case_id: int) -> NotFoundError:
    return NotFoundError(f"案例 {case_id} 不存在 / case {case_id} not found")


def _images() -> Any:
    image = models.CaseImage
    return (
        select(func.count())
        .where(col(image.tenant_id) == col(models.Case.tenant_id), col(image.case_id) == col(models.Case.id))
        .scalar_subquery()
    )


def case_query(tenants: list[str]) -> Select[Any]:
    """Cases of `tenants` with their street's name and image count, newest change first."""
    case, street = models.Case, models.Street
    return (
        select(case, col(street.name), _images())
        .join(street, (col(street.tenant_id) == col(case.tenant_id)) & (col(street.id) == col(case.street_id)))
        .where(col(case.tenant_id).in_(tenants))
        .order_by(col(case.updated_at).desc(), col(case.id).desc())
    )


def shape(row: models.Case, street_name: str, images: int) -> Case:
    return Case(
        id=row.id or 0,
        tenant=str(row.tenant_id),
        street_id=row.street_id,
        street_name=street_name,
        year=row.year,
        title=row.title,
        category=row.category,  # type: ignore[arg-type]  # the table's check keeps it a CaseCategory
        summary=row.summary,
        body=row.body,
        figures=[Figure(label=f["label"], value=f["value"]) for f in row.figures],
        status=row.status,  # type: ignore[arg-type]  # the table's check keeps it a CaseStatus
        review_comment=row.review_comment,
        images=images,
        created_by=row.created_by,
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
        published_at=row.published_at,
        updated_at=row.updated_at,
    )


async def list_cases(
    session: AsyncSession,
    actor: Actor,
    tenant: TenantId,
    *,
    street_id: int | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[Case]:
    """A city's cases; an operator sees only its own street's."""
    query = case_query([tenant])
    if actor.role == Role.OPERATOR:
        query = query.where(col(models.Case.street_id) == actor.street_id)
    query = where_given(query, (models.Case.street_id, street_id), (models.Case.status, status))
    page = await fetch_page(session, query, limit=limit, offset=offset)
    return page.map(lambda r: shape(r[0], r[1], r[2]))


async def _row(session: AsyncSession, actor: Actor, tenant: TenantId, case_id: int, *, lock: bool = False) -> Any:
    query = case_query([tenant]).where(col(models.Case.id) == case_id)
    if lock:
        query = query.with_for_update(of=models.Case)
    found = (await session.execute(query)).first()
    if found is None or (actor.role == Role.OPERATOR and found[0].street_id != actor.street_id):
        raise not_found(case_id)
    return found


async def get_case(session: AsyncSession, actor: Actor, tenant: TenantId, case_id: int) -> Case:
    row, name, images = await _row(session, actor, tenant, case_id)
    return shape(row, name, images)


def _figures(data: CaseCreate | CaseUpdate) -> list[dict[str, str]] | msgspec.UnsetType:
    if isinstance(data.figures, msgspec.UnsetType):
        return data.figures
    return [{"label": f.label, "value": f.value} for f in data.figures]


async def create_case(session: AsyncSession, actor: Actor, tenant: TenantId, data: CaseCreate) -> Case:
    street = await street_of(session, tenant, data.street_id, actor)
    row = models.Case(
        tenant_id=tenant,
        street_id=data.street_id,
        year=data.year or today().year,
        title=data.title,
        category=data.category,
        summary=data.summary,
        body=data.body,
        figures=[{"label": f.label, "value": f.value} for f in data.figures],
        created_by=actor.username,
    )
    return await save_recorded(
        session, actor, tenant, "case.create", row, lambda r: shape(r, street.name, 0), object_type=OBJECT_TYPE
    )


def _editable(row: models.Case) -> None:
    if row.status not in EDITABLE:
        status = LABELS["caseStatus"][row.status]
        raise ConflictError(
            Text(
                f"案例{status.zh}，只有草稿或退回的案例可以修改",
                f"the case is {status.en}: only a draft or a returned case can be changed",
            )
        )


async def update_case(session: AsyncSession, actor: Actor, tenant: TenantId, case_id: int, data: CaseUpdate) -> Case:
    row, name, images = await _row(session, actor, tenant, case_id, lock=True)
    _editable(row)
    before = shape(row, name, images)
    assign_given(row, data, "title", "category", "summary", "body", "year")
    figures = _figures(data)
    if not isinstance(figures, msgspec.UnsetType):
        row.figures = figures
    row.updated_at = utcnow()
    return await save_recorded(
        session,
        actor,
        tenant,
        "case.update",
        row,
        lambda r: shape(r, name, images),
        object_type=OBJECT_TYPE,
        before=before,
    )


async def _move(
    session: AsyncSession, actor: Actor, tenant: TenantId, found: Any, status: str, action: str, **changes: Any
) -> Case:
    """Move the case to `status` (with `changes`), auditing the step with the state before and after."""
    row, name, images = found
    before = shape(row, name, images)
    row.status = status
    for key, value in changes.items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    return await save_recorded(
        session, actor, tenant, action, row, lambda r: shape(r, name, images), object_type=OBJECT_TYPE, before=before
    )


async def submit_case(session: AsyncSession, actor: Actor, tenant: TenantId, case_id: int) -> Case:
    """The street hands the case to the city for review (a returned case, once changed, again)."""
    found = await _row(session, actor, tenant, case_id, lock=True)
    _editable(found[0])
    return await _move(session, actor, tenant, found, "submitted", "case.submit")


async def review_case(session: AsyncSession, actor: Actor, tenant: TenantId, case_id: int, data: CaseReview) -> Case:
    """The city accepts a submitted case, or returns it with a comment saying what to change."""
    found = await _row(session, actor, tenant, case_id, lock=True)
    if found[0].status != "submitted":
        raise ConflictError(Text("只有已提交的案例可以审核", "only a submitted case can be reviewed"))
    comment = (data.comment or "").strip() or None
    if data.decision == "return" and comment is None:
        raise InvalidError(
            Text("退回案例时须填写意见（comment）", "returning a case needs a comment"), extra={"field": "comment"}
        )
    status, action = ("accepted", "case.accept") if data.decision == "accept" else ("returned", "case.return")
    return await _move(
        session,
        actor,
        tenant,
        found,
        status,
        action,
        review_comment=comment,
        reviewed_by=actor.username,
        reviewed_at=utcnow(),
    )


async def add_image(
    session: AsyncSession, actor: Actor, tenant: TenantId, case_id: int, content: bytes
) -> CaseImageSaved:
    """Add an image after the case's last one: JPEG or PNG by its bytes, at most 5 MB, at most six."""
    row, _, images = await _row(session, actor, tenant, case_id, lock=True)
    _editable(row)
    media_type = image_type(content, MAX_IMAGE_BYTES)
    if images >= MAX_IMAGES:
        raise InvalidError(
            Text(f"每个案例至多 {MAX_IMAGES} 张图片", f"a case has at most {MAX_IMAGES} images"),
            extra={"field": "file"},
        )
    image = models.CaseImage(
        tenant_id=tenant, case_id=case_id, position=images + 1, media_type=media_type, content=content
    )
    saved = CaseImageSaved(position=images + 1, media_type=media_type, size=len(content))
    row.updated_at = utcnow()
    session.add(row)
    session.add(image)
    await session.flush()
    await record(session, actor, tenant, "case.image_add", OBJECT_TYPE, case_id, after=saved)
    return saved


async def get_image(
    session: AsyncSession, actor: Actor, tenant: TenantId, case_id: int, position: int
) -> tuple[str, bytes]:
    """The image's media type and bytes, for whoever may read the case."""
    await _row(session, actor, tenant, case_id)
    image = models.CaseImage
    query = select(col(image.media_type), col(image.content)).where(
        col(image.tenant_id) == tenant, col(image.case_id) == case_id, col(image.position) == position
    )
    found = (await session.execute(query)).first()
    if found is None:
        raise NotFoundError(f"案例 {case_id} 没有第 {position} 张图片 / case {case_id} has no image {position}")
    return str(found[0]), bytes(found[1])
