"""Streets: create with operator, centre and staff in one unit; read as the caller may; change; move status."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

import msgspec
from sqlalchemy import and_, delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services import models
from services.attestations.claims import claim_values, claims_changed
from services.audit.service import record
from services.errors import ConflictError, ForbiddenError, NotFoundError
from services.fields.service import check_values
from services.models.base import utcnow
from services.shared.checks import FieldProblem, checked_uscc
from services.shared.paging import Page, fetch_page
from services.shared.shapes import shape_of
from services.shared.writes import assign_given
from services.streets.schemas import (
    Center,
    CenterIn,
    Operator,
    OperatorUpdate,
    StaffMember,
    StaffMemberIn,
    Street,
    StreetCreate,
    StreetStatus,
    StreetUpdate,
)
from tenants.context import Actor, Role
from tenants.ids import TenantId

ALLOWED_TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    "applied": frozenset({"recommended", "withdrawn"}),
    # Not selected goes back to applied; the province may designate without a pilot year.
    "recommended": frozenset({"pilot", "designated", "applied", "withdrawn"}),
    "pilot": frozenset({"designated", "rectification", "withdrawn"}),
    "designated": frozenset({"rectification", "withdrawn"}),
    # Rectification ends in a re-assessment: retained (designated again) or revoked.
    "rectification": frozenset({"designated", "revoked", "withdrawn"}),
    "revoked": frozenset(),
    "withdrawn": frozenset(),
}
"""The street lifecycle (DESIGN.md, Data): which status may follow which."""

# Fields an operator may change on its own street; name, district and theme are the city's to set, and the
# replicable practices are counted from the typical cases the city accepted (services/cases), not stated.
_OPERATOR_EDITABLE: Final = frozenset({"operator", "center", "custom_fields"})
_DISTRICT: Final = re.compile(r"\d{6}")


def not_found(street_id: int) -> NotFoundError:
    return NotFoundError(f"街区 {street_id} 不存在 / street {street_id} not found")


async def street_of(
    session: AsyncSession, tenant: TenantId, street_id: int, actor: Actor, *, lock: bool = False
) -> models.Street:
    """The street `street_id` of `tenant` as `actor` may see it: an operator sees only its own street.

    Every street-scoped domain finds its street through here, so another city's street and, for an
    operator, another street of its city answer 404 alike.
    """
    if actor.role == Role.OPERATOR and actor.street_id != street_id:
        raise not_found(street_id)
    query = select(models.Street).where(models.Street.tenant_id == tenant, models.Street.id == street_id)
    if lock:
        query = query.with_for_update()
    row: models.Street | None = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise not_found(street_id)
    return row


async def streets_locked(session: AsyncSession, tenant: TenantId, street_ids: Sequence[int]) -> list[models.Street]:
    """The streets `street_ids` of `tenant`, in that order, locked (FOR UPDATE) in one query, for automated work
    that moves many at once; one that does not exist answers 404 as in :func:`street_of`."""
    query = (
        select(models.Street)
        .where(models.Street.tenant_id == tenant, col(models.Street.id).in_(street_ids))
        .order_by(col(models.Street.id))  # one lock order for every caller: no deadlock between two
        .with_for_update()
    )
    found = {row.id: row for row in (await session.execute(query)).scalars()}
    for street_id in street_ids:
        if street_id not in found:
            raise not_found(street_id)
    return [found[street_id] for street_id in street_ids]


async def list_streets(
    session: AsyncSession, actor: Actor, tenant: TenantId, *, status: StreetStatus | None, limit: int, offset: int
) -> Page[Street]:
    query = select(models.Street).where(models.Street.tenant_id == tenant)
    if actor.role == Role.OPERATOR:
        query = query.where(models.Street.id == actor.street_id)
    if status is not None:
        query = query.where(models.Street.status == status)
    page = await fetch_page(session, query.order_by(col(models.Street.id)), limit=limit, offset=offset)
    return Page(await _assemble(session, tenant, [street for (street,) in page.items]), page.total)


async def get_street(session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int) -> Street:
    return (await _assemble(session, tenant, [await street_of(session, tenant, street_id, actor)]))[0]


async def create_street(session: AsyncSession, actor: Actor, tenant: TenantId, data: StreetCreate) -> Street:
    """The street, its operator, centre and staff in the request's unit of work: all of it or nothing."""
    await _check_district(session, tenant, data.district)
    uscc = checked_uscc("operator.uscc", data.operator.uscc)
    custom = {key: value for key, value in data.custom_fields.items() if value is not None}
    await check_values(session, tenant, custom)
    await _check_name_free(session, tenant, data.name)
    await _check_operator_uscc_free(session, tenant, uscc)
    operator = models.Operator(
        tenant_id=tenant,
        name=data.operator.name,
        uscc=uscc,
        legal_person=data.operator.legal_person,
        clean_record=data.operator.clean_record,
        digital_platform_url=data.operator.digital_platform_url,
    )
    session.add(operator)
    await session.flush()
    street = models.Street(
        tenant_id=tenant,
        name=data.name,
        district=data.district,
        theme=data.theme,
        operator_id=operator.id,
        replicable_practices=data.replicable_practices,
        custom_fields=custom,
    )
    session.add(street)
    await session.flush()
    assert street.id is not None  # the flush assigned it
    await _write_center(session, tenant, street.id, data.center)
    await claims_changed(session, actor, tenant, street.id, {}, claim_values(operator))
    created = (await _assemble(session, tenant, [street]))[0]
    await record(session, actor, tenant, "street.create", "street", street.id, after=created)
    return created


