"""``/api/tenants/{tenant}/users``: list, create, change and reset the tenant's users."""

from __future__ import annotations

from litestar import Controller, Response, get, patch, post
from litestar.datastructures import ResponseHeader
from litestar.params import JSONBody

from services.deps import At, Username, requires
from services.openapi import error_spec
from services.shared.paging import Limit, Offset
from services.users import service
from services.users.schemas import PasswordReset, User, UserCreate, UserCreated, UserUpdate
from tenants.context import Role

_ERRORS = {
    403: error_spec("角色无权管理该用户或创建该角色 / the caller may not manage this user or create this role"),
    404: error_spec("租户或用户不存在或无权访问 / tenant or user not found, or not visible to the caller"),
}
_CHANGE_ERRORS = {
    **_ERRORS,
    503: error_spec("同时进行的密码运算过多，见 Retry-After / too many password checks at once, see Retry-After"),
    422: error_spec("街区不在本市、缺少 streetId/department 等 / street not of this city, missing streetId, …"),
}


class UserController(Controller):
    path = "/api/tenants/{tenant:str}/users"
    tags = ["users"]
    guards = [requires(Role.CITY_ADMIN, Role.PROVINCE_ADMIN)]

    @get(
        "/",
        summary="用户列表 / the tenant's users (a province admin in a city: its city admins)",
        response_headers=[
            ResponseHeader(
                name="X-Total-Count",
                description="符合条件的总数（分页前）/ rows matching before limit and offset",
                documentation_only=True,
            )
        ],
        responses=_ERRORS,
    )
    async def list_users(self, at: At, limit: Limit = 100, offset: Offset = 0) -> Response[list[User]]:
        users, total = await service.list_users(at.db, at.actor, at.tenant_id, limit=limit, offset=offset)
        return Response(users, headers={"X-Total-Count": str(total)})

    @post(
        "/",
        summary="新建用户（返回一次性密码）/ create a user; its one-time password is shown once",
        responses={**_CHANGE_ERRORS, 409: error_spec("用户名已被使用 / the user name is taken")},
    )
    async def create_user(self, at: At, data: JSONBody[UserCreate]) -> UserCreated:
        return await service.create_user(at.db, at.actor, at.tenant_id, data)

    @patch(
        "/{username:str}", summary="修改、停用或启用用户 / rename, disable or enable a user", responses=_CHANGE_ERRORS
    )
    async def update_user(self, at: At, username: Username, data: JSONBody[UserUpdate]) -> User:
        return await service.update_user(at.db, at.actor, at.tenant_id, username, data)

    @post(
        "/{username:str}/password-reset",
        status_code=200,
        summary="重置密码（返回一次性密码）/ reset a password; the new one-time password is shown once",
        responses=_CHANGE_ERRORS,
    )
    async def reset_password(self, at: At, username: Username) -> PasswordReset:
        return PasswordReset(initial_password=await service.reset_password(at.db, at.actor, at.tenant_id, username))
