"""``/city/{tenant}/accounts``: the city admin's accounts page — the city's users, new accounts, disable and
enable, password resets. One-time passwords appear once, on the page that answers the change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from litestar import Controller, get, post
from litestar.response import Redirect, Template

from services.deps import Username, requires
from services.errors import DomainError
from services.streets.service import list_streets
from services.text import Text
from services.users import service
from services.users.schemas import UserCreate, UserUpdate
from services.web.forms import FormBody
from services.web.refusals import attempt, converted, errors_of
from services.web.scope import ALL, CITY_SCOPE, AtCity, CityScope
from tenants.context import Role

CREATABLE: Final = (Role.CASEWORKER, Role.OPERATOR, Role.VIEWER)
"""The accounts a city admin opens on this page (as services.users lets it)."""
WORDING: Final = {
    "username": Text(
        "用户名须为 3–64 个小写字母、数字、点、下划线或连字符，以字母或数字开头",
        "A user name has 3–64 lower-case letters, digits, dots, underscores or hyphens, a letter or digit first",
    ),
    "displayName": Text("请填写显示名称（最多 100 个字符）", "Enter a display name (100 characters at most)"),
    "role": Text("请选择角色", "Choose a role"),
    "streetId": Text("请选择街区", "Choose a street"),
}


@dataclass
class NewAccount:
    username: str = ""
    displayName: str = ""  # noqa: N815 - the API's own field names, so that its errors name the form's fields
    role: str = ""
    streetId: str = ""  # noqa: N815


@dataclass
class Activation:
    active: str = ""


class AccountPages(Controller):
    path = "/city/{tenant:str}/accounts"
    guards = [requires(Role.CITY_ADMIN)]
    dependencies = CITY_SCOPE

    @get("/")
    async def accounts(self, at: AtCity) -> Template:
        return await _list(at, NewAccount(), {})

    @post("/", status_code=200)
    async def create(self, at: AtCity, data: FormBody[NewAccount]) -> Template:
        fields: dict[str, Any] = {"username": data.username.strip(), "displayName": data.displayName, "role": data.role}
        if data.role == Role.OPERATOR or data.streetId:
            fields["streetId"] = data.streetId or None

        async def run() -> Any:
            new = converted(fields, UserCreate, "username", WORDING)
            return await service.create_user(at.db, at.actor, at.tenant_id, new)

        created = await attempt(at.db, run)
        if isinstance(created, DomainError):
            return await _list(at, data, errors_of(at.request, created, conflict="username"))
        return _once(at, created.username, created.display_name, created.initial_password)

    @post("/{username:str}/active", status_code=303)
    async def activate(self, at: AtCity, username: Username, data: FormBody[Activation]) -> Redirect:
        await service.update_user(at.db, at.actor, at.tenant_id, username, UserUpdate(active=data.active == "true"))
        return Redirect(f"/city/{at.tenant_id}/accounts", status_code=303)

    @post("/{username:str}/password-reset", status_code=200)
    async def reset(self, at: AtCity, username: Username) -> Template:
        password = await service.reset_password(at.db, at.actor, at.tenant_id, username)
        return _once(at, username, None, password)


async def _list(at: CityScope, form: NewAccount, errors: dict[str, str]) -> Template:
    users, total = await service.list_users(at.db, at.actor, at.tenant_id, limit=ALL, offset=0)
    streets = (await list_streets(at.db, at.actor, at.tenant_id, status=None, limit=ALL, offset=0)).items
    return at.page(
        "accounts/list.html",
        status_code=422 if errors else 200,
        users=users,
        total=total,
        street_names={street.id: street.name for street in streets},
        streets=sorted(((str(s.id), s.name) for s in streets), key=lambda pair: pair[1]),
        roles=[str(role) for role in CREATABLE],
        form=form,
        errors=errors,
    )


def _once(at: CityScope, username: str, display_name: str | None, password: str) -> Template:
    return at.page("accounts/password_once.html", username=username, display_name=display_name, password=password)