async def update_street(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, data: StreetUpdate
) -> Street:
    """Change the fields given; a withdrawal (city admin only) goes through :func:`set_status`."""
    given = {name for name in data.__struct_fields__ if getattr(data, name) is not msgspec.UNSET}
    given -= {"status", "status_reason"}
    _check_status_request(actor, data)
    if actor.role == Role.OPERATOR and (refused := sorted(given - _OPERATOR_EDITABLE)):
        names = ", ".join(_camel(name) for name in refused)
        raise ForbiddenError(f"运营机构不能修改：{names} / an operator cannot change: {names}")
    row = await street_of(session, tenant, street_id, actor, lock=True)
    if given:
        before = (await _assemble(session, tenant, [row]))[0]
        await _apply(session, actor, tenant, row, data)
        row.updated_at = utcnow()
        await session.flush()
        after = (await _assemble(session, tenant, [row]))[0]
        await record(session, actor, tenant, "street.update", "street", street_id, before=before, after=after)
    if not isinstance(data.status, msgspec.UnsetType):
        assert isinstance(data.status_reason, str)  # _check_status_request required it
        return await set_status(session, actor, tenant, street_id, data.status, data.status_reason)
    return (await _assemble(session, tenant, [row]))[0]


async def set_status(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, new_status: StreetStatus, reason: str
) -> Street:
    """Move the street along its lifecycle (:data:`ALLOWED_TRANSITIONS`), with the reason in the audit row; the
    street as it is then.

    Setting the status it already has changes nothing and writes no audit row, so a retried activity is
    harmless. The workflows, which move many streets and need nothing back, call :func:`change_status`.
    """
    row = await street_of(session, tenant, street_id, actor, lock=True)
    await change_status(session, actor, tenant, row, new_status, reason)
    return (await _assemble(session, tenant, [row]))[0]


