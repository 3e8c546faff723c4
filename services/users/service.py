"""Users as data: list, create, change and reset the accounts a city admin or the province manages.

Who manages whom: a city admin its city's caseworkers, operators and viewers; a province admin the
province's own admins and department viewers, and the city admins of its cities. A province admin's
transaction stays read-only in its cities: for the one city it acts on, ``app.user_admin_tenant_ids``
lets it write that city's city-admin rows and their audit rows, and nothing else (migration 0007).
"""

from __future__ import annotations

from typing import Final

import msgspec
from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services import models
from services.audit.service import record
from services.auth.passwords import hash_password_async, one_time_password
from services.auth.sessions import forget_after_commit
from services.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError
from services.shared.shapes import shape_of
from services.shared.writes import save_recorded
from services.text import Text
from services.users.schemas import User, UserCreate, UserCreated, UserUpdate
from tenants.context import Actor, Role
from tenants.ids import TenantId

CITY_ROLES: Final = (Role.CASEWORKER, Role.OPERATOR, Role.VIEWER)
"""What a city admin creates in its city."""
PROVINCE_ROLES: Final = (Role.PROVINCE_ADMIN, Role.DEPARTMENT_VIEWER)
"""What a province admin creates in the province itself."""
STREET_ROLES: Final = (Role.CASEWORKER, Role.OPERATOR)
"""Roles bound to a street: an operator always, a caseworker when it looks after one."""


def new_user(
    *,
    tenant: str,
    username: str,
    role: Role,
    password_hash: str,
    display_name: str = "",
    street_id: int | None = None,
    department: str | None = None,
    must_change_password: bool = False,
) -> models.User:
    """The one way a user row is made: by the demo seed, the tests and the API alike."""
    return models.User(
        tenant_id=tenant,
        username=username,
        password_hash=password_hash,
        role=role,
        display_name=display_name,
        street_id=street_id,
        department=department,
        active=True,
        must_change_password=must_change_password,
        token_version=0,
    )


def as_user(row: models.User) -> User:
    """The API's view of a row (never its password hash)."""
    return shape_of(User, row, role=Role(row.role))


def _in_city(actor: Actor, tenant: TenantId) -> bool:
    """Whether a province admin acts on one of its cities rather than on the province itself."""
    return actor.province and tenant != actor.tenant


def _visible_roles(actor: Actor, tenant: TenantId) -> tuple[Role, ...] | None:
    """The roles of ``tenant``'s users the actor sees (None: all of them)."""
    if actor.role == Role.PROVINCE_ADMIN and _in_city(actor, tenant):
        return (Role.CITY_ADMIN,)
    if actor.role in (Role.CITY_ADMIN, Role.PROVINCE_ADMIN) and tenant == actor.tenant:
        return None
    raise ForbiddenError(Text("无权管理该租户的用户", "not allowed to manage this tenant's users"))


def _manageable_roles(actor: Actor, tenant: TenantId) -> tuple[Role, ...]:
    """The roles the actor creates, changes and resets in ``tenant``."""
    if actor.role == Role.PROVINCE_ADMIN:
        return (Role.CITY_ADMIN,) if _in_city(actor, tenant) else PROVINCE_ROLES
    if actor.role == Role.CITY_ADMIN and not actor.province and tenant == actor.tenant:
        return CITY_ROLES
    return ()


async def _open_city_admins(session: AsyncSession, actor: Actor, tenant: TenantId) -> None:
    """Let this transaction write the city admins of ``tenant``, a city of the acting province admin."""
    if actor.role == Role.PROVINCE_ADMIN and _in_city(actor, tenant):
        connection = await session.connection()
        await connection.execute(text("SELECT set_config('app.user_admin_tenant_ids', :t, true)"), {"t": str(tenant)})


async def list_users(
    session: AsyncSession, actor: Actor, tenant: TenantId, *, limit: int, offset: int
) -> tuple[list[User], int]:
    """``tenant``'s users the actor sees, by name, and how many there are before ``limit``/``offset``."""
    roles = _visible_roles(actor, tenant)
    query = select(models.User).where(col(models.User.tenant_id) == tenant)
    if roles is not None:
        query = query.where(col(models.User.role).in_([str(role) for role in roles]))
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = (await session.exec(query.order_by(col(models.User.username)).limit(limit).offset(offset))).all()
    return [as_user(row) for row in rows], int(total)


async def _check_street(session: AsyncSession, tenant: TenantId, role: Role, street_id: int | None) -> None:
    if street_id is None:
        if role == Role.OPERATOR:
            raise InvalidError(Text("运营机构用户必须指定 streetId", "an operator needs a streetId"))
        return
    if role not in STREET_ROLES:
        raise InvalidError(
            Text("只有经办人和运营机构用户可以绑定街区（streetId）", "only caseworkers and operators have a streetId")
        )
    street = await session.get(models.Street, (tenant, street_id))
    if street is None:
        raise InvalidError(Text("街区 {id} 不在本市", "street {id} is not a street of this city").format(id=street_id))


