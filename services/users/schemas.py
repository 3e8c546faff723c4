"""Users (用户) as city and province admins see and manage them."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from services.schemas import BaseStruct, InputStruct
from services.text import Text
from tenants.context import Role

Department = Literal["development_reform", "finance", "market_regulation"]
"""A department viewer's province department: 发展改革, 财政, 市场监管."""

DEPARTMENT_LABELS: dict[str, Text] = {
    "development_reform": Text("发展改革", "development and reform"),
    "finance": Text("财政", "finance"),
    "market_regulation": Text("市场监管", "market regulation"),
}

NewUsername = Annotated[
    str,
    msgspec.Meta(
        min_length=3,
        max_length=64,
        pattern=r"^[a-z0-9][a-z0-9._-]*$",
        description="用户名：小写字母、数字、点、下划线或连字符，3–64 个字符 / user name: 3–64 lower-case letters, "
        "digits, dots, underscores or hyphens",
    ),
]
DisplayName = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=100,
        pattern=r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$",
        description="显示名称（不能只有空白）/ display name (not only whitespace)",
    ),
]
StreetId = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1, description="街区编号 / street id")]


class User(BaseStruct, kw_only=True, omit_defaults=True):
    username: str
    display_name: str
    role: Role
    street_id: int | None = None
    department: Department | None = None
    active: bool
    must_change_password: bool


class UserCreate(InputStruct):
    """A new user: a city admin creates caseworkers, operators (with their street) and viewers; a province
    admin creates city admins in its cities, and province admins and department viewers in the province."""

    username: NewUsername
    display_name: DisplayName
    role: Role
    street_id: StreetId | None = None
    department: Department | None = None


class UserUpdate(InputStruct):
    """Fields left out stay as they are; ``streetId: null`` unbinds a caseworker from its street."""

    display_name: DisplayName | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET
    street_id: StreetId | msgspec.UnsetType | None = msgspec.UNSET


class UserCreated(User, kw_only=True):
    initial_password: str
    """The generated one-time password, shown this once; the user must replace it at first sign-in."""


class PasswordReset(BaseStruct):
    initial_password: str