async def change_status(
    session: AsyncSession, actor: Actor, tenant: TenantId, row: models.Street, new_status: StreetStatus, reason: str
) -> None:
    """:func:`set_status` on a street row the caller has locked (``street_of(…, lock=True)``), for callers that
    move many streets and need nothing back."""
    if row.status != new_status:
        allowed = ALLOWED_TRANSITIONS.get(row.status, frozenset())
        if new_status not in allowed:
            choices = ", ".join(sorted(allowed)) or "—"
            raise FieldProblem(
                "status",
                f"街区状态不能从“{row.status}”改为“{new_status}”（可改为：{choices}）",
                f"a street's status cannot change from '{row.status}' to '{new_status}' (allowed: {choices})",
            ).error()
        if not reason.strip():
            raise FieldProblem("statusReason", "变更状态须说明原因", "a status change needs a reason").error()
        before = row.status
        row.status = new_status
        row.updated_at = utcnow()
        # No flush of its own: a city's moves go out together at the next flush, as one batch of UPDATEs.
        await record(
            session,
            actor,
            tenant,
            "street.status",
            "street",
            row.id,
            before={"status": before},
            after={"status": new_status, "reason": reason},
        )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _check_status_request(actor: Actor, data: StreetUpdate) -> None:
    if isinstance(data.status, msgspec.UnsetType):
        if not isinstance(data.status_reason, msgspec.UnsetType):
            raise FieldProblem(
                "statusReason", "只有变更状态时才填写原因", "statusReason is given only with a status change"
            ).error()
        return
    if actor.role != Role.CITY_ADMIN:
        raise ForbiddenError("只有市级管理员可以撤回街区 / only the city admin may withdraw a street")
    if data.status != "withdrawn":
        raise FieldProblem(
            "status",
            "修改接口只能将状态改为 withdrawn（撤回）；其他状态由评选和年度流程变更",
            "PATCH may only set status to 'withdrawn'; other changes come from the selection and annual cycle",
        ).error()
    if isinstance(data.status_reason, msgspec.UnsetType):
        raise FieldProblem("statusReason", "撤回街区须说明原因", "withdrawing a street needs a statusReason").error()


async def _apply(session: AsyncSession, actor: Actor, tenant: TenantId, row: models.Street, data: StreetUpdate) -> None:
    assert row.id is not None  # a loaded row has its key
    if not isinstance(data.name, msgspec.UnsetType) and data.name != row.name:
        await _check_name_free(session, tenant, data.name)
        row.name = data.name
    if not isinstance(data.district, msgspec.UnsetType):
        await _check_district(session, tenant, data.district)
        row.district = data.district
    assign_given(row, data, "theme", "replicable_practices")
    if not isinstance(data.custom_fields, msgspec.UnsetType):
        await check_values(session, tenant, {k: v for k, v in data.custom_fields.items() if v is not None})
        merged = dict(row.custom_fields)
        for key, value in data.custom_fields.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        # A new dict, so the JSONB column is seen as changed.
        row.custom_fields = merged
    if not isinstance(data.operator, msgspec.UnsetType):
        await _update_operator(session, actor, tenant, row, data.operator)
    if not isinstance(data.center, msgspec.UnsetType):
        await session.execute(
            delete(models.CenterStaff).where(
                col(models.CenterStaff.tenant_id) == tenant, col(models.CenterStaff.street_id) == row.id
            )
        )
        await session.execute(
            delete(models.Center).where(col(models.Center.tenant_id) == tenant, col(models.Center.street_id) == row.id)
        )
        await _write_center(session, tenant, row.id, data.center)


async def _update_operator(
    session: AsyncSession, actor: Actor, tenant: TenantId, street: models.Street, data: OperatorUpdate
) -> None:
    """Change the operator's fields given; a claim changed is verified when the city admin changed it, and
    unverified again otherwise (services/attestations)."""
    operator = await session.get(models.Operator, (tenant, street.operator_id)) if street.operator_id else None
    if operator is None:
        raise NotFoundError(f"街区 {street.id} 没有运营机构 / street {street.id} has no operator")
    if not isinstance(data.uscc, msgspec.UnsetType):
        uscc = checked_uscc("operator.uscc", data.uscc)
        if uscc != operator.uscc:
            await _check_operator_uscc_free(session, tenant, uscc)
            operator.uscc = uscc
    claims = claim_values(operator)
    assign_given(operator, data, "name", "legal_person", "clean_record", "digital_platform_url")
    assert street.id is not None  # a loaded row has its key
    await claims_changed(session, actor, tenant, street.id, claims, claim_values(operator))