def _check_department(role: Role, department: str | None) -> None:
    if role == Role.DEPARTMENT_VIEWER and department is None:
        raise InvalidError(
            Text(
                "部门查看用户必须指定 department：development_reform、finance 或 market_regulation",
                "a department viewer needs a department: development_reform, finance or market_regulation",
            )
        )
    if role != Role.DEPARTMENT_VIEWER and department is not None:
        raise InvalidError(Text("只有部门查看用户有 department", "only a department viewer has a department"))


def _refuse_role(actor: Actor, tenant: TenantId, role: Role) -> ForbiddenError:
    allowed = ", ".join(_manageable_roles(actor, tenant)) or "-"
    return ForbiddenError(
        Text(
            "无权在此创建或管理 {role} 用户（可管理：{allowed}）",
            "may not create or manage {role} users here (allowed: {allowed})",
        ).format(role=role, allowed=allowed)
    )


async def create_user(session: AsyncSession, actor: Actor, tenant: TenantId, data: UserCreate) -> UserCreated:
    """Create the user with a generated one-time password, which the answer shows this once."""
    if data.role not in _manageable_roles(actor, tenant):
        raise _refuse_role(actor, tenant, data.role)
    _check_department(data.role, data.department)
    await _check_street(session, tenant, data.role, data.street_id)
    password = one_time_password()
    row = new_user(
        tenant=tenant,
        username=data.username,
        role=data.role,
        password_hash=await hash_password_async(password),
        display_name=data.display_name.strip(),
        street_id=data.street_id,
        department=data.department,
        must_change_password=True,
    )
    await _open_city_admins(session, actor, tenant)
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise ConflictError(
            Text("用户名 {name} 已被使用", "the user name {name} is taken").format(name=data.username)
        ) from exc
    forget_after_commit(session, row.username)
    await record(session, actor, tenant, "user.created", "user", row.username, after=as_user(row))
    return UserCreated(**msgspec.structs.asdict(as_user(row)), initial_password=password)


async def _managed(session: AsyncSession, actor: Actor, tenant: TenantId, username: str) -> models.User:
    """The user ``username`` of ``tenant`` if the actor manages it: 404 if it does not see it, 403 if it sees
    but does not manage it."""
    roles = _visible_roles(actor, tenant)
    await _open_city_admins(session, actor, tenant)  # before FOR UPDATE, which the update policies also filter
    query = select(models.User).where(col(models.User.tenant_id) == tenant, col(models.User.username) == username)
    row = (await session.exec(query.with_for_update())).one_or_none()
    if row is None or (roles is not None and row.role not in roles):
        raise NotFoundError(Text("用户 {name} 不存在或无权访问", "user {name} not found").format(name=username))
    if row.role not in _manageable_roles(actor, tenant):
        raise _refuse_role(actor, tenant, Role(row.role))
    return row


async def update_user(session: AsyncSession, actor: Actor, tenant: TenantId, username: str, data: UserUpdate) -> User:
    """Rename, disable or enable a user, or move a caseworker or operator to another street of the city.

    Disabling ends the user's sessions at its next request.
    """
    row = await _managed(session, actor, tenant, username)
    before = as_user(row)
    if data.display_name is not msgspec.UNSET:
        row.display_name = data.display_name.strip()
    if data.street_id is not msgspec.UNSET:
        await _check_street(session, tenant, Role(row.role), data.street_id)
        row.street_id = data.street_id
    if data.active is not msgspec.UNSET and data.active != row.active:
        if not data.active and row.username == actor.username:
            raise InvalidError(Text("不能停用自己的账号", "you cannot disable your own account"))
        row.active = data.active
        if not data.active:
            row.token_version += 1
    after = await save_recorded(
        session, actor, tenant, "user.updated", row, as_user, object_type="user", object_id=row.username, before=before
    )
    forget_after_commit(session, row.username)
    return after


async def reset_password(session: AsyncSession, actor: Actor, tenant: TenantId, username: str) -> str:
    """A new one-time password for the user (shown once); its sessions end and it must set its own."""
    row = await _managed(session, actor, tenant, username)
    if row.username == actor.username:
        raise InvalidError(
            Text(
                "请通过 POST /api/auth/password 修改自己的密码", "change your own password with POST /api/auth/password"
            )
        )
    password = one_time_password()
    row.password_hash = await hash_password_async(password)
    row.must_change_password = True
    row.token_version += 1
    session.add(row)
    await session.flush()
    forget_after_commit(session, row.username)
    await record(session, actor, tenant, "user.password_reset", "user", row.username)
    return password