async def _check_district(session: AsyncSession, tenant: TenantId, district: str) -> None:
    """A 6-digit division code of a district or county of this city (370102 in 370100)."""
    city = await session.get(models.Tenant, str(tenant))
    prefix = city.code[:4] if city is not None else ""
    if _DISTRICT.fullmatch(district) and prefix and district.startswith(prefix) and not district.endswith("00"):
        return
    name_zh, name_en = (city.name_zh, city.name_en) if city is not None else (tenant, tenant)
    raise FieldProblem(
        "district",
        f"区县代码“{district}”不是{name_zh}的区县（应为 {prefix} 开头、不以 00 结尾的 6 位代码）",
        f"district '{district}' is not a district of {name_en}: use its 6-digit code starting {prefix}",
    ).error()


async def _check_name_free(session: AsyncSession, tenant: TenantId, name: str) -> None:
    query = select(models.Street.id).where(models.Street.tenant_id == tenant, models.Street.name == name)
    if (await session.execute(query)).first() is not None:
        raise ConflictError(f"本市已有名为“{name}”的街区 / the city already has a street named '{name}'")


async def _check_operator_uscc_free(session: AsyncSession, tenant: TenantId, uscc: str) -> None:
    # One operator row per street: sharing it would let one street's PATCH change another's operator.
    query = select(models.Operator.id).where(models.Operator.tenant_id == tenant, models.Operator.uscc == uscc)
    if (await session.execute(query)).first() is not None:
        raise ConflictError(
            f"统一社会信用代码 {uscc} 已登记为本市另一街区的运营机构 / "
            f"USCC {uscc} is already registered as the operator of another street of this city"
        )


async def _write_center(session: AsyncSession, tenant: TenantId, street_id: int, center: CenterIn) -> None:
    services: list[str] = list(dict.fromkeys(center.services))  # each service once, in the order given
    session.add(
        models.Center(
            tenant_id=tenant,
            street_id=street_id,
            fixed_site=center.fixed_site,
            address=center.address,
            services=services,
        )
    )
    # Staff rows point at the centre: it must exist first.
    await session.flush()
    session.add_all(_staff_rows(tenant, street_id, center.staff))
    await session.flush()


def _staff_rows(tenant: TenantId, street_id: int, staff: Sequence[StaffMemberIn]) -> list[models.CenterStaff]:
    return [
        models.CenterStaff(tenant_id=tenant, street_id=street_id, name=s.name, role=s.role, full_time=s.full_time)
        for s in staff
    ]


async def _assemble(session: AsyncSession, tenant: TenantId, rows: list[models.Street]) -> list[Street]:
    """The API shape of `rows`: their operators, centres and staff in one query for the whole page."""
    if not rows:
        return []
    street, operator, center, member = models.Street, models.Operator, models.Center, models.CenterStaff
    related = (
        select(street.id, operator, center, member)
        .select_from(street)
        .outerjoin(operator, and_(col(operator.tenant_id) == street.tenant_id, col(operator.id) == street.operator_id))
        .outerjoin(center, and_(col(center.tenant_id) == street.tenant_id, col(center.street_id) == street.id))
        .outerjoin(member, and_(col(member.tenant_id) == center.tenant_id, col(member.street_id) == center.street_id))
        .where(street.tenant_id == tenant, col(street.id).in_([row.id for row in rows]))
        .order_by(col(member.id))
    )
    operators: dict[int, models.Operator | None] = {}
    centers: dict[int, models.Center | None] = {}
    staff: dict[int, list[StaffMember]] = {}
    for street_id, its_operator, its_center, its_member in (await session.execute(related)).all():
        operators[street_id], centers[street_id] = its_operator, its_center
        if its_member is not None:
            staff.setdefault(street_id, []).append(shape_of(StaffMember, its_member))
    return [
        _street(row, operators.get(row.id or 0), centers.get(row.id or 0), staff.get(row.id or 0, [])) for row in rows
    ]


def _street(
    row: models.Street, operator: models.Operator | None, center: models.Center | None, staff: list[StaffMember]
) -> Street:
    return shape_of(
        Street,
        row,
        operator=None if operator is None else shape_of(Operator, operator),
        center=None
        if center is None
        else shape_of(Center, center, staff=staff, staff_count=len(staff), services=list(center.services)),
        custom_fields=dict(row.custom_fields),
    )
